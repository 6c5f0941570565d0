"""One kind of future for long-running work, on every platform, sync and async.

A platform's long action (a job run, a question run, a pipeline refresh) starts the work and
returns a :class:`RunFuture` on it -- or, from an async client, its awaitable twin
:class:`AsyncRunFuture`. What the platform supplies is a :class:`RunTracker`: how to poll the
run, where the state is and which states end it (a :class:`~specclient.openapi.model.Waiter`),
the run id and a link to the run in the platform's UI, how to cancel it. The tracker's logic is
a generator over the one poll loop (:class:`specclient.polling.PollLoop`); the sync future
drives it with plain calls, the async twin awaits it.

The sync future is a :class:`concurrent.futures.Future`: ``concurrent.futures.wait``,
``as_completed``, ``add_done_callback``, ``result(timeout=)``, ``exception()`` and ``cancel()``
work. Polling happens in the thread that waits -- ``result()`` / ``exception()`` poll and sleep on
the client's clock until the run ends, ``done()`` polls once if an interval has passed -- so
against an emulator a run finishes without real sleeping. When nobody will call those -- a
``concurrent.futures.wait`` / ``as_completed`` over futures, or a done-callback -- a daemon
thread starts polling, so callbacks fire and waits return. One thread polls a run at a time.

Outcomes: the final status polled is the result; a failure state raises
:class:`~specclient.errors.RunFailed` (reason, run id, link); ``result(timeout=)`` giving up
raises :class:`~specclient.errors.RunTimeoutError` (a ``concurrent.futures.TimeoutError``) naming
the state the run was in, and the run goes on. An error raised by a done-callback is logged (as
``concurrent.futures`` does) and, unlike there, not lost: ``result()`` raises the first one and
``exception()`` returns it (as civis-python's futures do).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
import warnings
from collections.abc import Callable, Generator
from concurrent.futures._base import CANCELLED_AND_NOTIFIED, RUNNING
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._clock import SYSTEM_CLOCK, Clock
from .errors import APIError, NotFoundError, RunFailed, RunTimeoutError, TransportError
from .openapi.model import Waiter
from .polling import (
    MAX_POLL_ERRORS,
    Invoke,
    PollEvent,
    PollLoop,
    StatusLine,
    Step,
    Verdict,
    drive,
)

if TYPE_CHECKING:
    from ._async_future import AsyncRunFuture

__all__ = ["RunTracker", "RunProgress", "RunFuture", "AsyncRunFuture"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunProgress:
    """A state change of a run, given to a future's ``progress`` callback."""

    run_id: Any
    url: str | None
    state: str | None
    previous: str | None
    elapsed: float  # seconds on the client's clock since the future was made
    polls: int


# What a future does when its run is over: ("result", value), ("exception", error) or
# ("cancelled", None).
Ending = tuple[str, Any]


