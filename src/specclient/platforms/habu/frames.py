"""Question-run results as typed tables, through :mod:`specclient.tables`.

The API sends every value as a string (``stats: [{column: "123"}]``) and describes the columns
in ``metadata: [{fieldName, dataType, columnName}]``. Each page is decoded from its bytes
straight into a typed Arrow batch (the rows never exist as Python dicts), typed from the
metadata; pandas comes last, from the Arrow columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...tables.columns import NULLABLE_PANDAS, Column

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["KINDS", "PANDAS_DTYPES", "ResultFrameBuilder", "result_columns", "result_frame"]

#: How each ``metadata[].dataType`` maps to a table kind (see specclient.tables.columns).
KINDS: Mapping[str, str] = {
    "BOOLEAN": "boolean",
    "DATE": "date",
    "DECIMAL": "number",
    "DOUBLE": "number",
    "FLOAT": "number",
    "INTEGER": "integer",
    "LONG": "integer",
    "STRING": "string",
    "TEXT": "string",
    "TIMESTAMP": "timestamp",
}

#: How each ``metadata[].dataType`` becomes a pandas dtype (nullable where pandas has one).
PANDAS_DTYPES: Mapping[str, str] = {name: NULLABLE_PANDAS[kind] for name, kind in KINDS.items()}


def result_columns(
    metadata: Sequence[Mapping[str, Any]], keys: Iterable[str] | None = None
) -> list[Column]:
    """The result's columns, named by ``fieldName``, in the metadata's order.

    Rows are keyed by ``fieldName``; where the rows seen (``keys``) say ``columnName``
    instead, that is where the value is read from.
    """
    seen = set(keys) if keys is not None else None
    columns = []
    for item in metadata:
        name = str(item.get("fieldName") or item.get("columnName") or "")
        key = name
        if seen is not None and name not in seen and item.get("columnName") in seen:
            key = str(item["columnName"])
        kind = KINDS.get(str(item.get("dataType") or "STRING").upper(), "string")
        columns.append(Column(name, kind, key=key, text=True))
    return columns


def first_keys(payload: Mapping[str, Any]) -> list[str] | None:
    """The keys of a page's first row (None for an empty page)."""
    stats = payload.get("stats") or []
    return list(stats[0]) if stats and isinstance(stats[0], Mapping) else None


class ResultFrameBuilder:
    """Collects pages of ``stats`` rows and builds one typed DataFrame.

    Parameters
    ----------
    metadata
        The result's ``metadata`` list. Columns appear in this order, named by ``fieldName``.
    chunk_rows
        Rows held as Python values before they become a typed Arrow batch.
    """

    def __init__(self, metadata: Sequence[Mapping[str, Any]], *, chunk_rows: int = 50_000):
        self.metadata = [dict(m) for m in metadata]
        self.chunk_rows = chunk_rows
        self.columns: list[Column] | None = None
        self._pending: list[Mapping[str, Any]] = []
        self._batches: list[pa.RecordBatch] = []
        self.rows = 0

    @property
    def names(self) -> list[str]:
        return [str(m.get("fieldName") or m.get("columnName")) for m in self.metadata]

    def add(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append one page of rows (the ``stats`` list)."""
        rows = list(rows)
        if not rows:
            return
        if self.columns is None:
            self.columns = result_columns(self.metadata, rows[0])
        self._pending.extend(rows)
        self.rows += len(rows)
        if len(self._pending) >= self.chunk_rows:
            self._flush()

    def _flush(self) -> None:
        from ...tables.decode import batch_from_records

        if self._pending and self.columns:
            self._batches.append(batch_from_records(self._pending, self.columns))
        self._pending = []

    def frame(self) -> pd.DataFrame:
        """The rows added so far as one DataFrame with a dtype per column."""
        import pyarrow as pa

        from ...tables.columns import arrow_schema
        from ...tables.frames import columns_of, to_pandas

        self._flush()
        columns = self.columns or result_columns(self.metadata)
        table = pa.Table.from_batches(self._batches, schema=arrow_schema(columns))
        self._batches = []
        by_name, table = columns_of(table), None  # each column freed as it converts
        return to_pandas(by_name, columns)


def result_frame(payload: Mapping[str, Any]) -> pd.DataFrame:
    """One ``QuestionRunResultData`` page (``metadata`` + ``stats``) as a typed DataFrame.

    An empty body (the platform's "no data") gives an empty frame.
    """
    payload = payload or {}
    builder = ResultFrameBuilder(payload.get("metadata") or [])
    builder.add(payload.get("stats") or [])
    return builder.frame()
