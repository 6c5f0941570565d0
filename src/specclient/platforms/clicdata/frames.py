"""ClicData tables <-> pandas DataFrames: column types, JSON-safe rows, typed frames.

The community wrapper looked dtypes up by their exact ``.name`` (so ``datetime64[ns]``,
``int32`` and ``float32`` raised ``KeyError``) and sent values as pandas gave them (NaN,
``Timestamp`` and numpy scalars are not JSON). Here every dtype is mapped by its *kind*, and
values are converted a column at a time with numpy, which keeps a million-row append fast and
its memory bounded to one block of rows.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

from specclient.errors import ParameterError

__all__ = [
    "BLOCK_ROWS",
    "column_types",
    "column_type_for",
    "columns_for_frame",
    "check_frame",
    "check_cells",
    "frame_columns_as_json",
    "iter_column_blocks",
    "iter_record_blocks",
    "records_to_frame",
    "ColumnCollector",
    "json_safe",
]


#: Rows made JSON-ready at once (:func:`iter_column_blocks`, a cell check, an append's chunks).
BLOCK_ROWS = 50_000


def __getattr__(name: str) -> Any:
    # COLUMN_TYPES is read from the spec (components.schemas.Column.data_type's enum) the
    # first time it is asked for: the spec is the one place the column types are written.
    if name == "COLUMN_TYPES":
        return column_types()
    raise AttributeError(name)


@cache
def column_types() -> tuple[str, ...]:
    """The ``data_type`` values ClicData accepts when a table is created, from the spec."""
    import yaml

    from specclient.openapi import bundled_spec

    with bundled_spec("clicdata").open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    column = document["components"]["schemas"]["Column"]["properties"]["data_type"]
    return tuple(column["enum"])


def column_type_for(dtype: Any, *, column: str = "?", operation: str = "data") -> str:
    """The ClicData column type for a pandas/numpy dtype, decided by kind, not by name.

    Parameters
    ----------
    dtype : numpy.dtype or pandas ExtensionDtype
        The column's dtype (any width, nullable or not, tz-aware or naive).
    column : str
        The column's name, for the error message.
    operation : str
        The calling workflow, for the error message.

    Returns
    -------
    str
        One of :data:`COLUMN_TYPES`.

    Raises
    ------
    specclient.errors.ParameterError
        When the dtype has no sensible column type (complex numbers, intervals, periods).
    """
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        # The wrapper's choice: "dropdown" needs a list of options ClicData keeps elsewhere.
        return "text"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "datetime"
    if isinstance(dtype, pd.BooleanDtype):
        return "checkbox"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    kind = getattr(dtype, "kind", None)
    if kind == "b":
        return "checkbox"
    if kind in ("i", "u", "f"):
        return "number"
    if kind == "M":
        return "datetime"
    if kind in ("m", "O", "U", "S"):
        # Durations have no ClicData type; they travel as ISO 8601 text (P1DT2H...).
        return "text"
    raise ParameterError(
        operation,
        f"column {column!r} has dtype {dtype}, which has no ClicData column type "
        f"(supported: numbers, booleans, datetimes, durations, categories, text)",
        argument="df",
    )


def columns_for_frame(
    df: pd.DataFrame, *, operation: str = "data.create_from_dataframe"
) -> list[dict[str, str]]:
    """``[{"name", "data_type"}]`` for every column of ``df``, in order."""
    check_frame(df, operation=operation)
    return [
        {
            "name": str(name),
            "data_type": column_type_for(df[name].dtype, column=str(name), operation=operation),
        }
        for name in df.columns
    ]


def check_frame(df: Any, *, operation: str) -> None:
    """Refuse what cannot be sent, before anything is sent.

    Raises
    ------
    specclient.errors.ParameterError
        Not a DataFrame, no columns, duplicate column names, or infinite floats (JSON has no
        infinity, and ClicData would store something else than what the frame holds).
    """
    import numpy as np
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise ParameterError(
            operation, f"df must be a pandas DataFrame, not {type(df).__name__}", "df"
        )
    if len(df.columns) == 0:
        raise ParameterError(operation, "df has no columns", "df")
    names = [str(name) for name in df.columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ParameterError(operation, f"df has duplicate column names: {duplicates}", "df")
    for position, name in enumerate(df.columns):
        series = df.iloc[:, position]
        if getattr(series.dtype, "kind", None) == "f" or isinstance(series.dtype, pd.Float64Dtype):
            values = series.to_numpy(dtype="float64", na_value=np.nan)
            if np.isinf(values).any():
                raise ParameterError(
                    operation,
                    f"column {str(name)!r} holds infinite values, which JSON cannot carry",
                    "df",
                )


# What a ClicData column of each type accepts, once a value is JSON-ready (json_safe): the
# server refuses a chunk holding anything else, after storing the chunks before it.
def _holds_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    return False


def _holds_checkbox(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.lower() in ("true", "false")


def _holds_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        _dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_HOLDS = {
    "number": _holds_number,
    "percentage": _holds_number,
    "rec_id": _holds_number,
    "checkbox": _holds_checkbox,
    "datetime": _holds_datetime,
    "date": _holds_datetime,
}


def _fits_by_dtype(dtype: Any, kind: str) -> bool:
    """Whether every value of a column of ``dtype`` fits ``kind`` (decided without the values)."""
    import pandas as pd

    holds = _HOLDS.get(kind)
    if holds is None:  # text, dropdown, and types this client does not know: anything
        return True
    if holds is _holds_number:
        return column_type_for(dtype) == "number"
    if holds is _holds_checkbox:
        return getattr(dtype, "kind", None) == "b" or isinstance(dtype, pd.BooleanDtype)
    return isinstance(dtype, pd.DatetimeTZDtype) or getattr(dtype, "kind", None) == "M"


def check_cells(
    df: pd.DataFrame, types: Mapping[str, str], *, operation: str, block_rows: int = BLOCK_ROWS
) -> None:
    """Check every cell of ``df`` against its data set column's type, before anything is sent.

    A column whose dtype fits its type is passed without reading its values (numbers into
    ``number``, booleans into ``checkbox``, datetimes into ``datetime``); any other column's
    values are checked one by one as they would be sent.

    Raises
    ------
    specclient.errors.ParameterError
        The first cell the data set would refuse, naming its row and column.
    """
    for position, name in enumerate(df.columns):
        kind = types.get(str(name))
        if kind is None:
            continue
        series = df.iloc[:, position]
        if _fits_by_dtype(series.dtype, kind):
            continue
        holds = _HOLDS[kind]
        for start in range(0, len(df), block_rows):
            values = _column_as_json(series.iloc[start : start + block_rows])
            for offset, value in enumerate(values):
                if value is not None and not holds(value):
                    row = start + offset
                    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                    raise ParameterError(
                        operation,
                        f"row {row} (index {df.index[row]!r}), column {str(name)!r}: a {kind} "
                        f"column cannot hold {shown}; nothing was sent",
                        "df",
                    )


def json_safe(value: Any) -> Any:
    """One value as JSON-ready Python: NaN/NaT/NA -> None, timestamps -> ISO 8601, numpy -> Python."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    import numpy as np  # only now: a plain filter value needs neither (the CLI's start-up)
    import pandas as pd

    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return _iso_timestamp(value)
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64):
            return None if np.isnat(value) else _iso_timestamp(pd.Timestamp(value))
        if isinstance(value, np.timedelta64):
            return None if np.isnat(value) else pd.Timedelta(value).isoformat()
        return json_safe(value.item())
    if isinstance(value, _dt.datetime):
        return _iso_timestamp(pd.Timestamp(value))
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, decimal.Decimal):
        return None if value.is_nan() else float(value)
    return str(value)


