"""Work one item ahead in a worker thread: encode the next chunk while the last is in flight.

An append alternates two kinds of waiting: the client turning rows into a JSON body (CPU) and
the server storing the body it was sent (the client waits on the socket, with the GIL
released). :class:`OneAhead` lets a worker thread make the next body during the second, for
the sync and the async driver alike (the flow that reads it is the same generator): at most
one result waits and one is being made, so memory stays bounded by two chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

__all__ = ["OneAhead"]

T = TypeVar("T")
R = TypeVar("R")
_END: Any = object()


class OneAhead(Generic[T, R]):
    """Iterate ``work(item)`` for each item of ``items``; both run in one worker thread, one
    item ahead of the consumer. An error in either is raised where its result is taken.
    ``close()`` (or leaving the ``with`` block) stops the worker after its current item."""

    def __init__(self, work: Callable[[T], R], items: Iterable[T]) -> None:
        self._work = work
        self._source = iter(items)  # only the worker touches it, one item at a time
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="specclient-ahead")
        self._pending: Future[Any] | None = self._executor.submit(self._one)

    def _one(self) -> Any:
        item = next(self._source, _END)
        return _END if item is _END else self._work(item)

    def __iter__(self) -> Iterator[R]:
        return self

    def __next__(self) -> R:
        if self._pending is None:
            raise StopIteration
        result = self._pending.result()
        if result is _END:
            self.close()
            raise StopIteration
        self._pending = self._executor.submit(self._one)
        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        self._pending = None
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> OneAhead[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
