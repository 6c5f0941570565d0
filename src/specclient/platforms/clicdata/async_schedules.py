"""The awaitable twin of a schedule run's future (apart, so that sync users never import
asyncio)."""

from __future__ import annotations

from specclient.futures import AsyncRunFuture

from .schedules import RunAsTriggered

__all__ = ["AsyncScheduleRunFuture"]


class AsyncScheduleRunFuture(RunAsTriggered, AsyncRunFuture):
    """The awaitable twin of :class:`~specclient.platforms.clicdata.schedules.ScheduleRunFuture`."""
