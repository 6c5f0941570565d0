"""What a handler sees (:class:`EmuRequest`), returns (:class:`EmuResponse`) or raises
(:class:`EmuError`)."""

from __future__ import annotations

import json as _json
from collections.abc import AsyncIterator, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData, Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from specclient.openapi.model import Operation

if TYPE_CHECKING:
    from specclient.emulators.core.app import EmulatorApp

__all__ = ["NO_JSON", "EmuError", "EmuRequest", "EmuResponse", "default_error_body", "whole"]


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


def whole(value: Any, name: str, minimum: int) -> int:
    """``value`` as an int of at least ``minimum``; 400 naming ``name`` otherwise."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise EmuError(400, f"{name} must be an integer, got {value!r}", field=name) from None
    if number < minimum:
        raise EmuError(400, f"{name} must be >= {minimum}, got {number}", field=name)
    return number


def _too_large(limit: int, why: str) -> EmuError:
    # Connection: close, so the rest of the body is never read
    return EmuError(
        413,
        f"the request body is larger than this emulator accepts ({limit} bytes; {why}); "
        "raise it with ServerLimits(max_body_bytes=...)",
        headers={"Connection": "close"},
    )


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


class EmuRequest:
    """What a handler sees of one request.

    Attributes
    ----------
    app : EmulatorApp
    operation : Operation or None
        The spec operation (None for extra routes and unmatched paths).
    qualname : str or None
        ``"resource.method"``, or an extra route's ``name``.
    method : str
        Upper-case HTTP verb.
    path : str
        Decoded request path.
    path_params : dict
        Decoded path parameters by their wire names.
    query : starlette QueryParams
        Multi-dict: ``query["limit"]``, ``query.getlist("id")``.
    headers : starlette Headers
        Case-insensitive.
    principal : object
        What ``app.authenticate`` returned (None when the operation needs no auth).
    clock : EmulatorClock
    request_id : str
        Also sent back as the ``X-Request-Id`` header.
    """

    __slots__ = (
        "app",
        "raw",
        "operation",
        "qualname",
        "method",
        "path",
        "path_params",
        "principal",
        "clock",
        "request_id",
        "streamed",
        "_body",
        "_json",
        "_form",
    )

    def __init__(
        self,
        app: EmulatorApp,
        raw: Request,
        operation: Operation | None,
        qualname: str | None,
        path_params: dict[str, str],
        request_id: str,
    ) -> None:
        self.app = app
        self.raw = raw
        self.operation = operation
        self.qualname = qualname
        self.method: str = raw.method
        self.path: str = raw.scope.get("path", "")
        self.path_params = path_params
        self.principal: Any = None
        self.clock = app.clock
        self.request_id = request_id
        self.streamed = False
        self._body: bytes | None = None
        self._json: Any = NO_JSON
        self._form: FormData | None = None

    @property
    def query(self) -> QueryParams:
        return self.raw.query_params  # parsed on first use, then cached by starlette

    @property
    def headers(self) -> Headers:
        return self.raw.headers

    def query_int(self, name: str, default: int, *, minimum: int = 0) -> int:
        """Query parameter ``name`` as an int (``default`` when absent or empty); 400 naming
        it when it is not a whole number of at least ``minimum``."""
        raw = self.query.get(name)
        return default if raw in (None, "") else whole(raw, name, minimum)

    @property
    def has_body(self) -> bool:
        """Whether the client sent a body (judged from the headers, so streaming stays lazy)."""
        if self._body is not None:
            return bool(self._body)
        length = self.headers.get("content-length")
        if length is not None:
            return length.strip() not in ("", "0")
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    async def load(self) -> bytes:
        """Read the whole body (async handlers of ``stream=True`` routes may call this),
        within the app's ``limits.max_body_bytes``: 413 past it, before a larger declared
        body is read at all."""
        if self._body is None:
            limit = self.app.limits.max_body_bytes
            declared = self.headers.get("content-length", "").strip()
            if limit is not None and declared.isdigit() and int(declared) > limit:
                raise _too_large(limit, f"it declares {int(declared)} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.raw.stream():
                size += len(chunk)
                if limit is not None and size > limit:
                    raise _too_large(limit, "more arrived")
                chunks.append(chunk)
            self._body = b"".join(chunks)
            self.raw._body = self._body  # starlette's form parser reads it from there
        return self._body

    async def _load_form(self) -> FormData:
        if self._form is None:
            await self.load()
            try:
                self._form = await self.raw.form()
            except (MultiPartException, HTTPException, ValueError, KeyError) as problem:
                # A malformed body or Content-Type (multipart without a boundary) is the
                # client's mistake: 400 in the platform's envelope, never a 500.
                raise EmuError(400, f"the form body cannot be parsed: {problem}") from None
        return self._form

    def body(self) -> bytes:
        """The raw body bytes."""
        if self._body is None:
            raise RuntimeError(
                f"the body of {self.qualname or self.path} is streamed (stream=True): "
                "iterate req.stream() or `await req.load()` first"
            )
        return self._body

    def json(self) -> Any:
        """The body decoded as JSON (400 in the platform's envelope if it is not JSON)."""
        if self._json is NO_JSON:
            raw = self.body()
            if not raw:
                self._json = None
            else:
                try:
                    self._json = _json.loads(raw)
                except ValueError as problem:
                    raise EmuError(
                        400, f"request body is not valid JSON: {problem}", field="body"
                    ) from None
        return self._json

    def form(self) -> FormData:
        """The form or multipart fields (multi-dict; files are starlette ``UploadFile``)."""
        if self._form is None:
            raise RuntimeError(
                f"{self.qualname or self.path}: the form was not parsed; the request's "
                "Content-Type is not a form, or the route streams its body"
            )
        return self._form

    async def stream(self) -> AsyncIterator[bytes]:
        """The body chunk by chunk as it arrives (one chunk if it was already read)."""
        if self._body is not None:
            if self._body:
                yield self._body
            return
        async for chunk in self.raw.stream():
            if chunk:
                yield chunk

    def __repr__(self) -> str:
        return f"EmuRequest({self.method} {self.path} -> {self.qualname})"


def default_error_body(error: EmuError, request: EmuRequest) -> Any:
    """The envelope used when a platform gives none: ``{status, error, message, **extra}``."""
    try:
        phrase = HTTPStatus(error.status).phrase
    except ValueError:
        phrase = "Error"
    return {"status": error.status, "error": phrase, "message": error.message, **error.extra}
