"""The one rule for what is a secret, and hiding secrets in URLs.

Logs, error messages, reprs and cassettes all ask this module, so a secret hidden in one is
hidden in all. It is a foundation: it imports nothing, so the error tree can redact the URLs it
names without reaching up into the HTTP layer (:mod:`specclient.http.redact` builds the body and
header redaction on it and re-exports these names).

A name is secret-looking when one of its words (split on ``-``, ``_``, ``.``, spaces and
camelCase) is a credential word: token, secret, password, apikey, signature, credential, cookie,
authorization... The word ``key`` alone is too common in data (``primary_key``, Civis's
``useable_as_primary_key``, ``sort_key``, ``partition_key``): it is a credential word only when
it does not follow a word that makes it a key of the data (``primary``, ``foreign``, ``sort``,
``partition``, ``idempotency``...): ``key``, ``api_key``, ``X-Key``, ``tenant_key`` stay secret.
Two deliberate exceptions keep logs useful without hiding anything secret:

- identifiers: a name whose *last* word is ``id`` (``api-key-id``, ``client_id``,
  ``CryptoKeyID``) names a key but is not one; like an AWS access key id, it is shown.
- pagination cursors: ``pageToken``, ``nextPageToken``, ``continuation_token`` are opaque but
  not credentials; hiding them would also make recorded pages indistinguishable.

Values are replaced, never removed, so the shape of a request stays readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ALWAYS_SECRET_HEADERS",
    "MASK",
    "is_secret_name",
    "redact_text_urls",
    "redact_url",
    "register_secret_name",
    "register_secret_value",
    "redact_secret_values",
    "has_secret_values",
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
# The words before ``key`` that make it a key of the data, not a credential: a table's
# ``primary_key``, a warehouse's ``sort_key``/``dist_key``, a request's ``idempotency_key``.
# Any other ``key`` (``api_key``, ``x-key``, ``key``, ``tenant_key``...) stays secret.
_DATA_KEY_WORDS = frozenset(
    {
        "primary", "foreign", "unique", "candidate", "alternate", "composite", "compound",
        "surrogate", "natural", "business", "sort", "sorting", "dist", "distribution",
        "partition", "partitioning", "cluster", "clustering", "shard", "sharding", "hash",
        "range", "row", "join", "merge", "upsert", "dedup", "dedupe", "deduplication", "match",
        "matching", "lookup", "index", "group", "grouping", "order", "ordering", "cache",
        "idempotency", "routing", "object", "map", "dict", "table", "column", "field", "record",
    }
)  # fmt: skip
# The last word of a name that describes a credential rather than holding one: its id, its
# kind, how many there are (an LLM's ``token_count``), how long it lives, how it is made.
_NOT_A_VALUE = frozenset(
    {
        "id", "ids", "type", "types", "name", "names", "count", "counts", "length", "limit",
        "limits", "usage", "expiry", "expires", "expiration", "ttl", "lifetime", "algorithm",
        "format", "version", "enabled", "required",
    }
)  # fmt: skip
_CURSOR_WORDS = frozenset({"page", "next", "continuation", "cursor", "pagination"})
# Names made secret at run time: an API key sent under a name the word rule would not catch.
_REGISTERED: set[str] = set()
# compiled by re (and cached there) at first use: a start-up redacts nothing
_WORD_SPLIT = r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"


def _words(name: str) -> list[str]:
    return [w.lower() for w in re.split(_WORD_SPLIT, name) if w]


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
    return bool(_SECRET_WORDS.intersection(words)) or _is_a_credential_key(words)


def _is_a_credential_key(words: list[str]) -> bool:
    """A word ``key`` that does not follow a word making it a key of the data."""
    return any(
        w == "key" and not (i and words[i - 1] in _DATA_KEY_WORDS) for i, w in enumerate(words)
    )


def redact_url(url: Any, secret_fields: Iterable[str] = (), mask: str = MASK) -> str:
    """Hide the password in the userinfo and the values of secret-looking query parameters.

    The rest of the URL is kept byte for byte (no re-encoding), so the result still reads as
    the URL that was sent.
    """
    from urllib.parse import unquote_plus  # with ipaddress: not loaded by a start-up

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


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_LONGEST_SCHEME = 64  # no real scheme is longer; the query after it is redacted either way
_URL_REST = r"[^\s\"'<>]*"


def redact_text_urls(text: str, mask: str = MASK) -> str:
    """Redact every URL found inside free text (error messages, signed URLs in bodies).

    Linear in the text: each ``://`` is found once, its scheme read backwards and the rest
    forwards. (A regex that tries a scheme at every position is quadratic on long runs of
    letters: a 60 KB error body took 3.7 s, 20 MB never finished.)
    """
    out: list[str] = []
    done = 0  # text[:done] is in out already
    at = text.find("://")
    while at >= 0:
        start, floor = at, max(done, at - _LONGEST_SCHEME)
        while start > floor and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < at and not text[start].isalpha():
            start += 1  # a scheme starts with a letter
        match = re.compile(_URL_REST).match(text, at + 3)
        end = match.end() if match else at + 3
        if start < at and text[start].isascii():
            out.append(text[done:start])
            out.append(redact_url(text[start:end], mask=mask))
            done = end
        at = text.find("://", max(end, at + 3))
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


# Credential values the process was given (auth objects register them), so free text that
# quotes one anyway (a library's error, a server echoing a header) can be masked by value.
# The most recent _MOST_VALUES are kept (an app making a Bearer per request must not grow
# this without bound); the pattern is rebuilt only when a new value arrives.
_VALUES: dict[str, None] = {}
_VALUES_PATTERN: re.Pattern[str] | None = None
_SHORTEST_VALUE = 8  # masking short words everywhere would mangle text and protect little
_MOST_VALUES = 128


def register_secret_value(value: str) -> None:
    """Mask ``value`` (as given and stripped) wherever text is redacted by value."""
    global _VALUES_PATTERN
    if not isinstance(value, str):
        return
    new = [v for v in dict.fromkeys((value, value.strip())) if len(v.strip()) >= _SHORTEST_VALUE]
    new = [v for v in new if v not in _VALUES]
    if not new:
        return
    for spelling in new:
        _VALUES[spelling] = None
    while len(_VALUES) > _MOST_VALUES:
        del _VALUES[next(iter(_VALUES))]
    # Longest first, so a value and its stripped spelling mask as one.
    spellings = sorted(_VALUES, key=len, reverse=True)
    _VALUES_PATTERN = re.compile("|".join(re.escape(v) for v in spellings))


def redact_secret_values(text: str, mask: str = MASK) -> str:
    """``text`` with every registered credential value replaced by ``mask`` (one pass)."""
    pattern = _VALUES_PATTERN
    if pattern is None or not text:
        return text
    return pattern.sub(mask, text)


def has_secret_values() -> bool:
    """Whether any credential value has been registered (nothing to mask by value if not)."""
    return _VALUES_PATTERN is not None
