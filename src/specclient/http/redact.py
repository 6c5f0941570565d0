"""Hiding secrets in headers, JSON, form and other bodies, on the one secret-name rule.

Which names are secret, and how URLs are redacted, is decided in :mod:`specclient._secrets`
(a foundation the error tree uses too); this module applies that rule to whole requests and
replies and re-exports it, so logs, errors and cassettes keep importing from one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from specclient._secrets import (
    MASK,
    is_secret_name,
    redact_text_urls,
    redact_url,
    register_secret_name,
)

__all__ = [
    "MASK",
    "is_secret_name",
    "register_secret_name",
    "redact_url",
    "redact_headers",
    "redact_json",
    "redact_form",
    "redact_body",
    "redact_text_urls",
]


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    secret_fields: Iterable[str] = (),
    mask: str = MASK,
) -> dict[str, str]:
    """A copy of ``headers`` with the values of secret headers replaced by ``mask``."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    fields = tuple(secret_fields)
    return {name: (mask if is_secret_name(name, fields) else value) for name, value in items}


def redact_json(value: Any, secret_fields: Iterable[str] = (), mask: str = MASK) -> Any:
    """A copy of a decoded JSON value with secret-named members masked, at any depth.

    Strings that hold URLs (signed upload links) have their secret query values masked too.
    """
    fields = tuple(secret_fields)

    def walk(node: Any) -> Any:
        if isinstance(node, Mapping):
            return {
                key: (
                    mask
                    if isinstance(key, str)
                    and is_secret_name(key, fields)
                    and node[key] is not None
                    else walk(node[key])
                )
                for key in node
            }
        if isinstance(node, list | tuple):
            return [walk(item) for item in node]
        if isinstance(node, str) and "://" in node:
            return redact_text_urls(node, mask)
        return node

    return walk(value)


def redact_form(text: str, secret_fields: Iterable[str] = (), mask: str = MASK) -> str:
    """Mask secret fields of an ``application/x-www-form-urlencoded`` body, keeping its bytes."""
    return redact_url(f"?{text}", secret_fields, mask)[1:]


def redact_body(
    content: bytes | str | None,
    content_type: str | None,
    secret_fields: Iterable[str] = (),
    *,
    mask: str = MASK,
    limit: int | None = 500,
) -> str:
    """A printable, redacted excerpt of a request or response body.

    JSON and form bodies are redacted field by field. Other text is kept only after its URLs
    are redacted; binary and multipart bodies are summarised by size, because their parts
    cannot be checked for secrets cheaply.
    """
    if not content:
        return ""
    kind = (content_type or "").split(";")[0].strip().lower()
    raw = content.encode() if isinstance(content, str) else content
    if kind.startswith("multipart/") or kind in {"application/octet-stream"}:
        return f"<{len(raw)} bytes {kind}>"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(raw)} bytes {kind or 'binary'}>"
    if kind == "application/x-www-form-urlencoded":
        text = redact_form(text, secret_fields, mask)
    elif kind.endswith("json") or text[:1] in "{[":
        try:
            text = json.dumps(redact_json(json.loads(text), secret_fields, mask))
        except ValueError:
            text = redact_text_urls(text, mask)
    else:
        text = redact_text_urls(text, mask)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "..."
    return text
