"""Civis answers shaped like civis-python 2.10's ``Response``, ``ListResponse`` and
``PaginatedResponse``.

Civis clients decode through the engine's decoder hook (``ClientOptions.response_class``):
JSON objects become :class:`CivisResponse`, arrays :class:`CivisResponseList`, nested objects
too, so decoding stays in one place and nothing is re-classed after the fact. What differs from
the engine's ``Response`` is what civis-python users rely on: ``json()`` in snake_case,
``json_data``, ``calls_remaining`` / ``rate_limit``, camelCase attribute access, user data kept
as sent, hashing, read-only with civis-python's error, and its pretty printing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping

from specclient.client import AsyncResource, Resource
from specclient.platforms.civis.errors import immutable_response_error
from specclient.response import Response, ResponseList, register_pprint_layout

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CivisResponse",
    "CivisResponseList",
    "CivisPaginatedResponse",
    "AsyncCivisPaginatedResponse",
    "CivisResource",
    "AsyncCivisResource",
    "JSONValueResponse",
]

#: Fields whose object holds user data: script arguments (often ALL_CAPS environment
#: variables) and a service's environment variables. civis-python keeps their keys as sent.
PRESERVE_CASE = frozenset({"arguments", "environmentVariables"})
_FIELDS = frozenset(Response.__slots__)


def _plain(value: Any, snake_case: bool) -> Any:
    """A field's value as plain JSON data the caller owns (nothing shared with the response)."""
    if isinstance(value, CivisResponse):
        return value.json(snake_case)
    if isinstance(value, list):
        return [_plain(item, snake_case) for item in value]
    import copy  # on first use: a start-up does not load copy

    return copy.deepcopy(value)


def _rate_header(headers: Any, name: str) -> int | None:
    value = (headers or {}).get(name)
    return int(value) if value else None


class CivisResponse(Response):
    """civis-python's ``civis.Response``, on the engine's :class:`~specclient.response.Response`.

    Attribute and item access take snake_case or the API's camelCase names; ``json()``
    returns snake_case keys at every depth (``json(snake_case=False)``: as sent), always a
    copy the caller may edit. Keys under ``arguments`` and ``environmentVariables``, and the
    ``value`` of a JSONValue, are user data and stay exactly as sent.
    """

    __slots__ = ()
    list_class: type[ResponseList]

    # -- civis-python's attributes --------------------------------------------------------------
    @property
    def json_data(self) -> Any:
        """The payload as the API sent it (key names unchanged)."""
        return Response.json(self)

    @property
    def calls_remaining(self) -> int | None:
        """API calls left before the rate limit (``X-RateLimit-Remaining``)."""
        return _rate_header(self.headers, "X-RateLimit-Remaining")

    @property
    def rate_limit(self) -> int | None:
        """Calls allowed per rate-limit period (``X-RateLimit-Limit``)."""
        return _rate_header(self.headers, "X-RateLimit-Limit")

    def json(self, snake_case: bool = True) -> Any:
        """The data as a new ``dict``: snake_case keys (user data as sent), or with
        ``snake_case=False`` the keys as the API sent them."""
        if not snake_case:
            import copy

            return copy.deepcopy(self.json_data)
        return {name: _plain(value, True) for name, value in self.items()}

    # -- decoding: user data stays as sent ------------------------------------------------------
    def decoded_value(self, key: str, value: Any) -> Any:
        if key == "value" and self._is_json_value():
            return value  # a JSONValue's value is the user's JSON, not an API object
        if key in PRESERVE_CASE and isinstance(value, Mapping):
            return _UserData(value, headers=self.headers)
        return super().decoded_value(key, value)

    def _is_json_value(self) -> bool:
        return bool(self.json_data.get("objectType") == "JSONValue")

    # -- access ---------------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name.startswith("__") or name not in self.json_data:
                raise
            return self[name]  # the API's own (camelCase) name

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _FIELDS:
            raise immutable_response_error()
        object.__setattr__(self, name, value)

    def __setitem__(self, key: str, value: Any) -> None:
        raise immutable_response_error()

    def __hash__(self) -> int:  # type: ignore[override]
        import json  # on first use: a start-up does not load json

        return hash(json.dumps(self.json_data, sort_keys=True, default=str))

    def __repr__(self) -> str:
        return f"Response({self.redacted_items()!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython / Jupyter display: pretty-printed like ``pprint``."""
        import pprint

        printer.text("Response(...)" if cycle else pprint.pformat(self))


