"""ClicData's errors: a ``{"success": false}`` reply (even with HTTP 200) as an ``APIError``.

The spec declares the envelope (``x-error-envelope`` in ``specs/clicdata.yaml``) and the engine
raises it; these classes are what it raises for ClicData (``PLATFORM.envelope_errors``).
"""

from __future__ import annotations

from typing import Any

from specclient.errors import APIError, ForbiddenError, NotFoundError, UnauthorizedError

__all__ = [
    "ClicDataAPIError",
    "ClicDataAuthError",
    "ClicDataScopeError",
    "ClicDataNotFoundError",
    "ENVELOPE_ERRORS",
]


class ClicDataAPIError(APIError):
    """ClicData said ``{"success": false, "error": {code, description}}`` (even with HTTP 200)."""

    def __init__(
        self, message: str, *, code: str = "", description: str = "", **kwargs: Any
    ) -> None:
        self.code = code
        self.description = description
        super().__init__(message, **kwargs)


class ClicDataAuthError(ClicDataAPIError, UnauthorizedError):
    """The envelope says the credentials were refused."""


class ClicDataScopeError(ClicDataAPIError, ForbiddenError):
    """The credentials lack a scope the call needs (``Missing scope``)."""


class ClicDataNotFoundError(ClicDataAPIError, NotFoundError):
    """The envelope says the object does not exist."""


#: the class the engine raises for an envelope standing for each status (None: any other)
ENVELOPE_ERRORS: dict[int | None, type[APIError]] = {
    401: ClicDataAuthError,
    403: ClicDataScopeError,
    404: ClicDataNotFoundError,
    None: ClicDataAPIError,
}
