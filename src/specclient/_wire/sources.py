"""Bodies that are not held in memory: paths, file objects and iterators, as restartable streams.

A retry sends the whole body again: a path is reopened, a seekable file object is sought back
to where it stood when the call was made. An iterator or an unseekable stream can be read only
once; a second attempt raises ``httpx.StreamConsumed``, which the sender reports as "a one-shot
body cannot be sent again" instead of silently sending an empty body.
"""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

CHUNK = 64 * 1024


def is_stream_like(value: Any) -> bool:
    """A file object, a path, or an iterator of bytes: sent as it is read, never buffered."""
    if isinstance(
        value, str | bytes | bytearray | memoryview | Mapping | list | tuple | set | frozenset
    ):
        return False
    return (
        isinstance(value, os.PathLike)
        or hasattr(value, "read")
        or hasattr(value, "__iter__")
        or hasattr(value, "__aiter__")
    )


class Source:
    """One body (or one multipart part): bytes, a path, a file object or an iterator."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.start: int | None = None
        self.used = False
        if hasattr(value, "read") and _seekable(value):
            self.start = value.tell()

    @property
    def filename(self) -> str | None:
        if isinstance(self.value, os.PathLike):
            return Path(self.value).name
        name = getattr(self.value, "name", None)
        return os.path.basename(name) if isinstance(name, str) and name else None

    def size(self) -> int | None:
        value = self.value
        if isinstance(value, bytes | bytearray | memoryview):
            return len(value)
        if isinstance(value, os.PathLike):
            return os.stat(value).st_size
        if self.start is not None and not isinstance(value, io.TextIOBase):
            end = value.seek(0, os.SEEK_END)
            value.seek(self.start)
            return int(end - self.start)
        return None  # an iterator, an unseekable stream, or text (its UTF-8 length is unknown)

    def chunks(self) -> Iterator[bytes]:
        value = self.value
        if isinstance(value, bytes | bytearray | memoryview):
            yield bytes(value)
            return
        if isinstance(value, os.PathLike):
            with open(value, "rb") as handle:
                yield from _read(handle)
            return
        if self.start is not None:
            value.seek(self.start)
            yield from _read(value)
            return
        if self.used:
            raise httpx.StreamConsumed()
        self.used = True
        if hasattr(value, "read"):
            yield from _read(value)
        else:
            for chunk in value:
                if isinstance(chunk, str):
                    yield chunk.encode()
                elif isinstance(chunk, bytes | bytearray | memoryview):
                    yield bytes(chunk)
                else:  # bytes(3) would silently send three zero bytes
                    raise TypeError(
                        f"a streamed body must yield bytes or str, not {type(chunk).__name__}"
                    )


def _seekable(handle: Any) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _read(handle: Any) -> Iterator[bytes]:
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            return
        yield chunk.encode() if isinstance(chunk, str) else bytes(chunk)


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body made of chunks, for both senders (file reads block, as in httpx's own multipart)."""

    def __init__(self, chunks: Callable[[], Iterator[bytes]]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks():
            yield chunk
