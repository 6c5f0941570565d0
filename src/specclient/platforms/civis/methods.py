"""A Civis client's spec methods as civis-python's: its argument errors, ``iterator=True``
answering a :class:`~specclient.platforms.civis.responses.CivisPaginatedResponse`, and
``client.last_response`` set by every call.

The engine's method does the work; this thin wrapper only adds what civis-python users see
around it, the same for the sync and the async client (:class:`_CivisCall`).
"""

from __future__ import annotations

import inspect

from specclient.platforms.civis.errors import CivisArgumentError
from specclient.platforms.civis.responses import (
    AsyncCivisPaginatedResponse,
    CivisPaginatedResponse,
    JSONValueResponse,
)

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CivisMethod", "AsyncCivisMethod"]


class _CivisCall:
    """What both wrappers share: the engine's method, civis-python's checks."""

    def __init__(self, method: Any, client: Any) -> None:
        self.method = method
        self.client = client

    @property
    def __signature__(self) -> inspect.Signature:
        return self.method.__signature__  # type: ignore[no-any-return]

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        return self.method.__doc__  # type: ignore[no-any-return]

    @property
    def __name__(self) -> str:
        return self.method.__name__  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.method, name)  # operation, pagination ...

    def __repr__(self) -> str:
        return repr(self.method)

    def _check(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """civis-python's argument errors, word for word, before anything is sent."""
        name = self.method.__name__
        signature = self.method.__signature__
        # underscored per-call options (_timeout=...) are specclient's own spellings
        unexpected = {k for k in kwargs if k not in signature.parameters and k[:1] != "_"}
        if unexpected:
            raise CivisArgumentError(
                name, f"{name}() got an unexpected keyword argument(s) {unexpected}"
            )
        plain = {k: v for k, v in kwargs.items() if k in signature.parameters}
        try:
            signature.bind(*args, **plain)
        except TypeError as error:
            raise CivisArgumentError(name, str(error)) from None

    def _answer(self, result: Any) -> Any:
        if inspect.isgenerator(result):
            result = CivisPaginatedResponse(result)
        elif inspect.isasyncgen(result):
            result = AsyncCivisPaginatedResponse(result)
        elif self.method.operation.qualname.startswith("json_values.") and hasattr(
            result, "json_data"
        ):
            result = JSONValueResponse(
                result.json_data, headers=result.headers, status_code=result.status_code
            )
        self.client.last_response = result
        return result


class CivisMethod(_CivisCall):
    """A spec method of :class:`~specclient.platforms.civis.CivisClient`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check(args, kwargs)
        return self._answer(self.method(*args, **kwargs))


class AsyncCivisMethod(_CivisCall):
    """A spec method of :class:`~specclient.platforms.civis.AsyncCivisClient`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._check(args, kwargs)
        result = self.method(*args, **kwargs)
        if not inspect.isawaitable(result):
            return self._answer(result)  # iterator=True: an async iterator, as the engine's

        async def answered() -> Any:
            return self._answer(await result)

        return answered()