class RunTracker:
    """How to follow one run: what a platform supplies to get a :class:`RunFuture`.

    Parameters
    ----------
    poll : callable
        ``poll()`` returns the run's status (a coroutine on an async client).
    waiter : Waiter
        Where the state is (``field``), which states end the run well (``success``) or badly
        (``failure``), where a failure's reason is (``reason_field``), and the pacing
        (``delay`` growing by half to ``max_delay``).
    run_id : optional
        The platform's id of the run.
    url : str, optional
        A link to the run in the platform's UI.
    cancel : callable, optional
        ``cancel()`` asks the platform to stop the run (a coroutine on an async client).
        Without it, ``cancel()`` returns ``False``, as for any running future.
    cancelled : tuple of str
        States meaning the run was cancelled.
    what : str, optional
        How messages name the run (default ``"run <run_id>"``).
    clock : Clock, optional
        Paces the polls (the client's clock, so emulators need no real sleeping).
    progress : bool or callable, optional
        A callable is called with a :class:`RunProgress` on every state change; ``True``
        shows a status line on stderr, rewritten after every poll.
    read_state : callable, optional
        Reads the state from a status when ``waiter.field`` cannot.
    max_poll_errors : int, optional
        Consecutive transient poll errors (5xx, 429, dropped connections) waited out.
    """

    def __init__(
        self,
        poll: Callable[[], Any],
        waiter: Waiter,
        *,
        run_id: Any = None,
        url: str | None = None,
        cancel: Callable[[], Any] | None = None,
        cancelled: tuple[str, ...] = (),
        what: str | None = None,
        clock: Clock | None = None,
        progress: bool | Callable[[RunProgress], Any] | None = None,
        read_state: Callable[[Any], str | None] | None = None,
        max_poll_errors: int = MAX_POLL_ERRORS,
    ) -> None:
        if progress is not None and not isinstance(progress, bool) and not callable(progress):
            raise TypeError(f"progress must be True, False or a callable, not {progress!r}")
        self.poll = poll
        self.cancel_run = cancel
        self._run_id = run_id
        self._url = url
        self._what = what
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.loop = PollLoop(
            waiter,
            self.clock,
            cancelled=cancelled,
            max_poll_errors=max_poll_errors,
            read_state=read_state,
        )
        self.status: StatusLine | None = None
        if progress is True:
            self.status = StatusLine(self.label)
            self.loop.listeners.append(self.status)
        elif callable(progress):
            self.loop.listeners.append(self._reporter(progress))

    # -- identity (platforms whose run id can change override these) -----------------------
    @property
    def run_id(self) -> Any:
        return self._run_id

    @property
    def url(self) -> str | None:
        return self._url

    @property
    def label(self) -> str:
        return self._what or f"run {self.run_id}"

    def _reporter(self, callback: Callable[[RunProgress], Any]) -> Callable[[PollEvent], None]:
        def report(event: PollEvent) -> None:
            if event.changed:
                callback(
                    RunProgress(
                        self.run_id,
                        self.url,
                        event.state,
                        event.previous,
                        event.elapsed,
                        event.polls,
                    )
                )

        return report

    # -- the logic both futures drive -------------------------------------------------------
    def fetch(self) -> Any:
        return self.poll()

    def steps(
        self, deadline: float | None = None, *, once: bool = False
    ) -> Generator[Step, Any, Verdict]:
        """Poll until the run ends (or ``deadline``, or after one due poll with ``once``)."""
        return (yield from self.loop.steps(self.fetch, deadline, once=once))

    def cancel_steps(self) -> Generator[Step, Any, bool]:
        """Ask the platform to cancel; ``True`` when it agreed.

        A 404 means the run already ended (``False``); any other refusal warns and returns
        ``False``, since ``cancel()`` answers with a bool, not an error (civis-python's rule).
        """
        if self.cancel_run is None:
            return False
        try:
            yield Invoke(self.cancel_run)
        except NotFoundError:
            return False
        except (APIError, TransportError) as error:
            warnings.warn(
                f"Unexpected error when attempting to cancel {self.label}:\n{error}",
                stacklevel=4,
            )
            return False
        return True

    def ending(self, verdict: Verdict) -> Ending | None:
        """How the future ends for ``verdict``; ``None`` while the run goes on."""
        if verdict.outcome == "succeeded":
            return ("result", verdict.result)
        if verdict.outcome == "failed":
            return ("exception", self.failure(verdict))
        if verdict.outcome == "cancelled":
            return ("cancelled", None)
        return None

    def failure(self, verdict: Verdict) -> RunFailed:
        detail = f": {verdict.reason}" if verdict.reason else ""
        link = f" ({self.url})" if self.url else ""
        return RunFailed(
            f"{self.label} ended in state {verdict.state}{detail}{link}",
            run_id=self.run_id,
            url=self.url,
            state=verdict.state,
            reason=verdict.reason,
            payload=verdict.result,
        )

    def timed_out(self, timeout: float | None) -> RunTimeoutError:
        state = self.loop.state or "unknown"
        return RunTimeoutError(
            f"{self.label} not finished after {timeout:g} s (last state: {state}); "
            "the run goes on: wait again to resume",
            run_id=self.run_id,
            url=self.url,
            state=self.loop.state,
            payload=self.loop.result,
        )

    def finish(self) -> None:
        self.loop.stop()
        if self.status:
            self.status.close()


