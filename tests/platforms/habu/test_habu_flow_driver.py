"""The flow drivers Habu's workflows run on (``platforms/_flows.py``, shared with ClicData): the
paths the emulator tests do not reach on their own."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from specclient.errors import ServerError
from specclient.platforms._flows import Call, Fan, arun, run
from specclient.platforms.habu import QuestionRunFailed


class _Recorder:
    """A ``call`` that answers each Call with its first argument and counts calls in flight."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.started = 0

    def enter(self) -> None:
        with self.lock:
            self.started += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1


def _fan_flow(calls: int, workers: int, seen: list, recorder: _Recorder | None = None):
    def each(result):
        if recorder is not None:
            # never more than 2 x workers calls started and not yet handed over
            assert recorder.started - len(seen) <= 2 * workers
        seen.append(result)

    yield Fan([Call("page", (n,)) for n in range(calls)], workers, each)
    return "done"


def test_sync_fan_hands_results_over_in_order_with_a_bounded_window():
    recorder = _Recorder()

    def call(step: Call) -> int:
        recorder.enter()
        time.sleep(0.002 * (step.args[0] % 3))  # later calls may finish first
        recorder.leave()
        return step.args[0]

    seen: list[int] = []
    assert run(_fan_flow(40, 4, seen, recorder), None, call) == "done"
    assert seen == list(range(40))
    assert 1 < recorder.most_in_flight <= 4


def test_sync_fan_with_one_worker_makes_one_call_at_a_time():
    recorder = _Recorder()

    def call(step: Call) -> int:
        recorder.enter()
        recorder.leave()
        return step.args[0]

    seen: list[int] = []
    run(_fan_flow(5, 1, seen), None, call)
    assert seen == list(range(5))
    assert recorder.most_in_flight == 1


async def test_async_fan_gathers_workers_calls_at_a_time_in_order():
    recorder = _Recorder()

    async def call(step: Call) -> int:
        recorder.enter()
        await asyncio.sleep(0.001 * (step.args[0] % 3))
        recorder.leave()
        return step.args[0]

    seen: list[int] = []
    assert await arun(_fan_flow(10, 3, seen), None, call) == "done"
    assert seen == list(range(10))
    assert recorder.most_in_flight == 3


def _recovering_flow(caught: list):
    try:
        yield Call("create")
    except Exception as exc:
        caught.append(exc)
        return "recovered"
    return "sent"


def test_only_the_clients_errors_are_thrown_into_the_flow():
    def server_error(step: Call):
        raise ServerError("boom", status_code=503, method="POST", url="http://x")

    caught: list[Exception] = []
    assert run(_recovering_flow(caught), None, server_error) == "recovered"
    assert isinstance(caught[0], ServerError)

    def bug(step: Call):
        raise ValueError("a bug, not a failed call")

    caught.clear()
    with pytest.raises(ValueError, match="a bug"):
        run(_recovering_flow(caught), None, bug)
    assert caught == []


async def test_the_async_driver_throws_the_same_errors_in_and_lets_bugs_out():
    async def server_error(step: Call):
        raise ServerError("boom", status_code=503, method="POST", url="http://x")

    async def bug(step: Call):
        raise ValueError("a bug, not a failed call")

    caught: list[Exception] = []
    assert await arun(_recovering_flow(caught), None, server_error) == "recovered"
    caught.clear()
    with pytest.raises(ValueError, match="a bug"):
        await arun(_recovering_flow(caught), None, bug)
    assert caught == []


async def test_a_flow_yielding_something_else_than_a_step_is_a_type_error():
    def odd():
        yield ("call", "list")

    with pytest.raises(TypeError, match="not a step"):
        run(odd(), None, lambda step: None)
    with pytest.raises(TypeError, match="not a step"):
        await arun(odd(), None, lambda step: None)


async def test_the_async_client_raises_a_failed_run_with_its_failure_reason(emu, ready_question):
    crq, _ = ready_question(emu.client(progress=False))
    emu.state.fail_next_run("Query failed: crowd size below 50")
    async with emu.async_client(progress=False) as client:
        with pytest.raises(QuestionRunFailed) as caught:
            await client.run_question(crq.id, name="doomed async")
    assert caught.value.state == "FAILED"
    assert caught.value.reason == "Query failed: crowd size below 50"
    assert caught.value.run_id == next(iter(emu.state.runs))
