"""x-waiter: polling until a final state, without real sleeping."""

from __future__ import annotations

import httpx
import pytest

import specclient
from specclient._clock import FakeClock
from specclient.errors import WaiterError, WaiterTimeoutError


def client_with_states(pets_spec, recorder, states, clock):
    answers = iter(states)
    recorder.handler = lambda r: httpx.Response(200, json=next(answers))
    return specclient.Client.from_spec(pets_spec, http=recorder.transport, cache=False, clock=clock)


def test_wait_polls_with_growing_delays_until_success(pets_spec, recorder):
    clock = FakeClock()
    states = [
        {"status": "QUEUED"},
        {"status": "RUNNING"},
        {"status": "RUNNING"},
        {"status": "ADOPTED", "id": "1"},
    ]
    client = client_with_states(pets_spec, recorder, states, clock)
    final = client.pets.get.wait("1", progress=False)
    assert final.id == "1" and len(recorder.requests) == 4
    assert clock.sleeps == [10, 15, 22.5]


def test_failure_state_raises_with_the_reason(pets_spec, recorder):
    clock = FakeClock()
    states = [{"status": "RUNNING"}, {"status": "LOST", "lostReason": "ran off"}]
    client = client_with_states(pets_spec, recorder, states, clock)
    with pytest.raises(WaiterError, match="pets.get ended in state LOST: ran off") as caught:
        client.pets.get.wait("1", progress=False)
    assert caught.value.reason == "ran off"


def test_timeout_gives_up_and_says_how_long(pets_spec, recorder):
    clock = FakeClock()
    client = client_with_states(pets_spec, recorder, [{"status": "RUNNING"}] * 100, clock)
    with pytest.raises(WaiterTimeoutError, match="still RUNNING after 60s"):
        client.pets.get.wait("1", timeout=60, progress=False)
