"""Waiting for long-running work: one poll loop, a sync and an async driver.

:class:`PollLoop` decides and does no I/O. Its :meth:`~PollLoop.steps` is a generator that
*yields* what it needs done -- :class:`Invoke` a callable (the poll), :class:`Pause` on the
clock -- and is sent each call's result, or has its error thrown in. :func:`drive` does the
steps with plain calls and ``clock.sleep``; :func:`adrive` awaits the calls and
``clock.asleep``. ``x-waiter`` waits (:func:`wait_for` / :func:`await_for`), the platform
flows' ``Wait`` step and the run futures (:mod:`specclient.futures`) all poll through it, so
they pace, survive a failed poll and give up alike.

Pacing: the first poll is due at once, then the interval grows by half after each poll
(``delay``, 1.5 x ``delay`` ...) up to ``max_delay``, so a slow job costs few requests; all
time is read from a clock seam, so tests never really sleep.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Literal

from ._clock import SYSTEM_CLOCK, Clock
from ._records import replace
from .errors import (
    RateLimitError,
    RunFailed,
    ServerError,
    TransportError,
    WaiterTimeoutError,
)
from .openapi.model import Waiter
from .response import dig

__all__ = [
    "Clock",
    "PollLoop",
    "PollEvent",
    "Verdict",
    "Invoke",
    "Pause",
    "StatusLine",
    "drive",
    "adrive",
    "wait_for",
    "await_for",
]

log = logging.getLogger(__name__)

BACKOFF_FACTOR = 1.5
# A poll is a read, so repeating it is always safe; these answers say "try again later" (the
# HTTP layer has already retried 429/502/503/504 by then; a 500 or a dropped connection on a
# status read is as transient in practice). Anything else (404, 401...) ends the wait.
TRANSIENT_POLL_ERRORS: tuple[type[BaseException], ...] = (
    ServerError,
    RateLimitError,
    TransportError,
)
MAX_POLL_ERRORS = 5  # consecutive failed polls tolerated before the error is the outcome

Outcome = Literal["succeeded", "failed", "cancelled", "pending", "timed_out", "stopped"]


@dataclass(frozen=True)
class Invoke:
    """Call ``fn(*args)`` (awaiting it under :func:`adrive`); the step is sent the result."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Pause:
    """Wait ``seconds`` on the clock."""

    seconds: float


Step = Invoke | Pause


@dataclass(frozen=True)
class PollEvent:
    """What one poll saw: given to the loop's listeners after every poll."""

    state: str | None
    previous: str | None
    elapsed: float
    polls: int

    @property
    def changed(self) -> bool:
        """Whether this poll saw a different state than the one before (or was the first)."""
        return self.polls == 1 or self.state != self.previous


@dataclass(frozen=True)
class Verdict:
    """Where a run stands after the loop stopped stepping.

    ``outcome`` is final (``succeeded``, ``failed``, ``cancelled``) or says why stepping stopped
    early: ``pending`` (asked for one poll at most), ``timed_out`` (the deadline came),
    ``stopped`` (:meth:`PollLoop.stop` was called, e.g. the run was cancelled meanwhile).
    """

    outcome: Outcome
    state: str | None
    result: Any = None
    reason: str | None = None

    @property
    def final(self) -> bool:
        return self.outcome in ("succeeded", "failed", "cancelled")


def _payload(result: Any) -> Any:
    return result.json() if hasattr(result, "json") and callable(result.json) else result


