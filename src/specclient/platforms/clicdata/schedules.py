"""``client.schedules.trigger``: run a schedule now and follow the run as a future.

What "done" means, from what the API lets us observe: a trigger answers with the run it
started (``run_id``, per schedule); ``GET /schedule/{id}`` lists the schedule's last runs, each
with a ``status``. The run is done when its entry there says ``Completed`` (the future's
result is that entry) or a failure (``Failed``, ``Error``, ``Cancelled``: :class:`RunFailed`).

A trigger is not idempotent (each one refreshes the schedule's tables again), so a lost reply
is never retried blindly: the schedule's runs are read before the trigger, and after a
dropped connection or a 5xx a run that was not there before is this call's. Only when none
appeared is the trigger sent again, once; if that is lost too, the error says the schedule may
have run and how to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specclient.client import AsyncResource, Resource
from specclient.futures import RunFuture
from specclient.openapi.model import Waiter
from specclient.platforms._flows import Call, Flow, Follow, Workflows, workflow
from specclient.platforms._lost import AMBIGUOUS, OutcomeUnknown

from .workflows import payload, result_of

__all__ = ["ClicDataSchedules", "AsyncClicDataSchedules", "ScheduleTriggerLost", "RUN_WAITER"]

#: A schedule run's states (case ignored): how a trigger's future knows it is over.
RUN_WAITER = Waiter(
    field="status",
    success=("completed", "succeeded", "success"),
    failure=("failed", "error", "cancelled", "canceled"),
    delay=2.0,
    max_delay=60.0,
    reason_field="message",
)


class ScheduleTriggerLost(OutcomeUnknown):
    """A trigger's reply was lost twice and the schedule shows no run of it: it may still
    have run. ``schedule_id`` says which; ``check`` is the call that shows its runs."""

    def __init__(self, schedule_id: Any, error: Exception) -> None:
        self.schedule_id = schedule_id
        super().__init__(
            f"triggering schedule {schedule_id} (sent twice, no new run listed)",
            f"the runs in client.schedules.get({schedule_id!r})",
            error,
        )


def _schedule(reply: Any) -> Mapping[str, Any]:
    """A schedule record from ``GET /schedule/{id}``, versioned or legacy."""
    body = result_of(payload(reply), "schedules")
    if isinstance(body, list):
        body = body[0] if body else {}
    return body if isinstance(body, Mapping) else {}


def _last_run_id(schedule: Mapping[str, Any]) -> int:
    return max((int(r.get("run_id") or 0) for r in schedule.get("runs") or []), default=0)


def _run_in(schedule: Mapping[str, Any], run_id: Any) -> Mapping[str, Any] | None:
    return next((r for r in schedule.get("runs") or [] if r.get("run_id") == run_id), None)


def _status(run: Any) -> str | None:
    status = run.get("status") if isinstance(run, Mapping) else None
    return None if status is None else str(status).lower()


class SchedulesWorkflows(Workflows):
    """``client.schedules``: the spec's schedule operations, and ``trigger`` as a future."""

    @workflow
    def trigger(
        self,
        id: int,  # noqa: A002 - the spec's name for it
        *,
        wait: bool = False,
        timeout: float | None = None,
        progress: Any = None,
    ) -> Flow[Any]:
        """Run a schedule now (refreshes its data sets): a future on the run.

        Returns a :class:`~specclient.futures.RunFuture` (a ``concurrent.futures.Future``;
        on the async client its awaitable twin) whose ``run_id`` is the trigger's ``run_id``,
        ``run`` the run as the trigger answered, and whose result is the run's entry in
        ``GET /schedule/{id}`` once its status is ``Completed``; a failed run raises
        :class:`~specclient.errors.RunFailed`. ``wait=True`` returns
        ``future.result(timeout)``. A lost reply is reconciled with the schedule's runs,
        never sent twice blindly (:class:`ScheduleTriggerLost` when it cannot be told).

        Parameters
        ----------
        id : int
            The schedule.
        wait : bool
            Wait for the run to end and return its entry.
        timeout : float, optional
            With ``wait``: give up waiting after this many seconds
            (:class:`~specclient.errors.RunTimeoutError`; the run goes on).
        progress : bool or callable, optional
            The future's progress callback (``True``: a status line on stderr).
        """
        get = Call("schedules.get", (id,), {"return_type": "raw"})
        known = _last_run_id(_schedule((yield get)))
        run: Any = None
        for attempt in (1, 2):
            try:
                run = result_of(
                    payload((yield Call("schedules.trigger", (id,), {"return_type": "raw"})))
                )
                break
            except AMBIGUOUS as error:
                after = _schedule((yield get))
                if _last_run_id(after) > known:  # a run this trigger started
                    run = next(r for r in after["runs"] if int(r.get("run_id") or 0) > known)
                    break
                if attempt == 2:
                    raise ScheduleTriggerLost(id, error) from error
        run_id = run.get("run_id")
        return (
            yield Follow(
                get,
                RUN_WAITER,
                {
                    "run_id": run_id,
                    "what": f"schedule {id} run {run_id}",
                    "progress": progress,
                    "read_state": _status,
                },
                pick=lambda reply: _run_in(_schedule(reply), run_id),
                future=ScheduleRunFuture,
                async_future=_async_schedule_run_future,
                extras={"run": run},
                wait=wait,
                timeout=timeout,
            )
        )


class RunAsTriggered:
    """A schedule run's future knows the run as the trigger answered (``run``)."""

    def __init__(self, tracker: Any, *, run: Any) -> None:
        super().__init__(tracker)  # type: ignore[call-arg]
        self.run = run


class ScheduleRunFuture(RunAsTriggered, RunFuture):
    """A :class:`~specclient.futures.RunFuture` on a schedule run."""


def _async_schedule_run_future(tracker: Any, **extras: Any) -> Any:
    from .async_schedules import AsyncScheduleRunFuture

    return AsyncScheduleRunFuture(tracker, **extras)


class ClicDataSchedules(SchedulesWorkflows, Resource):
    """``client.schedules`` on the sync client."""


class AsyncClicDataSchedules(SchedulesWorkflows, AsyncResource):
    """``client.schedules`` on the async client."""
