"""From bound call parts to an ``httpx.Request``: URL, query, headers and body encoding.

This is the one place where Python values become bytes on the wire. Path parameters are
percent-encoded as a whole segment, so a value like ``a/../b`` or ``x?y#z`` can never leave its
own segment; JSON bodies are encoded here with the same rules for dates, numpy scalars and
decimals everywhere.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import math
import os
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ._binding import CallParts, wire_scalar
from .errors import ParameterError
from .openapi.model import MISSING, Operation

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def encode_path_segment(value: Any) -> str:
    """Percent-encode one path parameter so it stays inside its own segment.

    ``quote(safe="")`` encodes ``/ ? # %``; a value made only of dots would still be collapsed
    by URL normalisation (``..`` climbs a level), so its dots are encoded as well.
    """
    text = quote(wire_scalar(value), safe="")
    if text and set(text) == {"."}:
        text = text.replace(".", "%2E")
    return text


def expand_path(operation: Operation, values: Mapping[str, Any]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values or values[name] is None:
            raise ParameterError(operation.qualname, f"missing path parameter {name!r}", name)
        return encode_path_segment(values[name])

    return _PLACEHOLDER.sub(substitute, operation.path)


def join_url(base_url: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def query_items(query: Mapping[str, Any]) -> list[tuple[str, str | int | float | bool | None]]:
    """Flatten query values: lists repeat the key (OpenAPI's default ``form`` + ``explode``)."""
    items: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in query.items():
        if isinstance(value, list | tuple | set | frozenset):
            items.extend((key, wire_scalar(v)) for v in value)
        elif isinstance(value, Mapping):
            items.extend((k, wire_scalar(v)) for k, v in value.items())
        else:
            items.append((key, wire_scalar(value)))
    return items


def to_jsonable(value: Any) -> Any:
    """``json.dumps`` default hook: the types data people pass that JSON does not know."""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, uuid.UUID | Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return value


def encode_json(value: Any) -> bytes:
    """JSON bytes; NaN becomes null, because strict JSON has no NaN and servers reject it."""
    try:
        return json.dumps(
            value, default=to_jsonable, allow_nan=False, separators=(",", ":")
        ).encode()
    except ValueError:
        return json.dumps(_nan_to_none(value), default=to_jsonable, separators=(",", ":")).encode()


def _file_part(value: Any) -> Any:
    if isinstance(value, os.PathLike | str) and not isinstance(value, bytes):
        path = Path(value)
        return (path.name, path.open("rb"))
    return value


BodyFactory = Callable[[], httpx.Request]


def build_request(
    operation: Operation,
    parts: CallParts,
    *,
    base_url: str,
    extra_headers: Mapping[str, str] | None = None,
) -> BodyFactory:
    """A factory giving a fresh ``httpx.Request`` each time (a retry may need the body again)."""
    url = join_url(base_url, expand_path(operation, parts.path))
    params = query_items(parts.query)
    headers = {"Accept": "application/json", **parts.headers, **(extra_headers or {})}
    request_body = operation.body
    media_type = request_body.media_type if request_body else "application/json"

    content: Any = None  # bytes, or a stream (file object / iterator) sent as it is read
    if parts.body is not MISSING:
        body = parts.body
        if "json" in media_type:
            content = encode_json(body)
        elif media_type == "application/x-www-form-urlencoded" and isinstance(body, Mapping):
            parts.form.update(body)
        elif isinstance(body, bytes | bytearray | str):
            content = body.encode() if isinstance(body, str) else bytes(body)
        elif hasattr(body, "read") or hasattr(body, "__iter__"):
            content = body
        else:
            content, media_type = encode_json(body), "application/json"
        if content is not None:
            headers.setdefault("Content-Type", media_type)

    form = {
        k: wire_scalar(v) if not isinstance(v, list) else [wire_scalar(x) for x in v]
        for k, v in parts.form.items()
        if v is not None
    }
    files = parts.files
    verb = operation.verb.upper()
    cookies = parts.cookies or None

    def factory() -> httpx.Request:
        # Files are opened afresh for each attempt, so a retry re-sends the whole file.
        body: dict[str, Any] = {"content": content}
        if files:
            body = {"data": form, "files": {k: _file_part(v) for k, v in files.items()}}
        elif form:
            body = {"data": form}
        return httpx.Request(verb, url, params=params, headers=headers, cookies=cookies, **body)

    return factory
