"""A lost reply to a request that starts something: the one error that says it may have
happened and how to check.

A run start or a trigger is not idempotent, so the engine does not repeat it after an
ambiguous failure (a dropped connection or a 5xx once the request may have reached the
server). Where a platform's state can settle the question, its workflow reads it; where it
cannot, :class:`~specclient.errors.OutcomeUnknown` (public there; importable from here as
before) is raised instead of the bare transport error, naming the call that shows whether
the action happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import OutcomeUnknown, ServerError, TransportError

__all__ = ["AMBIGUOUS", "OutcomeUnknown", "may_have_happened"]

#: Failures after which the server may or may not have applied a request.
AMBIGUOUS = (ServerError, TransportError)


@contextmanager
def may_have_happened(action: str, check: str) -> Iterator[None]:
    """Around one request (sync or awaited inside): an ambiguous failure becomes
    :class:`OutcomeUnknown`."""
    try:
        yield
    except AMBIGUOUS as error:
        raise OutcomeUnknown(action, check, error) from error
