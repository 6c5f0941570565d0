"""An operation's JSON records as a table: the engine's side of :mod:`specclient.tables`.

Each column gets a kind from the spec (the items' JSON Schema: ``integer``, ``number``,
``boolean``, ``string``, ``date-time``, ``date``) or, where the spec says nothing, from its
values (all ints, all bools, all numbers, all strings); anything else (nested objects, mixed
values) is an ``object`` column. The rows then go through the one table pipeline: a typed
Arrow batch, and pandas with honest dtypes (``Int64`` keeps integers with gaps, ``boolean``,
``Float64``, ``string``, ``datetime64[ns, UTC]``). ``object`` columns keep the Python values
in pandas and are JSON text in Arrow. pandas and pyarrow are imported only here.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._jsonpath import dig
from .openapi.model import schema_types

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .openapi.model import Operation
    from .tables.columns import Column


def find_records(payload: Any, records: str | None) -> list[Any]:
    """Where the table sits: ``records`` path, else the payload if a list, else the one list
    of objects inside an envelope, else the object as a single row."""
    if records:
        found = dig(payload, records)
        return list(found) if isinstance(found, list) else ([] if found is None else [found])
    if isinstance(payload, list):
        return payload
    if isinstance(payload, Mapping):
        lists = [
            v
            for v in payload.values()
            if isinstance(v, list) and (not v or isinstance(v[0], Mapping))
        ]
        if len(lists) == 1:
            return lists[0]
        return [payload]
    return [] if payload is None else [{"value": payload}]


def column_schemas(operation: Operation | None, records: str | None) -> dict[str, Mapping]:
    """The JSON schema of each column, read from the operation's success response (through
    ``oneOf``/``anyOf``/``allOf``: an API answering one of several shapes, as ClicData's
    legacy and versioned lists, still types its columns)."""
    if operation is None or operation.success is None or not operation.success.schema:
        return {}
    return _row_properties(operation.success.schema, records.split(".") if records else [])


def _row_properties(schema: Any, path: list[str]) -> dict[str, Mapping]:
    """The properties of the rows found at ``path`` inside ``schema`` (the first alternative
    of a composed schema that has them)."""
    if not isinstance(schema, Mapping):
        return {}
    for keyword in ("oneOf", "anyOf", "allOf"):
        for alternative in schema.get(keyword) or ():
            found = _row_properties(alternative, path)
            if found:
                return found
    if path:
        inner = (schema.get("properties") or {}).get(path[0])
        return _row_properties(inner, path[1:]) if inner is not None else {}
    if schema.get("type") == "array":
        return _row_properties(schema.get("items"), [])
    props = schema.get("properties")
    return dict(props) if isinstance(props, Mapping) else {}


def kind_of_schema(schema: Mapping[str, Any] | None) -> str | None:
    """The table kind a JSON Schema names, or None when it names none (then values decide)."""
    schema = schema or {}
    kind = next(iter(schema_types(schema)), None)  # the model's one reading of "type"
    fmt = schema.get("format")
    if fmt in ("date-time", "date") and kind in (None, "string"):
        return "timestamp" if fmt == "date-time" else "date"
    return kind if kind in ("integer", "number", "boolean", "string") else None


def _as_rows(rows: Iterable[Any]) -> list[Mapping[str, Any]]:
    rows = list(rows)
    if rows and not isinstance(rows[0], Mapping):
        return [{"value": row} for row in rows]
    return rows


def columns_for(
    rows: list[Mapping[str, Any]], schemas: Mapping[str, Mapping] | None = None
) -> list[Column]:
    """The columns of ``rows``: every key in order of first appearance (the schema's
    properties when there are no rows), each with the kind its schema or its values give."""
    from .tables.columns import Column, kind_of_values

    schemas = schemas or {}
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    if not rows:
        names = dict.fromkeys(schemas)
    columns = []
    for name in names:
        kind = kind_of_schema(schemas.get(name)) or kind_of_values(row.get(name) for row in rows)
        columns.append(Column(str(name), kind, key=name))
    return columns


def to_frame(
    payload: Any, operation: Operation | None = None, *, records: str | None = None
) -> pd.DataFrame:
    records = records or (operation.records if operation else None)
    return frame_from_records(find_records(payload, records), column_schemas(operation, records))


def to_table(
    payload: Any, operation: Operation | None = None, *, records: str | None = None
) -> pa.Table:
    """The records of ``payload`` as a ``pyarrow.Table`` typed like :func:`to_frame`."""
    import pyarrow as pa

    from .tables.decode import batch_from_records

    records = records or (operation.records if operation else None)
    rows = _as_rows(find_records(payload, records))
    batch = batch_from_records(rows, columns_for(rows, column_schemas(operation, records)))
    return pa.Table.from_batches([batch])


def frame_from_records(
    rows: Iterable[Any], schemas: Mapping[str, Mapping] | None = None
) -> pd.DataFrame:
    """Rows (dicts; other values become a ``value`` column) as a typed DataFrame."""
    import pandas as pd
    import pyarrow as pa

    from .tables.decode import batch_from_records
    from .tables.frames import to_pandas

    rows = _as_rows(rows)
    columns = columns_for(rows, schemas)
    frame = to_pandas(pa.Table.from_batches([batch_from_records(rows, columns)]), columns)
    for column in columns:
        if column.kind == "object":  # nested values stay Python objects, not JSON text
            frame[column.name] = pd.Series([row.get(column.key) for row in rows], dtype=object)
    return frame


class PageTables:
    """The pages of one paginated answer as Arrow batches of one schema: the columns are
    fixed by the spec and the first page that has rows, so every batch has the same types."""

    def __init__(self, schemas: Mapping[str, Mapping]) -> None:
        self.schemas = schemas
        self.columns: list[Column] | None = None

    def batch(self, rows: list[Any]) -> pa.RecordBatch:
        from .tables.decode import batch_from_records

        rows = _as_rows(rows)
        if self.columns is None and (rows or self.schemas):
            self.columns = columns_for(rows, self.schemas)
        return batch_from_records(rows, self.columns or [])


def frame_from_csv(content: bytes) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(io.BytesIO(content))


def table_from_csv(content: bytes) -> pa.Table:
    import pyarrow.csv as pcsv

    return pcsv.read_csv(io.BytesIO(content))
