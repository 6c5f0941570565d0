"""Hiding secrets in headers, JSON, form and other bodies, on the one secret-name rule.

Which names are secret, and how URLs are redacted, is decided in :mod:`specclient._secrets`
(a foundation the error tree uses too); this module applies that rule to whole requests and
replies and re-exports it, so logs, errors and cassettes keep importing from one place.
"""

from __future__ import annotations

import re  # loaded already: specclient._secrets splits names with it
from collections.abc import Iterable, Mapping

from specclient._after_import import when_imported
from specclient._secrets import (
    MASK,
    is_secret_name,
    redact_secret_values,
    redact_text_urls,
    redact_url,
    register_secret_name,
    register_secret_value,
)

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "MASK",
    "is_secret_name",
    "register_secret_name",
    "redact_url",
    "redact_headers",
    "redact_json",
    "redact_form",
    "redact_xml",
    "redact_body",
    "redact_text_urls",
    "redact_secret_values",
    "register_secret_value",
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


# An element and its text (no child elements); an element left open at the end of an excerpt
# counts too, so a cut cannot show the start of a secret. And name=value pairs inside text: S3
# repeats a presigned request's query (X-Amz-Security-Token=...) in its CanonicalRequest.
_XML_TEXT = r"<(?P<tag>[A-Za-z_][\w.:-]*)(?P<attrs>\s[^<>]*)?>(?P<text>[^<]*)(?=</(?P=tag)\s*>|$)"
_PAIR = r"(?P<name>[A-Za-z_][\w.-]*)=(?P<value>[^&\s<]*)"


def redact_xml(text: str, secret_fields: Iterable[str] = (), mask: str = MASK) -> str:
    """Mask the text of secret-named XML elements (``<SignatureProvided>``, ``<Token>``) and
    secret ``name=value`` pairs inside any element's text; URLs are redacted as in any text."""
    fields = tuple(secret_fields)

    def hide_pair(match: Any) -> str:
        secret = is_secret_name(match["name"], fields) and match["value"]
        return f"{match['name']}={mask}" if secret else str(match.group(0))

    def hide(match: Any) -> str:
        tag, body = match["tag"], match["text"]
        if body.strip() and is_secret_name(tag.rsplit(":", 1)[-1], fields):
            body = mask
        else:
            body = re.sub(_PAIR, hide_pair, body)  # re caches both compiled patterns
        return f"<{tag}{match['attrs'] or ''}>{body}"

    return redact_text_urls(re.sub(_XML_TEXT, hide, text), mask)


_PARSE_LIMIT = 1_000_000  # bytes of JSON parsed to redact an excerpt
_MARGIN = 2048


def redact_body(
    content: bytes | str | None,
    content_type: str | None,
    secret_fields: Iterable[str] = (),
    *,
    mask: str = MASK,
    limit: int | None = 500,
) -> str:
    """A printable, redacted excerpt of a request or response body.

    JSON and form bodies are redacted field by field, XML element by element (S3's errors
    repeat the request's signature). Other text is kept only after its URLs are redacted;
    binary and multipart bodies are summarised by size, because their parts cannot be checked
    for secrets cheaply.
    """
    if not content:
        return ""
    kind = (content_type or "").split(";")[0].strip().lower()
    raw = content.encode() if isinstance(content, str) else content
    if kind.startswith("multipart/") or kind in {"application/octet-stream"}:
        return f"<{len(raw)} bytes {kind}>"
    is_json = kind.endswith("json") or raw[:1] in (b"{", b"[")
    if is_json and len(raw) > _PARSE_LIMIT:
        # Masking by field name needs the whole document; an excerpt of a huge one is not
        # worth parsing megabytes for.
        return f"<{len(raw)} bytes {kind or 'json'}>"
    if limit is not None and not is_json:
        # Only the excerpt is shown, so only a little more than it is decoded and redacted
        # (the margin lets a URL cut at the limit still be recognised and masked).
        raw = raw[: 4 * limit + _MARGIN]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:  # a multi-byte character cut at the edge is not binary
            text = raw[:-3].decode("utf-8") if len(raw) > 3 else raw.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(content)} bytes {kind or 'binary'}>"
    if kind == "application/x-www-form-urlencoded":
        text = redact_form(text, secret_fields, mask)
    elif is_json:
        try:
            import json  # on first use: a start-up does not load json

            text = json.dumps(redact_json(json.loads(text), secret_fields, mask))
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            text = redact_text_urls(text, mask)
    elif kind.endswith("xml") or text.lstrip().startswith("<"):
        text = redact_xml(text, secret_fields, mask)
    else:
        text = redact_text_urls(text, mask)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "..."
    return text


# --------------------------------------------------------------------------- logging


def _install_log_filters(_logging: object) -> None:
    from . import _logs  # defines the filter on logging.Filter, so only once logging exists

    _logs.install()


# Every module that sends or authenticates imports this one, so the filters are in place
# before anything can log; logging itself is loaded only when something (httpx, the user)
# imports it, not by every client's start-up.
when_imported("logging", _install_log_filters)
