"""What a table's columns are: a name, where each record keeps the value, and a kind.

A *kind* is the one vocabulary every platform's type system is mapped into (Habu's
``dataType``, ClicData's column types, a JSON Schema's ``type``/``format``); Arrow types and
pandas dtypes are read from it, so every platform's table gets the same honest types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["KINDS", "Column", "arrow_type", "arrow_schema", "kind_of_values", "NULLABLE_PANDAS"]

#: Every kind a column can have. ``object`` is a column whose values have no one type
#: (nested objects, mixed values): JSON text in Arrow.
KINDS = ("string", "integer", "number", "boolean", "date", "timestamp", "object")

#: The pandas dtype of each kind: nullable wherever pandas has a nullable dtype, so a gap in
#: an integer column is ``<NA>``, not a float.
NULLABLE_PANDAS: Mapping[str, str] = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns, UTC]",
    "object": "object",
}


def kind_of_values(values: Iterable[Any], *, empty: str = "object") -> str:
    """The kind JSON values share, where no schema or metadata names one: all bools, all
    ints, all numbers, all strings; anything else (nested objects, mixed values) is
    ``object``. Missing values (None, NaN) don't count; ``empty`` is the kind of a column
    with none present."""
    present = [v for v in values if v is not None and v == v]
    if not present:
        return empty
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "number"
    if all(isinstance(v, str) for v in present):
        return "string"
    return "object"


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    name
        The column's name in the output.
    kind
        One of :data:`KINDS`.
    key
        The key of the value in each JSON record (default: ``name``).
    text
        True when the wire carries the value as text whatever its kind (Habu sends
        ``"123"``): it is parsed, a blank string being a missing value.
    """

    name: str
    kind: str = "string"
    key: str = ""
    text: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: kind {self.kind!r} is not one of {KINDS}")
        if not self.key:
            object.__setattr__(self, "key", self.name)


def arrow_type(kind: str) -> pa.DataType:
    """The Arrow type a column of ``kind`` holds once decoded."""
    import pyarrow as pa

    return {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.timestamp("ns"),
        "timestamp": pa.timestamp("ns", tz="UTC"),
    }.get(kind, pa.string())


def arrow_schema(columns: list[Column] | tuple[Column, ...]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(c.name, arrow_type(c.kind)) for c in columns])
