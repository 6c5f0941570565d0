"""The awaitable twins of a schedule run's and a refresh's futures (apart, so that sync users
never import asyncio)."""

from __future__ import annotations

from specclient.futures import AsyncRunFuture

from .refresh import WithReply
from .schedules import RunAsTriggered

__all__ = ["AsyncScheduleRunFuture", "AsyncRefreshFuture"]


class AsyncScheduleRunFuture(RunAsTriggered, AsyncRunFuture):
    """The awaitable twin of :class:`~specclient.platforms.clicdata.schedules.ScheduleRunFuture`."""


class AsyncRefreshFuture(WithReply, AsyncRunFuture):
    """The awaitable twin of :class:`~specclient.platforms.clicdata.refresh.RefreshFuture`."""
