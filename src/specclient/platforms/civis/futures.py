"""Futures for Civis job and script runs, with civis-python's ``CivisFuture`` surface.

:class:`CivisFuture` is specclient's :class:`~specclient.futures.RunFuture` (so a
``concurrent.futures.Future``: ``wait``, ``as_completed``, callbacks, ``result(timeout=)``)
with civis-python 2.10's constructor and extras: ``job_id``, ``run_id``, ``job_url``,
``job_run_url``, ``outputs()``, ``max_retries``, a poll at construction, ``cancel()`` that
warns instead of raising when Civis refuses, errors raised by done-callbacks re-raised by
``result()``, and :class:`CivisJobFailure` (a :class:`~specclient.errors.RunFailed`) for failed
runs. :class:`AsyncCivisFuture` is its awaitable twin for ``connect_async("civis")``; both
follow the run through one :class:`CivisTracker`.

Differences from civis-python, on purpose: the back-off is the engine's (1 s, 1.5 s, 2.25 s
... capped at 15 s; civis-python grows by 1.2x to the same cap); polling happens in the thread
that waits, on the client's clock, and in a background thread only when nobody waits through
the future (``concurrent.futures.wait``, callbacks); a failed poll answered 5xx/429 or lost on
the wire is polled again (civis-python's future fails on it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, cast

from specclient.errors import RunFailed
from specclient.futures import RunFuture, RunProgress, RunTracker
from specclient.openapi.model import Waiter
from specclient.polling import Clock, Invoke, Pause, Step, Verdict

if TYPE_CHECKING:
    from specclient.platforms.civis.async_futures import AsyncCivisFuture

__all__ = [
    "CivisFuture",
    "AsyncCivisFuture",
    "CivisJobFailure",
    "CivisTracker",
    "DONE",
    "FAILED",
    "FINISHED",
    "CANCELLED",
]

log = logging.getLogger(__name__)

# Civis's run states, as civis.base names them.
FINISHED = ("success", "succeeded")
FAILED = ("failed",)
CANCELLED = ("cancelled",)
DONE = FINISHED + FAILED + CANCELLED

_FIRST_INTERVAL = 1.0
_MAX_INTERVAL = 15.0
# civis-python: when a run fails without a message, wait this long (its logs lag) and read the
# last _LOG_LINES lines of its log for the cause.
_LOG_LAG = 15.0
_LOG_LINES = 15
_OUT_OF_MEMORY = "Process ran out of its"
# civis-python's links point at the Platform UI, whichever API endpoint the client uses.
_UI = "https://platform.civisanalytics.com/spa/#/jobs/"


def _err_msg_with_job_run_ids(err_msg: str, job_id: Any, run_id: Any) -> str:
    # civis.base._err_msg_with_job_run_ids, so messages read the same
    if job_id is None and run_id is None:
        return str(err_msg)
    if run_id is None:
        return f"(From job {job_id}) {err_msg}"
    return f"(From job {job_id} / run {run_id}) {err_msg}"


def _job_url(job_id: Any) -> str:
    return f"{_UI}{job_id}"


def _job_run_url(job_id: Any, run_id: Any) -> str | None:
    return None if run_id is None else f"{_UI}{job_id}?runId={run_id}"


class CivisJobFailure(RunFailed):
    """A Civis run ended ``failed``; as civis-python's ``civis.base.CivisJobFailure``.

    ``str(error)`` is ``error_message``, as there.

    Attributes
    ----------
    error_message : str
        The run's ``error`` field, prefixed ``(From job J / run R)`` as civis-python does.
    response : object
        The last run status polled.
    job_id, run_id : int or None
        What failed.
    url : str or None
        The run in the Platform UI (``job_run_url``).
    """

    def __init__(
        self,
        err_msg: str,
        response: Any = None,
        job_id: int | None = None,
        run_id: int | None = None,
    ) -> None:
        self.job_id = job_id
        self._original_err_msg = err_msg
        self.error_message = _err_msg_with_job_run_ids(err_msg, job_id, run_id)
        self.response = response
        super().__init__(
            self.error_message,
            run_id=run_id,
            url=_job_run_url(job_id, run_id) if job_id is not None else None,
            state=FAILED[0],
            reason=err_msg,
            payload=response,
        )

    def __str__(self) -> str:
        return self.error_message


def _civis_state(result: Any) -> str | None:
    # A poll may answer None (civis-python's habit on spotty connections): still going.
    if result is None:
        return None
    state = getattr(result, "state", None)
    if state is None and isinstance(result, dict):
        state = result.get("state")
    return None if state is None else str(state).lower()


def _field(result: Any, name: str) -> Any:
    value = getattr(result, name, None)
    if value is None and isinstance(result, dict):
        value = result.get(name)
    return value


class CivisTracker(RunTracker):
    """How a Civis run is followed, for :class:`CivisFuture` and :class:`AsyncCivisFuture`:
    ``poller(*poller_args)``, civis-python's states, its ``max_retries`` (a failed run is
    replaced by a new run of the job), its links and error."""

    def __init__(
        self,
        poller: Callable[..., Any],
        poller_args: Sequence[Any],
        polling_interval: float | None,
        client: Any,
        max_retries: int | None,
        *,
        poll_on_creation: bool,
        cancel: Callable[..., Any] | None,
        restart: Callable[[Any], Any] | None,
        clock: Clock | None,
        progress: bool | Callable[[RunProgress], Any] | None,
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
        self.poller = poller
        self.poller_args = tuple(poller_args)
        self.polling_interval = polling_interval
        self.client = client
        self.retries_left = max_retries or 0
        self._cancel = cancel
        self._restart = restart
        self._from_logs: BaseException | None = None
        fixed = polling_interval
        waiter = Waiter(
            field="state",
            success=FINISHED,
            failure=FAILED,
            delay=fixed or _FIRST_INTERVAL,
            max_delay=fixed or _MAX_INTERVAL,
            timeout=float("inf"),
            reason_field="error",
        )
        super().__init__(
            self._poll_run,
            waiter,
            cancel=self._cancel_run,
            cancelled=CANCELLED,
            clock=clock or getattr(client, "clock", None),
            progress=progress,
            read_state=_civis_state,
        )
        if not poll_on_creation:  # civis-python: the first poll comes one interval from now
            self.loop.defer()

    # -- identity ---------------------------------------------------------------------------
    @property
    def job_id(self) -> Any:
        # None for a poller of no arguments (civis-python's _PollableResult allows one)
        return self.poller_args[0] if self.poller_args else None

    @property
    def run_id(self) -> Any:
        return self.poller_args[1] if len(self.poller_args) > 1 else None

    @property
    def url(self) -> str | None:
        if self.job_id is None:
            return None
        return _job_run_url(self.job_id, self.run_id) or _job_url(self.job_id)

    @property
    def label(self) -> str:
        if self.job_id is None:
            return "Civis run"
        run = f" run {self.run_id}" if self.run_id is not None else ""
        return f"Civis job {self.job_id}{run}"

    # -- calls (each returns what the client returns: a coroutine on the async client) -------
    def _poll_run(self) -> Any:
        return self.poller(*self.poller_args)

    def jobs(self, needed_by: str) -> Any:
        """``client.jobs``, or a clear error when the future was made without a client."""
        if self.client is None:
            raise ValueError(f"{needed_by} needs the client")
        return self.client.jobs

    def _cancel_run(self) -> Any:
        cancel = self._cancel or self.jobs("cancel() (or a cancel callable)").delete_runs
        return cancel(*self.poller_args)

    def _restart_run(self) -> Any:
        restart = self._restart or self.jobs("max_retries (or a restart callable)").post_runs
        return restart(self.job_id)

    def _run_logs(self) -> Any:
        return self.jobs("reading the logs").list_runs_logs(
            self.job_id, self.run_id, limit=_LOG_LINES
        )

    # -- logic ------------------------------------------------------------------------------
    def steps(
        self, deadline: float | None = None, *, once: bool = False
    ) -> Generator[Step, Any, Verdict]:
        while True:
            verdict = yield from super().steps(deadline, once=once)
            if verdict.outcome != "failed":
                return verdict
            if self.retries_left <= 0:
                if not _field(verdict.result, "error") and self.client is not None:
                    yield from self._explain_from_logs()
                return verdict
            # civis-python's max_retries: a failed run is replaced by a new run of the job
            self.retries_left -= 1
            run = yield Invoke(self._restart_run)
            log.info(
                "Civis job %s run %s failed; retrying as run %s (%d retries left)",
                self.job_id,
                self.run_id,
                _field(run, "id"),
                self.retries_left,
            )
            self.poller_args = (self.job_id, _field(run, "id"), *self.poller_args[2:])

    def _explain_from_logs(self) -> Generator[Step, Any, None]:
        """civis-python's answer to a run that failed without a message: the cause from the
        end of its log -- a ``MemoryError`` when it ran out of memory, else the log lines."""
        yield Pause(_LOG_LAG)
        try:
            logs = yield Invoke(self._run_logs)
        except Exception as error:  # the failure stands; only its explanation is missing
            log.warning("could not read the logs of %s: %s", self.label, error)
            return
        lines = [entry["message"] for entry in reversed(list(logs))]  # newest first on the wire
        errors = [entry["message"] for entry in logs if entry["level"] == "error"]
        memory = [line for line in reversed(errors) if line.startswith(_OUT_OF_MEMORY)]
        if memory:
            self._from_logs = MemoryError(
                _err_msg_with_job_run_ids(memory[0], self.job_id, self.run_id)
            )
        else:
            self._from_logs = CivisJobFailure("", None, self.job_id, self.run_id)
            self._from_logs.error_message = _err_msg_with_job_run_ids(
                "\n".join(lines) + "\n", self.job_id, self.run_id
            )

    def failure(self, verdict: Verdict) -> Any:
        if self._from_logs is not None:
            if isinstance(self._from_logs, CivisJobFailure):
                self._from_logs.response = verdict.result
            return self._from_logs
        message = str(_field(verdict.result, "error") or "")
        return CivisJobFailure(message, verdict.result, self.job_id, self.run_id)


def _tracker_of(
    poller: Callable[..., Any],
    poller_args: Sequence[Any],
    polling_interval: float | None,
    client: Any,
    poll_on_creation: bool,
    max_retries: int | None,
    **options: Any,
) -> CivisTracker:
    """The tracker behind :class:`CivisFuture` and its async twin, from civis-python's
    constructor arguments (both futures keep that signature; only the driver differs)."""
    return CivisTracker(
        poller,
        poller_args,
        polling_interval,
        client,
        max_retries,
        poll_on_creation=poll_on_creation,
        **options,
    )


class _CivisView:
    """civis-python's names for what a Civis future tracks."""

    _tracker: RunTracker

    @property
    def _civis(self) -> CivisTracker:
        return cast(CivisTracker, self._tracker)

    @property
    def job_id(self) -> Any:
        """The job (or script) id this future tracks."""
        return self._civis.job_id

    @property
    def run_id(self) -> Any:
        """The run id this future tracks, or ``None`` when the poller takes only the job."""
        return self._civis.run_id

    @property
    def job_url(self) -> str:
        """The job in the Civis Platform UI."""
        return _job_url(self.job_id)

    @property
    def job_run_url(self) -> str | None:
        """The run in the Civis Platform UI (``None`` without a run id)."""
        return _job_run_url(self.job_id, self.run_id)

    @property
    def poller(self) -> Callable[..., Any]:
        return self._civis.poller

    @property
    def poller_args(self) -> tuple[Any, ...]:
        return self._civis.poller_args

    @property
    def polling_interval(self) -> float | None:
        return self._civis.polling_interval

    @property
    def client(self) -> Any:
        return self._civis.client

    def __repr__(self) -> str:
        state = self._civis.loop.state or "unknown"
        return f"<{type(self).__name__} job_id={self.job_id} run_id={self.run_id} state={state}>"


