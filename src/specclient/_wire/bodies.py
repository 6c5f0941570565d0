"""A request body encoded for the media type chosen (the spec's first JSON one, or the caller's).

* JSON (``application/json``, ``*+json``): the value as compact JSON; bytes, a file object or an
  iterator are sent as they are (already JSON).
* ``application/x-www-form-urlencoded`` and ``multipart/form-data``: a mapping of fields, per
  :mod:`.forms`.
* any other type (octet-stream, text, XML, images...): bytes, str (UTF-8), a path, a file
  object or an iterator of bytes, sent as they are; a mapping or list is refused (specclient
  writes no XML) rather than sent as a Python repr.
* a wildcard (``*/*``, ``image/*``): raw bodies as above, with ``application/octet-stream`` (or
  ``text/plain; charset=utf-8`` for str) unless ``_content_type=`` names the type; a mapping or
  list goes as JSON.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError
from ..openapi.model import RequestBody
from .forms import FormEncoder
from .jsontext import encode_json, is_json_media
from .multipart import Multipart
from .sources import ChunkStream, Source, is_stream_like
from .text import scalar_text


@dataclass(frozen=True)
class Encoded:
    content_type: str
    content: bytes | None = None
    stream: Any = None  # a ChunkStream, or a caller's async iterable
    length: int | None = None


def base_of(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _matches(offered: str, wanted: str) -> bool:
    offered, wanted = base_of(offered), base_of(wanted)
    if offered == wanted or offered == "*/*":
        return True
    return offered.endswith("/*") and wanted.startswith(offered[:-1])


def choose_media(body: RequestBody, requested: str | None, qualname: str) -> str:
    """The default media type, or the caller's ``_content_type=`` if the operation takes it."""
    if requested is None:
        return body.media_type
    offered = body.media_types or (body.media_type,)
    if any(_matches(o, requested) for o in offered):
        return requested
    raise ParameterError(
        qualname,
        f"_content_type={requested!r} is not a media type this operation accepts; "
        f"it accepts: {', '.join(offered)}",
        "_content_type",
    )


def encode_body(body: RequestBody, media: str, value: Any, qualname: str) -> Encoded:
    base = base_of(media)
    if base.startswith("multipart/"):
        form = _form(body, media, value, qualname)
        multipart = Multipart(form.parts(_fields(value, media, qualname)))
        return Encoded(multipart.content_type, stream=multipart.stream(), length=multipart.size())
    if base == "application/x-www-form-urlencoded":
        content = _form(body, media, value, qualname).urlencoded(_fields(value, media, qualname))
        return Encoded(media, content=content)
    if is_json_media(base):
        if isinstance(value, bytes | bytearray) or is_stream_like(value):
            return _raw(media, value, qualname)
        return Encoded(media, content=_json(value, qualname))
    if "*" in base:
        if isinstance(value, Mapping | list | tuple):
            return Encoded("application/json", content=_json(value, qualname))
        fallback = (
            "text/plain; charset=utf-8" if isinstance(value, str) else "application/octet-stream"
        )
        return _raw(fallback, value, qualname)
    return _raw(media, value, qualname)


def _form(body: RequestBody, media: str, value: Any, qualname: str) -> FormEncoder:
    files = frozenset(f.wire_name for f in body.fields if f.location == "file")
    encodings = body.encodings.get(media) or body.encodings.get(body.media_type) or {}
    return FormEncoder(qualname, encodings, files)


def _fields(value: Any, media: str, qualname: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParameterError(
            qualname,
            f"a {base_of(media)} body is a mapping of fields, not a {type(value).__name__}",
            "_body",
        )
    return value


def _json(value: Any, qualname: str) -> bytes:
    try:
        return encode_json(value)
    except TypeError as exc:
        raise ParameterError(qualname, f"the JSON body cannot be encoded: {exc}", "_body") from None


def _raw(media: str, value: Any, qualname: str) -> Encoded:
    if isinstance(value, bytes | bytearray | memoryview):
        return Encoded(media, content=bytes(value))
    if isinstance(value, str):
        return Encoded(media, content=value.encode("utf-8"))
    if hasattr(value, "__aiter__") and not hasattr(value, "__iter__"):
        return Encoded(media, stream=value)  # an async generator: only an AsyncClient can send it
    if isinstance(value, os.PathLike) and not os.path.isfile(value):
        raise ParameterError(qualname, f"the body file does not exist: {value}", "_body")
    if is_stream_like(value):
        source = Source(value)
        return Encoded(media, stream=ChunkStream(source.chunks), length=source.size())
    text = scalar_text(value) if base_of(media).startswith("text/") else None
    if text is not None and not isinstance(value, bytes | bytearray):
        return Encoded(media, content=text.encode("utf-8"))
    raise ParameterError(
        qualname,
        f"a {base_of(media)} body must be bytes, str, a path, a file object or an iterator of "
        f"bytes, not a {type(value).__name__} (specclient does not convert it to {media})",
        "_body",
    )
