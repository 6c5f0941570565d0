"""Errors shaped like civis-python's: ``CivisAPIError``, ``CivisAPIKeyError``,
``CivisImmutableResponseError``.

A Civis client's error replies are raised by a response hook (the engine's event-hook seam)
as the engine's error for the status (``NotFoundError``, ``ServerError`` ...) that is also a
:class:`CivisAPIError`: ``status_code``, ``error_message``, ``response`` and civis-python's
``str()``, ``(404) The requested resource could not be found. (GET /tables/9)``.

Code written for civis-python catches ``civis.base.CivisAPIError`` (civis.io's helpers do, on
their 404 table check). When civis-python is imported in the process, the errors raised are
also instances of civis-python's classes, so that code catches them unchanged. The classes are
looked up in ``sys.modules`` at raise time rather than imported: code that names civis-python's
class has imported it already, and specclient never pays civis-python's import.
"""

from __future__ import annotations

import functools
import sys

from specclient.errors import APIError, ParameterError, SpecClientError, redact_url
from specclient.http.redact import redact_secret_values
from specclient.response import raise_for_status

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    import httpx  # loaded only once a request is made

__all__ = [
    "CivisAPIError",
    "CivisAPIKeyError",
    "CivisImmutableResponseError",
    "CivisArgumentError",
    "CivisValueError",
    "raise_civis_error",
    "immutable_response_error",
]


class CivisAPIError(APIError):
    """An error reply of the Civis API, as civis-python's ``CivisAPIError`` shows it."""

    error_message: str
    response: httpx.Response | None = None

    @property
    def _response(self) -> httpx.Response | None:  # civis-python's spelling
        return self.response

    def __str__(self) -> str:
        if not self.status_code:
            return redact_secret_values(self.error_message)
        request = self.response.request if self.response is not None else None
        path = redact_url(request.url.raw_path.decode("ascii")) if request else self.url
        # by value too: a key (or token) the caller put in a path segment is no name=value
        return redact_secret_values(
            f"({self.status_code}) {self.error_message} ({self.method} {path})"
        )


class CivisAPIKeyError(CivisAPIError):
    """401: the key was refused; ``str()`` is the API's ``WWW-Authenticate`` header, as
    civis-python's ``CivisAPIKeyError``. Its ``__cause__`` is the :class:`CivisAPIError`."""

    def __str__(self) -> str:
        return self.error_message


class CivisImmutableResponseError(SpecClientError):
    """A response was written to; responses are read-only (``.json()`` gives an editable copy)."""


class CivisArgumentError(ParameterError):
    """A call's arguments are wrong, worded as civis-python words it (raised before sending)."""

    def __init__(self, operation: str, message: str) -> None:
        super().__init__(operation, message)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0])


class CivisValueError(ParameterError, ValueError):
    """A bad option value, also a ``ValueError`` as civis-python raises for it."""


def _civis_python(module: str, name: str) -> type | None:
    found = sys.modules.get(module)
    return getattr(found, name, None) if found is not None else None


@functools.lru_cache(maxsize=64)
def _combined(base: Any, mixin: Any, theirs: Any) -> Any:
    """The engine's error class ``base`` that is also ``mixin`` (and civis-python's class)."""
    bases = tuple(dict.fromkeys(c for c in (base, mixin, theirs) if c is not None))
    if len(bases) == 1:
        return base
    return type(base.__name__, bases, {"__module__": __name__, "__doc__": base.__doc__})


def _error_message(response: httpx.Response) -> str:
    """civis-python's reading of an error reply."""
    if not response.content:
        return response.reason_phrase  # a 502 from a proxy, say
    try:
        import json  # on first use: a start-up does not load json

        payload = json.loads(response.content)
    except ValueError:
        return f"Response Content: {response.content.decode(errors='replace')}"
    description = payload.get("errorDescription") if isinstance(payload, dict) else None
    return description or "No Error Message Available"


def _as_civis(error: APIError, mixin: Any, theirs: Any, response: httpx.Response) -> Any:
    cls = _combined(type(error), mixin, theirs)  # type: ignore[arg-type]
    civis_error = cls.__new__(cls)
    civis_error.__dict__.update(error.__dict__)
    civis_error.args = error.args
    civis_error.response = response
    civis_error.error_message = _error_message(response)
    return civis_error


def raise_civis_error(response: httpx.Response) -> None:
    """The Civis clients' response hook: an error reply raised civis-python's way."""
    if response.status_code < 400:
        return
    try:
        raise_for_status(response)
    except APIError as error:
        api_error = _as_civis(
            error, CivisAPIError, _civis_python("civis.base", "CivisAPIError"), response
        )
        if response.status_code != 401:
            raise api_error from None
        key_error = _as_civis(
            error, CivisAPIKeyError, _civis_python("civis.base", "CivisAPIKeyError"), response
        )
        key_error.error_message = response.headers.get("www-authenticate", "")
        raise key_error from api_error


def immutable_response_error() -> CivisImmutableResponseError:
    """The error for writing to a response (civis-python's class too, when it is imported)."""
    theirs = _civis_python("civis.response", "CivisImmutableResponseError")
    cls = _combined(CivisImmutableResponseError, CivisImmutableResponseError, theirs)
    return cls(  # type: ignore[no-any-return]
        "Response object is read-only. "
        "Did you want to call .json() for a dictionary that you can modify?"
    )