class _RunView:
    """What both futures tell about their run."""

    _tracker: RunTracker

    @property
    def run_id(self) -> Any:
        """The platform's id of the run."""
        return self._tracker.run_id

    @property
    def url(self) -> str | None:
        """A link to the run in the platform's UI, where there is one."""
        return self._tracker.url

    @property
    def state(self) -> str | None:
        """The run's state as last polled (``None`` before the first poll)."""
        return self._tracker.loop.state

    @property
    def polls(self) -> int:
        """How many polls have been answered."""
        return self._tracker.loop.polls

    def succeeded(self) -> bool:
        """Whether the run ended well (polls as ``done()`` does on the sync future)."""
        return self._ended_with(error=False)

    def failed(self) -> bool:
        """Whether the run ended in a failure state, or polling it failed for good."""
        return self._ended_with(error=True)

    def _ended_with(self, *, error: bool) -> bool:
        if not self.done() or self.cancelled():  # type: ignore[attr-defined]
            return False
        return (self._run_error() is not None) is error

    def _run_error(self) -> BaseException | None:
        raise NotImplementedError


class _WaiterList(list):  # type: ignore[type-arg]
    """A future's list of ``concurrent.futures`` waiters. ``wait`` and ``as_completed`` add to
    it and then block without calling the future: the cue to poll in the background."""

    def __init__(self, on_add: Callable[[], None]) -> None:
        super().__init__()
        self._on_add = on_add

    def append(self, waiter: Any) -> None:
        super().append(waiter)
        self._on_add()


