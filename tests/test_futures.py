"""RunFuture / AsyncRunFuture: the one future type a platform gets by describing its run."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from specclient._clock import FakeClock
from specclient.errors import RunFailed, RunTimeoutError, ServerError
from specclient.futures import AsyncRunFuture, RunFuture, RunTracker
from specclient.openapi.model import Waiter

WAITER = Waiter(
    field="run.status",
    success=("COMPLETED",),
    failure=("FAILED",),
    delay=5.0,
    max_delay=30.0,
    reason_field="run.failureReason",
)


class YieldingClock(FakeClock):
    """A fake clock whose async sleep gives other tasks a turn, as a real one does."""

    async def asleep(self, seconds):
        self.sleep(seconds)
        await asyncio.sleep(0)


class Remote:
    """A run on a fake platform: one state per poll, the last one repeated."""

    def __init__(self, *states, reason=None):
        self.states = list(states)
        self.reason = reason
        self.polls = 0
        self.cancels = 0

    def poll(self):
        self.polls += 1
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        if isinstance(state, BaseException):
            raise state
        return {"run": {"status": state, "failureReason": self.reason}}

    async def apoll(self):
        return self.poll()

    def cancel(self):
        self.cancels += 1
        self.states = ["CANCELLED"]


def tracker(remote, clock, **options):
    return RunTracker(
        remote.poll,
        WAITER,
        run_id="r-1",
        url="https://ui.example/runs/r-1",
        cancelled=("CANCELLED",),
        clock=clock,
        **options,
    )


def test_result_polls_in_the_waiting_thread_on_the_clock():
    clock = FakeClock()
    remote = Remote("QUEUED", "RUNNING", "COMPLETED")
    future = RunFuture(tracker(remote, clock))

    assert future.result() == {"run": {"status": "COMPLETED", "failureReason": None}}
    assert clock.sleeps == [5.0, 7.5] and remote.polls == 3
    assert (future.run_id, future.url, future.state) == (
        "r-1",
        "https://ui.example/runs/r-1",
        "COMPLETED",
    )


def test_failure_is_run_failed_with_reason_run_id_and_link():
    future = RunFuture(tracker(Remote("RUNNING", "FAILED", reason="bad column"), FakeClock()))
    with pytest.raises(RunFailed) as caught:
        future.result()
    error = caught.value
    assert str(error) == "run r-1 ended in state FAILED: bad column (https://ui.example/runs/r-1)"
    assert (error.reason, error.run_id, error.url, error.state) == (
        "bad column",
        "r-1",
        "https://ui.example/runs/r-1",
        "FAILED",
    )
    assert future.failed() and future.exception() is error


def test_timeout_is_a_concurrent_futures_timeout_naming_the_state_and_resumable():
    clock = FakeClock()
    remote = Remote("QUEUED", "QUEUED", "RUNNING", "RUNNING", "COMPLETED")
    future = RunFuture(tracker(remote, clock))
    with pytest.raises(concurrent.futures.TimeoutError) as caught:
        future.result(timeout=10)
    assert isinstance(caught.value, RunTimeoutError)
    assert str(caught.value).startswith("run r-1 not finished after 10 s (last state: RUNNING)")
    assert caught.value.state == "RUNNING" and caught.value.run_id == "r-1"
    assert future.result()["run"]["status"] == "COMPLETED"


def test_as_completed_over_futures_nobody_polls_polls_them_in_the_background():
    clock = FakeClock()
    remotes = [Remote("RUNNING", "COMPLETED"), Remote("RUNNING", "FAILED"), Remote("COMPLETED")]
    futures = [RunFuture(tracker(r, clock)) for r in remotes]

    finished = list(concurrent.futures.as_completed(futures))

    assert sorted(finished, key=id) == sorted(futures, key=id)
    assert [f.succeeded() for f in futures] == [True, False, True]


def test_cancel_asks_the_platform_once_and_tells_waiters():
    clock = FakeClock()
    remote = Remote("RUNNING")
    future = RunFuture(tracker(remote, clock, cancel=remote.cancel))
    assert future.cancel() is True and future.cancel() is True
    assert remote.cancels == 1 and future.cancelled()
    done, _ = concurrent.futures.wait([future])
    assert done == {future}
    with pytest.raises(concurrent.futures.CancelledError):
        future.result()


def test_a_run_without_a_way_to_cancel_is_not_cancelled():
    future = RunFuture(tracker(Remote("RUNNING"), FakeClock()))
    assert future.cancel() is False and not future.cancelled()


def test_a_run_cancelled_on_the_platform_cancels_the_future():
    future = RunFuture(tracker(Remote("RUNNING", "CANCELLED"), FakeClock()))
    with pytest.raises(concurrent.futures.CancelledError):
        future.result()
    assert future.cancelled()


def test_progress_reports_state_changes_with_elapsed_time():
    clock = FakeClock()
    seen = []
    remote = Remote("QUEUED", "QUEUED", "RUNNING", "RUNNING", "COMPLETED")
    RunFuture(tracker(remote, clock, progress=seen.append)).result()
    assert [(p.state, p.elapsed, p.polls) for p in seen] == [
        ("QUEUED", 0.0, 1),
        ("RUNNING", 12.5, 3),
        ("COMPLETED", 40.625, 5),  # polls at 0, 5, 12.5, 23.75, 40.625
    ]
    assert {(p.run_id, p.url) for p in seen} == {("r-1", "https://ui.example/runs/r-1")}


def test_progress_true_shows_a_status_line(capsys):
    RunFuture(tracker(Remote("RUNNING", "COMPLETED"), FakeClock(), progress=True)).result()
    assert (
        capsys.readouterr().err == "\rrun r-1: RUNNING (0s)\x1b[K\rrun r-1: COMPLETED (5s)\x1b[K\n"
    )


def test_progress_must_be_a_bool_or_a_callable():
    with pytest.raises(TypeError, match="progress must be True, False or a callable"):
        tracker(Remote("RUNNING"), FakeClock(), progress="yes")


def test_a_transient_poll_error_is_polled_again():
    error = ServerError("boom", status_code=500, method="GET", url="http://x/runs/r-1")
    remote = Remote("RUNNING", error, "COMPLETED")
    assert RunFuture(tracker(remote, FakeClock())).result()["run"]["status"] == "COMPLETED"
    assert remote.polls == 3


def test_done_callback_errors_are_logged_and_raised_by_result(caplog):
    future = RunFuture(tracker(Remote("COMPLETED"), FakeClock()))
    future.result()

    def broken(f):
        raise KeyError("post-processing")

    future.add_done_callback(broken)
    with pytest.raises(KeyError, match="post-processing"):
        future.result()
    assert isinstance(future.exception(), KeyError)
    assert "exception calling callback" in caplog.text


async def test_the_async_twin_is_an_asyncio_future_polled_by_a_task():
    clock = FakeClock()
    remotes = [Remote("RUNNING", "COMPLETED"), Remote("RUNNING", "FAILED", reason="nope")]

    def async_tracker(remote):
        return RunTracker(remote.apoll, WAITER, run_id="r-2", clock=clock)

    futures = [AsyncRunFuture(async_tracker(r)) for r in remotes]
    results = await asyncio.gather(*futures, return_exceptions=True)

    assert results[0]["run"]["status"] == "COMPLETED"
    assert isinstance(results[1], RunFailed) and results[1].reason == "nope"
    assert futures[0].succeeded() and futures[1].failed()


async def test_async_cancel_stops_watching_and_cancel_run_asks_the_platform():
    clock = YieldingClock()
    watched, stopped = Remote("RUNNING"), Remote("RUNNING")

    async def acancel():
        stopped.cancel()

    only_local = AsyncRunFuture(RunTracker(watched.apoll, WAITER, clock=clock))
    remote = AsyncRunFuture(RunTracker(stopped.apoll, WAITER, clock=clock, cancel=acancel))
    await asyncio.sleep(0)

    assert only_local.cancel() is True and watched.cancels == 0
    assert await remote.cancel_run() is True and stopped.cancels == 1
    assert only_local.cancelled() and remote.cancelled()


def test_sync_futures_do_not_import_asyncio():
    import subprocess
    import sys

    code = (
        "import sys, specclient.futures, specclient.platforms.civis;"
        "assert 'asyncio' not in sys.modules, 'asyncio imported';"
        "from specclient.futures import AsyncRunFuture;"
        "from specclient.platforms.civis import AsyncCivisFuture;"
        "assert issubclass(AsyncCivisFuture, AsyncRunFuture)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
