"""The one rule for what is a secret, and hiding secrets in URLs.

Logs, error messages, reprs and cassettes all ask this module, so a secret hidden in one is
hidden in all. It is a foundation: it imports nothing, so the error tree can redact the URLs it
names without reaching up into the HTTP layer (:mod:`specclient.http.redact` builds the body and
header redaction on it and re-exports these names).

A name is secret-looking when one of its words (split on ``-``, ``_``, ``.``, spaces and
camelCase) is a credential word: token, secret, password, key, signature, credential, cookie,
authorization... Two deliberate exceptions keep logs useful without hiding anything secret:

- identifiers: a name whose *last* word is ``id`` (``api-key-id``, ``client_id``,
  ``CryptoKeyID``) names a key but is not one; like an AWS access key id, it is shown.
- pagination cursors: ``pageToken``, ``nextPageToken``, ``continuation_token`` are opaque but
  not credentials; hiding them would also make recorded pages indistinguishable.

Values are replaced, never removed, so the shape of a request stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_plus

__all__ = [
    "ALWAYS_SECRET_HEADERS",
    "MASK",
    "is_secret_name",
    "redact_text_urls",
    "redact_url",
    "register_secret_name",
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
