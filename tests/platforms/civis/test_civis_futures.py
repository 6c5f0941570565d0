"""CivisFuture: civis-python's future surface, polled with back-off on a fake clock."""

from __future__ import annotations

import concurrent.futures

import pytest

from specclient._clock import FakeClock
from specclient.errors import NotFoundError, WaiterTimeoutError
from specclient.platforms.civis.futures import CivisFuture, CivisJobFailure


class Run:
    """A run whose state advances one step per poll."""

    def __init__(self, *states, error=None):
        self.states = list(states)
        self.error = error
        self.polled_with = []
        self.cancelled_with = []

    def poll(self, *args):
        self.polled_with.append(args)
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return {"id": args[-1], "state": state, "error": self.error}

    def cancel(self, *args):
        self.cancelled_with.append(args)
        self.states = ["cancelled"]


def test_result_polls_until_success_backing_off_between_polls():
    clock = FakeClock()
    run = Run("queued", "running", "running", "succeeded")
    future = CivisFuture(run.poll, (7, 70), clock=clock)

    assert future.result()["state"] == "succeeded"
    assert run.polled_with == [(7, 70)] * 4
    assert clock.sleeps == [1.0, 1.5, 2.25]
    assert (future.job_id, future.run_id, future.polls) == (7, 70, 4)


def test_back_off_is_capped_at_fifteen_seconds():
    clock = FakeClock()
    run = Run(*(["running"] * 12), "succeeded")
    CivisFuture(run.poll, (1, 2), clock=clock).result()
    assert max(clock.sleeps) == 15.0
    assert clock.sleeps[-1] == 15.0


def test_fixed_polling_interval_is_kept():
    clock = FakeClock()
    run = Run("queued", "running", "succeeded")
    CivisFuture(run.poll, (1, 2), polling_interval=10, clock=clock).result()
    assert clock.sleeps == [10, 10]


def test_non_positive_polling_interval_is_refused():
    with pytest.raises(ValueError, match="polling interval must be positive"):
        CivisFuture(Run("queued").poll, (1, 2), polling_interval=0)


def test_failed_run_raises_civis_job_failure_with_its_error():
    run = Run("running", "failed", error="Process exited with status 1")
    future = CivisFuture(run.poll, (7, 70), clock=FakeClock())

    with pytest.raises(CivisJobFailure, match="Process exited with status 1") as info:
        future.result()
    assert (info.value.job_id, info.value.run_id) == (7, 70)
    # civis-python's error_message: the run's error prefixed with the job and run (issue 13)
    assert info.value.error_message == "(From job 7 / run 70) Process exited with status 1"
    assert str(info.value) == info.value.error_message
    assert future.failed() and future.done() and not future.succeeded()
    assert isinstance(future.exception(), CivisJobFailure)


def test_timeout_raises_a_timeout_error_concurrent_futures_understands():
    clock = FakeClock()
    future = CivisFuture(Run("running").poll, (1, 2), clock=clock)

    with pytest.raises(concurrent.futures.TimeoutError):
        future.result(timeout=10)
    with pytest.raises(WaiterTimeoutError, match="not finished after 10 s"):
        future.result(timeout=10)
    assert sum(clock.sleeps) == pytest.approx(20.0)


def test_done_polls_at_most_once_per_interval():
    clock = FakeClock()
    run = Run("running", "succeeded")
    future = CivisFuture(run.poll, (1, 2), clock=clock)

    assert future.done() is False
    assert future.done() is False  # too soon: no second poll
    assert len(run.polled_with) == 1
    clock.advance(1.0)
    assert future.done() is True
    assert len(run.polled_with) == 2


def test_cancel_asks_civis_and_marks_the_future_cancelled():
    run = Run("running")
    future = CivisFuture(run.poll, (7, 70), cancel=run.cancel, clock=FakeClock())

    assert future.cancel() is True
    assert run.cancelled_with == [(7, 70)]
    assert future.cancelled() and future.done()
    with pytest.raises(concurrent.futures.CancelledError):
        future.result()


def test_cancel_after_the_run_finished_returns_false():
    run = Run("succeeded")
    future = CivisFuture(run.poll, (7, 70), cancel=run.cancel, clock=FakeClock())
    future.result()
    assert future.cancel() is False
    assert run.cancelled_with == []


def test_cancel_answered_404_returns_false():
    def gone(*args):
        raise NotFoundError("not found", status_code=404, method="DELETE", url="/jobs/7/runs/70")

    future = CivisFuture(Run("running").poll, (7, 70), cancel=gone, clock=FakeClock())
    assert future.cancel() is False
    assert not future.cancelled()


def test_done_callbacks_run_once_when_the_run_finishes():
    seen = []
    run = Run("running", "succeeded")
    future = CivisFuture(run.poll, (1, 2), clock=FakeClock())
    future.add_done_callback(lambda f: seen.append(f.run_id))
    future.result()
    future.add_done_callback(lambda f: seen.append("late"))
    assert seen == [2, "late"]


def test_a_failing_poll_is_the_futures_exception():
    def broken(*args):
        raise NotFoundError("no such run", status_code=404, method="GET", url="/jobs/1/runs/2")

    future = CivisFuture(broken, (1, 2), clock=FakeClock())
    with pytest.raises(NotFoundError, match="no such run"):
        future.result()