def _iso_timestamp(value: pd.Timestamp) -> str:
    if value.tzinfo is not None:
        value = value.tz_convert("UTC").tz_localize(None)
        return value.isoformat() + "Z"
    return value.isoformat()


def _coarsest_unit(ticks: np.ndarray, unit: str) -> str:
    """The coarsest of s/ms/us/ns that shows every value exactly (so no column mixes formats)."""
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}.get(unit)
    if per_second is None:
        return "auto"
    for candidate, divisor in (("s", 1), ("ms", 1_000), ("us", 1_000_000)):
        step = per_second // divisor
        if step <= 1:
            return unit
        if not (ticks % step).any():
            return candidate
    return unit


def _datetimes_as_json(series: pd.Series) -> list[Any]:
    """ISO 8601 text per value (UTC with ``Z`` when the column has a time zone), None for NaT,
    at the coarsest unit that shows every value exactly: Arrow writes the text, about 2.5x
    faster than numpy's ``datetime_as_string`` and in the same format."""
    import numpy as np
    import pandas as pd

    aware = isinstance(series.dtype, pd.DatetimeTZDtype)
    if aware:
        series = series.dt.tz_convert(None)  # the same instants as UTC wall time (no copy)
    values = series.to_numpy()
    mask = np.isnat(values)
    unit, _ = np.datetime_data(values.dtype)
    ticks = values.view("int64")[~mask]
    chosen: Any = _coarsest_unit(ticks, unit)  # one of numpy's unit literals
    if chosen == "auto":  # not a unit Arrow has: numpy writes it
        text = np.datetime_as_string(values, unit=chosen)
        if aware:
            text = np.char.add(text, "Z")
        out = text.astype(object)
        out[mask] = None
        return out.tolist()  # type: ignore[no-any-return]
    import pyarrow as pa
    import pyarrow.compute as pc

    stamps = pa.array(values, from_pandas=True)  # NaT -> null
    if chosen != unit:
        stamps = stamps.cast(pa.timestamp(chosen))  # exact: no value has finer ticks
    # Arrow writes "2024-01-01 00:00:00[.fff]": numpy's text but for the "T"
    text = pc.replace_substring(stamps.cast(pa.string()), " ", "T", max_replacements=1)
    if aware:  # (Arrow writes the Z itself for a UTC column, but 7x slower)
        text = pc.binary_join_element_wise(text, "Z", "")
    return text.to_pylist()  # type: ignore[no-any-return]