class CivisFuture(_CivisView, RunFuture):
    """The outcome of one Civis run: a ``concurrent.futures.Future``, as civis-python's.

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
        Poll once now (default, as civis-python) rather than one interval from now.
    max_retries : int, optional
        When the run fails, start a new run of the job, up to this many times (only for jobs
        safe to run twice), as civis-python's ``CivisFuture``.
    cancel : callable, optional
        Asks Civis to cancel the run; defaults to ``client.jobs.delete_runs``.
    restart : callable, optional
        Starts a new run of the job for ``max_retries``; defaults to ``client.jobs.post_runs``.
    clock : Clock, optional
        Defaults to the client's clock, else the system clock.
    progress : bool or callable, optional
        Called with a :class:`~specclient.futures.RunProgress` on every state change; ``True``
        shows a status line on stderr.

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
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> None:
        tracker = _tracker_of(
            poller, poller_args, polling_interval, client, poll_on_creation, max_retries,
            cancel=cancel, restart=restart, clock=clock, progress=progress,
        )  # fmt: skip
        super().__init__(tracker, poll_now=poll_on_creation)

    def outputs(self) -> Any:
        """Wait for success and return the run's outputs (``jobs.list_runs_outputs``)."""
        self.result()
        return self._civis.jobs("outputs()").list_runs_outputs(self.job_id, self.run_id)


# where users import them from (the package loads this module only when a run starts)
CivisFuture.__module__ = CivisJobFailure.__module__ = "specclient.platforms.civis"


def __getattr__(name: str) -> Any:
    # as specclient.futures: the async twin loads asyncio, which sync users should not pay for
    if name == "AsyncCivisFuture":
        from specclient.platforms.civis.async_futures import AsyncCivisFuture

        return AsyncCivisFuture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