def test_max_retries_replaces_a_failed_run_with_a_new_one():
    runs = {70: ["running", "failed"], 71: ["running", "succeeded"]}
    started = []

    def poll(job_id, run_id):
        states = runs[run_id]
        return {"id": run_id, "state": states.pop(0) if len(states) > 1 else states[0]}

    def restart(job_id):
        started.append(job_id)
        return {"id": 71}

    future = CivisFuture(poll, (7, 70), max_retries=1, restart=restart, clock=FakeClock())
    assert future.result()["state"] == "succeeded"
    assert started == [7] and future.run_id == 71


def test_max_retries_exhausted_raises_the_last_failure():
    future = CivisFuture(
        Run("failed", error="boom").poll,
        (7, 70),
        max_retries=2,
        restart=lambda job_id: {"id": 70},
        clock=FakeClock(),
    )
    with pytest.raises(CivisJobFailure, match="boom"):
        future.result()


def test_max_retries_needs_a_run_id():
    with pytest.raises(ValueError, match="must include a run ID"):
        CivisFuture(Run("failed").poll, (7,), max_retries=1)


# -- side by side with civis-python 2.10.1's own CivisFuture ----------------------------------
civis = pytest.importorskip("civis")


def both_futures(status):
    """civis-python's future and ours on the same finished run (no client calls needed)."""
    from civis.futures import CivisFuture as TheirFuture
    from civis.response import Response

    theirs = TheirFuture(lambda *args: Response(status), (7, 70), client=object())
    ours = CivisFuture(lambda *args: dict(status), (7, 70), clock=FakeClock())
    return theirs, ours


def test_links_match_civis_python():
    theirs, ours = both_futures({"id": 70, "state": "succeeded"})
    assert (ours.job_url, ours.job_run_url) == (theirs.job_url, theirs.job_run_url)
    assert ours.job_run_url == "https://platform.civisanalytics.com/spa/#/jobs/7?runId=70"
    job_only = CivisFuture(Run("running").poll, (7,), clock=FakeClock())
    assert job_only.job_run_url is None and job_only.url == ours.job_url


def test_failure_matches_civis_python():
    theirs, ours = both_futures({"id": 70, "state": "failed", "error": "Out of memory"})
    their_error, our_error = theirs.exception(), ours.exception()
    assert type(their_error).__name__ == type(our_error).__name__ == "CivisJobFailure"
    assert str(our_error) == str(their_error) == "(From job 7 / run 70) Out of memory"
    assert (our_error.error_message, our_error.job_id, our_error.run_id) == (
        their_error.error_message,
        their_error.job_id,
        their_error.run_id,
    )
    assert ours.failed() and theirs.failed()


def test_a_callback_error_is_raised_by_result_as_in_civis_python():
    def broken(future):
        raise RuntimeError("callback broke")

    for future in both_futures({"id": 70, "state": "succeeded"}):
        future.add_done_callback(broken)
        with pytest.raises(RuntimeError, match="callback broke"):
            future.result()
        assert isinstance(future.exception(), RuntimeError)


def test_wait_and_as_completed_work_as_with_civis_python():
    for future in both_futures({"id": 70, "state": "succeeded"}):
        assert concurrent.futures.wait([future]).done == {future}
        assert list(concurrent.futures.as_completed([future])) == [future]


def test_a_poll_at_construction_as_civis_python():
    run = Run("running", "succeeded")
    future = CivisFuture(run.poll, (7, 70), clock=FakeClock())
    assert run.polled_with == [(7, 70)] and future.state == "running"
    later = Run("running")
    CivisFuture(later.poll, (7, 70), clock=FakeClock(), poll_on_creation=False)
    assert later.polled_with == []


def test_cancel_refused_by_civis_warns_and_returns_false():
    from specclient.errors import ServerError

    def refuse(*args):
        raise ServerError("oops", status_code=500, method="DELETE", url="/jobs/7/runs/70")

    future = CivisFuture(Run("running").poll, (7, 70), cancel=refuse, clock=FakeClock())
    with pytest.warns(UserWarning, match="Unexpected error when attempting to cancel Civis job 7"):
        assert future.cancel() is False
    assert not future.cancelled()


class LogsClient:
    """Just enough client for a failed run's logs (newest first, as Civis sends them)."""

    def __init__(self, *messages):
        self.clock = FakeClock()
        self.jobs = self
        self.asked = []
        self.messages = messages

    def list_runs_logs(self, job_id, run_id, limit):
        self.asked.append((job_id, run_id, limit, sum(self.clock.sleeps)))
        lines = [{"message": m, "level": lvl} for lvl, m in self.messages]
        return list(reversed(lines))


def test_a_run_failing_without_a_message_is_explained_from_its_logs_as_civis_python():
    client = LogsClient(("info", "Running"), ("error", "Segmentation fault"))
    future = CivisFuture(Run("running", "failed").poll, (7, 70), client=client)

    error = future.exception()

    assert isinstance(error, CivisJobFailure)
    assert error.error_message == "(From job 7 / run 70) Running\nSegmentation fault\n"
    # read after 15 s on the clock (civis-python: logs lag the run), the last 15 lines
    assert client.asked == [(7, 70, 15, sum(client.clock.sleeps))]
    assert client.clock.sleeps[-1] == 15.0


def test_a_run_that_ran_out_of_memory_raises_memory_error_as_civis_python():
    client = LogsClient(
        ("info", "Running"), ("error", "Process ran out of its allowed 512 MiB of memory")
    )
    future = CivisFuture(Run("running", "failed").poll, (7, 70), client=client)

    with pytest.raises(MemoryError) as caught:
        future.result()
    assert (
        str(caught.value)
        == "(From job 7 / run 70) Process ran out of its allowed 512 MiB of memory"
    )
