"""A streamed ``multipart/form-data`` encoder (RFC 7578).

httpx's own encoder sends a multipart body only when there is a file part (a form of plain
fields goes out urlencoded), cannot give a non-file part its own ``Content-Type`` (a JSON
object part, an Encoding Object's ``contentType``), and takes one file per field name. OpenAPI
needs all three, so the body is written here: parts in order, files read in chunks as they are
sent, ``Content-Length`` set whenever every part's size is known.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from .sources import ChunkStream, Source


@dataclass(frozen=True)
class Part:
    name: str
    data: bytes | Source
    filename: str | None = None
    content_type: str | None = None  # None: text/plain, RFC 7578's default, left unsaid


def _quoted(text: str) -> str:
    # The HTML standard's escaping for names in Content-Disposition (what browsers send).
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class Multipart:
    """The parts of one body, with a fresh random boundary."""

    def __init__(self, parts: list[Part], boundary: str | None = None) -> None:
        self.parts = parts
        self.boundary = boundary or os.urandom(16).hex()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _head(self, part: Part) -> bytes:
        disposition = f'form-data; name="{_quoted(part.name)}"'
        if part.filename is not None:
            disposition += f'; filename="{_quoted(part.filename)}"'
        lines = [f"--{self.boundary}", f"Content-Disposition: {disposition}"]
        if part.content_type:
            lines.append(f"Content-Type: {part.content_type}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _tail(self) -> bytes:
        return f"--{self.boundary}--\r\n".encode()

    def size(self) -> int | None:
        total = len(self._tail())
        for part in self.parts:
            size = len(part.data) if isinstance(part.data, bytes) else part.data.size()
            if size is None:
                return None
            total += len(self._head(part)) + size + 2
        return total

    def chunks(self) -> Iterator[bytes]:
        for part in self.parts:
            yield self._head(part)
            if isinstance(part.data, bytes):
                yield part.data
            else:
                yield from part.data.chunks()
            yield b"\r\n"
        yield self._tail()

    def stream(self) -> ChunkStream:
        return ChunkStream(self.chunks)
