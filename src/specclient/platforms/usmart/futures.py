"""Futures on uSmart pipeline processing: one per resource container, one for a whole
``refresh_all``.

uSmart has no run objects: a container's ``state`` in ``dataset:view`` goes ``processing`` ->
``processed`` (a new ``revision``) or ``failed`` (``failureReason``). A refresh is done when
none of the containers it started is still processing; it succeeded when all of them are
``processed``. The refresh's future ends with the list of :class:`PipelineOutcome` (one per
container, in the dataset's order), or raises :class:`PipelineRefreshError` naming every
pipeline that failed, to start or while processing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specclient.errors import RunFailed
from specclient.futures import Ending, RunFuture, RunTracker

if TYPE_CHECKING:
    from specclient.polling import Verdict

__all__ = ["PipelineOutcome", "PipelineRefreshError", "RefreshTracker", "RefreshFuture"]

log = logging.getLogger("specclient.usmart")


@dataclass(frozen=True)
class PipelineOutcome:
    """What happened to one resource container in :meth:`UsmartPipelines.refresh_all`."""

    container_guid: str
    pipeline_id: str
    ok: bool
    state: str | None = None
    error: str | None = None


class PipelineRefreshError(RunFailed):
    """One or more output pipelines could not be processed (a :class:`RunFailed`);
    ``outcomes`` has every result, ``dataset_guid`` says whose pipelines."""

    def __init__(self, dataset_guid: str, outcomes: list[PipelineOutcome]) -> None:
        self.dataset_guid = dataset_guid
        self.outcomes = outcomes
        failed = [o for o in outcomes if not o.ok]
        lines = "; ".join(f"{o.pipeline_id} {o.container_guid}: {o.error}" for o in failed)
        super().__init__(
            f"{len(failed)} of {len(outcomes)} pipelines of dataset {dataset_guid} failed: {lines}",
            run_id=dataset_guid,
            state="failed",
            reason=lines,
            payload=outcomes,
        )


def container_in(view: Mapping[str, Any], guid: str) -> Mapping[str, Any] | None:
    containers = view["resource_containers"]
    return next((c for c in containers if c["resource_container_guid"] == guid), None)


def _settled(outcome: PipelineOutcome, view: Mapping[str, Any]) -> PipelineOutcome:
    """``outcome`` (a started pipeline) as the final view shows it."""
    if not outcome.ok:
        return outcome
    guid, pipeline = outcome.container_guid, outcome.pipeline_id
    now = container_in(view, guid)
    if now is None:
        return PipelineOutcome(guid, pipeline, False, error="no longer in the dataset")
    state = now.get("state")
    if state == "processed":
        return PipelineOutcome(guid, pipeline, True, state=state)
    reason = now.get("failure_reason")
    detail = f": {reason}" if reason else ""
    error = f"pipeline {guid} ended in state {state}{detail}"
    return PipelineOutcome(guid, pipeline, False, state=state, error=error)


class RefreshTracker(RunTracker):
    """A whole refresh: polls ``dataset:view`` until no started container is processing."""

    def __init__(
        self,
        *args: Any,
        dataset_guid: str,
        started: Sequence[PipelineOutcome],
        echo: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.dataset_guid = dataset_guid
        self.started = list(started)
        self.echo = echo
        guids = [o.container_guid for o in self.started if o.ok]
        any_failed = any(not o.ok for o in self.started)

        def state(view: Any) -> str:
            states = [(container_in(view, g) or {}).get("state") for g in guids]
            if "processing" in states:
                return "processing"
            return "failed" if any_failed or set(states) - {"processed"} else "processed"

        super().__init__(*args, read_state=state, run_id=dataset_guid, **kwargs)

    @property
    def label(self) -> str:
        return f"refresh of dataset {self.dataset_guid}"

    def ending(self, verdict: Verdict) -> Ending | None:
        if verdict.outcome not in ("succeeded", "failed"):
            return super().ending(verdict)
        outcomes = [_settled(o, verdict.result) for o in self.started]
        for outcome in outcomes:
            line = (
                f"{outcome.pipeline_id} {outcome.container_guid}: "
                f"{outcome.state if outcome.ok else 'FAILED ' + str(outcome.error)}"
            )
            log.info("refresh %s", line)
            if self.echo is not None:
                self.echo(line)
        if any(not o.ok for o in outcomes):
            return ("exception", PipelineRefreshError(self.dataset_guid, outcomes))
        return ("result", outcomes)


class RefreshOf:
    """What a refresh's future knows besides its run: ``started``, the outcome of each
    ``resourceContainer:process`` call (what ``refresh_all`` returned before it returned a
    future), and ``pipelines``, a future per container started (by container GUID)."""

    def __init__(
        self,
        tracker: RunTracker,
        *,
        started: Sequence[PipelineOutcome],
        pipelines: Mapping[str, Any],
    ) -> None:
        super().__init__(tracker)  # type: ignore[call-arg]
        self.started = list(started)
        self.pipelines = dict(pipelines)


class RefreshFuture(RefreshOf, RunFuture):
    """A :class:`~specclient.futures.RunFuture` on a whole refresh: ``result()`` is the list
    of :class:`PipelineOutcome`; a failed pipeline raises :class:`PipelineRefreshError`."""


def async_refresh_future(tracker: RunTracker, **extras: Any) -> Any:
    """The awaitable twin, imported only when an async client makes one (it subclasses
    ``asyncio.Future``; sync users never import asyncio)."""
    from .async_futures import AsyncRefreshFuture

    return AsyncRefreshFuture(tracker, **extras)
