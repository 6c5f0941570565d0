"""What the Civis emulator's data jobs do when a run of them starts (:data:`EFFECTS`).

- ``sql`` (``/scripts/sql``): runs the statement (:mod:`.warehouse`) and writes the result as
  the run's CSV file, shaped by the script's ``csvSettings`` (header, delimiter, gzip/zip,
  unquoted); with ``forceMultifile`` the output is a JSON manifest of part files, as Civis's
  parallel unload. A statement without a result set (``DROP TABLE``) has no output.
- ``csv_import`` (``/imports/files/csv``): loads the files into the destination table, creating
  it from ``tableColumns``; ``existingTableRows`` fail / truncate / append / drop / upsert.
- ``preprocess`` (``/files/preprocess/csv``): detects the file's compression, delimiter,
  header and column SQL types (from its first :data:`SAMPLE_ROWS` rows) into the output
  file's ``detectedInfo``.
- ``dbsync`` (``/imports`` of type ``Dbsync``): copies each sync's source table to its
  destination path in the destination database.

An effect's :class:`~specclient.emulators.core.EmuError` fails the run with that message.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from specclient.emulators.civis.state import CivisState, Invalid, Run
from specclient.emulators.civis.warehouse import (
    Result,
    decode_rows,
    encode_rows,
    split_table_name,
)

__all__ = ["EFFECTS", "DELIMITERS", "SAMPLE_ROWS", "export", "detect"]

#: Civis's delimiter names
DELIMITERS = {"comma": ",", "tab": "\t", "pipe": "|"}
SAMPLE_ROWS = 1000
_GZIP_LEVEL = 1  # the emulator's CPU is the clients' wall time: compress fast


# -- reading and writing CSV files ---------------------------------------------------------
def decompress(blob: bytes) -> bytes:
    """A file's bytes, unzipped or gunzipped as its first bytes say (Civis accepts both)."""
    if blob[:2] == b"\x1f\x8b":
        return gzip.decompress(blob)
    if blob[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return archive.read(archive.namelist()[0])
    return blob


def _compress(data: bytes, compression: str, name: str) -> bytes:
    if compression == "gzip":
        return gzip.compress(data, compresslevel=_GZIP_LEVEL)
    if compression == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, data)
        return out.getvalue()
    return data


def _delimiter(name: str | None, default: str = "comma") -> str:
    name = name or default
    if name not in DELIMITERS:
        raise Invalid(f"columnDelimiter must be one of {sorted(DELIMITERS)}, not {name!r}")
    return DELIMITERS[name]


def _csv_body(result: Result, delimiter: str, unquoted: bool) -> bytes:
    """The result's rows in the asked format (the stored text itself when it is already)."""
    if delimiter == "," and not unquoted:
        return result.body
    options: dict[str, Any] = {"quoting": csv.QUOTE_NONE, "escapechar": "\\"} if unquoted else {}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n", **options)
    writer.writerows(decode_rows(result.body))
    return out.getvalue().encode()


def _header(columns: Sequence[str], delimiter: str) -> bytes:
    return encode_rows([columns], delimiter)[0]


def export(result: Result, settings: Mapping[str, Any]) -> bytes:
    """One CSV file of ``result`` as ``csvSettings`` asks (header on by default)."""
    delimiter = _delimiter(settings.get("columnDelimiter"))
    body = _csv_body(result, delimiter, bool(settings.get("unquoted")))
    if settings.get("includeHeader", True) is not False:
        body = _header(result.columns, delimiter) + body
    return _compress(body, settings.get("compression") or "none", "output.csv")


# -- sql ---------------------------------------------------------------------------------------
def _output(file_id: int, name: str) -> dict[str, Any]:
    return {
        "objectType": "File",
        "objectId": file_id,
        "name": name,
        "link": f"api/files/{file_id}",
        "value": None,
    }


def run_sql(state: CivisState, job: dict[str, Any], run: Run) -> None:
    result = state.warehouse.execute(job["remoteHostId"], job["sql"])
    if not result.columns:
        return  # no result set, no file
    settings = job.get("csvSettings") or {}
    files = state.file_store
    if settings.get("forceMultifile"):
        manifest = _multifile(state, job, result, settings)
        file_id = files.add("manifest.json", json.dumps(manifest).encode(), job["author"])
        run.outputs = [_output(file_id, "manifest.json")]
        return
    compression = settings.get("compression") or "none"
    name = "output.csv" + {"gzip": ".gz", "zip": ".zip"}.get(compression, "")
    data = state.warehouse.cached(
        ("export", job["remoteHostId"], job["sql"], json.dumps(settings, sort_keys=True)),
        result.body,
        lambda: export(result, settings),
    )
    run.outputs = [_output(files.add(name, data, job["author"]), name)]


