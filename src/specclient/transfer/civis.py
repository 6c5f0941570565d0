"""Civis tables and SQL queries as copy sources, a Civis table as a destination, on the
civis.io helpers of :mod:`specclient.platforms.civis.io`.

Reading is ``read_civis`` / ``read_civis_sql`` with ``return_as="batches"``: record batches
typed from the table's own column types, downloaded as they are consumed. Writing stages the
rows in a local CSV file (one batch in memory), then imports it whole with ``csv_to_civis``
and waits for the import: the table is created or replaced by the one import, so a copy run
again after a failure ends with exactly the source's rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from .destinations import Destination, FileDestination, Save
from .drive import CopyFlow, Invoke, settle
from .kinds import kinds_of
from .sources import Source

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CivisRows", "CivisDestination", "civis_table", "civis_sql", "civis_destination"]

#: ``existing_table_rows`` a copy offers. "append" is not one: an import whose outcome was
#: lost cannot be told apart from one that never ran, so a re-run could add the rows twice.
EXISTING_TABLE_ROWS = ("fail", "truncate", "drop")

#: The SQL type each table kind is created with (text is as wide as its longest value).
SQL_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE PRECISION",
    "boolean": "BOOLEAN",
    "date": "TIMESTAMP",
    "timestamp": "TIMESTAMP",
}


@dataclass
class CivisRows(Source):
    """A Civis table's rows, or a query's."""

    client: Any
    database: Any
    sql: str
    label: str

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"civis:{self.client.base_url}/{self.database}/{self.label}"

    def open(self) -> CopyFlow:
        from ..platforms.civis.io import read_civis_sql

        client, sql, database = self.client, self.sql, self.database
        return (yield Invoke(lambda: read_civis_sql(sql, database, "batches", client=client)))


def civis_table(client: Any, database: str | int, table: str) -> CivisRows:
    """A Civis table's rows (``read_civis``), typed from its columns' SQL types."""
    from ..platforms.civis.io_sql import _get_sql_select

    if not isinstance(table, str) or not table.strip():
        raise ParameterError("copy", "table must be 'schema.table'", "source")
    return CivisRows(client, database, _get_sql_select(table), f"table/{table}")


def civis_sql(client: Any, sql: str, database: str | int) -> CivisRows:
    """A Civis query's rows (``read_civis_sql``)."""
    if not isinstance(sql, str) or not sql.strip():
        raise ParameterError("copy", "sql must be a non-empty query", "source")
    digest = hashlib.sha256(sql.encode()).hexdigest()[:16]
    return CivisRows(client, database, sql, f"sql/{digest}")


@dataclass
class CivisDestination(Destination):
    """A Civis table, created (or its rows replaced) by one import of the staged rows."""

    client: Any
    database: Any
    table: str
    existing_table_rows: str = "fail"
    _staged: FileDestination | None = field(default=None, repr=False)
    _kinds: dict[str, str] = field(default_factory=dict, repr=False)
    _widths: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"civis:{self.client.base_url}/{self.database}/table/{self.table}"

    def prepare(self, schema: pa.Schema, record: dict[str, Any] | None, save: Save) -> CopyFlow:
        import tempfile
        from pathlib import Path

        self._kinds = kinds_of(schema, "Civis")
        self._dates = {f.name for f in schema if _is_calendar_date(f.type)}
        folder = Path(tempfile.mkdtemp(prefix="specclient-copy-"))
        self._staged = FileDestination(folder / "rows.csv", "csv")
        return (yield from self._staged.prepare(schema, record, save))

    def write(self, batch: pa.RecordBatch) -> CopyFlow:
        import pyarrow.compute as pc

        assert self._staged is not None
        for name, kind in self._kinds.items():
            if kind == "string":
                longest = pc.max(pc.binary_length(batch.column(name))).as_py() or 0
                self._widths[name] = max(self._widths.get(name, 0), longest)
        return (yield from self._staged.write(batch))

    def finish(self, schema: pa.Schema) -> CopyFlow:
        from ..platforms.civis.io import csv_to_civis

        assert self._staged is not None
        path = yield from self._staged.finish(schema)
        columns = [{"name": name, "sql_type": self._sql_type(name)} for name in self._kinds]
        try:
            future = yield Invoke(
                lambda: csv_to_civis(
                    str(path),
                    self.database,
                    self.table,
                    client=self.client,
                    existing_table_rows=self.existing_table_rows,
                    table_columns=columns,
                    headers=True,
                )
            )
            return (yield settle(future))
        finally:
            self.abort()

    def _sql_type(self, name: str) -> str:
        kind = self._kinds[name]
        if kind == "string":
            return f"VARCHAR({max(256, self._widths.get(name, 0))})"
        if name in self._dates:
            return "DATE"
        return SQL_TYPES[kind]

    def abort(self) -> None:
        import shutil

        if self._staged is not None:
            self._staged.abort()
            shutil.rmtree(self._staged.path.parent, ignore_errors=True)


def _is_calendar_date(data_type: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_date(data_type))


def civis_destination(
    client: Any, database: str | int, table: str, *, existing_table_rows: str = "fail"
) -> CivisDestination:
    """A Civis table: created by the copy (``"fail"``, the default, refuses a table that
    exists, as civis.io does), or replaced (``"truncate"`` keeps its columns, ``"drop"``
    recreates it)."""
    if not isinstance(table, str) or "." not in table:
        raise ParameterError("copy", f"table must be 'schema.table', not {table!r}", "destination")
    if existing_table_rows not in EXISTING_TABLE_ROWS:
        raise ParameterError(
            "copy",
            f"existing_table_rows must be one of {EXISTING_TABLE_ROWS}, not "
            f"{existing_table_rows!r} (an appending import cannot be made exactly once)",
            "destination",
        )
    return CivisDestination(client, database, table, existing_table_rows)
