"""Error envelopes a spec declares: a 2xx reply whose body says it failed is an ``APIError``.

Some services answer HTTP 200 with ``{"success": false, "error": {...}}`` (ClicData). The spec
says so with a top-level ``x-error-envelope``::

    x-error-envelope:
      when: {success: false}          # top-level values that mark a failed reply
      code: error.code                # dotted paths to the error's code and message
      message: error.description
      status:                         # a code -> the HTTP status it stands for (lowercase)
        unauthorized: 401
        notfound: 404
      message_status:                 # a word in the code or message -> status (checked first)
        scope: 403

The status picks the :class:`~specclient.errors.APIError` subclass (``NotFoundError`` for 404)
unless the client's ``ClientOptions.envelope_errors`` names a platform's own class for it
(key ``None``: any other status). The error carries ``code`` and ``description``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError, api_error_for_status

__all__ = ["ErrorEnvelope", "envelope_of"]

KEY = "x-error-envelope"


@dataclass(frozen=True)
class ErrorEnvelope:
    when: Mapping[str, Any]
    code: str = "code"
    message: str = "message"
    status: Mapping[str, int] = field(default_factory=dict)
    message_status: Mapping[str, int] = field(default_factory=dict)
    # a cheap test on the raw bytes, so pages of good rows are not parsed twice
    _marker: Any = None

    def failed(self, content: bytes) -> Mapping[str, Any] | None:
        """The decoded body when ``content`` is a failure envelope, else ``None``."""
        if not content or (self._marker is not None and not self._marker.search(content)):
            return None
        try:
            body = json.loads(content)
        except ValueError:
            return None
        if not isinstance(body, Mapping):
            return None
        if all(key in body and body[key] == value for key, value in self.when.items()):
            return body
        return None

    def status_for(self, code: str, message: str) -> int:
        text = f"{code} {message}".lower()
        for word, status in self.message_status.items():
            if word.lower() in text:
                return int(status)
        return int(self.status.get(code.lower(), 400))

    def check(self, response: Any, classes: Mapping[Any, type] | None = None) -> None:
        """Raise for a 2xx ``httpx.Response`` whose body is a failure envelope."""
        if not 200 <= response.status_code < 300:
            return  # error statuses are the engine's usual APIError by status
        body = self.failed(response.content)
        if body is None:
            return
        code = str(_dig(body, self.code) or "")
        description = str(_dig(body, self.message) or "")
        status = self.status_for(code, description)
        classes = classes or {}
        cls = classes.get(status) or classes.get(None) or api_error_for_status(status)
        request = response.request
        error = cls(
            f"the service refused the call: {code or 'error'}: {description or 'no description'}",
            status_code=response.status_code,
            method=request.method,
            url=str(request.url),
            response_excerpt=response.text,
            request_id=response.headers.get("x-request-id"),
            body=body,
        )
        error.code, error.description = code, description
        raise error


def _dig(payload: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        payload = payload.get(part) if isinstance(payload, Mapping) else None
    return payload


def envelope_of(spec: Any) -> ErrorEnvelope | None:
    """The spec's declared envelope (``None`` when it declares none); SpecError if malformed."""
    raw = getattr(spec, "extensions", {}).get(KEY)
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("when"), Mapping) or not raw["when"]:
        raise SpecError(
            f"{KEY} must be a mapping with a non-empty 'when' mapping", pointer=f"#/{KEY}"
        )
    when = dict(raw["when"])
    first_key = next(iter(when))
    marker = re.compile(
        rb'"'
        + re.escape(str(first_key).encode())
        + rb'"\s*:\s*'
        + re.escape(json.dumps(when[first_key]).encode())
    )
    return ErrorEnvelope(
        when=when,
        code=str(raw.get("code", "code")),
        message=str(raw.get("message", "message")),
        status={str(k).lower(): int(v) for k, v in (raw.get("status") or {}).items()},
        message_status={str(k): int(v) for k, v in (raw.get("message_status") or {}).items()},
        _marker=marker,
    )
