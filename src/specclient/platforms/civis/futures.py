"""Futures for Civis job and script runs, with civis-python's ``CivisFuture`` surface.

civis-python's ``CivisFuture`` is a ``concurrent.futures.Future`` fed by a background thread
that polls with geometric back-off (1 s, 1.2 s, 1.44 s ... capped at 15 s). Ours keeps the same
methods, first interval and cap, but takes its back-off from the engine's
:class:`specclient.polling.Poller` (so every waiter in specclient paces alike: 1 s, 1.5 s,
2.25 s ... capped at 15 s) and polls in the caller's thread, on the client's clock: ``done()``
polls at most once per interval, ``result(timeout)`` polls and sleeps until the run finishes. No
thread means no stray polling after a test, and the emulator's clock moves a run forward
without real sleeps. The price: ``concurrent.futures.wait`` / ``as_completed`` cannot drive it;
call ``result()`` or ``done()``.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable, Sequence
from typing import Any

from specclient._clock import SYSTEM_CLOCK, Clock
from specclient.errors import NotFoundError, WaiterError, WaiterTimeoutError
from specclient.openapi.model import Waiter
from specclient.polling import Poller

__all__ = ["CivisFuture", "CivisJobFailure", "DONE", "FAILED", "FINISHED", "CANCELLED"]

log = logging.getLogger(__name__)

# Civis's run states, as civis.base names them.
FINISHED = ("success", "succeeded")
FAILED = ("failed",)
CANCELLED = ("cancelled",)
DONE = FINISHED + FAILED + CANCELLED

_FIRST_INTERVAL = 1.0
_MAX_INTERVAL = 15.0


class CivisJobFailure(WaiterError):
    """A Civis run ended ``failed``; as civis-python's ``civis.base.CivisJobFailure``.

    Attributes
    ----------
    error_message : str
        The run's ``error`` field.
    response : object
        The last run status polled.
    job_id, run_id : int or None
        What failed.
    """

    def __init__(
        self,
        err_msg: str,
        response: Any = None,
        job_id: int | None = None,
        run_id: int | None = None,
    ) -> None:
        self.error_message = err_msg
        self.response = response
        self.job_id = job_id
        self.run_id = run_id
        where = f" (job {job_id}, run {run_id})" if job_id is not None else ""
        super().__init__(f"{err_msg}{where}", state="failed", reason=err_msg, payload=response)


def _state_of(result: Any) -> str | None:
    if result is None:
        return None
    state = getattr(result, "state", None)
    if state is None and isinstance(result, dict):
        state = result.get("state")
    return str(state).lower() if state is not None else None


def _field(result: Any, name: str) -> Any:
    value = getattr(result, name, None)
    if value is None and isinstance(result, dict):
        value = result.get(name)
    return value


class CivisFuture:
    """The outcome of one Civis run, polled with back-off.

    Parameters
    ----------
    poller : callable
        Returns the run's status (an object or dict with ``state``), e.g.
        ``client.jobs.get_runs``.
    poller_args : sequence
        Arguments for ``poller``: ``(job_id, run_id)``, or ``(job_id,)``.
    polling_interval : float, optional
        Fixed seconds between polls. ``None`` (default): 1 s, growing with the engine's
        back-off up to 15 s (civis-python grows by 1.2x to the same cap).
    client : Client, optional
        The client the run belongs to; cancelling, ``outputs()`` and the clock come from it.
    poll_on_creation : bool, optional
        Poll on the first ``done()``/``result()`` (default) rather than one interval later.
    max_retries : int, optional
        When the run fails, start a new run of the job, up to this many times (only for jobs
        safe to run twice), as civis-python's ``CivisFuture``.
    cancel : callable, optional
        Asks Civis to cancel the run; defaults to ``client.jobs.delete_runs``.
    restart : callable, optional
        Starts a new run of the job for ``max_retries``; defaults to ``client.jobs.post_runs``.
    clock : Clock, optional
        Defaults to the client's clock, else the system clock.

    Examples
    --------
    >>> run = client.jobs.post_runs(job_id)
    >>> future = CivisFuture(client.jobs.get_runs, (job_id, run.id), client=client)
    >>> future.result(timeout=600).state
    'succeeded'
    """

    def __init__(
        self,
        poller: Callable[..., Any],
        poller_args: Sequence[Any],
        polling_interval: float | None = None,
        client: Any = None,
        poll_on_creation: bool = True,
        max_retries: int | None = None,
        *,
        cancel: Callable[..., Any] | None = None,
        restart: Callable[[Any], Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        if polling_interval is not None and polling_interval <= 0:
            raise ValueError("The polling interval must be positive.")
        if max_retries is not None and max_retries < 0:
            raise ValueError("max_retries must not be negative.")
        if max_retries and len(poller_args) < 2:
            raise ValueError(
                "max_retries requires a poller that tracks a specific run "
                "(i.e., poller_args must include a run ID)."
            )
        self._retries_left = max_retries or 0
        self._restart = restart
        self.poller = poller
        self.poller_args = tuple(poller_args)
        self.polling_interval = polling_interval
        self.client = client
        self._cancel_call = cancel
        self._clock: Clock = clock or getattr(client, "clock", None) or SYSTEM_CLOCK
        # Only the pacing comes from the engine's Poller: which states are final, and the
        # civis-python exceptions they map to, are decided in _poll.
        fixed = polling_interval
        self._backoff = Poller(
            Waiter(
                field="state",
                success=DONE,
                delay=fixed or _FIRST_INTERVAL,
                max_delay=fixed or _MAX_INTERVAL,
                timeout=float("inf"),
            ),
            self._clock,
        )
        self._interval = fixed or _FIRST_INTERVAL
        self._last_polled: float | None = None if poll_on_creation else self._clock.monotonic()
        self._last_result: Any = None
        self._state = "pending"  # pending | finished | failed | cancelled
        self._exception: BaseException | None = None
        self._callbacks: list[Callable[[CivisFuture], Any]] = []
        self.polls = 0

    # -- identity -----------------------------------------------------------------------------
    @property
    def job_id(self) -> Any:
        """The job (or script) id this future tracks."""
        return self.poller_args[0]

    @property
    def run_id(self) -> Any:
        """The run id this future tracks, or ``None`` when the poller takes only the job."""
        return self.poller_args[1] if len(self.poller_args) > 1 else None

    def __repr__(self) -> str:
        return f"<CivisFuture job_id={self.job_id} run_id={self.run_id} state={self._state}>"

    # -- polling ------------------------------------------------------------------------------
    def _next_interval(self) -> float:
        self._interval = self._backoff.next_delay(_state_of(self._last_result))
        return self._interval

    def _poll(self) -> None:
        self._last_polled = self._clock.monotonic()
        self.polls += 1
        try:
            result = self.poller(*self.poller_args)
        except Exception as exc:  # the poll itself failed: the future carries the error
            self._finish("failed", exception=exc)
            return
        self._last_result = result
        state = _state_of(result)
        if state in FINISHED:
            self._finish("finished")
        elif state in FAILED and self._retries_left > 0:
            self._start_new_run()
        elif state in FAILED:
            message = str(_field(result, "error") or "")
            self._finish(
                "failed", exception=CivisJobFailure(message, result, self.job_id, self.run_id)
            )
        elif state in CANCELLED:
            self._finish("cancelled")

    def _start_new_run(self) -> None:
        """civis-python's ``max_retries``: a failed run is replaced by a new run of the job."""
        self._retries_left -= 1
        restart = self._restart
        if restart is None:
            if self.client is None:
                raise ValueError("max_retries needs the client (or a restart callable)")
            restart = self.client.jobs.post_runs
        run = restart(self.job_id)
        run_id = _field(run, "id")
        log.info(
            "Civis job %s run %s failed; retrying as run %s (%d retries left)",
            self.job_id,
            self.run_id,
            run_id,
            self._retries_left,
        )
        self.poller_args = (self.job_id, run_id, *self.poller_args[2:])

    def _due(self) -> bool:
        if self._last_polled is None:
            return True
        return self._clock.monotonic() - self._last_polled >= self._interval

    def _finish(self, state: str, exception: BaseException | None = None) -> None:
        self._state = state
        self._exception = exception
        for callback in self._callbacks:
            try:
                callback(self)
            except Exception:  # as concurrent.futures: a bad callback must not break others
                log.exception("exception calling callback for %r", self)

    # -- the Future surface -------------------------------------------------------------------
    def done(self) -> bool:
        """Whether the run has finished (polls if an interval has passed since the last poll)."""
        if self._state == "pending" and self._due():
            self._next_interval()
            self._poll()
        return self._state != "pending"

    def running(self) -> bool:
        """Whether the run is still queued or running, as last seen."""
        return not self.done()

    def cancelled(self) -> bool:
        return self._state == "cancelled"

    def succeeded(self) -> bool:
        return self.done() and self._state == "finished"

    def failed(self) -> bool:
        return self.done() and self._state == "failed"

    def _wait(self, timeout: float | None) -> None:
        deadline = None if timeout is None else self._clock.monotonic() + timeout
        if self._state == "pending" and self._due():
            self._poll()
        while self._state == "pending":
            pause = self._next_interval()
            if deadline is not None:
                remaining = deadline - self._clock.monotonic()
                if remaining <= 0:
                    raise WaiterTimeoutError(
                        f"Civis job {self.job_id} run {self.run_id} not finished after "
                        f"{timeout} s (last state: {_state_of(self._last_result)})",
                        state=_state_of(self._last_result),
                        payload=self._last_result,
                    )
                pause = min(pause, remaining)
            self._clock.sleep(pause)
            self._poll()

    def result(self, timeout: float | None = None) -> Any:
        """Wait for the run and return its final status.

        Raises
        ------
        CivisJobFailure
            If the run failed.
        concurrent.futures.CancelledError
            If the run was cancelled.
        WaiterTimeoutError
            If ``timeout`` seconds pass first (also a built-in ``TimeoutError``, which
            ``concurrent.futures.TimeoutError`` is).
        """
        self._wait(timeout)
        if self._state == "cancelled":
            raise concurrent.futures.CancelledError()
        if self._exception is not None:
            raise self._exception
        return self._last_result

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Wait for the run and return the error it ended with, or ``None``."""
        self._wait(timeout)
        if self._state == "cancelled":
            raise concurrent.futures.CancelledError()
        return self._exception

    def add_done_callback(self, fn: Callable[[CivisFuture], Any]) -> None:
        """Call ``fn(future)`` when the run finishes (at once if it already has)."""
        if self._state != "pending":
            fn(self)
        else:
            self._callbacks.append(fn)

    def cancel(self) -> bool:
        """Ask Civis to cancel the run.

        Returns
        -------
        bool
            ``True`` if the run is now cancelled; ``False`` if it had already finished
            (Civis answers 404 then, as civis-python expects).
        """
        if self._state == "cancelled":
            return True
        if self._state != "pending":
            return False
        cancel = self._cancel_call
        if cancel is None:
            if self.client is None:
                raise ValueError("cancel() needs the client (or a cancel callable)")
            cancel = self.client.jobs.delete_runs
        try:
            cancel(*self.poller_args)
        except NotFoundError:
            return False
        self._finish("cancelled")
        return True

    def outputs(self) -> Any:
        """Wait for success and return the run's outputs (``jobs.list_runs_outputs``)."""
        self.result()
        return self.client.jobs.list_runs_outputs(self.job_id, self.run_id)
