"""The hand-off between a copy's two sides: the source reads its next batch while the
destination writes the last one.

A copy waits on two servers in turn: the source's (its next page, then decoding it into Arrow)
and the destination's (storing the last batch). Through a hand-off of one batch the source
fetches batch ``k + 1`` while the destination writes batch ``k``, so both servers work at the
same time. At most one batch waits in the hand-off and one is being written, beside what the
source's own reader keeps in flight: memory stays bounded by two batches.

A source's iterator is sync (a sync client, a local file or frame) or async (an async client).
A sync one is advanced in one worker thread, an async one by one task on the running loop;
either way one fetch at a time touches the iterator. Both drivers of the copy flow
(:mod:`.drive`) take the batches with their ordinary :class:`~.drive.Pull` step. An error of
the source is raised where the flow takes the batch that failed, after every batch before it
was written, so what the destination holds is still what its checkpoint counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["AsyncHandoff", "Handoff", "hand_off"]

_END: Any = object()


class _OneAhead:
    """What both hand-offs share: one fetch in flight, started as the last batch is taken."""

    def __init__(self, batches: Any) -> None:
        self._source = batches
        self._pending: Any = None
        self._ended = False

    def _start(self) -> Any:  # pragma: no cover - each hand-off overrides it
        raise NotImplementedError

    def _next_fetch(self) -> Any:
        """The fetch of the batch to take now (started earlier, or now for the first)."""
        pending, self._pending = self._pending, None
        return pending if pending is not None else self._start()

    def _taken(self, item: Any, stop: type[Exception]) -> Any:
        if item is _END:
            self._ended = True
            raise stop
        self._pending = self._start()  # the next batch, fetched while this one is written
        return item


class Handoff(_OneAhead):
    """A sync iterator of batches, read one ahead in a worker thread."""

    def __init__(self, batches: Iterator[Any]) -> None:
        super().__init__(batches)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="specclient-copy")

    def _start(self) -> Future[Any]:
        return self._worker.submit(next, self._source, _END)

    def __iter__(self) -> Handoff:
        return self

    def __next__(self) -> Any:
        if self._ended:
            raise StopIteration
        return self._taken(self._next_fetch().result(), StopIteration)

    def close(self) -> None:
        """Stop reading ahead; a fetch in flight ends first (one page), so the source's iterator
        is never left mid-step in another thread."""
        self._pending = None
        self._worker.shutdown(wait=True, cancel_futures=True)


class AsyncHandoff(_OneAhead):
    """An async iterator of batches, read one ahead by a task on the running loop."""

    def _start(self) -> asyncio.Future[Any]:
        return asyncio.ensure_future(anext(self._source, _END))

    def __aiter__(self) -> AsyncHandoff:
        return self

    async def __anext__(self) -> Any:
        if self._ended:
            raise StopAsyncIteration
        return self._taken(await self._next_fetch(), StopAsyncIteration)

    def close(self) -> None:
        """Stop reading ahead: a fetch in flight is cancelled."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending.done() and not pending.cancelled():
            pending.exception()  # the copy already failed otherwise: no "never retrieved"
        pending.cancel()


def hand_off(batches: Iterator[Any] | AsyncIterator[Any]) -> Handoff | AsyncHandoff:
    """``batches`` read one ahead of the flow that takes them (sync or async, as they are)."""
    if hasattr(batches, "__anext__"):
        return AsyncHandoff(batches)
    return Handoff(iter(batches))  # type: ignore[arg-type]
