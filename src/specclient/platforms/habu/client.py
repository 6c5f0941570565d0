"""The Habu client classes: each workflow is defined once, as a flow with its signature and
docstring, in :mod:`.workflows`; the :class:`~specclient.platforms._flows.Workflows` mixins make
it a plain method on the sync classes and an awaitable one on the async classes."""

from __future__ import annotations

from ...client import AsyncClient, AsyncResource, Client, Resource
from .workflows import _HabuFlows, _QuestionRunsFlows

__all__ = [
    "HabuClient",
    "AsyncHabuClient",
    "HabuQuestionRuns",
    "AsyncHabuQuestionRuns",
    "RESOURCE_CLASSES",
    "ASYNC_RESOURCE_CLASSES",
]


class HabuClient(_HabuFlows, Client):
    """A :class:`~specclient.Client` for Habu with the platform's multi-call workflows."""


class AsyncHabuClient(_HabuFlows, AsyncClient):
    """The awaitable twin of :class:`HabuClient` (same workflows, same rules)."""


class HabuQuestionRuns(_QuestionRunsFlows, Resource):
    """``client.cleanroom_question_runs``: ``get_data(..., return_type="pandas")`` is typed."""


class AsyncHabuQuestionRuns(_QuestionRunsFlows, AsyncResource):
    """``client.cleanroom_question_runs`` on the async client (typed ``get_data``)."""


RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": HabuQuestionRuns}
ASYNC_RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": AsyncHabuQuestionRuns}
