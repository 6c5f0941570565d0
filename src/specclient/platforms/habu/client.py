"""The Habu client classes: each workflow is defined once, as a flow with its signature and
docstring, in :mod:`.workflows`; the :class:`~specclient.platforms._flows.Workflows` mixins make
it a plain method on the sync classes and an awaitable one on the async classes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ...client import AsyncClient, AsyncResource, Client, Resource
from .._flows import spec_caller
from .workflows import _HabuFlows, _QuestionRunsFlows, _require_count

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "HabuClient",
    "AsyncHabuClient",
    "HabuQuestionRuns",
    "AsyncHabuQuestionRuns",
    "RESOURCE_CLASSES",
    "ASYNC_RESOURCE_CLASSES",
]


def _batch_options(page_size: object, workers: object) -> tuple[int | None, int]:
    """Checked now, not when the first batch is taken (the flow runs lazily); one worker by
    default, so a lazy reader fetches only what it takes."""
    size = _require_count(page_size, "page_size", "question_result_batches")
    return size, _require_count(workers, "workers", "question_result_batches") or 1


class HabuClient(_HabuFlows, Client):
    """A :class:`~specclient.Client` for Habu with the platform's multi-call workflows."""

    def question_result_batches(
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> Iterator[pa.RecordBatch]:
        """The rows of a completed run as typed ``pyarrow.RecordBatch`` es, one per page,
        fetched lazily: a page is requested only when the batches before it were taken
        (``workers`` > 1 fetches that many ahead)."""
        from .._batches import iterate

        flow = self._result_pages_flow(run_id, *_batch_options(page_size, workers))
        return iterate(flow, self, spec_caller(self))


class AsyncHabuClient(_HabuFlows, AsyncClient):
    """The awaitable twin of :class:`HabuClient` (same workflows, same rules)."""

    async def question_result_batches(
        self, run_id: str, *, page_size: int | None = None, workers: int | None = None
    ) -> AsyncIterator[pa.RecordBatch]:
        """See :meth:`HabuClient.question_result_batches`: awaited, an async iterator of the
        batches (as ``await method(..., _iterator=True)`` of any spec operation)."""
        from .._batches import aiterate

        flow = self._result_pages_flow(run_id, *_batch_options(page_size, workers))
        return aiterate(flow, self, spec_caller(self))


class HabuQuestionRuns(_QuestionRunsFlows, Resource):
    """``client.cleanroom_question_runs``: ``get_data(..., return_type="pandas")`` is typed."""


class AsyncHabuQuestionRuns(_QuestionRunsFlows, AsyncResource):
    """``client.cleanroom_question_runs`` on the async client (typed ``get_data``)."""


RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": HabuQuestionRuns}
ASYNC_RESOURCE_CLASSES: dict[str, type] = {"cleanroom_question_runs": AsyncHabuQuestionRuns}
