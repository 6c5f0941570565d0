"""The awaitable twin of :class:`~specclient.platforms.civis.futures.CivisFuture`, for
``connect_async("civis")`` (its own module: only async users import asyncio)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from specclient.futures import AsyncRunFuture, RunProgress
from specclient.platforms.civis.futures import _CivisView, _tracker_of
from specclient.polling import Clock

__all__ = ["AsyncCivisFuture"]


class AsyncCivisFuture(_CivisView, AsyncRunFuture):
    """The awaitable twin of :class:`CivisFuture`, returned by ``connect_async("civis")``'s
    run methods: ``await future``, ``asyncio.gather``, ``asyncio.wait``;
    ``await future.cancel_run()`` cancels the run, ``await future.outputs()`` lists its outputs.
    Takes :class:`CivisFuture`'s parameters (``poller`` returns a coroutine)."""

    def __init__(
        self,
        poller: Callable[..., Any],
        poller_args: Sequence[Any],
        polling_interval: float | None = None,
        client: Any = None,
        poll_on_creation: bool = True,
        max_retries: int | None = None,
        *,
        cancel: Callable[..., Any] | None = None,
        restart: Callable[[Any], Any] | None = None,
        clock: Clock | None = None,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> None:
        tracker = _tracker_of(
            poller, poller_args, polling_interval, client, poll_on_creation, max_retries,
            cancel=cancel, restart=restart, clock=clock, progress=progress,
        )  # fmt: skip
        super().__init__(tracker)

    async def outputs(self) -> Any:
        """Wait for success and return the run's outputs (``jobs.list_runs_outputs``)."""
        await self
        return await self._civis.jobs("outputs()").list_runs_outputs(self.job_id, self.run_id)


AsyncCivisFuture.__module__ = "specclient.platforms.civis"  # where users import it from