class RunFuture(_RunView, concurrent.futures.Future):  # type: ignore[type-arg]
    """A :class:`concurrent.futures.Future` on a run a platform is doing.

    Parameters
    ----------
    tracker : RunTracker
        How to follow the run.
    poll_now : bool, optional
        Poll once while constructing (errors become the future's exception).

    Examples
    --------
    >>> futures = [client.scripts.run_sql(i) for i in script_ids]
    >>> for future in concurrent.futures.as_completed(futures):
    ...     print(future.run_id, future.result().state)
    """

    _done_callbacks: list[Callable[[Any], object]]  # concurrent.futures' own, untyped there

    def __init__(self, tracker: RunTracker, *, poll_now: bool = False) -> None:
        super().__init__()
        self._tracker = tracker
        self._driving = threading.Lock()  # one thread polls a run at a time
        self._watcher: threading.Thread | None = None
        self._callback_error: BaseException | None = None
        self._callbacks_done = threading.Event()
        self._callback_thread: int | None = None
        self._waiters = _WaiterList(self._watch)
        self.set_running_or_notify_cancel()  # the run has started on the platform
        if poll_now:
            self._advance(once=True)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self._tracker.label} "
            f"state={self.state or 'unknown'} future={self._state.lower()}>"
        )

    # -- driving ---------------------------------------------------------------------------
    def _advance(
        self, deadline: float | None = None, *, once: bool = False, block: bool = False
    ) -> bool:
        """Poll in this thread unless another thread is polling; ``True`` if this one did."""
        if not self._driving.acquire(blocking=block):
            return False
        try:
            if self._state == RUNNING:
                try:
                    verdict = drive(self._tracker.steps(deadline, once=once), self._tracker.clock)
                except Exception as error:  # a poll failed for good: the future carries it
                    self._end(("exception", error))
                else:
                    ending = self._tracker.ending(verdict)
                    if ending is not None:
                        self._end(ending)
        finally:
            self._driving.release()
            with self._condition:  # threads waiting on this one may poll now
                self._condition.notify_all()
        return True

    def _end(self, ending: Ending) -> None:
        self._tracker.finish()
        kind, value = ending
        try:
            if kind == "result":
                self.set_result(value)
            elif kind == "exception":
                self.set_exception(value)
            else:
                self._set_cancelled()
        except concurrent.futures.InvalidStateError:
            pass  # cancelled from another thread meanwhile

    def _set_cancelled(self) -> None:
        with self._condition:
            if self._state != RUNNING:
                return
            self._state = CANCELLED_AND_NOTIFIED
            for waiter in self._waiters:
                waiter.add_cancelled(self)
            self._condition.notify_all()
        self._tracker.finish()
        self._invoke_callbacks()

    def _watch(self) -> None:
        """Poll in a daemon thread until the run ends (called with ``_condition`` held)."""
        if self._watcher is None and self._state == RUNNING:
            self._watcher = threading.Thread(
                target=self._advance,
                kwargs={"block": True},
                name=f"specclient-{self._tracker.label}",
                daemon=True,
            )
            self._watcher.start()

    def _wait(self, timeout: float | None) -> None:
        deadline = None if timeout is None else self._tracker.clock.monotonic() + timeout
        # Waiting on another thread's polling counts real time: that thread owns the clock.
        real_deadline = None if timeout is None else time.monotonic() + timeout
        while self._state == RUNNING:
            if self._advance(deadline):
                if self._state == RUNNING:
                    raise self._tracker.timed_out(timeout)
                break
            with self._condition:
                if self._state == RUNNING and self._driving.locked():
                    left = None if real_deadline is None else real_deadline - time.monotonic()
                    if left is not None and left <= 0:
                        raise self._tracker.timed_out(timeout)
                    self._condition.wait(left)
        if threading.get_ident() != self._callback_thread:  # a callback may ask its future
            left = None if real_deadline is None else max(real_deadline - time.monotonic(), 0)
            self._callbacks_done.wait(left)

    # -- the Future surface ----------------------------------------------------------------
    def done(self) -> bool:
        """Whether the run has ended (polls once if an interval has passed since the last)."""
        if self._state == RUNNING:
            self._advance(once=True)
        return super().done()

    def running(self) -> bool:
        """Whether the run is still going (polls as :meth:`done` does)."""
        return not self.done()

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the run to end and return its final status.

        Raises
        ------
        RunFailed
            The run ended in a failure state (or a poll failed for good: that error).
        concurrent.futures.CancelledError
            The run was cancelled.
        RunTimeoutError
            ``timeout`` seconds passed first (a ``concurrent.futures.TimeoutError``).
        """
        self._wait(timeout)
        value = super().result(timeout=0)
        if self._callback_error is not None:
            raise self._callback_error
        return value

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Wait for the run to end and return the error it ended with (or a callback's)."""
        self._wait(timeout)
        error = super().exception(timeout=0)
        return error if error is not None else self._callback_error

    def _run_error(self) -> BaseException | None:
        return super().exception(timeout=0)  # the run's, not a callback's

    def cancel(self) -> bool:
        """Ask the platform to cancel the run.

        Returns ``True`` when it is cancelled, ``False`` when it already ended or the platform
        refused (a refusal other than "already ended" warns).
        """
        if self.cancelled():
            return True
        if self.done():
            return False
        if not drive(self._tracker.cancel_steps(), self._tracker.clock):
            return False
        self._set_cancelled()
        return True

    def add_done_callback(self, fn: Callable[[Any], object]) -> None:
        """Call ``fn(future)`` when the run ends (at once if it has; polls in the background
        until then). An error ``fn`` raises is logged and re-raised by :meth:`result`."""
        with self._condition:
            if self._state == RUNNING:
                self._done_callbacks.append(fn)
                self._watch()
                return
        self._run_callback(fn)

    def _invoke_callbacks(self) -> None:  # concurrent.futures calls it when the future ends
        try:
            for fn in self._done_callbacks:
                self._run_callback(fn)
        finally:
            self._callbacks_done.set()

    def _run_callback(self, fn: Callable[[Any], object]) -> None:
        outer, self._callback_thread = self._callback_thread, threading.get_ident()
        try:
            fn(self)
        except Exception as error:
            log.exception("exception calling callback for %r", self)
            if self._callback_error is None:
                self._callback_error = error
        finally:
            self._callback_thread = outer


def __getattr__(name: str) -> Any:
    # The async twin subclasses asyncio.Future; importing asyncio costs tens of milliseconds
    # that sync users should not pay, so it is loaded on first use.
    if name == "AsyncRunFuture":
        from ._async_future import AsyncRunFuture

        return AsyncRunFuture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
