"""Question-run results to a typed DataFrame.

The API sends every value as a string (``stats: [{column: "123"}]``) and describes the columns
in ``metadata: [{fieldName, dataType, columnName}]``. Rows are converted in chunks as they
arrive, column by column with pandas' vectorised parsers, so a million-row result never exists
as a million Python dicts at once: only the current chunk of strings plus typed arrays.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ResultFrameBuilder", "result_frame", "PANDAS_DTYPES"]

#: How each ``metadata[].dataType`` becomes a pandas dtype (nullable where pandas has one).
PANDAS_DTYPES: Mapping[str, str] = {
    "BOOLEAN": "boolean",
    "DATE": "datetime64[ns]",
    "DECIMAL": "Float64",
    "DOUBLE": "Float64",
    "FLOAT": "Float64",
    "INTEGER": "Int64",
    "LONG": "Int64",
    "STRING": "string",
    "TEXT": "string",
    "TIMESTAMP": "datetime64[ns, UTC]",
}

_TRUE = frozenset({"true", "t", "1", "yes"})
_FALSE = frozenset({"false", "f", "0", "no"})


def _key_of(column: Mapping[str, Any], sample: Mapping[str, Any] | None) -> str:
    """Rows are keyed by ``fieldName``; fall back to ``columnName`` if a row says otherwise."""
    field = str(column.get("fieldName") or column.get("columnName") or "")
    if sample is not None and field not in sample and column.get("columnName") in sample:
        return str(column["columnName"])
    return field


def _numbers(values: list[Any], kind: str) -> Any:
    """Strings to a nullable numeric array: numpy parses them in C when none is missing."""
    import numpy as np
    import pandas as pd

    dtype = PANDAS_DTYPES[kind]
    if "" not in values and None not in values:
        try:
            raw = np.array(values, dtype=np.int64 if dtype == "Int64" else np.float64)
            return pd.Series(pd.array(raw, dtype=dtype))
        except (TypeError, ValueError, OverflowError):
            pass  # "1e3" in an integer column, "NaN" text...: the general path decides
    series = pd.Series(values, dtype="object")
    numbers = pd.to_numeric(series.where(series != "", None), errors="coerce")
    return numbers.astype(dtype)


def _convert(values: list[Any], data_type: str) -> Any:
    import pandas as pd

    kind = data_type.upper()
    if kind in ("INTEGER", "LONG", "DECIMAL", "DOUBLE", "FLOAT"):
        return _numbers(values, kind)
    has_blank = "" in values or None in values
    series = pd.Series(values, dtype="object")
    if has_blank:
        series = series.where(series != "", None)
    if kind == "BOOLEAN":
        lowered = series.str.lower()
        out = pd.Series(pd.NA, index=series.index, dtype="boolean")
        out[lowered.isin(_TRUE)] = True
        out[lowered.isin(_FALSE)] = False
        return out
    if kind == "DATE":
        return pd.to_datetime(series, errors="coerce", format="ISO8601")
    if kind == "TIMESTAMP":
        return pd.to_datetime(series, errors="coerce", utc=True, format="ISO8601")
    return series.astype("string")


class ResultFrameBuilder:
    """Collects pages of ``stats`` rows and builds one typed DataFrame.

    Parameters
    ----------
    metadata
        The result's ``metadata`` list. Columns appear in this order, named by ``fieldName``.
    chunk_rows
        Rows held as strings before they are converted to typed arrays.
    """

    def __init__(self, metadata: Sequence[Mapping[str, Any]], *, chunk_rows: int = 50_000):
        self.metadata = [dict(m) for m in metadata]
        self.chunk_rows = chunk_rows
        self._keys: list[str] | None = None
        self._pending: dict[str, list[Any]] = {}
        self._pending_rows = 0
        self._chunks: list[dict[str, Any]] = []
        self.rows = 0

    @property
    def names(self) -> list[str]:
        return [str(m.get("fieldName") or m.get("columnName")) for m in self.metadata]

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append one page of rows (the ``stats`` list)."""
        rows = list(rows)
        if not rows:
            return
        if self._keys is None:
            self._keys = [_key_of(m, rows[0]) for m in self.metadata]
            self._pending = {name: [] for name in self.names}
            if self._keys:
                getter = operator.itemgetter(*self._keys)
                # itemgetter of one key returns the value, not a 1-tuple
                self._getter = getter if len(self._keys) > 1 else (lambda row: (getter(row),))
        if not self._keys:
            return  # no metadata: nothing to name the values by
        columns: list[Sequence[Any]]
        try:
            # one C-level pass: each row to a tuple of its values, then transposed
            columns = list(zip(*map(self._getter, rows), strict=True))
        except KeyError:  # a row without some column: slower, tolerant path
            columns = [[row.get(key) for row in rows] for key in self._keys]
        for name, values in zip(self.names, columns, strict=True):
            self._pending[name].extend(values)
        self._pending_rows += len(rows)
        self.rows += len(rows)
        if self._pending_rows >= self.chunk_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._pending_rows:
            return
        types = [str(m.get("dataType") or "STRING") for m in self.metadata]
        self._chunks.append(
            {
                name: _convert(self._pending[name], kind)
                for name, kind in zip(self.names, types, strict=True)
            }
        )
        self._pending = {name: [] for name in self.names}
        self._pending_rows = 0

    def frame(self) -> pd.DataFrame:
        """The rows added so far as one DataFrame with a dtype per column."""
        import pandas as pd

        self._flush()
        if not self._chunks:
            empty = {
                n: pd.Series([], dtype=PANDAS_DTYPES.get(str(m.get("dataType")).upper(), "string"))
                for n, m in zip(self.names, self.metadata, strict=True)
            }
            return pd.DataFrame(empty)
        columns = {}
        for name in self.names:
            parts = [chunk[name] for chunk in self._chunks]
            columns[name] = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        self._chunks = []
        return pd.DataFrame(columns)


def result_frame(payload: Mapping[str, Any]) -> pd.DataFrame:
    """One ``QuestionRunResultData`` page (``metadata`` + ``stats``) as a typed DataFrame.

    An empty body (the platform's "no data") gives an empty frame.
    """
    payload = payload or {}
    builder = ResultFrameBuilder(payload.get("metadata") or [])
    builder.add(payload.get("stats") or [])
    return builder.frame()
