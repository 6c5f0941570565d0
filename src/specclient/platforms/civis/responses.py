"""Civis answers shaped like civis-python 2.10's: ``json()`` in snake_case by default.

Civis clients decode through the engine's decoder hook (``ClientOptions.response_class``):
JSON objects become :class:`CivisResponse`, arrays :class:`CivisResponseList`, nested objects
too, so decoding stays in one place and nothing is re-classed after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specclient.client import AsyncResource, Resource
from specclient.response import Response, ResponseList, camel_to_snake

__all__ = ["CivisResponse", "CivisResponseList", "CivisResource", "AsyncCivisResource"]


def _snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel_to_snake(str(key)): _snake_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake_keys(item) for item in value]
    return value


class CivisResponseList(ResponseList):
    """A list of :class:`CivisResponse` with civis-python's ``json(snake_case=True)``."""

    def json(self, snake_case: bool = True) -> Any:
        return _snake_keys(super().json()) if snake_case else super().json()


class CivisResponse(Response):
    """A :class:`~specclient.response.Response` whose ``json()`` is civis-python 2.10's.

    civis-python's ``Response.json()`` returns snake_case keys (nested too) unless asked
    ``json(snake_case=False)``; the engine's returns the payload as sent. Code written for
    civis-python indexes ``.json()`` with snake_case names, so Civis clients answer its way.
    """

    __slots__ = ()
    list_class = CivisResponseList

    def json(self, snake_case: bool = True) -> Any:
        return _snake_keys(super().json()) if snake_case else super().json()


class CivisResource(Resource):
    """A resource of a Civis client (the base of its workflow resources)."""


class AsyncCivisResource(AsyncResource):
    """A resource of an async Civis client."""
