"""From bound call parts to an ``httpx.Request``: URL, query, headers, cookies and body.

This is the one place where a call's values are put on the wire; how each value becomes text
or bytes is :mod:`specclient._wire`'s job (parameter styles, form and multipart encodings, raw
and streamed bodies). The query string is built here rather than by httpx, so every parameter
keeps its own style and percent-encoding (httpx would repeat list keys and re-encode).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ._binding import CallParts
from ._wire.bodies import Encoded, choose_media, encode_body
from ._wire.jsontext import encode_json, to_jsonable
from ._wire.sources import ChunkStream
from ._wire.styles import cookie_fragments, header_text, path_text, query_fragments
from .errors import ParameterError
from .openapi.model import MISSING, Operation, Param

__all__ = ["BodyFactory", "build_request", "encode_json", "expand_path", "join_url", "to_jsonable"]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def expand_path(operation: Operation, values: Mapping[str, Any]) -> str:
    """The path template (without a query string of its own) with every ``{name}`` filled."""
    template = operation.path.partition("?")[0]

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values or values[name] is None:
            raise ParameterError(operation.qualname, f"missing path parameter {name!r}", name)
        return path_text(_param(operation, "path", name), values[name], operation.qualname)

    return _PLACEHOLDER.sub(substitute, template)


def join_url(base_url: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def query_string(operation: Operation, query: Mapping[str, Any]) -> str:
    """The template's own query (``/x?beta=true``) first, then each parameter in its style."""
    fragments = [operation.path.partition("?")[2]] if "?" in operation.path else []
    for name, value in query.items():
        fragments += query_fragments(_param(operation, "query", name), value, operation.qualname)
    return "&".join(f for f in fragments if f)


def _param(operation: Operation, location: str, wire_name: str) -> Param:
    for param in operation.params:
        if param.location == location and param.wire_name == wire_name:
            return param
    # A value the spec does not describe (a page walker's own argument): the location's default.
    return Param(name=wire_name, wire_name=wire_name, location=location)  # type: ignore[arg-type]


BodyFactory = Callable[[], httpx.Request]


def build_request(
    operation: Operation,
    parts: CallParts,
    *,
    base_url: str,
    extra_headers: Mapping[str, str] | None = None,
) -> BodyFactory:
    """A factory giving a fresh ``httpx.Request`` each time (a retry may need the body again)."""
    qualname = operation.qualname
    url = join_url(base_url, expand_path(operation, parts.path))
    query = query_string(operation, parts.query)
    if query:
        url += "?" + query
    headers = {"Accept": "application/json"}
    for name, value in parts.headers.items():
        headers[name] = header_text(_param(operation, "header", name), value, qualname)
    cookies = [
        fragment
        for name, value in parts.cookies.items()
        for fragment in cookie_fragments(_param(operation, "cookie", name), value, qualname)
    ]
    if cookies:
        headers["Cookie"] = "; ".join(cookies)

    encoded: Encoded | None = None
    if parts.body is not MISSING and operation.body is not None:
        media = choose_media(operation.body, parts.options.get("content_type"), qualname)
        encoded = encode_body(operation.body, media, parts.body, qualname)
        headers["Content-Type"] = encoded.content_type
        if isinstance(encoded.stream, ChunkStream):
            if encoded.length is not None:
                headers["Content-Length"] = str(encoded.length)
            else:
                headers["Transfer-Encoding"] = "chunked"
    for name, value in (extra_headers or {}).items():
        lowered = name.lower()
        if (
            lowered == "content-type"
            and encoded is not None
            and "boundary=" in encoded.content_type
        ):
            continue  # the boundary is ours: another Content-Type would make the body unreadable
        for existing in [h for h in headers if h.lower() == lowered]:
            del headers[existing]
        headers[name] = value
    verb = operation.verb.upper()

    def factory() -> httpx.Request:
        if encoded is None:
            return httpx.Request(verb, url, headers=headers)
        if isinstance(encoded.stream, ChunkStream):
            # Built without a body so httpx adds Host; our stream and framing headers go in.
            request = httpx.Request(verb, url, headers=headers)
            request.stream = encoded.stream
            return request
        content = encoded.content if encoded.stream is None else encoded.stream
        return httpx.Request(verb, url, headers=headers, content=content)

    return factory
