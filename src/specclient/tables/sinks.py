"""Where decoded batches go as pages arrive: kept for one table, or written to a file.

A sink sees one batch at a time, so writing a result to Parquet or CSV holds one page in
memory, whatever the table's size. Every platform's table-shaped answer feeds the same sinks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Sink", "Collect", "ParquetFile", "CsvFile", "sink_for"]


class Sink(Protocol):
    def add(self, batch: pa.RecordBatch) -> None: ...
    def close(self, schema: pa.Schema) -> Any: ...
    def abort(self) -> None: ...


class Collect:
    """Keeps every batch; ``close`` gives one ``pyarrow.Table``."""

    def __init__(self) -> None:
        self.batches: list[pa.RecordBatch] = []

    def add(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def close(self, schema: pa.Schema) -> pa.Table:
        import pyarrow as pa

        table = pa.Table.from_batches(self.batches, schema=schema)
        self.batches = []
        return table

    def abort(self) -> None:
        self.batches = []


class _File:
    """Writes to ``<path>.partial`` and renames it on success, so a file at ``path`` is always
    a whole table: a fetch that fails midway leaves no file that looks finished."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._partial = self.path.with_name(self.path.name + ".partial")
        self._writer: Any = None

    def _open(self, schema: pa.Schema) -> Any:
        raise NotImplementedError

    def add(self, batch: pa.RecordBatch) -> None:
        if self._writer is None:
            self._writer = self._open(batch.schema)
        self._writer.write_batch(batch)

    def close(self, schema: pa.Schema) -> Path:
        if self._writer is None:  # no rows: still a file with the columns
            self._writer = self._open(schema)
        self._writer.close()
        os.replace(self._partial, self.path)
        return self.path

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._partial.unlink(missing_ok=True)


class ParquetFile(_File):
    """One Parquet row group per page."""

    def _open(self, schema: pa.Schema) -> Any:
        import pyarrow.parquet as pq

        return pq.ParquetWriter(self._partial, schema)


class CsvFile(_File):
    """A header line, then each page's rows (timestamps in ISO 8601)."""

    def _open(self, schema: pa.Schema) -> Any:
        import pyarrow.csv as pcsv

        return pcsv.CSVWriter(self._partial, schema)


def sink_for(to_parquet: Any = None, to_csv: Any = None) -> Sink:
    """The sink a call's ``to_parquet=`` / ``to_csv=`` ask for (at most one), else one table."""
    from ..errors import ParameterError

    if to_parquet is not None and to_csv is not None:
        raise ParameterError("table", "give to_parquet= or to_csv=, not both", "to_csv")
    if to_parquet is not None:
        return ParquetFile(to_parquet)
    if to_csv is not None:
        return CsvFile(to_csv)
    return Collect()