def _column_as_json(series: pd.Series) -> list[Any]:
    """One column as a list of JSON-ready Python values, vectorised where the dtype allows."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    kind = getattr(dtype, "kind", None)
    if isinstance(dtype, pd.DatetimeTZDtype) or kind == "M":
        return _datetimes_as_json(series)
    if isinstance(dtype, np.dtype):
        if kind in ("b", "i", "u"):
            return series.to_numpy().tolist()
        if kind == "f":
            values = series.to_numpy()
            mask = np.isnan(values)
            if not mask.any():
                return values.tolist()
            out = values.astype(object)
            out[mask] = None
            return out.tolist()
    if isinstance(dtype, pd.CategoricalDtype):
        # The few categories converted once, then taken by code in C; code -1 (missing)
        # takes the None at the end.
        categories = [json_safe(v) for v in dtype.categories.to_numpy(dtype=object)]
        lookup = np.empty(len(categories) + 1, dtype=object)
        lookup[: len(categories)] = categories
        return lookup[series.cat.codes.to_numpy()].tolist()  # type: ignore[no-any-return]
    if isinstance(dtype, pd.StringDtype) or (
        kind == "O" and pd.api.types.infer_dtype(series, skipna=True) == "string"
    ):
        # Text only (checked in C): nothing to convert but missing values -> None.
        values = series.to_numpy(dtype=object)
        mask = pd.isna(values)
        if mask.any():
            values = values.copy()
            values[mask] = None
        return values.tolist()
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and kind in ("b", "i", "u", "f"):
        # Nullable numbers and booleans: pandas hands back Python scalars with None for NA.
        values = series.to_numpy(dtype=object, na_value=None).tolist()
        if kind != "f":  # no NaN to find among whole numbers and booleans
            return values  # type: ignore[no-any-return]
        return [None if isinstance(v, float) and math.isnan(v) else v for v in values]
    return [json_safe(v) for v in series.to_numpy(dtype=object)]


def frame_columns_as_json(df: pd.DataFrame) -> list[list[Any]]:
    """Every column of ``df`` as a list of JSON-ready values (column-major)."""
    return [_column_as_json(df.iloc[:, position]) for position in range(len(df.columns))]


def iter_column_blocks(
    df: pd.DataFrame, block_rows: int = BLOCK_ROWS
) -> Iterator[tuple[list[str], list[list[Any]]]]:
    """Yield ``(column names, the block's columns as JSON-ready lists)`` for consecutive
    blocks of ``df``: numpy does the converting, and the Python objects alive at once stay
    bounded by ``block_rows`` (a million-row frame as Python objects would take gigabytes)."""
    names = [str(name) for name in df.columns]
    for start in range(0, len(df), block_rows):
        yield names, frame_columns_as_json(df.iloc[start : start + block_rows])


def iter_record_blocks(
    df: pd.DataFrame, block_rows: int = BLOCK_ROWS
) -> Iterator[tuple[list[str], list[tuple]]]:
    """Yield ``(column names, rows as tuples)`` for consecutive blocks of ``df``
    (:func:`iter_column_blocks`, row-wise)."""
    for names, columns in iter_column_blocks(df, block_rows):
        yield names, list(zip(*columns, strict=True))


#: The wire type each ClicData column type is read as; ``None``: Arrow infers it, so whole
#: numbers stay ``int64`` and a page with a fraction says so (``number`` columns keep
#: pandas' int64 when every value on every page was whole, as before).
_WIRE = {
    "number": None,
    "rec_id": None,
    "percentage": "float64",
    "checkbox": None,
    "datetime": "string",
    "date": "string",
    "dropdown": "string",
    "text": "string",
}


def _wire_types(types: Mapping[str, str]) -> dict[str, Any]:
    import pyarrow as pa

    out = {}
    for name, kind in types.items():
        wire = _WIRE.get(kind, "string")
        if wire is not None:
            out[name] = pa.float64() if wire == "float64" else pa.string()
    return out


class ColumnCollector:
    """Collect pages of rows column by column as Arrow arrays, typed from the column types.

    A page read by Arrow from its bytes (:meth:`add_page`) never exists as Python dicts; a
    page of dicts (:meth:`add`) is converted column by column. Either way the collector
    holds compact typed arrays (one ``float64`` per number, Arrow strings), not a Python
    object per cell, and builds the DataFrame at the end. A column the metadata did not
    list is kept (missing on the pages before it appeared).
    """

    def __init__(self, columns: Sequence[Mapping[str, str]] | None = None) -> None:
        self.types = {str(c["name"]): str(c.get("data_type", "text")) for c in columns or ()}
        self.wire = _wire_types(self.types)
        self.chunks: dict[str, list[Any]] = {name: [] for name in self.types}
        self.fractional: set[str] = set()  # number columns where a value was not whole
        self.aware: dict[str, bool] = {}  # datetime columns: did the first value carry a zone
        self.rows = 0

    def add(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Append one page of ``{column: value}`` rows."""
        import pyarrow as pa

        if not records:
            return
        names = dict.fromkeys(self.chunks)
        for record in records:
            names.update(dict.fromkeys(record))
        arrays = {}
        for name in names:
            values = [record.get(name) for record in records]
            wire = self.wire.get(name)
            try:
                arrays[name] = pa.array(values, type=wire)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arrays[name] = pa.array([None if v is None else str(v) for v in values])
        self._add_arrays(arrays, len(records))

    def add_page(self, content: bytes, records: str) -> dict[str, Any] | None:
        """Append the rows at ``records`` of one page, read from its bytes by Arrow; returns the
        page's other top-level fields (envelope, pagination). None when Arrow's reader refused
        the page: nothing was added, read it with :mod:`json` and :meth:`add`."""
        from specclient.tables.decode import read_json_page

        page = read_json_page(content, records, self.wire, infer_others=True)
        if page is None:
            return None
        if page.rows:
            self._add_arrays(page.arrays, page.rows)
        return page.rest

    def _add_arrays(self, arrays: Mapping[str, Any], rows: int) -> None:
        import pyarrow as pa

        for name in arrays:
            if name not in self.chunks:  # a column the metadata did not list
                self.chunks[name] = [pa.nulls(self.rows)] if self.rows else []
        for name, chunks in self.chunks.items():
            values = arrays.get(name)
            if values is None:
                values = pa.nulls(rows, self.wire.get(name, pa.null()))
            kind = self.types.get(name)
            if kind in ("number", "rec_id") and pa.types.is_floating(values.type):
                self.fractional.add(name)
            if kind == "datetime" and name not in self.aware and values.null_count < len(values):
                first = next(v for v in values.to_pylist() if v is not None)
                self.aware[name] = isinstance(first, str) and (
                    first.endswith("Z") or _has_offset(first)
                )
            chunks.append(values)
        self.rows += rows

    def frame(self) -> pd.DataFrame:
        """The collected rows as a DataFrame typed like :func:`records_to_frame`.

        One column at a time: each column's pages are converted straight into its pandas
        array (no concatenated Arrow copy first) and released before the next column, and
        the frame keeps each column as its own block (``copy=False``: pandas would otherwise
        copy the numbers once more to consolidate them), so the memory above the finished
        frame is about one column's Arrow pages, not the whole table's.
        """
        import pandas as pd

        data: dict[str, pd.Series] = {}
        for name in list(self.chunks):
            data[name] = self._series(name, _unified(self.chunks.pop(name)))
        return pd.DataFrame(data, copy=False)

    def _series(self, name: str, column: pa.ChunkedArray) -> pd.Series:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        from specclient.tables.parse import parse_text

        kind = self.types.get(name)
        if kind in ("number", "rec_id"):
            if name in self.fractional or pa.types.is_null(column.type):
                return column.cast(pa.float64()).to_pandas()
            ints = column.cast(pa.int64())
            return _nullable(ints, pd.Int64Dtype()) if ints.null_count else ints.to_pandas()
        if kind == "percentage":
            return column.cast(pa.float64()).to_pandas()
        if kind == "checkbox":
            flags = column if pa.types.is_boolean(column.type) else _as_bool(column)
            return _nullable(flags, pd.BooleanDtype()) if flags.null_count else flags.to_pandas()
        if kind in ("datetime", "date"):
            aware = self.aware.get(name, False)
            try:  # every value written like the first (what a data set holds): Arrow's parser
                stamps = column.cast(pa.timestamp("ns", "UTC" if aware else None))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # mixed forms, blanks
                stamps = parse_text(column, "timestamp")
                if not aware:
                    stamps = stamps.cast(pa.timestamp("ns"))
            if kind == "date":
                stamps = pc.floor_temporal(stamps, unit="day")
            return stamps.to_pandas()
        if kind == "dropdown":
            return column.cast(pa.string()).to_pandas().astype("category")
        if kind == "text":  # Python strings and NaN for missing, as ClicData's dtypes say
            column = column.cast(pa.string())
            texts = column.to_numpy(zero_copy_only=False)
            if column.null_count:
                texts[column.is_null().to_numpy(zero_copy_only=False)] = np.nan
            return pd.Series(texts, dtype=object, copy=False)
        return column.to_pandas()

    def table(self) -> pa.Table:
        """The collected rows as a ``pyarrow.Table`` with the columns :meth:`frame` gives."""
        import pyarrow as pa

        return pa.Table.from_pandas(self.frame(), preserve_index=False)


def _nullable(values: pa.ChunkedArray, dtype: Any) -> pd.Series:
    """A column with missing values as pandas' nullable ``dtype`` (``Int64``, ``boolean``),
    built from the Arrow buffers (``pd.array`` over the values would visit each in Python)."""
    return values.to_pandas(types_mapper=lambda _: dtype)


def _unified(chunks: list[Any]) -> pa.ChunkedArray:
    """A column's pages as one chunked array; pages whose types differ (whole numbers on one
    page, fractions on another) meet at the wider type."""
    import pyarrow as pa

    if not chunks:
        return pa.chunked_array([], pa.null())
    types = {c.type for c in chunks if not pa.types.is_null(c.type)}
    if len(types) > 1:
        target = (
            pa.float64()
            if all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in types)
            else pa.string()
        )
        chunks = [c.cast(target) for c in chunks]
    elif types:
        (target,) = types
        chunks = [c.cast(target) if pa.types.is_null(c.type) else c for c in chunks]
    else:
        target = pa.null()
    return pa.chunked_array(chunks, type=target)


