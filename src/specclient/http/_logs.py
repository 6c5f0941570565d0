"""The log filter that masks secrets in what httpx, httpcore and specclient log.

Imported by :mod:`specclient.http.redact` once ``logging`` is (at once if it already is):
the filter class derives from ``logging.Filter``, and a client that never logs does not load
logging at all.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from specclient._secrets import (
    MASK,
    has_secret_values,
    is_secret_name,
    redact_secret_values,
    redact_url,
)

__all__ = ["install"]


def _is_url(value: Any) -> bool:
    return type(value).__name__ == "URL" and type(value).__module__.startswith("httpx")


class _RedactRecords(logging.Filter):
    """Redact what httpx, httpcore and specclient log, for users who turn DEBUG on.

    httpx logs every request URL at INFO (secret query values are masked); httpcore logs
    response headers at DEBUG as ``(b'Set-Cookie', b'...')`` pairs (secret-named ones are
    masked); and any credential value the process was given is masked in every message.
    Installed on the loggers themselves (a filter on a parent logger does not see its
    children's records, so each emitting logger gets one), by :func:`install`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(_is_url(a) for a in record.args):
            record.args = tuple(redact_url(a) if _is_url(a) else a for a in record.args)
        if record.name.startswith("httpcore") or has_secret_values():
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return True
            redacted = redact_secret_values(_HEADER_PAIR.sub(_mask_pair, message))
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


_HEADER_PAIR = re.compile(r"\(b'([^'\\]*)', b'((?:[^'\\]|\\.)*)'\)")


def _mask_pair(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"(b'{name}', b'{MASK}')" if is_secret_name(name) else match.group(0)


_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "specclient.http",
    "specclient.auth",
)


def install() -> None:
    """One filter on each logger that may carry a secret (again: no second one)."""
    for name in _LOGGERS:
        emitting = logging.getLogger(name)
        if not any(isinstance(f, _RedactRecords) for f in emitting.filters):
            emitting.addFilter(_RedactRecords())
