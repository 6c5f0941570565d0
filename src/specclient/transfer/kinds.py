"""What each column of a copied table is, in the one vocabulary every platform maps to.

A copy reads Arrow batches from its source; each destination says which of the table kinds
(:data:`specclient.tables.KINDS`) it can store and how. A column whose Arrow type has no kind
(a list, a struct, binary, a duration), or whose kind the destination cannot hold, is refused
by :func:`refuse` before anything is written, naming the column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from ..errors import ParameterError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CopyTypeError", "kind_of", "kinds_of", "refuse"]


class CopyTypeError(ParameterError):
    """A source column cannot be written to the destination; raised before anything is
    written. ``column`` names it."""

    def __init__(self, column: str, message: str) -> None:
        self.column = column
        super().__init__("copy", f"column {column!r} {message}", "source")


def kind_of(data_type: pa.DataType) -> str | None:
    """The table kind of an Arrow type; None where it has none (nested, binary, duration)."""
    import pyarrow as pa

    t = pa.types
    if t.is_dictionary(data_type):
        return kind_of(data_type.value_type)
    if t.is_boolean(data_type):
        return "boolean"
    if t.is_integer(data_type):
        return "integer"
    if t.is_floating(data_type) or t.is_decimal(data_type):
        return "number"
    if t.is_string(data_type) or t.is_large_string(data_type) or t.is_null(data_type):
        return "string"
    if t.is_timestamp(data_type):
        return "timestamp" if data_type.tz is not None else "date"
    if t.is_date(data_type):
        return "date"
    return None


def kinds_of(schema: pa.Schema, destination: str) -> dict[str, str]:
    """Each column's kind; a :class:`CopyTypeError` for the first one without any."""
    kinds: dict[str, str] = {}
    for field in schema:
        kind = kind_of(field.type)
        if kind is None:
            return refuse(field.name, f"is {field.type}, which {destination} has no type for")
        kinds[field.name] = kind
    return kinds


def refuse(column: str, why: str) -> NoReturn:
    raise CopyTypeError(column, why)