class PollLoop:
    """The decisions of polling one run: is this state final, when is the next poll due, is a
    failed poll worth repeating. No I/O: :meth:`steps` says what to do, a driver does it.

    Parameters
    ----------
    waiter : Waiter
        Where the state is (``field``, a dotted path), the ``success`` and ``failure`` sets,
        where a failure's reason is (``reason_field``), and the pacing (``delay``,
        ``max_delay``). ``timeout`` is not read here: callers pass a deadline to
        :meth:`steps`.
    clock : Clock
        Where time is read (and, by the drivers, slept).
    cancelled : tuple of str
        States meaning the run was cancelled (a waiter has no such set).
    max_poll_errors : int
        Consecutive transient poll errors (:data:`TRANSIENT_POLL_ERRORS`) waited out before
        the error becomes the outcome.
    read_state : callable, optional
        Reads the state from a poll's answer when ``waiter.field`` cannot say how (e.g. a
        platform whose states vary in case).
    """

    def __init__(
        self,
        waiter: Waiter,
        clock: Clock = SYSTEM_CLOCK,
        *,
        cancelled: tuple[str, ...] = (),
        max_poll_errors: int = MAX_POLL_ERRORS,
        read_state: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.waiter = waiter
        self._read_state = read_state
        self.clock = clock
        self.cancelled = cancelled
        self.max_poll_errors = max_poll_errors
        self.listeners: list[Callable[[PollEvent], None]] = []
        self.started = clock.monotonic()
        self.state: str | None = None
        self.result: Any = None
        self.polls = 0
        self.poll_errors = 0  # consecutive
        self.last_polled: float | None = None
        self.interval = waiter.delay  # from the last poll to the next one
        self._next_delay = waiter.delay
        self._stopped = False

    # -- reading a status ------------------------------------------------------------------
    def state_of(self, result: Any) -> str | None:
        if self._read_state is not None:
            return self._read_state(result)
        value = dig(_payload(result), self.waiter.field)
        return None if value is None else str(value)

    def reason_of(self, result: Any) -> str | None:
        if not self.waiter.reason_field:
            return None
        value = dig(_payload(result), self.waiter.reason_field)
        return None if value is None else str(value)

    @property
    def elapsed(self) -> float:
        return self.clock.monotonic() - self.started

    # -- pacing ----------------------------------------------------------------------------
    def _polled(self) -> None:
        self.last_polled = self.clock.monotonic()
        self.interval = self._next_delay
        self._next_delay = min(self._next_delay * BACKOFF_FACTOR, self.waiter.max_delay)

    def defer(self) -> None:
        """Count now as a poll for pacing: the first real poll comes one interval later."""
        self._polled()

    def due(self) -> bool:
        if self.last_polled is None:
            return True
        return self.clock.monotonic() - self.last_polled >= self.interval

    def stop(self) -> None:
        """Make :meth:`steps` end (``stopped``) before its next poll or pause."""
        self._stopped = True

    # -- deciding --------------------------------------------------------------------------
    def observe(self, result: Any) -> Verdict:
        """Record one poll's answer and say whether the run is over."""
        self._polled()
        self.polls += 1
        self.poll_errors = 0
        previous, self.state, self.result = self.state, self.state_of(result), result
        event = PollEvent(self.state, previous, self.elapsed, self.polls)
        for listener in self.listeners:
            listener(event)
        if self.state in self.waiter.success:
            return Verdict("succeeded", self.state, result)
        if self.state in self.cancelled:
            return Verdict("cancelled", self.state, result)
        if self.state in self.waiter.failure:
            return Verdict("failed", self.state, result, self.reason_of(result))
        return self.verdict("pending")

    def tolerate(self, error: BaseException) -> bool:
        """Whether a failed poll should be repeated later (and count it) or end the wait."""
        if not isinstance(error, TRANSIENT_POLL_ERRORS) or self.poll_errors >= self.max_poll_errors:
            return False
        self.poll_errors += 1
        self._polled()
        log.warning(
            "poll failed (%s); polling again in %.1f s (%d/%d)",
            error,
            self.interval,
            self.poll_errors,
            self.max_poll_errors,
        )
        return True

    def verdict(self, outcome: Outcome) -> Verdict:
        return Verdict(outcome, self.state, self.result)

    def steps(
        self, fetch: Callable[[], Any], deadline: float | None = None, *, once: bool = False
    ) -> Generator[Step, Any, Verdict]:
        """Poll with ``fetch`` until the run is over, ``deadline`` (clock seconds) has come,
        or, with ``once``, after at most one poll that is due. A poll is made *at* the
        deadline before giving up, so the last state reported is fresh."""
        poll_now = self.due()
        while not self._stopped:
            if poll_now:
                try:
                    result = yield Invoke(fetch)
                except Exception as error:
                    if not self.tolerate(error):
                        raise
                else:
                    verdict = self.observe(result)
                    if verdict.final:
                        return verdict
            if once:
                return self.verdict("pending")
            now = self.clock.monotonic()
            if deadline is not None and now >= deadline:
                return self.verdict("timed_out")
            assert self.last_polled is not None  # set by the poll above or an earlier one
            wait = max(self.last_polled + self.interval - now, 0.0)
            if deadline is not None:
                wait = min(wait, deadline - now)
            yield Pause(wait)
            poll_now = True
        return self.verdict("stopped")


# -- drivers ---------------------------------------------------------------------------------
def drive(steps: Generator[Step, Any, Any], clock: Clock) -> Any:
    """Do ``steps`` in this thread: call each :class:`Invoke`, sleep each :class:`Pause`.

    An ``Exception`` from a call is thrown into the generator (which may recover); what the
    generator returns is returned.
    """
    try:
        step = next(steps)
        while True:
            if isinstance(step, Pause):
                clock.sleep(step.seconds)
                step = steps.send(None)
                continue
            try:
                outcome = step.fn(*step.args)
            except Exception as error:
                step = steps.throw(error)
            else:
                step = steps.send(outcome)
    except StopIteration as done:
        return done.value


async def adrive(steps: Generator[Step, Any, Any], clock: Clock) -> Any:
    """The async twin of :func:`drive`: each :class:`Invoke` returns an awaitable."""
    try:
        step = next(steps)
        while True:
            if isinstance(step, Pause):
                await clock.asleep(step.seconds)
                step = steps.send(None)
                continue
            try:
                outcome = await step.fn(*step.args)
            except Exception as error:
                step = steps.throw(error)
            else:
                step = steps.send(outcome)
    except StopIteration as done:
        return done.value


# -- a status line ---------------------------------------------------------------------------
class StatusLine:
    """A one-line status on stderr (``what: state (12s)``), rewritten in place after each poll."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.shown = False

    def __call__(self, event: PollEvent) -> None:
        sys.stderr.write(f"\r{self.what}: {event.state or '...'} ({event.elapsed:.0f}s)\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False


# -- x-waiter waits --------------------------------------------------------------------------
def _configure(
    waiter: Waiter, timeout: float | None, delay: float | None, max_delay: float | None
) -> Waiter:
    return replace(
        waiter,
        timeout=waiter.timeout if timeout is None else timeout,
        delay=waiter.delay if delay is None else delay,
        max_delay=waiter.max_delay if max_delay is None else max_delay,
    )


def _waiting(
    waiter: Waiter,
    clock: Clock,
    progress: bool | None,
    what: str,
    timeout: float | None,
    delay: float | None,
    max_delay: float | None,
) -> tuple[PollLoop, float, StatusLine | None]:
    loop = PollLoop(_configure(waiter, timeout, delay, max_delay), clock)
    status = StatusLine(what) if (sys.stderr.isatty() if progress is None else progress) else None
    if status:
        loop.listeners.append(status)
    return loop, loop.started + loop.waiter.timeout, status


def _outcome(loop: PollLoop, verdict: Verdict, what: str) -> Any:
    if verdict.outcome == "succeeded":
        return verdict.result
    if verdict.outcome == "timed_out":
        raise WaiterTimeoutError(
            f"{what} still {verdict.state or 'unknown'} after {loop.elapsed:.0f}s "
            f"({loop.polls} polls); gave up after the {loop.waiter.timeout:.0f}s timeout",
            state=verdict.state,
        )
    detail = f": {verdict.reason}" if verdict.reason else ""
    raise RunFailed(
        f"{what} ended in state {verdict.state}{detail}",
        state=verdict.state,
        reason=verdict.reason,
        payload=_payload(verdict.result),
    )


def wait_for(
    fetch: Callable[[], Any],
    waiter: Waiter,
    *,
    clock: Clock = SYSTEM_CLOCK,
    timeout: float | None = None,
    delay: float | None = None,
    max_delay: float | None = None,
    progress: bool | None = None,
    what: str = "job",
) -> Any:
    """Call ``fetch`` until the waiter's field reaches a success state; return that result.

    Raises :class:`~specclient.errors.RunFailed` (a ``WaiterError``) on a failure state and
    :class:`~specclient.errors.WaiterTimeoutError` when ``timeout`` (default: the waiter's)
    passes. ``progress`` shows a status line on stderr (default: when stderr is a terminal).
    """
    loop, deadline, status = _waiting(waiter, clock, progress, what, timeout, delay, max_delay)
    try:
        return _outcome(loop, drive(loop.steps(fetch, deadline), clock), what)
    finally:
        if status:
            status.close()


async def await_for(
    fetch: Callable[[], Awaitable[Any]],
    waiter: Waiter,
    *,
    clock: Clock = SYSTEM_CLOCK,
    timeout: float | None = None,
    delay: float | None = None,
    max_delay: float | None = None,
    progress: bool | None = None,
    what: str = "job",
) -> Any:
    """The async twin of :func:`wait_for`."""
    loop, deadline, status = _waiting(waiter, clock, progress, what, timeout, delay, max_delay)
    try:
        return _outcome(loop, await adrive(loop.steps(fetch, deadline), clock), what)
    finally:
        if status:
            status.close()
