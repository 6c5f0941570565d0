"""One item ahead: the next item of an iterator is produced while the consumer works on the
last one.

Two places wait on two things in turn. A copy waits on its source's server (the next page,
then decoding it into Arrow) and its destination's (storing the last batch); a ClicData
append waits on making the next chunk's JSON body and on the server storing the last one.
Through a hand-off of one item, item ``k + 1`` is produced while item ``k`` is used, so both
sides work at the same time. At most one item waits in the hand-off and one is in use:
memory stays bounded by two items (beside what the producer itself keeps in flight).

An iterator is sync (a sync client, a local file or frame, a generator of request bodies) or
async (an async client). A sync one is advanced in one worker thread, an async one by one task
on the running loop; either way one step at a time touches the iterator. An error of the
producer is raised where the consumer takes the item that failed, after every item before it
was used: a copy's destination still holds what its checkpoint counts, an append's table what
its row count says.

When the next item is made matters as much as that it is made ahead. A ClicData chunk's body is
made by Python code, and so is sending the last one: started the moment the last chunk is
taken, making the next body holds the GIL just when the sender needs it, and the two take
turns instead of overlapping. ``Handoff(..., eager=False)`` starts the next item only when told
(:meth:`_OneAhead.advance`), which the append does once a request's body is on the wire and
the sender is waiting on the server (:class:`~specclient.platforms._flows.Request`'s
``on_sent``); an item not started by then is started when it is taken.
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

    def __init__(self, batches: Any, *, eager: bool = True) -> None:
        self._source = batches
        self._pending: Any = None
        self._ended = False
        self._eager = eager

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
        if self._eager:
            self._pending = self._start()  # the next batch, fetched while this one is written
        return item

    def advance(self) -> None:
        """Start making the next item now, unless it is under way or the items have ended
        (calling it again, say once per attempt at sending the last item, changes nothing)."""
        if self._pending is None and not self._ended:
            self._pending = self._start()


class Handoff(_OneAhead):
    """A sync iterator of batches, read one ahead in a worker thread."""

    def __init__(self, batches: Iterator[Any], *, eager: bool = True) -> None:
        super().__init__(batches, eager=eager)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="specclient-ahead")

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
        is never left mid-step in another thread; after it the iterator is exhausted."""
        self._pending, self._ended = None, True
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
        """Stop reading ahead: a fetch in flight is cancelled; the iterator is exhausted."""
        pending, self._pending, self._ended = self._pending, None, True
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
