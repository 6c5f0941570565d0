"""The awaitable twins of Habu's run futures (apart, so that sync users never import asyncio)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...futures import AsyncRunFuture
from .futures import OnClient

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AsyncQuestionRunFuture", "AsyncFlowRunFuture"]


class AsyncQuestionRunFuture(OnClient, AsyncRunFuture):
    """The awaitable twin of :class:`QuestionRunFuture`."""

    async def frame(
        self, *, page_size: int | None = None, workers: int | None = None
    ) -> pd.DataFrame:
        """Await the run and return every row of its result as a DataFrame."""
        await self
        return await self.client.question_results(self.run_id, page_size=page_size, workers=workers)


class AsyncFlowRunFuture(OnClient, AsyncRunFuture):
    """The awaitable twin of :class:`FlowRunFuture`."""

    async def report(self, node: str) -> pd.DataFrame:
        """Await the run and return ``node``'s report."""
        await self
        return await self.client.flow_report(self.cleanroom_id, self.run_id, node)
