"""Text on the wire to typed Arrow arrays, in C: the API's ``"123"`` becomes an ``int64``.

A blank string is a missing value. A value Arrow's strict parsers refuse (``"1e3"`` in an
integer column, a timestamp without an offset, a date out of the nanosecond range) sends that
column through pandas' lenient parsers instead, where what cannot be read becomes missing:
the same answer, only slower, for the rare column that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .columns import arrow_type

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["parse_text"]

_TRUE = ("true", "t", "1", "yes")
_FALSE = ("false", "f", "0", "no")


def parse_text(values: pa.Array, kind: str) -> pa.Array:
    """``values`` (strings, possibly with nulls) as an array of ``kind``'s Arrow type."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    if kind in ("string", "object"):
        return values
    blank = pc.equal(values, "")
    if pc.any(blank).as_py():
        values = pc.if_else(blank, pa.scalar(None, pa.string()), values)
    if kind == "boolean":
        lowered = pc.utf8_lower(values)
        return pc.if_else(
            pc.is_in(lowered, pa.array(_TRUE)),
            True,
            pc.if_else(pc.is_in(lowered, pa.array(_FALSE)), False, pa.scalar(None, pa.bool_())),
        )
    try:
        return pc.cast(values, arrow_type(kind))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _lenient(values, kind)


def _lenient(values: pa.Array, kind: str) -> pa.Array:
    import pandas as pd
    import pyarrow as pa

    series = pd.Series(values.to_pylist(), dtype="object")
    parsed: Any
    if kind in ("integer", "number"):
        parsed = pd.to_numeric(series, errors="coerce")
        if kind == "integer":
            whole = parsed.isna() | (parsed == parsed.round())
            parsed = parsed.where(whole).astype("Float64").astype("Int64")
    else:
        utc = kind == "timestamp"
        parsed = pd.to_datetime(series, errors="coerce", utc=utc, format="ISO8601")
        parsed = parsed.astype("datetime64[ns, UTC]" if utc else "datetime64[ns]")
    return pa.array(parsed, type=arrow_type(kind), from_pandas=True)