def _multifile(
    state: CivisState, job: dict[str, Any], result: Result, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """Part files (no header; at most ``maxFileSize`` MB each) and their manifest."""
    delimiter = _delimiter(settings.get("columnDelimiter"))
    body = _csv_body(result, delimiter, bool(settings.get("unquoted")))
    limit = int((settings.get("maxFileSize") or 0) * 1_000_000) or len(body) or 1
    compression = settings.get("compression") or "none"
    prefix = settings.get("filenamePrefix") or "part"
    entries = []
    for index, part in enumerate(_parts(body, limit)):
        name = f"{prefix}_{index:04d}.csv" + {"gzip": ".gz", "zip": ".zip"}.get(compression, "")
        data = _compress(part, compression, name)
        file_id = state.file_store.add(name, data, job["author"])
        entries.append(
            {
                "id": file_id,
                "name": name,
                "size": len(data),
                "url": f"s3://civis-emulator/files/{file_id}/{name}",
                "url_signed": state.file_store.download_url(file_id),
            }
        )
    manifest: dict[str, Any] = {
        "query": job["sql"],
        "entries": entries,
        "unquoted": bool(settings.get("unquoted")),
        "compression": compression,
        "delimiter": delimiter,
    }
    if settings.get("includeHeader", True) is not False:
        manifest["header"] = list(result.columns)
    return manifest


def _parts(body: bytes, limit: int) -> list[bytes]:
    """``body`` cut into pieces of about ``limit`` bytes, each ending with a whole row."""
    parts, start = [], 0
    while start < len(body):
        end = _row_end(body, min(start + limit, len(body)))
        parts.append(body[start:end])
        start = end
    return parts or [b""]


def _row_end(body: bytes, at: int) -> int:
    """The end of the row ``at`` falls in (after an even number of quotes: not inside one)."""
    while at < len(body):
        end = body.find(b"\n", at)
        if end < 0:
            return len(body)
        if body.count(b'"', 0, end) % 2 == 0:
            return end + 1
        at = end + 1
    return len(body)


# -- imports -----------------------------------------------------------------------------------
def _rows_of(blob: bytes, delimiter: str, header: bool) -> tuple[bytes, list[str] | None]:
    """A file's rows as the warehouse keeps them, and its header row when it has one."""
    text = decompress(blob)
    names = None
    if header:
        first = next(iter(decode_rows(text.split(b"\n", 1)[0], delimiter)), [])
        names = first
        text = text.split(b"\n", 1)[1] if b"\n" in text else b""
    if delimiter != ",":
        text = encode_rows(decode_rows(text, delimiter))[0]
    elif text and not text.endswith(b"\n"):
        text += b"\n"
    return text.replace(b"\r\n", b"\n"), names


def _count(body: bytes) -> int:
    if b'"' not in body:
        return body.count(b"\n")
    return sum(1 for _ in decode_rows(body))


def _check_width(body: bytes, width: int, what: str) -> None:
    first = next(iter(decode_rows(body.split(b"\n", 1)[0])), None)
    if first is not None and len(first) != width:
        raise Invalid(f"{what} has {len(first)} columns; the table has {width}")


def _table_columns(columns: Any, table: str) -> list[dict[str, Any]]:
    if not columns:
        raise Invalid(f"tableColumns are required to create the table {table}")
    for column in columns:
        if not isinstance(column, Mapping) or not column.get("name") or not column.get("sqlType"):
            raise Invalid("each of tableColumns needs a name and a sqlType")
    return [{"name": c["name"], "sqlType": c["sqlType"]} for c in columns]


def load(
    state: CivisState,
    database_id: int,
    schema: str,
    name: str,
    body: bytes,
    *,
    mode: str,
    columns: Any = None,
    primary_keys: Sequence[str] = (),
) -> dict[str, Any]:
    """Put ``body`` (rows) into ``schema.name`` as ``existingTableRows`` ``mode`` says."""
    warehouse = state.warehouse
    table = warehouse.find(database_id, schema, name)
    label = f"{schema}.{name}"
    if table is not None and mode == "fail":
        raise Invalid(f"Table {label} already exists (existingTableRows is 'fail')")
    if table is not None and mode == "drop":
        warehouse.drop(table)
        table = None
    if table is None:
        table = warehouse.create(database_id, schema, name, _table_columns(columns, label))
    _check_width(body, len(table["columns"]), "the file")
    if mode == "upsert":
        body = _upsert(table, warehouse.data(table), body, primary_keys)
    elif mode == "append":
        body = warehouse.data(table) + body
    warehouse.put(table, body, _count(body))
    return table


def _upsert(table: dict[str, Any], old: bytes, new: bytes, keys: Sequence[str]) -> bytes:
    names = [c["name"] for c in table["columns"]]
    if not keys or any(k not in names for k in keys):
        raise Invalid("upsert needs primaryKeys naming columns of the table")
    at = [names.index(k) for k in keys]
    rows = {tuple(r[i] for i in at): r for r in decode_rows(old)}
    rows.update({tuple(r[i] for i in at): r for r in decode_rows(new)})
    return encode_rows(rows.values())[0]


def run_csv_import(state: CivisState, job: dict[str, Any], run: Run) -> None:
    destination = job["destination"]
    delimiter = _delimiter(job.get("columnDelimiter"))
    body = b""
    for file_id in job["source"].get("fileIds") or []:
        rows, _ = _rows_of(state.file_store.blob(file_id), delimiter, job["firstRowIsHeader"])
        body += rows
    load(
        state,
        destination["remoteHostId"],
        destination["schema"],
        destination["table"],
        body,
        mode=job.get("existingTableRows") or "fail",
        columns=job.get("tableColumns"),
        primary_keys=destination.get("primaryKeys") or (),
    )


def run_sync(state: CivisState, job: dict[str, Any], run: Run) -> None:
    source_db = job["source"]["remoteHostId"]
    target_db = job["destination"]["remoteHostId"]
    for sync in job["syncs"]:
        source = state.warehouse.table(source_db, sync["source"]["path"] or "")
        schema, name = split_table_name(sync["destination"]["path"] or "")
        options = sync.get("advancedOptions") or {}
        load(
            state,
            target_db,
            schema,
            name,
            state.warehouse.data(source),
            mode=options.get("existingTableRows") or "fail",
            columns=source["columns"],
        )


# -- preprocessing -----------------------------------------------------------------------------
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_BOOL = {"true", "false", "t", "f"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_INT32 = 2**31


def _sql_type(values: Sequence[str]) -> str:
    filled = [v for v in values if v != ""]
    if not filled:
        return "VARCHAR(256)"
    if all(_INT.match(v) for v in filled):
        return "INTEGER" if all(abs(int(v)) < _INT32 for v in filled) else "BIGINT"
    if all(_FLOAT.match(v) for v in filled):
        return "DOUBLE PRECISION"
    if all(v.lower() in _BOOL for v in filled):
        return "BOOLEAN"
    if all(_DATE.match(v) for v in filled):
        return "DATE"
    if all(_STAMP.match(v) for v in filled):
        return "TIMESTAMP"
    return f"VARCHAR({max(256, max(len(v.encode()) for v in filled))})"


def _sniff(line: str) -> str:
    counts = {name: line.count(char) for name, char in DELIMITERS.items()}
    return max(counts, key=lambda name: counts[name]) if any(counts.values()) else "comma"


def detect(blob: bytes, delimiter: str | None, header: bool | None) -> dict[str, Any]:
    """A file's ``detectedInfo``: compression, delimiter, header and column SQL types."""
    compression = "gzip" if blob[:2] == b"\x1f\x8b" else "zip" if blob[:2] == b"PK" else "none"
    text = decompress(blob).decode("utf-8", errors="replace")
    lines = text.split("\n", SAMPLE_ROWS + 1)[: SAMPLE_ROWS + 1]
    name = delimiter or _sniff(lines[0] if lines else "")
    rows = [r for r in csv.reader(lines, delimiter=DELIMITERS[name]) if r]
    width = max((len(r) for r in rows), default=0)
    first, data = (rows[0] if rows else []), rows[1:]
    types = [_sql_type([r[i] if i < len(r) else "" for r in data]) for i in range(width)]
    if header is None:
        # a header row is one whose values do not read as their columns' types
        header = bool(first) and any(
            not t.startswith("VARCHAR") and _sql_type([v]) != t
            for v, t in zip(first, types, strict=False)
        )
        if not header and all(t.startswith("VARCHAR") for t in types):
            header = all(re.match(r"^[A-Za-z_][\w ]*$", v) for v in first)
    if not header and rows:
        types = [_sql_type([r[i] if i < len(r) else "" for r in rows]) for i in range(width)]
    names = [
        first[i] if header and i < len(first) and first[i] else f"column_{i + 1}"
        for i in range(width)
    ]
    return {
        "includeHeader": bool(header),
        "columnDelimiter": name,
        "compression": compression,
        "tableColumns": [{"name": n, "sqlType": t} for n, t in zip(names, types, strict=True)],
    }


def run_preprocess(state: CivisState, job: dict[str, Any], run: Run) -> None:
    files = state.file_store
    source = files.record(job["fileId"])
    if job.get("columnDelimiter") is not None:
        _delimiter(job["columnDelimiter"])
    info = detect(files.blob(job["fileId"]), job.get("columnDelimiter"), job.get("includeHeader"))
    if job.get("inPlace"):
        file_id = source["id"]
    else:
        file_id = files.add(source["name"], files.blob(source["id"]), job["author"])
    files.record(file_id)["detectedInfo"] = info
    run.outputs = [_output(file_id, source["name"])]


EFFECTS: dict[str, Callable[[CivisState, dict[str, Any], Run], None]] = {
    "sql": run_sql,
    "csv_import": run_csv_import,
    "preprocess": run_preprocess,
    "dbsync": run_sync,
}
