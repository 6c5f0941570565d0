"""The Habu client classes: the workflows of :mod:`.workflows` driven on the sync and the async
client. Each workflow is defined once (a flow with its signature and docstring, in
:class:`~.workflows._HabuFlows`); :func:`~specclient.platforms._flows.drive` gives each class
the method that runs it, plain or awaitable."""

from __future__ import annotations

from typing import Any

from ...client import AsyncClient, AsyncResource, Client, Resource
from .._flows import Flow, arun, drive, run
from .workflows import _HabuFlows, _QuestionRunsFlows, _spec_caller

__all__ = [
    "HabuClient",
    "AsyncHabuClient",
    "HabuQuestionRuns",
    "AsyncHabuQuestionRuns",
    "RESOURCE_CLASSES",
    "ASYNC_RESOURCE_CLASSES",
]


@drive
class HabuClient(_HabuFlows, Client):
    """A :class:`~specclient.Client` for Habu with the platform's multi-call workflows."""

    def _run(self, flow: Flow) -> Any:
        return run(flow, self, _spec_caller(self))


@drive
class AsyncHabuClient(_HabuFlows, AsyncClient):
    """The awaitable twin of :class:`HabuClient` (same workflows, same rules)."""

    async def _run(self, flow: Flow) -> Any:
        return await arun(flow, self, _spec_caller(self))


@drive
class HabuQuestionRuns(_QuestionRunsFlows, Resource):
    """``client.cleanroom_question_runs``: ``get_data(..., return_type="pandas")`` is typed."""

    def _run(self, flow: Flow) -> Any:
        return run(flow, self.client, _spec_caller(self.client))


@drive
class AsyncHabuQuestionRuns(_QuestionRunsFlows, AsyncResource):
    """``client.cleanroom_question_runs`` on the async client (typed ``get_data``)."""

    async def _run(self, flow: Flow) -> Any:
        return await arun(flow, self.client, _spec_caller(self.client))


RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": HabuQuestionRuns}
ASYNC_RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": AsyncHabuQuestionRuns}
