"""What a call returns: ``Response`` objects, error mapping, and the return-type switch.

``Response`` behaves like civis-python's: attribute and item access with snake_case names
(``run.created_at`` for ``createdAt``), ``.json()`` for the payload exactly as sent, plus
``.headers`` and ``.status_code``. Values of secret fields are hidden from ``repr``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping

from ._jsonpath import dig
from ._secrets import redact_url
from .errors import RateLimitError, ResponseDecodeError, api_error_for_status
from .openapi.naming import camel_to_snake  # the one snake_case rule; re-exported

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    import httpx

    from .openapi.model import Operation

__all__ = [
    "register_pprint_layout",
    "Response",
    "ResponseList",
    "camel_to_snake",
    "decode",
    "dig",
    "raise_for_status",
]

_REQUEST_ID_HEADERS = (
    "x-request-id",
    "x-amzn-requestid",
    "request-id",
    "x-correlation-id",
    "x-amz-request-id",
    "x-trace-id",
)


def _convert(value: Any, secret_fields: frozenset[str], cls: type[Response] | None = None) -> Any:
    if isinstance(value, Mapping):
        return (cls or Response)(value, secret_fields=secret_fields)
    if isinstance(value, list):
        return [_convert(v, secret_fields, cls) for v in value]
    return value


if TYPE_CHECKING:
    _JSONObject = Mapping[str, Any]
else:
    _JSONObject = Mapping  # the same class; the parameters are for the type checker


class Response(_JSONObject):
    """A JSON object with snake_case attribute and item access."""

    __slots__ = ("_payload", "_data", "_secret_fields", "headers", "status_code")
    list_class: type[ResponseList]

    def __init__(
        self,
        payload: Mapping[str, Any] | None,
        *,
        headers: Any = None,
        status_code: int | None = None,
        secret_fields: frozenset[str] = frozenset(),
    ) -> None:
        self._payload = payload if payload is not None else {}
        self._secret_fields = secret_fields
        self._data: dict[str, Any] | None = None
        self.headers = headers if headers is not None else {}
        self.status_code = status_code

    @property
    def _items(self) -> dict[str, Any]:
        if self._data is None:  # converted on first access: big lists stay cheap until read
            self._data = {
                self.decoded_key(str(k)): self.decoded_value(str(k), v)
                for k, v in self._payload.items()
            }
        return self._data

    # Decoding hooks: a platform's Response subclass may keep some user data as sent.
    def decoded_key(self, key: str) -> str:
        """The Python name of the payload's key ``key`` (snake_case)."""
        return camel_to_snake(key)

    def decoded_value(self, key: str, value: Any) -> Any:
        """The value the field ``key`` reads as: objects become this class, arrays lists."""
        return _convert(value, self._secret_fields, type(self))

    def json(self) -> Any:
        """The payload as the server sent it (original key names)."""
        return self._payload

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(
                f"response has no field {name!r}; fields: {', '.join(self._items) or 'none'}"
            ) from None

    def __getitem__(self, key: str) -> Any:
        items = self._items
        if key in items:
            return items[key]
        snake = camel_to_snake(key)
        if snake in items:
            return items[snake]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._payload)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._items))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Response):
            return self._payload == other._payload
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other) or self._payload == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Response({self.redacted_items()!r})"

    def redacted_items(self) -> dict[str, Any]:
        """The fields as printed: values of secret fields replaced by ``'***'``."""
        return {k: ("***" if self._is_secret(k) else v) for k, v in self._items.items()}

    def _is_secret(self, snake_key: str) -> bool:
        from .http.redact import is_secret_name  # the one redaction rule, shared with logs

        return is_secret_name(snake_key, [camel_to_snake(f) for f in self._secret_fields])

    def __getstate__(self) -> dict[str, Any]:
        return {
            "payload": self._payload,
            "headers": dict(self.headers),
            "status_code": self.status_code,
            "secret_fields": self._secret_fields,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._payload = state["payload"]
        self._data = None
        self.headers = state["headers"]
        self.status_code = state["status_code"]
        self._secret_fields = state["secret_fields"]


class ResponseList(list):
    """A JSON array of objects: a list of ``Response``, with ``.json()`` and ``.headers``."""

    def __init__(
        self,
        items: list[Any],
        *,
        payload: Any = None,
        headers: Any = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(items)
        self._payload = payload
        self.headers = headers if headers is not None else {}
        self.status_code = status_code

    def json(self) -> Any:
        return self._payload


#: the list type a ``Response`` class decodes JSON arrays to (a subclass may name its own)
Response.list_class = ResponseList


def response_json(response: httpx.Response, operation: Operation | None = None) -> Any:
    """Decode a JSON reply, with an error that names the operation when it is not JSON."""
    if not response.content:
        return None
    try:
        import json  # on first use: a start-up does not load json

        return json.loads(response.content)
    except (ValueError, RecursionError):
        raise ResponseDecodeError(
            f"{_what(response, operation)}: the server's reply (status {response.status_code}, "
            f"{response.headers.get('content-type', 'no content type')}) is not valid JSON: "
            f"{_excerpt(response, operation)}"
        ) from None


def _what(response: httpx.Response, operation: Operation | None) -> str:
    return operation.qualname if operation else f"{response.request.method} request"


def _excerpt(response: httpx.Response, operation: Operation | None) -> str:
    """A short, redacted excerpt of a reply for an error: never the raw text (it may echo a
    credential), never more than 200 characters."""
    from .http.redact import redact_body

    text = redact_body(
        response.content,
        response.headers.get("content-type") or "text/plain",
        operation.secret_fields if operation else (),
        limit=200,
    )
    return repr(text)


def _promises_json(operation: Operation | None, kind: str = "") -> bool:
    """The spec promises JSON for this answer, and not also the media type that came
    (a response may offer JSON or text, as ClicData's refresh does)."""
    success = operation.success if operation else None
    if success is None:
        return False
    base = (success.media_type or "").split(";")[0].strip().lower()
    came = kind.split(";")[0].strip().lower()
    if came and came in (m.split(";")[0].strip().lower() for m in success.media_types):
        return False
    return base.endswith("/json") or base.endswith("+json")


def _refuse_redirect(response: httpx.Response, operation: Operation | None) -> None:
    """A 3xx reaching decoding was not followed: it is no answer, and an empty ``Response``
    would pass for one."""
    status = response.status_code
    if status == 304:
        why = "Not Modified: the server sent no content (answer to a conditional request)"
    else:
        target = response.headers.get("location")
        where = f" to {redact_url(target)}" if target else ""
        why = f"the server redirected{where}; API calls do not follow redirects: check base_url"
    raise api_error_for_status(status)(
        f"{why} [{_what(response, operation)}]",
        status_code=status,
        method=response.request.method,
        url=str(response.request.url),
    )


def is_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind:
        return kind.endswith("json") or kind.endswith("+json")
    return response.content[:1] in (b"{", b"[")


_MESSAGE_LIMIT = 500  # characters of the server's message in an error (the excerpt has more)

_MESSAGE_KEYS = (
    "message",
    "error_description",
    "errorMessage",
    "error",
    "detail",
    "title",
    "errors",
    "description",
    "msg",
)


def _error_message(payload: Any) -> str:
    if isinstance(payload, Mapping):
        for key in _MESSAGE_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, Mapping):
                inner = _error_message(value)
                if inner:
                    return inner
            if isinstance(value, list) and value:
                return "; ".join(_error_message(v) or str(v) for v in value[:3])
    if isinstance(payload, str):
        return payload
    return ""


def raise_for_status(
    response: httpx.Response, operation: Operation | None = None, *, now: float | None = None
) -> None:
    """Raise the matching ``APIError`` subclass for a 4xx/5xx reply.

    ``now`` (epoch seconds, the client's clock) reads a ``Retry-After`` given as an HTTP date.
    """
    if response.status_code < 400:
        return
    from .http.redact import redact_body, redact_text_urls

    # A stream that cannot be read must not hide the status.
    with contextlib.suppress(Exception):
        response.read()
    payload: Any = None
    text = ""
    try:
        text = response.text
        import json  # on first use: a start-up does not load json

        payload = json.loads(text) if text else None
    except (ValueError, RecursionError):
        payload = None
    message = _error_message(payload) or response.reason_phrase or "error"
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "..."
    if operation is not None:
        message = f"{message} [{operation.qualname}]"
    request_id = next(
        (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
    )
    cls = api_error_for_status(response.status_code)
    error = cls(
        redact_text_urls(message),
        status_code=response.status_code,
        method=response.request.method,
        url=str(response.request.url),
        response_excerpt=redact_body(
            response.content,
            response.headers.get("content-type"),
            operation.secret_fields if operation else (),
        ),
        request_id=request_id,
        body=payload,
    )
    if isinstance(error, RateLimitError):
        # The retry policy's parser: seconds or an HTTP date, read the same way in both places.
        from .http.retry import retry_after_seconds

        error.retry_after = retry_after_seconds(response, time.time() if now is None else now)
    raise error


def decode(
    response: httpx.Response,
    operation: Operation | None,
    return_type: str,
    *,
    records: str | None = None,
    now: float | None = None,
    cls: type[Response] | None = None,
) -> Any:
    """Turn a successful reply into what the caller asked for (``now``: see raise_for_status).

    ``cls`` is the client's decoder hook (``ClientOptions.response_class``): JSON objects
    become ``cls`` and arrays ``cls.list_class``."""
    raise_for_status(response, operation, now=now)
    if return_type == "raw":
        return response
    if 300 <= response.status_code < 400:
        _refuse_redirect(response, operation)
    secret_fields = operation.secret_fields if operation else frozenset()
    if not response.content:
        payload = None
    elif is_json(response):
        payload = response_json(response, operation)
    else:
        kind = response.headers.get("content-type", "")
        if return_type in ("pandas", "arrow") and ("csv" in kind):
            # A table asked for and a table answered: CSV is as good as the JSON promised.
            from ._frames import frame_from_csv, table_from_csv

            read = frame_from_csv if return_type == "pandas" else table_from_csv
            return read(response.content)
        if _promises_json(operation, kind):
            # An HTML login page or a proxy's text error is not the answer the spec promised.
            raise ResponseDecodeError(
                f"{_what(response, operation)}: the spec promises JSON but the server answered "
                f"{kind or 'without a content type'} (status {response.status_code}): "
                f"{_excerpt(response, operation)}"
            )
        return response.text if kind.startswith("text/") else response.content
    if return_type == "pandas":
        from ._frames import to_frame

        return mask_secret_columns(to_frame(payload, operation, records=records), secret_fields)
    if return_type == "arrow":
        from ._frames import to_table

        return to_table(payload, operation, records=records)
    return wrap(payload, response.headers, response.status_code, secret_fields, cls)


def mask_secret_columns(frame: Any, secret_fields: frozenset[str] = frozenset()) -> Any:
    """``frame`` with the values of its secret-named columns replaced by ``***``.

    A DataFrame has no repr of its own to hide them in (a ``Response`` hides them from
    ``repr`` only), and frames get printed. Judged per column, not per row, so a million-row
    frame costs nothing more. The values stay readable with ``return_type="snake"``.
    """
    from .http.redact import MASK, is_secret_name

    columns = getattr(frame, "columns", None)
    if columns is None:
        return frame
    fields = tuple(secret_fields)
    for column in [c for c in columns if isinstance(c, str) and is_secret_name(c, fields)]:
        frame[column] = frame[column].where(frame[column].isna(), MASK)
    return frame


def wrap(
    payload: Any,
    headers: Any,
    status_code: int | None,
    secret_fields: frozenset[str] = frozenset(),
    cls: type[Response] | None = None,
) -> Any:
    cls = cls or Response
    if isinstance(payload, Mapping):
        return cls(payload, headers=headers, status_code=status_code, secret_fields=secret_fields)
    if isinstance(payload, list):
        return cls.list_class(
            [_convert(v, secret_fields, cls) for v in payload],
            payload=payload,
            headers=headers,
            status_code=status_code,
        )
    if payload is None:
        return cls({}, headers=headers, status_code=status_code)
    return payload


def register_pprint_layout(repr_function: Any, layout: Any) -> None:
    """Have ``pprint`` lay out objects whose class's ``__repr__`` is ``repr_function`` with
    ``layout`` (a ``PrettyPrinter._dispatch`` entry: ``(printer, object, stream, indent,
    allowance, context, level)``), from the moment ``pprint`` is imported -- without importing
    it: pprint imports dataclasses, which a client's start-up does not otherwise load."""
    from ._after_import import when_imported

    def register(pprint: Any) -> None:
        pprint.PrettyPrinter._dispatch[repr_function] = layout

    when_imported("pprint", register)
