"""The one poll loop: decisions without I/O, driven alike by the sync and the async driver."""

from __future__ import annotations

import pytest

from specclient._clock import FakeClock
from specclient.errors import NotFoundError, RunFailed, ServerError, WaiterError
from specclient.openapi.model import Waiter
from specclient.polling import Invoke, Pause, PollLoop, adrive, drive, wait_for

WAITER = Waiter(
    field="status",
    success=("DONE",),
    failure=("FAILED",),
    delay=2.0,
    max_delay=5.0,
    timeout=100.0,
    reason_field="why",
)


def server_error():
    return ServerError("boom", status_code=500, method="GET", url="http://x/runs/1")


class Answers:
    """Answers polls from a script: a dict is a status, an exception is raised."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    async def coroutine(self):
        return self()


def test_steps_say_what_to_do_and_are_sent_what_happened():
    clock = FakeClock()
    loop = PollLoop(WAITER, clock)
    fetch = object()
    steps = loop.steps(fetch)

    assert next(steps) == Invoke(fetch)
    assert steps.send({"status": "RUNNING"}) == Pause(2.0)
    clock.advance(2.0)
    assert steps.send(None) == Invoke(fetch)
    assert steps.send({"status": "RUNNING"}) == Pause(3.0)
    clock.advance(3.0)
    assert steps.send(None) == Invoke(fetch)
    with pytest.raises(StopIteration) as done:
        steps.send({"status": "FAILED", "why": "out of memory"})
    verdict = done.value.value
    assert (verdict.outcome, verdict.state, verdict.reason) == ("failed", "FAILED", "out of memory")


def test_sync_and_async_drivers_poll_and_pace_alike():
    script = [{"status": "QUEUED"}, server_error(), {"status": "RUNNING"}, {"status": "DONE"}]
    sync_clock, async_clock = FakeClock(), FakeClock()
    sync_answers, async_answers = Answers(*script), Answers(*script)

    sync = drive(PollLoop(WAITER, sync_clock).steps(sync_answers), sync_clock)

    import asyncio

    loop = PollLoop(WAITER, async_clock)
    async_ = asyncio.run(adrive(loop.steps(async_answers.coroutine), async_clock))

    assert sync == async_
    assert sync.outcome == "succeeded" and sync.result == {"status": "DONE"}
    assert sync_clock.sleeps == async_clock.sleeps == [2.0, 3.0, 4.5]
    assert sync_answers.calls == async_answers.calls == 4


def test_deadline_polls_once_more_at_the_deadline_then_gives_up():
    clock = FakeClock()
    verdict = drive(PollLoop(WAITER, clock).steps(Answers({"status": "RUNNING"}), 6.0), clock)
    assert verdict.outcome == "timed_out" and verdict.state == "RUNNING"
    assert clock.sleeps == [2.0, 3.0, 1.0]  # the last pause is cut to the deadline
    assert clock.monotonic() == 6.0


def test_once_polls_only_when_an_interval_has_passed():
    clock = FakeClock()
    loop = PollLoop(WAITER, clock)
    answers = Answers({"status": "RUNNING"})
    assert drive(loop.steps(answers, once=True), clock).outcome == "pending"
    assert drive(loop.steps(answers, once=True), clock).outcome == "pending"
    assert answers.calls == 1 and clock.sleeps == []
    clock.advance(2.0)
    drive(loop.steps(answers, once=True), clock)
    assert answers.calls == 2


def test_a_poll_error_that_is_not_transient_ends_at_once():
    clock = FakeClock()
    gone = NotFoundError("no such run", status_code=404, method="GET", url="http://x/runs/1")
    with pytest.raises(NotFoundError):
        drive(PollLoop(WAITER, clock).steps(Answers(gone)), clock)
    assert clock.sleeps == []


def test_transient_poll_errors_are_waited_out_up_to_a_limit():
    clock = FakeClock()
    answers = Answers(server_error())
    with pytest.raises(ServerError):
        drive(PollLoop(WAITER, clock, max_poll_errors=2).steps(answers), clock)
    assert answers.calls == 3 and clock.sleeps == [2.0, 3.0]


def test_listeners_hear_every_poll():
    clock = FakeClock()
    loop = PollLoop(WAITER, clock)
    events = []
    loop.listeners.append(events.append)
    drive(loop.steps(Answers({"status": "A"}, {"status": "A"}, {"status": "DONE"})), clock)
    assert [(e.state, e.changed, e.polls) for e in events] == [
        ("A", True, 1),
        ("A", False, 2),
        ("DONE", True, 3),
    ]
    assert [e.elapsed for e in events] == [0.0, 2.0, 5.0]


def test_wait_for_raises_run_failed_with_the_reason_and_rides_out_a_500():
    clock = FakeClock()
    answers = Answers(server_error(), {"status": "FAILED", "why": "quota"})
    with pytest.raises(RunFailed, match="job ended in state FAILED: quota") as caught:
        wait_for(answers, WAITER, clock=clock, progress=False)
    assert isinstance(caught.value, WaiterError)
    assert caught.value.reason == "quota" and caught.value.state == "FAILED"


def test_wait_for_shows_a_status_line_when_asked(capsys):
    clock = FakeClock()
    wait_for(
        Answers({"status": "RUNNING"}, {"status": "DONE"}),
        WAITER,
        clock=clock,
        progress=True,
        what="import 7",
    )
    err = capsys.readouterr().err
    assert err == "\rimport 7: RUNNING (0s)\x1b[K\rimport 7: DONE (2s)\x1b[K\n"
