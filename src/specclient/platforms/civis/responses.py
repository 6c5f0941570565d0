"""Civis answers shaped like civis-python 2.10's: ``json()`` in snake_case by default.

The engine decodes every reply into :class:`~specclient.response.Response` objects; Civis
clients re-class them as :class:`CivisResponse` (same layout, one method differs) through the
method classes below, so decoding stays in one place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from specclient.client import AsyncMethod, AsyncResource, Method, Resource
from specclient.response import Response, ResponseList, camel_to_snake

__all__ = [
    "CivisResponse",
    "CivisResponseList",
    "CivisMethod",
    "CivisResource",
    "AsyncCivisMethod",
    "AsyncCivisResource",
]


def _snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel_to_snake(str(key)): _snake_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake_keys(item) for item in value]
    return value


class CivisResponse(Response):
    """A :class:`~specclient.response.Response` whose ``json()`` is civis-python 2.10's.

    civis-python's ``Response.json()`` returns snake_case keys (nested too) unless asked
    ``json(snake_case=False)``; the engine's returns the payload as sent. Code written for
    civis-python indexes ``.json()`` with snake_case names, so Civis clients answer its way.
    """

    __slots__ = ()

    def json(self, snake_case: bool = True) -> Any:
        return _snake_keys(self._payload) if snake_case else self._payload


class CivisResponseList(ResponseList):
    """A list of :class:`CivisResponse` with civis-python's ``json(snake_case=True)``."""

    def json(self, snake_case: bool = True) -> Any:
        return _snake_keys(self._payload) if snake_case else self._payload


def _as_civis(result: Any) -> Any:
    # Re-classing keeps the engine's decoding in one place; the layouts are identical.
    if type(result) is Response:
        result.__class__ = CivisResponse
    elif type(result) is ResponseList:
        result.__class__ = CivisResponseList
        for item in result:
            _as_civis(item)
    elif isinstance(result, Iterator):
        return (_as_civis(item) for item in result)
    return result


class CivisMethod(Method):
    """A spec method whose answers are :class:`CivisResponse` objects."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _as_civis(super().__call__(*args, **kwargs))


class CivisResource(Resource):
    """A resource whose methods answer like civis-python's."""

    _method_cls = CivisMethod


class AsyncCivisMethod(AsyncMethod):
    """An awaitable spec method whose answers are :class:`CivisResponse` objects."""

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().__call__(*args, **kwargs)
        if isinstance(result, AsyncIterator):
            return _as_civis_async(result)
        return _as_civis(result)


async def _as_civis_async(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for item in items:
        yield _as_civis(item)


class AsyncCivisResource(AsyncResource):
    _method_cls = AsyncCivisMethod
