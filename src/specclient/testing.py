"""Helpers for tests that record HTTP with pytest-recording (VCR.py): cassettes without secrets.

Use in a ``conftest.py``::

    import pytest
    from specclient.testing import vcr_config as specclient_vcr_config

    @pytest.fixture(scope="module")
    def vcr_config():
        return specclient_vcr_config()

Every recorded request and response passes through the same redaction rule as logs and error
messages (:mod:`specclient.http.redact`), with ``REDACTED`` as the replacement: auth and key
headers, cookies, secret-looking query parameters (signed-URL signatures and credentials
included), token replies' ``access_token``/``accessToken``/``refresh_token``, and
``client_secret``/passwords in form or JSON bodies. VCR.py applies the same filter to live
requests before matching, so a replay still finds its recording.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from specclient.http.redact import (
    is_secret_name,
    redact_form,
    redact_json,
    redact_text_urls,
    redact_url,
)

__all__ = ["REDACTED", "vcr_config", "assert_no_secrets", "scrub_request", "scrub_response"]

REDACTED = "REDACTED"


def _content_type(headers: Any) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            value = value[0] if isinstance(value, list) and value else value
            return str(value).split(";")[0].strip().lower()
    return ""


def _scrub_body(body: bytes | str | None, content_type: str, fields: tuple[str, ...]) -> Any:
    """Redact a body; returns it unchanged (same object) when nothing needed hiding."""
    if not body:
        return body
    raw = body.encode() if isinstance(body, str) else body
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return body  # binary (uploads, parquet): no field structure to inspect
    if content_type == "application/x-www-form-urlencoded":
        scrubbed = redact_form(text, fields, REDACTED)
    elif content_type.endswith("json") or text.lstrip()[:1] in ("{", "["):
        try:
            decoded = json.loads(text)
        except ValueError:
            scrubbed = redact_text_urls(text, REDACTED)
        else:
            cleaned = redact_json(decoded, fields, REDACTED)
            scrubbed = text if cleaned == decoded else json.dumps(cleaned)
    elif content_type.startswith("multipart/"):
        return body  # parts are files; secret form fields in multipart are not expected
    else:
        scrubbed = redact_text_urls(text, REDACTED)
    if scrubbed == text:
        return body
    return scrubbed.encode() if isinstance(body, bytes) else scrubbed


def scrub_request(request: Any, secret_fields: Iterable[str] = ()) -> Any:
    """Redact a VCR.py request in place (VCR.py hands filters a copy) and return it."""
    fields = tuple(secret_fields)
    for name in list(request.headers):
        if is_secret_name(name, fields):
            request.headers[name] = REDACTED
    request.uri = redact_url(request.uri, fields, REDACTED)
    body = _scrub_body(request.body, _content_type(request.headers), fields)
    if body is not request.body:
        request.body = body
        _fix_length(request.headers, body, lambda value: value)
    return request


def _fix_length(headers: Any, body: Any, wrap: Callable[[str], Any]) -> None:
    """Keep Content-Length true to a redacted body, so a replayed message is consistent."""
    for name in list(headers):
        if name.lower() == "content-length":
            headers[name] = wrap(str(len(body)))


def scrub_response(response: dict[str, Any], secret_fields: Iterable[str] = ()) -> dict[str, Any]:
    """A redacted copy of a VCR.py response dict (status, headers, body)."""
    fields = tuple(secret_fields)
    headers = {}
    for name, values in response.get("headers", {}).items():
        values = values if isinstance(values, list) else [values]
        if is_secret_name(name, fields):
            headers[name] = [REDACTED for _ in values]
        else:  # Location and Link headers may carry signed URLs
            headers[name] = [redact_text_urls(str(v), REDACTED) for v in values]
    body = dict(response.get("body", {}))
    if "string" in body:
        scrubbed = _scrub_body(body["string"], _content_type(headers), fields)
        if scrubbed is not body["string"]:
            body["string"] = scrubbed
            _fix_length(headers, scrubbed, lambda value: [value])
    return {**response, "headers": headers, "body": body}


def _chain(first: Callable[[Any], Any], then: Any) -> Callable[[Any], Any]:
    if then is None:
        return first

    def both(item: Any) -> Any:
        item = first(item)
        return then(item) if item is not None else None

    return both


def vcr_config(*, secret_fields: Iterable[str] = (), **overrides: Any) -> dict[str, Any]:
    """Settings for pytest-recording's ``vcr_config`` fixture that keep secrets out.

    Parameters
    ----------
    secret_fields : iterable of str
        More header, query or body names to redact (a spec's ``x-secret`` fields).
    **overrides
        Any other VCR.py option. A ``before_record_request`` / ``before_record_response``
        given here runs after ours, so it sees redacted data.
    """
    fields = tuple(secret_fields)
    user_request = overrides.pop("before_record_request", None)
    user_response = overrides.pop("before_record_response", None)
    config: dict[str, Any] = {
        # Compressed bodies are decoded first, or their secrets could not be found.
        "decode_compressed_response": True,
        "before_record_request": _chain(lambda r: scrub_request(r, fields), user_request),
        "before_record_response": _chain(lambda r: scrub_response(r, fields), user_response),
    }
    config.update(overrides)
    return config


def _spellings(secret: str) -> set[str]:
    """The ways a secret can appear in a cassette: raw, URL-encoded, JSON-escaped, base64.

    Inside Basic's ``base64(id:secret)`` the secret's own base64 does not appear (the id
    shifts its bytes), so each of the three alignments contributes the characters that
    encode the secret's bytes alone (:func:`base64_cores`).
    """
    spellings = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    spellings.add(base64.b64encode(secret.encode()).decode())
    spellings.update(base64_cores(secret))
    return {s for s in spellings if s}


def base64_cores(secret: str, shortest: int = 6) -> set[str]:
    """The base64 characters that encode only ``secret``'s bytes, whatever comes before it,
    for each of the three byte alignments (too short a core would match by chance)."""
    raw = secret.encode()
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        # Character i holds bits [6i, 6i + 6); keep those entirely inside the secret's bits.
        first = -(-8 * offset // 6)
        last = (8 * (offset + len(raw)) - 6) // 6
        core = encoded[first : last + 1]
        if len(core) >= shortest:
            cores.add(core)
    return cores


def assert_no_secrets(path_or_dir: str | Path, secrets: Iterable[str]) -> None:
    """Fail if any of ``secrets`` appears in a cassette file (or any file under a directory).

    Secrets are also searched URL-encoded, JSON-escaped and base64-encoded. The failure
    message names the file and the secret's position in ``secrets``, never the secret.

    Raises
    ------
    AssertionError
        A secret was found, or there is no file to check (a check of nothing proves nothing).
    ValueError
        ``secrets`` is empty.
    """
    wanted = [s for s in secrets if s]
    if not wanted:
        raise ValueError("assert_no_secrets needs at least one non-empty secret to look for")
    root = Path(path_or_dir)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    if not files:
        raise AssertionError(f"no cassette files found at {root}")
    found = []
    for file in files:
        content = file.read_bytes().decode("utf-8", errors="replace")
        for index, secret in enumerate(wanted):
            if any(spelling in content for spelling in _spellings(secret)):
                found.append(f"{file}: secret #{index} ({len(secret)} characters)")
    if found:
        raise AssertionError("secrets found in cassettes:\n" + "\n".join(found))
