"""What handlers return (:class:`EmuResponse`) or raise (:class:`EmuError`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["NO_JSON", "EmuError", "EmuResponse"]


class _NoJson:
    def __repr__(self) -> str:
        return "NO_JSON"


NO_JSON: Any = _NoJson()


class EmuError(Exception):
    """Raise from a handler (or auth hook) to answer with an error in the platform's envelope.

    Parameters
    ----------
    status : int
        HTTP status, e.g. 400, 401, 404, 409, 429.
    message : str
        Human text; the platform's ``error_body`` decides where it goes in the body.
    headers : mapping, optional
        Extra response headers (``Retry-After``, ``WWW-Authenticate``...).
    **extra
        Platform-specific fields for ``error_body`` (``code="unauthorized"``, ``field="name"``).
    """

    def __init__(
        self, status: int, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any
    ) -> None:
        self.status = int(status)
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra
        super().__init__(f"{self.status} {message}")


class EmuResponse:
    """A full reply: status, body (bytes/str/iterator) *or* ``json``, headers, media type.

    Parameters
    ----------
    status : int
    body : bytes, str, iterable or async iterable of bytes, optional
        Raw body; iterables are streamed.
    json : object, optional
        A JSON-able value (wins over ``body``).
    headers : mapping, optional
    media_type : str, optional
        Defaults to ``application/json`` for ``json``, ``application/octet-stream`` for bytes,
        ``text/plain; charset=utf-8`` for str.
    """

    __slots__ = ("status", "body", "json", "headers", "media_type")

    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        *,
        json: Any = NO_JSON,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status = int(status)
        self.body = body
        self.json = json
        self.headers = dict(headers or {})
        self.media_type = media_type

    def __repr__(self) -> str:
        what = "json" if self.json is not NO_JSON else "body"
        return f"EmuResponse({self.status}, {what}=..., headers={sorted(self.headers)})"
