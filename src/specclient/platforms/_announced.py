"""Request bodies that say when they have been written: the moment the sender starts waiting
on the server.

A flow that makes its next request body while the last request is in flight
(:mod:`specclient.platforms._one_ahead`) should make it *then*: before that, the sender is
still running Python code (building and writing the request), and the two would hold the GIL
in turn instead of working at the same time. httpx writes an iterable body chunk by chunk and
asks for the next chunk once the last one is handed to the socket; these bodies hold their
bytes in one chunk and, asked for the next, call ``on_sent``.

The bytes on the wire are those of the same ``bytes`` body: ``Content-Length`` is set, so the
body is not chunk-encoded. Each is iterable again, so a retry sends the same bytes (and calls
``on_sent`` again: it must be harmless to call twice).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

__all__ = ["announcing"]


class _Announced:
    def __init__(self, content: bytes, on_sent: Callable[[], None]) -> None:
        self._content = content
        self._on_sent = on_sent

    def __iter__(self) -> Iterator[bytes]:
        yield self._content
        self._on_sent()


class _AsyncAnnounced(_Announced):
    # not iterable synchronously: httpx picks the async stream only for an object without
    # __iter__
    __iter__ = None  # type: ignore[assignment]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._content
        self._on_sent()


def announcing(
    options: Mapping[str, Any], on_sent: Callable[[], None], *, asynchronous: bool
) -> dict[str, Any]:
    """``client.request`` options whose ``content`` (bytes) calls ``on_sent`` once written."""
    content = options.get("content")
    if not isinstance(content, bytes):
        raise TypeError(f"on_sent needs a bytes body, not {type(content).__name__}")
    kind = _AsyncAnnounced if asynchronous else _Announced
    headers = {**(options.get("headers") or {}), "Content-Length": str(len(content))}
    return {**options, "content": kind(content, on_sent), "headers": headers}
