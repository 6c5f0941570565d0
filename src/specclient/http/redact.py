"""The one place that decides what is a secret and hides it.

Logs, error messages and cassettes all ask this module, so a secret hidden in one is hidden in
all. A name is secret-looking when one of its words (split on ``-``, ``_``, ``.``, spaces and
camelCase) is a credential word: token, secret, password, key, signature, credential, cookie,
authorization... Two deliberate exceptions keep logs useful without hiding anything secret:

- identifiers: a name whose *last* word is ``id`` (``api-key-id``, ``client_id``,
  ``CryptoKeyID``) names a key but is not one; like an AWS access key id, it is shown.
- pagination cursors: ``pageToken``, ``nextPageToken``, ``continuation_token`` are opaque but
  not credentials; hiding them would also make recorded pages indistinguishable.

Values are replaced, never removed, so the shape of a request stays readable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

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

MASK = "***"

# Header names that always carry a credential, whatever the word rule says.
ALWAYS_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-amz-security-token"}
)
_SECRET_WORDS = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "key",
        "apikey",
        "signature",
        "sig",
        "credential",
        "credentials",
        "authorization",
        "cookie",
        "jwt",
        "accesstoken",
        "refreshtoken",
        "clientsecret",
    }
)
# The last word of a name that describes a credential rather than holding one.
_NOT_A_VALUE = frozenset({"id", "ids", "type", "name", "names"})
_CURSOR_WORDS = frozenset({"page", "next", "continuation", "cursor", "pagination"})
# Names made secret at run time: an API key sent under a name the word rule would not catch.
_REGISTERED: set[str] = set()
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


def register_secret_name(name: str) -> None:
    """Treat ``name`` (any case) as secret everywhere from now on.

    ``APIKey`` calls this for the header or query parameter that carries the key. Hiding a
    value that was not secret costs a little readability; showing a key costs the key.
    """
    if name:
        _REGISTERED.add(name.lower())


def is_secret_name(name: str, secret_fields: Iterable[str] = ()) -> bool:
    """Whether a header, query parameter or body field called ``name`` holds a secret.

    Parameters
    ----------
    name : str
        The name as it appears on the wire (any case).
    secret_fields : iterable of str
        Names declared secret by the spec (``x-secret``); matched case-insensitively.
    """
    lowered = name.lower()
    if lowered in ALWAYS_SECRET_HEADERS or lowered in _REGISTERED:
        return True
    if any(lowered == field.lower() for field in secret_fields):
        return True
    words = _words(name)
    if not words or words[-1] in _NOT_A_VALUE or _CURSOR_WORDS.intersection(words):
        return False
    return bool(_SECRET_WORDS.intersection(words))


def redact_url(url: Any, secret_fields: Iterable[str] = (), mask: str = MASK) -> str:
    """Hide the password in the userinfo and the values of secret-looking query parameters.

    The rest of the URL is kept byte for byte (no re-encoding), so the result still reads as
    the URL that was sent.
    """
    text = str(url)
    fields = tuple(secret_fields)
    text = re.sub(r"(?<=://)([^/@:?#]*):[^/@?#]*@", rf"\1:{mask}@", text, count=1)
    start = text.find("?")
    if start < 0:
        return text
    end = text.find("#", start)
    end = len(text) if end < 0 else end
    pairs = []
    for pair in text[start + 1 : end].split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and is_secret_name(unquote_plus(name), fields):
            value = mask
        pairs.append(f"{name}{sep}{value}")
    return f"{text[: start + 1]}{'&'.join(pairs)}{text[end:]}"


_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


def redact_text_urls(text: str, mask: str = MASK) -> str:
    """Redact every URL found inside free text (error messages, signed URLs in bodies)."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0), mask=mask), text)


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
