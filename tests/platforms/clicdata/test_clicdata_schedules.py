"""``schedules.trigger`` returns a future on the schedule's run; a lost reply is reconciled
with the schedule's runs, never sent twice blindly."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from specclient.errors import RunFailed
from specclient.platforms.clicdata import ScheduleRunFuture, ScheduleTriggerLost


@pytest.fixture
def schedule(emu):
    return next(iter(emu.state.schedules.values()))


def test_trigger_returns_a_future_ending_with_the_completed_run(emu, schedule):
    client = emu.client()
    seen = []
    future = client.schedules.trigger(schedule["id"], progress=seen.append)
    assert isinstance(future, ScheduleRunFuture)
    assert isinstance(future, concurrent.futures.Future)
    assert future.run_id == 1 and future.run["refreshed"] == schedule["data"]
    run = future.result()
    assert run["run_id"] == 1 and run["status"] == "Completed"
    assert [(p.previous, p.state) for p in seen] == [(None, "completed")]
    assert len(schedule["runs"]) == 1
    assert client.schedules.trigger(schedule["id"], wait=True)["run_id"] == 2


@pytest.mark.parametrize("kind", ["drop_after", "drop_before"])
def test_a_lost_trigger_reply_is_reconciled_with_the_schedules_runs(emu, schedule, kind):
    client = emu.client()
    emu.faults.add("schedules.trigger", kind, count=1)
    run = client.schedules.trigger(schedule["id"], wait=True)
    assert len(schedule["runs"]) == 1  # exactly one trigger took effect
    assert run["run_id"] == 1 and run["status"] == "Completed"


def test_a_trigger_lost_twice_says_it_may_have_run_and_how_to_check(emu, schedule):
    client = emu.client()
    emu.faults.add("schedules.trigger", "drop_before", count=2)
    with pytest.raises(ScheduleTriggerLost) as caught:
        client.schedules.trigger(schedule["id"])
    message = str(caught.value)
    assert "may or may not have happened" in message
    assert f"client.schedules.get({schedule['id']!r})" in message
    assert schedule["runs"] == []


def test_a_failed_run_raises_run_failed_with_its_reason(emu, schedule):
    client = emu.client()
    original = emu.state.trigger

    def failing(schedule_id):
        run = original(schedule_id)
        run.update(status="Failed", message="source database unreachable")
        return run

    emu.state.trigger = failing
    future = client.schedules.trigger(schedule["id"])
    error = future.exception()
    assert isinstance(error, RunFailed)
    assert error.run_id == 1 and error.reason == "source database unreachable"
    assert "source database unreachable" in str(error)


def test_a_transient_500_on_the_status_poll_is_polled_again(emu, schedule):
    client = emu.client()
    future = client.schedules.trigger(schedule["id"])
    emu.faults.add("schedules.get", "500", count=1)
    assert future.result()["status"] == "Completed"
    assert [f.kind for f in emu.faults.fired] == ["500"]


async def test_async_triggers_under_gather(emu):
    ids = list(emu.state.schedules)
    async with emu.async_client() as client:
        futures = [await client.schedules.trigger(i) for i in ids]
        assert all(isinstance(f, asyncio.Future) for f in futures)
        runs = await asyncio.gather(*futures)
    assert [r["status"] for r in runs] == ["Completed"] * len(ids)
    assert all(len(emu.state.schedules[i]["runs"]) == 1 for i in ids)


@pytest.mark.parametrize("kind", ["drop_after", "drop_before", "502"])
async def test_async_a_lost_trigger_reply_is_reconciled_to_exactly_one_run(emu, schedule, kind):
    """Issue 12.5 on the async client: one run whatever happened to the reply."""
    emu.faults.add("schedules.trigger", kind, count=1)
    async with emu.async_client() as client:
        run = await client.schedules.trigger(schedule["id"], wait=True)
    assert len(schedule["runs"]) == 1
    assert run["run_id"] == 1 and run["status"] == "Completed"


async def test_async_a_trigger_lost_twice_says_it_may_have_run(emu, schedule):
    emu.faults.add("schedules.trigger", "drop_before", count=2)
    async with emu.async_client() as client:
        with pytest.raises(ScheduleTriggerLost, match="may or may not have happened"):
            await client.schedules.trigger(schedule["id"])
    assert schedule["runs"] == []