class _UserData(CivisResponse):
    """An object of user data (script arguments, environment variables): keys as sent."""

    __slots__ = ()

    def decoded_key(self, key: str) -> str:
        return key

    def decoded_value(self, key: str, value: Any) -> Any:
        if isinstance(value, Mapping):
            return _UserData(value)
        return super().decoded_value(key, value)


class JSONValueResponse(CivisResponse):
    """An answer of ``client.json_values``: its ``value`` is the user's JSON, kept as sent."""

    __slots__ = ()

    def _is_json_value(self) -> bool:
        return True


def _pprint_response(
    printer: Any,
    obj: CivisResponse,
    stream: Any,
    indent: int,
    allowance: int,
    context: Any,
    level: int,
) -> None:
    """``pprint`` of a response as civis-python prints it: ``Response({...})`` over lines."""
    stream.write("Response({")
    items = (
        sorted(obj.redacted_items().items())
        if printer._sort_dicts
        else list(obj.redacted_items().items())
    )
    if items:
        # 9 = len("Response(")
        printer._format_dict_items(items, stream, indent + 9, allowance + 1, context, level)
    stream.write("})")


# pprint (which imports dataclasses) learns civis-python's layout when something imports it
register_pprint_layout(CivisResponse.__repr__, _pprint_response)


class CivisResponseList(ResponseList):
    """civis-python's ``ListResponse``: a list of :class:`CivisResponse`, each carrying the
    list's ``headers``, with ``json(snake_case=True)``."""

    def __init__(self, items: list[Any], **kwargs: Any) -> None:
        super().__init__(items, **kwargs)
        for item in self:
            if isinstance(item, Response):
                item.headers = self.headers

    def json(self, snake_case: bool = True) -> Any:
        return [_plain(item, snake_case) for item in self]


CivisResponse.list_class = CivisResponseList


if TYPE_CHECKING:
    _Items = Iterator[Any]
    _AsyncItems = AsyncIterator[Any]
else:  # the same classes; the parameters are for the type checker (no typing.Any here)
    _Items, _AsyncItems = Iterator, AsyncIterator


class CivisPaginatedResponse(_Items):
    """civis-python's ``PaginatedResponse``: what ``iterator=True`` returns; an iterator over
    every item of every page, fetched as it is read, with ``json()`` for all of them."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._pages = items

    def __iter__(self) -> CivisPaginatedResponse:
        return self

    def __next__(self) -> Any:
        return next(self._pages)

    def json(self, snake_case: bool = True) -> list[Any]:
        """The remaining items' data, as :meth:`CivisResponse.json` gives it."""
        return [_plain(item, snake_case) for item in self._pages]


class AsyncCivisPaginatedResponse(_AsyncItems):
    """:class:`CivisPaginatedResponse` on the async client: ``async for`` over every item,
    ``await result.json()`` for the remaining items' data."""

    def __init__(self, items: AsyncIterator[Any]) -> None:
        self._pages = items

    def __aiter__(self) -> AsyncCivisPaginatedResponse:
        return self

    async def __anext__(self) -> Any:
        return await self._pages.__anext__()

    async def json(self, snake_case: bool = True) -> list[Any]:
        """The remaining items' data, as :meth:`CivisResponse.json` gives it."""
        return [_plain(item, snake_case) async for item in self._pages]


class CivisResource(Resource):
    """A resource of a Civis client (the base of its workflow resources)."""

    def __getattr__(self, name: str) -> Any:
        from specclient.platforms.civis.methods import CivisMethod

        return CivisMethod(super().__getattr__(name), self._client)


class AsyncCivisResource(AsyncResource):
    """A resource of an async Civis client."""

    def __getattr__(self, name: str) -> Any:
        from specclient.platforms.civis.methods import AsyncCivisMethod

        return AsyncCivisMethod(super().__getattr__(name), self._client)
