"""JSON records to pandas DataFrames with honest dtypes. pandas is imported only here.

The rules: integer columns with gaps stay integers (pandas' nullable ``Int64``) instead of
turning into floats; booleans with gaps become ``boolean``; fields the spec marks ``date-time``
(or ``date``) become datetimes. Without a schema, columns whose values are all Python ints or
bools get the same treatment.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._jsonpath import dig
from .openapi.model import schema_types

if TYPE_CHECKING:
    import pandas as pd

    from .openapi.model import Operation


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
    """The JSON schema of each column, read from the operation's success response."""
    if operation is None or operation.success is None or not operation.success.schema:
        return {}
    schema: Any = operation.success.schema
    for part in records.split(".") if records else []:
        if not isinstance(schema, Mapping):
            return {}
        schema = (schema.get("properties") or {}).get(part, {})
    if isinstance(schema, Mapping) and schema.get("type") == "array":
        schema = schema.get("items", {})
    if isinstance(schema, Mapping):
        props = schema.get("properties")
        if isinstance(props, Mapping):
            return dict(props)
    return {}


def to_frame(
    payload: Any, operation: Operation | None = None, *, records: str | None = None
) -> pd.DataFrame:
    records = records or (operation.records if operation else None)
    rows = find_records(payload, records)
    return frame_from_records(rows, column_schemas(operation, records))


def frame_from_records(
    rows: Iterable[Any], schemas: Mapping[str, Mapping] | None = None
) -> pd.DataFrame:
    import pandas as pd

    rows = list(rows)
    if rows and not isinstance(rows[0], Mapping):
        frame = pd.DataFrame({"value": rows})
    else:
        frame = (
            pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=list(schemas or {}))
        )
    return apply_dtypes(frame, schemas or {})


def apply_dtypes(frame: pd.DataFrame, schemas: Mapping[str, Mapping]) -> pd.DataFrame:
    import pandas as pd

    for column in frame.columns:
        schema = schemas.get(column) or {}
        kind = next(iter(schema_types(schema)), None)  # the model's one reading of "type"
        fmt = schema.get("format")
        series = frame[column]
        try:
            if fmt in ("date-time", "date") and kind in (None, "string"):
                frame[column] = pd.to_datetime(
                    series, utc=(fmt == "date-time"), errors="coerce", format="ISO8601"
                )
            elif kind == "integer" or (kind is None and _all_ints(series)):
                frame[column] = pd.array(_ints(series), dtype="Int64")
            elif kind == "boolean" or (kind is None and _all_bools(series)):
                if series.isna().any() or kind == "boolean":
                    frame[column] = pd.array(series.tolist(), dtype="boolean")
            elif kind == "number" and series.dtype == object:
                frame[column] = pd.to_numeric(series, errors="coerce")
        except (TypeError, ValueError):
            continue  # a value the schema did not predict: keep the column as it came
    return frame


def _all_ints(series: Any) -> bool:
    values = [v for v in series.tolist() if v is not None and v == v]
    return bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _all_bools(series: Any) -> bool:
    values = [v for v in series.tolist() if v is not None and v == v]
    return bool(values) and all(isinstance(v, bool) for v in values)


def _ints(series: Any) -> list[Any]:
    out: list[Any] = []
    for v in series.tolist():
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, str):
            out.append(int(v) if v.strip() else None)
        else:
            out.append(int(v))
    return out


def frame_from_csv(content: bytes) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(io.BytesIO(content))


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)
