"""How the CLI prints a result: ``--output table|json|csv``.

JSON shows the payload as the server sent it (wire names, secrets masked), so piping into
``jq`` works with the service's own documentation. Tables and CSV need rows: a list of objects is
one row per object, a DataFrame is itself, a single object is one row, and an object whose
operation names its table (``x-records``) or pages (``x-pagination`` items) shows that table.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import IO, Any

from .http.redact import MASK, is_secret_name, redact_json
from .response import Response, ResponseList, dig

FORMATS = ("table", "json", "csv")
_CELL_LIMIT = 60  # wider cells wrap terminals into unreadable tables


def is_frame(value: Any) -> bool:
    """A pandas DataFrame, told without importing pandas: a result that is one was made by
    pandas, so it is loaded already. (Importing it costs a command ~0.5 s of start-up.)"""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def materialized(result: Any) -> Any:
    """A result that is an iterator (a workflow's pages or batches), read to its end: Arrow
    record batches as one DataFrame, anything else as a list. Printing the iterator itself
    would print its repr."""
    from collections.abc import Iterator

    if not isinstance(result, Iterator):
        return result
    items = list(result)
    pyarrow = sys.modules.get("pyarrow")
    if items and pyarrow is not None and isinstance(items[0], pyarrow.RecordBatch):
        return pyarrow.Table.from_batches(items).to_pandas()
    return items


def payload_of(result: Any) -> Any:
    """The JSON-shaped value behind a call's result (original key names)."""
    import dataclasses

    if isinstance(result, Response | ResponseList):
        return result.json()
    if isinstance(result, list | tuple):
        return [payload_of(item) for item in result]
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)  # a workflow's outcome (uSmart's PipelineOutcome)
    return result


def write_file(result: Any, path: str) -> None:
    """``--to PATH``: a table result as Parquet (``.parquet``) or CSV (``.csv``)."""
    import click
    import pandas as pd

    result = materialized(result)
    frame = result if is_frame(result) else None
    if frame is None:
        rows = rows_of(payload_of(result))
        if rows is None:
            raise click.UsageError(f"--to {path}: the result is not a table")
        frame = pd.DataFrame([{k: _cell(v) for k, v in row.items()} for row in rows])
    if path.endswith(".parquet"):
        frame.to_parquet(path, index=False)
    elif path.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        raise click.UsageError(f"--to {path}: name a .parquet or .csv file")


def rows_of(payload: Any, records: str | None = None) -> list[Mapping[str, Any]] | None:
    """The table inside a payload, or None when it holds no table."""
    if records:
        inner = dig(payload, records)
        if isinstance(inner, list):
            payload = inner
    if isinstance(payload, list):
        if all(isinstance(item, Mapping) for item in payload):
            return list(payload)
        return [{"value": item} for item in payload]
    if isinstance(payload, Mapping):
        return [payload]
    return None


def _cell(value: Any) -> Any:
    """Nested values as compact JSON, so CSV stays one value per cell and tables one line."""
    if isinstance(value, Mapping | list):
        return json.dumps(value, separators=(",", ":"), default=str)
    return value


def write(
    result: Any,
    fmt: str,
    out: IO[str],
    *,
    records: str | None = None,
    secret_fields: Iterable[str] = (),
    text_is_value: bool = False,
) -> None:
    """Print ``result`` in format ``fmt`` ("table", "json" or "csv") to ``out``.

    A ``str`` result is printed as it is (an operation's text answer is a document), except
    in JSON when ``text_is_value`` (a workflow's ``str`` is a value: an id, a name).

    Secret fields (the operation's ``x-secret`` ones and secret-named ones such as
    ``accessToken``) are printed as ``***``: a terminal's scrollback and CI logs keep them.
    """
    if isinstance(result, bytes | bytearray):
        # A download: its bytes as they are, for `> file.parquet`.
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            out.flush()
            buffer.write(bytes(result))
        else:
            out.write(result.decode("utf-8", errors="replace"))
        return
    result = materialized(result)
    if isinstance(result, str):
        if fmt == "json" and text_is_value:  # an id or a name: valid JSON for jq
            out.write(json.dumps(result) + "\n")
        else:  # a text answer (a CSV body...): the document as it came
            out.write(result if result.endswith("\n") else result + "\n")
        return
    single = False  # one object (not a list of one): printed as field: value lines
    if is_frame(result):
        frame = result.copy()
        for column in frame.columns:
            if is_secret_name(str(column), tuple(secret_fields)):
                frame[column] = MASK
    else:
        payload = redact_json(payload_of(result), secret_fields)
        if fmt == "json":
            out.write(json.dumps(payload, indent=2, default=str) + "\n")
            return
        rows = rows_of(payload, records)
        if rows is None:
            out.write(f"{payload}\n")
            return
        single = len(rows) == 1 and rows[0] is payload
        import pandas as pd  # only a table or CSV of objects needs it

        frame = pd.DataFrame([{k: _cell(v) for k, v in row.items()} for row in rows])
    if fmt == "json":
        out.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    elif frame.empty:
        out.write("(no rows)\n")
    elif single and len(frame.columns) > 6:
        # One wide object reads better as field / value lines than as one very long row.
        for column, value in frame.iloc[0].items():
            out.write(f"{column}: {_shorten(_cell(value))}\n")
    else:
        shown = frame.astype(object).where(frame.notna(), "")
        out.write(shown.to_string(index=False, max_colwidth=_CELL_LIMIT) + "\n")


def _shorten(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 1] + "…"
