"""The one error tree of specclient.

Every error a user can meet derives from :class:`SpecClientError`. Messages name what is wrong
(the operation, the argument, the JSON pointer, the status) and never carry a secret: URLs are
stripped of query values that look like credentials before they reach a message.
"""

from __future__ import annotations

import builtins

# One redaction rule for logs, errors and cassettes; re-exported here for existing callers.
from specclient._secrets import redact_secret_values, redact_url

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "SpecClientError",
    "SpecError",
    "SpecWarning",
    "ParameterError",
    "AuthError",
    "APIError",
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "ConnectionError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "WaiterError",
    "WaiterTimeoutError",
    "RunFailed",
    "RunTimeoutError",
    "OutcomeUnknown",
    "api_error_for_status",
]

_EXCERPT_LIMIT = 500


class SpecClientError(Exception):
    """Base of every error specclient raises.

    Text arguments are masked by value against the credentials the process was given
    (:func:`specclient._secrets.register_secret_value`), a last line of defence for a message
    that quotes one: ``str``, ``repr`` and tracebacks all read ``args``.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*(redact_secret_values(a) if isinstance(a, str) else a for a in args))


class SpecError(SpecClientError):
    """The spec is broken or unsupported; ``pointer`` is the JSON pointer of the fault."""

    def __init__(self, message: str, pointer: str = "", source: str | None = None) -> None:
        self.pointer = pointer
        self.source = source
        where = f" at {pointer or '#'}" if pointer or source else ""
        origin = f" in {source}" if source else ""
        super().__init__(f"{message}{where}{origin}")


class SpecWarning(UserWarning):
    """The spec has a fault that loading worked around (two operations with one name, a path
    parameter used but never declared); the message says what was done instead."""


class ParameterError(SpecClientError, TypeError):
    """A call's arguments are wrong; raised before anything is sent."""

    def __init__(self, operation: str, message: str, argument: str | None = None) -> None:
        self.operation = operation
        self.argument = argument
        super().__init__(f"{operation}(): {message}")


class AuthError(SpecClientError):
    """Credentials are missing, refused, or a token could not be obtained."""


class APIError(SpecClientError):
    """The server answered with an error status (or an error envelope)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        url: str,
        response_excerpt: str = "",
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.method = method
        self.url = redact_url(url)
        self.response_excerpt = response_excerpt[:_EXCERPT_LIMIT]
        self.request_id = request_id
        self.body = body
        parts = [f"{status_code} {message}".strip(), f"({method} {self.url})"]
        if request_id:
            parts.append(f"[request id {request_id}]")
        if self.response_excerpt and _adds_to(message, self.response_excerpt):
            parts.append(f"response: {self.response_excerpt}")
        super().__init__(" ".join(parts))

    # civis-python exposes these names on CivisAPIError; keep them for code written against it.
    @property
    def status(self) -> int:
        return self.status_code


def _adds_to(message: str, excerpt: str) -> bool:
    """Whether a response excerpt says more than ``message`` (taken from it) already does.

    An envelope such as ``{"success": false, "error": {"code": "NotFound", "description":
    "<message>"}}`` only repeats it; one with field errors or other sentences does not, and
    stays in the error's text (it is kept on ``response_excerpt`` either way).
    """
    import json

    if not message:
        return True
    try:
        payload = json.loads(excerpt)
    except ValueError:
        return excerpt.strip() not in message

    def leaves(value: Any) -> Any:
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    # a code ("NotFound"), a flag or a number adds nothing a reader needs twice
    return any(
        isinstance(leaf, str) and leaf not in message and " " in leaf.strip()
        for leaf in leaves(payload)
    )


class BadRequestError(APIError):
    """400."""


class UnauthorizedError(APIError, AuthError):
    """401: the credentials were refused."""


class ForbiddenError(APIError, AuthError):
    """403."""


class NotFoundError(APIError):
    """404."""


class ConflictError(APIError):
    """409."""


class UnprocessableEntityError(APIError):
    """422."""


class RateLimitError(APIError):
    """429 after the retry policy gave up; ``retry_after`` in seconds when the server said."""

    retry_after: float | None = None


class ServerError(APIError):
    """5xx after the retry policy gave up."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def api_error_for_status(status_code: int) -> type[APIError]:
    """The most specific :class:`APIError` subclass for an HTTP status."""
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return ServerError
    return APIError


class TransportError(SpecClientError):
    """The request could not be completed at the transport level."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = redact_url(url)
        where = f" ({method} {self.url})" if method else ""
        super().__init__(f"{message}{where}")


class TimeoutError(TransportError, builtins.TimeoutError):
    """The server did not answer in time (also a built-in ``TimeoutError``)."""


class ConnectionError(TransportError, builtins.ConnectionError):
    """The connection failed or was dropped (also a built-in ``ConnectionError``)."""


class ResponseDecodeError(SpecClientError):
    """The server's reply could not be decoded as the spec says it should be."""


class ResponseTooLargeError(ResponseDecodeError):
    """The reply is larger than the client's ``max_response_bytes`` (after decompression):
    it was not read into memory. ``limit`` is the limit in bytes."""

    def __init__(self, message: str, *, limit: int) -> None:
        self.limit = limit
        super().__init__(message)


class WaiterError(SpecClientError):
    """A long-running job ended in a failure state; ``state`` and ``reason`` say which and why."""

    def __init__(
        self,
        message: str,
        *,
        state: str | None = None,
        reason: str | None = None,
        payload: Any = None,
    ) -> None:
        self.state = state
        self.reason = reason
        self.payload = payload
        super().__init__(message)


class WaiterTimeoutError(WaiterError, builtins.TimeoutError):
    """Polling gave up before the job reached a final state."""


class RunFailed(WaiterError):
    """A long-running run (a job, a question run, a pipeline...) ended in a failure state.

    The one failure of every platform's runs; platforms subclass it where they add fields.
    ``reason`` is the platform's own text for why, ``run_id`` and ``url`` (a link to the run in
    the platform's UI, where there is one) say which run.
    """

    def __init__(
        self,
        message: str,
        *,
        run_id: Any = None,
        url: str | None = None,
        state: str | None = None,
        reason: str | None = None,
        payload: Any = None,
    ) -> None:
        self.run_id = run_id
        self.url = url
        super().__init__(message, state=state, reason=reason, payload=payload)


class RunTimeoutError(WaiterTimeoutError):
    """Waiting for a run gave up before it ended; ``state`` is where the run was last seen.

    Also ``concurrent.futures.TimeoutError`` (the built-in ``TimeoutError``). The run itself
    goes on: waiting again resumes.
    """

    def __init__(
        self,
        message: str,
        *,
        run_id: Any = None,
        url: str | None = None,
        state: str | None = None,
        payload: Any = None,
    ) -> None:
        self.run_id = run_id
        self.url = url
        super().__init__(message, state=state, payload=payload)


class OutcomeUnknown(SpecClientError):
    """The reply to a request that changes state was lost: it may or may not have taken
    effect. ``action`` names it, ``check`` is the call that shows which; the transport or
    server error is the ``__cause__``.

    Raised where a platform's state cannot settle the question (a run start, a trigger, an
    import); catch it to check before trying again, never to retry blindly.
    """

    def __init__(self, action: str, check: str, error: BaseException) -> None:
        self.action = action
        self.check = check
        super().__init__(
            f"{action}: the reply was lost ({error}), so it may or may not have happened; "
            f"check {check} before trying again"
        )
