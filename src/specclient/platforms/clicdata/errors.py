"""ClicData's errors: a ``{"success": false}`` reply (even with HTTP 200) as an ``APIError``.

The spec declares the envelope (``x-error-envelope`` in ``specs/clicdata.yaml``) and the engine
raises it; these classes are what it raises for ClicData (``PLATFORM.envelope_errors``).
"""

from __future__ import annotations

from typing import Any

from specclient.errors import (
    APIError,
    ForbiddenError,
    NotFoundError,
    SpecClientError,
    UnauthorizedError,
)

__all__ = [
    "ClicDataAPIError",
    "ClicDataAuthError",
    "ClicDataScopeError",
    "ClicDataNotFoundError",
    "AppendInterrupted",
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


class AppendInterrupted(SpecClientError):
    """An append stopped midway: ``rows_stored`` rows of the frame (its first, by position)
    are in data set ``rec_id``, the rest are not; ``append(rec_id, df.iloc[rows_stored:])``
    resumes. ``rows_unsure`` rows after those may be stored too when the failure also kept the
    row count from being read (then the message says how to tell). The failure is the
    ``__cause__``."""

    def __init__(
        self,
        rec_id: Any,
        stored: int,
        total: int,
        error: BaseException,
        *,
        held: int,
        unsure: int = 0,
    ) -> None:
        self.rec_id = rec_id
        self.rows_stored = stored
        self.rows_total = total
        self.rows_unsure = unsure
        resume = f"To resume: client.data.append({rec_id!r}, df.iloc[{stored}:])"
        if unsure:
            resume = (
                f"The next {unsure} rows (df.iloc[{stored}:{stored + unsure}]) may be stored "
                f"too (the row count could not be read after the failure). To resume: if "
                f"client.data.row_count({rec_id!r}) is {held}, client.data.append({rec_id!r}, "
                f"df.iloc[{stored}:]); if it is {held + unsure}, client.data.append({rec_id!r}, "
                f"df.iloc[{stored + unsure}:])"
            )
        super().__init__(
            f"data.append(): stopped after the first {stored} of {total} rows of the frame "
            f"(df.iloc[:{stored}]) were stored in data set {rec_id} (it holds {held} rows): "
            f"{error}. {resume}"
        )
