"""A scalar as the text that travels in a path, query, header or form field."""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import uuid
from typing import Any

from ..errors import ParameterError


def scalar_text(value: Any) -> str | None:
    """JSON-ish text for a scalar (``true``, ``3``, ``2024-01-02``); None when not a scalar.

    Anything else (an arbitrary object) would travel as its Python repr, which no server can
    read, so callers turn None into a :class:`ParameterError`.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return scalar_text(value.value)
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if hasattr(value, "item") and callable(value.item) and not hasattr(value, "__len__"):
        return scalar_text(value.item())  # numpy scalar
    if hasattr(value, "isoformat") and callable(value.isoformat):  # pandas Timestamp
        return str(value.isoformat())
    return None


def require_text(value: Any, qualname: str, name: str, where: str) -> str:
    text = scalar_text(value)
    if text is None:
        raise ParameterError(
            qualname,
            f"argument {name!r}: a {type(value).__name__} cannot be sent {where}; "
            "pass a string, number, boolean or date",
            name,
        )
    return text


def is_array(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset)