def _as_bool(column: Any) -> Any:
    """Checkbox values that were not JSON booleans (``1``/``0``, ``"true"``)."""
    import pyarrow as pa

    from specclient.tables.parse import parse_text

    return parse_text(column.cast(pa.string()), "boolean")


def _has_offset(text: str) -> bool:
    tail = text[-6:]
    return len(text) > 10 and tail[0] in "+-" and tail[3] == ":"


def records_to_frame(
    records: Sequence[Mapping[str, Any]], columns: Sequence[Mapping[str, str]] | None = None
) -> pd.DataFrame:
    """Rows as ``{column: value}`` objects -> a DataFrame typed from the table's column types.

    Parameters
    ----------
    records : sequence of mapping
        The rows, as the rows endpoints return them.
    columns : sequence of mapping, optional
        The table's ``[{"name", "data_type"}]``; gives the column order and dtypes even when
        there are no rows. Columns the rows carry beyond these keep pandas' inferred dtype.

    Returns
    -------
    pandas.DataFrame
        ``number`` -> int64 (Int64 with nulls) when every value is whole, else float64;
        ``percentage`` -> float64; ``checkbox`` -> bool (boolean with nulls); ``datetime`` ->
        datetime64 (UTC-aware when the wire values carry a zone); ``date`` -> datetime64 at
        midnight; ``dropdown`` -> category; ``rec_id`` -> int64; ``text`` -> object.
    """
    collector = ColumnCollector(columns)
    collector.add(records)
    return collector.frame()
