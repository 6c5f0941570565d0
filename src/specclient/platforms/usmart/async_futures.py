"""The awaitable twin of uSmart's refresh future (apart, so that sync users never import
asyncio)."""

from __future__ import annotations

from specclient.futures import AsyncRunFuture

from .futures import RefreshOf

__all__ = ["AsyncRefreshFuture"]


class AsyncRefreshFuture(RefreshOf, AsyncRunFuture):
    """The awaitable twin of :class:`~specclient.platforms.usmart.futures.RefreshFuture`."""
