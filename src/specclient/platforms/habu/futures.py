"""Futures on Habu question and flow runs, and the one error a failed run raises.

A question run's future reaches its result table: ``future.frame()`` waits for the run and
returns every row as a DataFrame (through the client's result paging,
``question_results``); a flow run's future reaches a node's report
(``future.report(node)``). On the async client the same methods are coroutines.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import RunFailed, SpecClientError
from ...futures import RunFuture, RunTracker

if TYPE_CHECKING:
    import pandas as pd

    from ...polling import Step, Verdict

__all__ = [
    "QuestionRunFailed",
    "HabuRunTracker",
    "QuestionRunFuture",
    "FlowRunFuture",
]


class QuestionRunFailed(RunFailed):
    """A question or flow run ended FAILED, ERROR or CANCELLED (a :class:`RunFailed`).

    ``reason`` is the platform's ``failureReason`` (``runMessage`` for flow runs), ``run`` the
    last run record seen, ``run_id`` its id. ``url`` is ``None``: LiveRamp publishes no URL
    pattern for a run in its portal.
    """

    # public as specclient.platforms.habu.QuestionRunFailed: tracebacks and pickles say so
    __module__ = "specclient.platforms.habu"

    def __init__(self, message: str, *, state: str | None, reason: str | None, run: Any) -> None:
        run_id = run.get("id") if isinstance(run, Mapping) else None
        super().__init__(message, run_id=run_id, state=state, reason=reason, payload=run)
        self.run = run


def _record(value: Any) -> Any:
    # an httpx reply's JSON, or the decoded record itself; an empty body is no record
    if isinstance(getattr(value, "content", None), bytes):
        return value.json() if value.content else None
    return value


def run_failure(run: Any, kind: str) -> QuestionRunFailed:
    """The error for a run record in a failure state (``kind``: "question run", "flow run")."""
    body = _record(run) or {}
    state = body.get("status")
    reason = body.get("failureReason") or body.get("runMessage")
    detail = f": {reason}" if reason else ""
    return QuestionRunFailed(
        f"{kind} {body.get('id')} ended {state}{detail}", state=state, reason=reason, run=body
    )


class HabuRunTracker(RunTracker):
    """A Habu run: named "question run <id>" / "flow run <id>"; a failure state raises
    :class:`QuestionRunFailed`. The API has no call that cancels a run, so ``cancel()`` on its
    future answers ``False`` and the run goes on."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.run_id}"

    def failure(self, verdict: Verdict) -> RunFailed:
        return run_failure(verdict.result, self.kind)

    def steps(
        self, deadline: float | None = None, *, once: bool = False
    ) -> Generator[Step, Any, Verdict]:
        try:
            return (yield from super().steps(deadline, once=once))
        except SpecClientError as error:
            # The run exists whatever broke the polling (a token endpoint down, a 401): say
            # which, so the caller follows it instead of starting another (issue 12).
            read = (
                f"client.cleanroom_question_runs.get({self.run_id!r})"
                if self.kind == "question run"
                else f"client.cleanroom_flow_runs.get(cleanroom_id, {self.run_id!r})"
            )
            error.add_note(
                f"while following {self.label}: the run was started and goes on; "
                f"read its status with {read} rather than starting it again"
            )
            raise


class OnClient:
    """A Habu future knows the run record as created (``run``: QUEUED, its name and
    parameters), the client that started it (and a flow run's clean room), to read the run's
    outputs."""

    def __init__(
        self, tracker: RunTracker, *, client: Any, run: Any, cleanroom_id: str | None = None
    ) -> None:
        super().__init__(tracker)  # type: ignore[call-arg]
        self.client = client
        self.run = run
        self.cleanroom_id = cleanroom_id


class QuestionRunFuture(OnClient, RunFuture):
    """A :class:`~specclient.futures.RunFuture` on a question run; ``result()`` is the run
    record as COMPLETED, :meth:`frame` its rows."""

    def frame(
        self,
        timeout: float | None = None,
        *,
        page_size: int | None = None,
        workers: int | None = None,
    ) -> pd.DataFrame:
        """Wait for the run (``timeout`` as :meth:`result`) and return every row of its
        result as a DataFrame (``client.question_results``)."""
        self.result(timeout)
        return self.client.question_results(self.run_id, page_size=page_size, workers=workers)


class FlowRunFuture(OnClient, RunFuture):
    """A :class:`~specclient.futures.RunFuture` on a flow run; :meth:`report` reads a node's
    report once it has finished."""

    def report(self, node: str, timeout: float | None = None) -> pd.DataFrame:
        """Wait for the run and return ``node``'s report (``client.flow_report``)."""
        self.result(timeout)
        return self.client.flow_report(self.cleanroom_id, self.run_id, node)


def _async(name: str) -> Callable[..., Any]:
    # the async twins subclass asyncio.Future: imported only when an async client makes one
    def make(tracker: RunTracker, **extras: Any) -> Any:
        from . import async_futures

        return getattr(async_futures, name)(tracker, **extras)

    return make


def future_classes(kind: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """What makes the (sync, async) future for a run of ``kind``."""
    if kind == "flow run":
        return FlowRunFuture, _async("AsyncFlowRunFuture")
    return QuestionRunFuture, _async("AsyncQuestionRunFuture")
