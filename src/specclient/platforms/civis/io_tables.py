"""``civis.io``'s helpers that fill tables: :func:`civis_file_to_table`, :func:`csv_to_civis`,
:func:`dataframe_to_civis` and :func:`transfer_table`. Each returns a :class:`CivisFuture` on
the import's run (an :class:`AsyncCivisFuture` from a coroutine, with an async client).

:func:`civis_file_to_table` does what civis-python does: each file is preprocessed by Civis
(``files.post_preprocess_csv``: encoding, header, delimiter and, when the table must be
created, column types detected), the detections must agree, then one CSV import loads them.
:func:`dataframe_to_civis` knows all of that from the frame itself: it writes a gzipped CSV
(streamed to disk, then uploaded from there), takes the column types from the dtypes when
the table must be created, and imports it without the preprocessing jobs.
"""

from __future__ import annotations

import collections
import os
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from specclient.errors import SpecClientError
from specclient.platforms._flows import Flow
from specclient.platforms.civis.io_common import (
    DELIMITERS,
    call,
    credential_id_of,
    database_id_of,
    default_client,
    drive,
    future_on,
    given,
    random_name,
    split_schema_tablename,
    wait_for_run,
)
from specclient.platforms.civis.io_files import upload

__all__ = [
    "CivisImportError",
    "civis_file_to_table",
    "csv_to_civis",
    "dataframe_to_civis",
    "transfer_table",
    "sql_types_of",
]


class CivisImportError(Exception):
    """Files cannot be imported together (civis-python's ``civis.base.CivisImportError``)."""


_File = collections.namedtuple("_File", "id name detected_info")


# -- checks made before anything is sent ---------------------------------------------------------
def _check_table_columns(table_columns: Sequence[Mapping[str, Any]] | None) -> bool:
    """civis-python's checks of ``table_columns``; True when every column has a SQL type."""
    if not table_columns:
        return False
    keys = {key for column in table_columns for key in column}
    invalid = keys - {"name", "sql_type"}
    if invalid:
        raise ValueError(
            "Keys of the dictionaries contained in `table_columns` must be one of "
            f"{tuple(sorted({'name', 'sql_type'}))}. The input `table_columns` also has "
            f"{tuple(sorted(invalid))}."
        )
    typed = sum(1 for column in table_columns if column.get("sql_type"))
    if typed and typed != len(table_columns):
        raise ValueError("Some table columns have a sql type provided, but others do not.")
    return typed == len(table_columns)


def _schema_and_table(table: str) -> tuple[str, str]:
    schema, name = split_schema_tablename(table)
    if schema is None:
        raise ValueError("Provide a schema as part of the `table` input.")
    return schema, name


# -- the import --------------------------------------------------------------------------------
def _table_exists(db_id: int, schema: str, name: str) -> Flow[bool]:
    try:
        yield call("databases.get_schemas_tables", db_id, schema, name)
    except SpecClientError as error:
        if getattr(error, "status_code", None) != 404:
            warnings.warn(
                f"Unexpected error when checking if table {schema}.{name} exists on "
                f"database {db_id}:\n{error}",
                stacklevel=2,
            )
        return False
    return True


def _import(
    client: Any,
    file_ids: Sequence[int],
    db_id: int,
    credential: int | None,
    schema: str,
    name: str,
    *,
    headers: bool | None,
    delimiter: str | None,
    compression: str,
    table_columns: Any,
    loosen_types: bool,
    options: Mapping[str, Any],
) -> Flow[tuple[int, int]]:
    """Create the CSV import and start its run: (import id, run id)."""
    destination = given(
        schema=schema,
        table=name,
        remote_host_id=db_id,
        credential_id=credential,
        primary_keys=options.get("primary_keys"),
        last_modified_keys=options.get("last_modified_keys"),
    )
    sortkeys = [key for key in (options.get("sortkey1"), options.get("sortkey2")) if key]
    redshift = given(
        distkey=options.get("distkey"),
        sortkeys=sortkeys or None,
        diststyle=options.get("diststyle"),
    )
    job = yield call(
        "imports.post_files_csv",
        {"file_ids": list(file_ids)},
        destination,
        headers,
        name=f"CSV import to {schema}.{name}",
        max_errors=options.get("max_errors"),
        existing_table_rows=options.get("existing_table_rows", "fail"),
        column_delimiter=delimiter,
        compression=compression,
        escaped=options.get("escaped", False),
        execution=options.get("execution", "immediate"),
        loosen_types=loosen_types,
        table_columns=table_columns,
        redshift_destination_options=redshift,
        hidden=options.get("hidden", True),
    )
    started = yield call("jobs.post_runs", job.id)
    return job.id, started.id


def _jobs_future(client: Any, polling_interval: float | None) -> Any:
    return lambda ids: future_on(client, "jobs.get_runs", ids, polling_interval)


def civis_file_to_table(
    file_id: int | list[int],
    database: str | int,
    table: str,
    client: Any = None,
    max_errors: int | None = None,
    existing_table_rows: str = "fail",
    diststyle: str | None = None,
    distkey: str | None = None,
    sortkey1: str | None = None,
    sortkey2: str | None = None,
    table_columns: list[dict[str, str]] | None = None,
    primary_keys: list[str] | None = None,
    last_modified_keys: list[str] | None = None,
    escaped: bool = False,
    execution: str = "immediate",
    delimiter: str | None = None,
    headers: bool | None = None,
    credential_id: int | None = None,
    polling_interval: float | None = None,
    hidden: bool = True,
) -> Any:
    """Import one or more Civis files (CSV, plain or gzipped) into a table
    (``civis.io.civis_file_to_table``); a :class:`CivisFuture` on the import's run.

    Raises
    ------
    TypeError
        ``file_id`` is a string.
    ValueError
        No file, no schema in ``table``, an unknown ``delimiter``, or ``table_columns``
        with unknown keys or SQL types on only some columns (all before anything is sent).
    CivisImportError
        The files' detected headers, delimiters, compressions or column types disagree.
    """
    if isinstance(file_id, str):
        raise TypeError("Invalid type for file_id: str. Must be int or list[int]")
    file_ids = [file_id] if isinstance(file_id, int) else list(file_id)
    if not file_ids:
        raise ValueError("Provide one or multiple meaningful input file IDs.")
    schema, name = _schema_and_table(table)
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise ValueError(f"delimiter must be one of {DELIMITERS.keys()}: {delimiter}")
        delimiter = DELIMITERS[delimiter]
    sql_types_given = _check_table_columns(table_columns)
    client = default_client() if client is None else client
    options = {
        "max_errors": max_errors, "existing_table_rows": existing_table_rows,
        "diststyle": diststyle, "distkey": distkey, "sortkey1": sortkey1, "sortkey2": sortkey2,
        "primary_keys": primary_keys, "last_modified_keys": last_modified_keys,
        "escaped": escaped, "execution": execution, "hidden": hidden,
    }  # fmt: skip

    flow = _to_table(
        client, file_ids, database, schema, name, table_columns, sql_types_given, headers,
        delimiter, credential_id, polling_interval, options,
    )  # fmt: skip
    return drive(flow, client, then=_jobs_future(client, polling_interval))


def _to_table(
    client: Any,
    file_ids: Sequence[int],
    database: str | int,
    schema: str,
    name: str,
    table_columns: Any,
    sql_types_given: bool,
    headers: bool | None,
    delimiter: str | None,
    credential_id: int | None,
    polling_interval: float | None,
    options: Mapping[str, Any],
) -> Flow[tuple[int, int]]:
    db_id = yield from database_id_of(client, database)
    credential = yield from credential_id_of(client, credential_id)
    exists = yield from _table_exists(db_id, schema, name)
    need_columns = (not exists or options["existing_table_rows"] == "drop") and not (
        sql_types_given
    )
    files = yield from _clean(
        file_ids, need_columns, headers, delimiter, options["hidden"], polling_interval
    )
    found = _agreed(files, headers, delimiter, need_columns)
    return (
        yield from _import(
            client, [f.id for f in files], db_id, credential, schema, name,
            headers=found["headers"], delimiter=found["delimiter"],
            compression=found["compression"],
            table_columns=found["table_columns"] if need_columns else table_columns,
            loosen_types=need_columns, options=options,
        )
    )  # fmt: skip


def _clean(
    file_ids: Sequence[int],
    need_columns: bool,
    headers: bool | None,
    delimiter: str | None,
    hidden: bool,
    polling_interval: float | None,
) -> Flow[list[_File]]:
    """Preprocess every file (the jobs run side by side; waited for one after another)."""
    started = []
    for file_id in file_ids:
        job = yield call(
            "files.post_preprocess_csv",
            file_id=file_id,
            in_place=False,
            detect_table_columns=need_columns,
            force_character_set_conversion=True,
            include_header=headers,
            column_delimiter=delimiter,
            hidden=hidden,
        )
        run = yield call("jobs.post_runs", job.id)
        started.append((job.id, run.id))
    files, missing = [], []
    for job_id, run_id in started:
        yield wait_for_run(call("jobs.get_runs", job_id, run_id), job_id, run_id, polling_interval)
        outputs = yield call("jobs.list_runs_outputs", job_id, run_id)
        if not outputs:
            missing.append((job_id, run_id))
            continue
        cleaned = yield call("files.get", outputs[0].object_id)
        info = cleaned.detected_info
        files.append(_File(cleaned.id, cleaned.name, info.json(snake_case=False)))
    if missing:
        runs = "\n".join(f"\tjob {j} run {r}" for j, r in missing)
        raise CivisImportError(f"No CSV preprocess output found for these runs:\n{runs}")
    return files


def _agreed(
    files: Sequence[_File], headers: bool | None, delimiter: str | None, need_columns: bool
) -> dict[str, Any]:
    """What every file's detection says, or :class:`CivisImportError` (civis-python's rules)."""
    table_columns, mixed_headers = _column_types(files) if need_columns else (None, False)
    try:
        headers = _detected(files, "includeHeader", headers)
    except CivisImportError:
        if not mixed_headers:
            raise
        headers = True
    return {
        "headers": headers,
        "delimiter": _detected(files, "columnDelimiter", delimiter),
        "compression": _detected(files, "compression"),
        "table_columns": table_columns,
    }


def _detected(files: Sequence[_File], attr: str, given: Any = None) -> Any:
    values = [f.detected_info[attr] for f in files]
    problem = _disagreement(values, files)
    if problem:
        raise CivisImportError(
            f"All detected values for '{attr}' must be the same, however --\n{problem}"
        )
    if attr == "compression" or given is None:
        return values[0]
    if values[0] != given:
        raise CivisImportError(
            f"All detected values for '{attr}' in your files are {values[0]}, which doesn't "
            f"match your provided value of {given}"
        )
    return values[0]


def _column_types(files: Sequence[_File]) -> tuple[list[dict[str, str]], bool]:
    by_file = [f.detected_info["tableColumns"] for f in files]
    problem = _disagreement([len(columns) for columns in by_file], files)
    if problem:
        raise CivisImportError(
            f"All files must have the same number of columns, however --\n{problem}"
        )
    columns, mixed_headers, problems = [], False, []
    for index, same in enumerate(zip(*by_file, strict=True), 1):
        name = next((n for c in same if (n := c.get("name"))), f"column_{index}")
        bases = [_sql_type(c).split("(", 1)[0].upper() for c in same]
        problem = _disagreement(bases, files)
        if problem and "VARCHAR" not in bases:
            problems.append(
                f"All sql_types for column '{name}' must be the same, however --\n{problem}"
            )
            continue
        if problem:
            # a VARCHAR beside other types: text for all (and that file's header detection
            # read its first row as data, so differing header detections are allowed)
            sql_type, mixed_headers = "VARCHAR", True
        else:
            sql_type = _sql_type(same[0])
        columns.append({"name": name, "sql_type": sql_type})
    if problems:
        raise CivisImportError("\n".join(problems))
    return columns, mixed_headers


def _sql_type(column: Mapping[str, Any]) -> str:
    return str(column.get("sqlType") or column.get("sql_type") or "")


def _disagreement(values: Sequence[Any], files: Sequence[_File]) -> str | None:
    if len(set(values)) <= 1:
        return None
    where: dict[Any, list[int]] = collections.defaultdict(list)
    for index, value in enumerate(values):
        where[value].append(index)
    return "\n".join(
        f"\t{value} from: " + ", ".join(f"file {files[i].id} ({files[i].name})" for i in at)
        for value, at in where.items()
    )


# -- from local data -----------------------------------------------------------------------------
def csv_to_civis(
    filename: str,
    database: str | int,
    table: str,
    client: Any = None,
    max_errors: int | None = None,
    existing_table_rows: str = "fail",
    diststyle: str | None = None,
    distkey: str | None = None,
    sortkey1: str | None = None,
    sortkey2: str | None = None,
    table_columns: list[dict[str, str]] | None = None,
    delimiter: str = ",",
    headers: bool | None = None,
    primary_keys: list[str] | None = None,
    last_modified_keys: list[str] | None = None,
    escaped: bool = False,
    execution: str = "immediate",
    credential_id: int | None = None,
    polling_interval: float | None = None,
    hidden: bool = True,
) -> Any:
    """Upload the local CSV file ``filename`` (streamed) and import it into ``table``
    (``civis.io.csv_to_civis``); a :class:`CivisFuture` on the import's run."""
    schema, name = _schema_and_table(table)
    sql_types_given = _check_table_columns(table_columns)
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS.keys()}: {delimiter}")
    client = default_client() if client is None else client
    options = {
        "max_errors": max_errors, "existing_table_rows": existing_table_rows,
        "diststyle": diststyle, "distkey": distkey, "sortkey1": sortkey1, "sortkey2": sortkey2,
        "primary_keys": primary_keys, "last_modified_keys": last_modified_keys,
        "escaped": escaped, "execution": execution, "hidden": hidden,
    }  # fmt: skip

    def flow() -> Flow[tuple[int, int]]:
        with open(filename, "rb") as data:
            file_id = yield from upload(data, os.path.basename(filename), {})
        return (
            yield from _to_table(
                client, [file_id], database, schema, name, table_columns, sql_types_given,
                headers, DELIMITERS[delimiter], credential_id, polling_interval, options,
            )
        )  # fmt: skip

    return drive(flow(), client, then=_jobs_future(client, polling_interval))


#: SQL types for pandas dtypes (by ``dtype.kind``); text's width is measured
_SQL_TYPES = {"i": "BIGINT", "u": "BIGINT", "f": "DOUBLE PRECISION", "b": "BOOLEAN"}


def sql_types_of(df: Any) -> list[dict[str, str]]:
    """``table_columns`` for a pandas DataFrame, from its dtypes (what the frame holds, not a
    guess from its text): integers BIGINT, floats DOUBLE PRECISION, booleans BOOLEAN,
    datetimes TIMESTAMP, dates DATE, anything else VARCHAR as wide as its longest value."""
    import pandas as pd

    columns = []
    for name in df.columns:
        series = df[name]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            sql_type = "BOOLEAN"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            sql_type = "TIMESTAMP"
        elif getattr(dtype, "kind", "O") in _SQL_TYPES:
            sql_type = _SQL_TYPES[dtype.kind]
        else:
            text = series.dropna().astype(str)
            width = int(text.str.encode("utf-8").str.len().max()) if len(text) else 0
            sql_type = f"VARCHAR({max(256, width)})"
        columns.append({"name": str(name), "sql_type": sql_type})
    return columns


def dataframe_to_civis(
    df: Any,
    database: str | int,
    table: str,
    client: Any = None,
    max_errors: int | None = None,
    existing_table_rows: str = "fail",
    diststyle: str | None = None,
    distkey: str | None = None,
    sortkey1: str | None = None,
    sortkey2: str | None = None,
    table_columns: list[dict[str, str]] | None = None,
    credential_id: int | None = None,
    primary_keys: list[str] | None = None,
    last_modified_keys: list[str] | None = None,
    execution: str = "immediate",
    polling_interval: float | None = None,
    hidden: bool = True,
    **kwargs: Any,
) -> Any:
    """Upload a pandas (or polars) DataFrame into a Civis table
    (``civis.io.dataframe_to_civis``); a :class:`CivisFuture` on the import's run.

    The index is not written (``df.reset_index()`` keeps it). ``**kwargs`` go to
    ``DataFrame.to_csv`` (``write_csv`` for polars). When the table is created (it does not
    exist, or ``existing_table_rows="drop"``) and ``table_columns`` is not given, the column
    types come from the frame's dtypes (:func:`sql_types_of`).
    """
    schema, name = _schema_and_table(table)
    _check_table_columns(table_columns)
    kind = type(df).__module__.split(".", 1)[0]
    if kind not in ("pandas", "polars"):
        raise ValueError(
            f"unsuppported dataframe type {type(df)!r} -- only pandas and polars are supported"
        )
    client = default_client() if client is None else client
    headers = kwargs.get("header") is not False
    options = {
        "max_errors": max_errors, "existing_table_rows": existing_table_rows,
        "diststyle": diststyle, "distkey": distkey, "sortkey1": sortkey1, "sortkey2": sortkey2,
        "primary_keys": primary_keys, "last_modified_keys": last_modified_keys,
        "escaped": False, "execution": execution, "hidden": hidden,
    }  # fmt: skip

    def flow() -> Flow[tuple[int, int]]:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "dataframe_to_civis.csv.gz")
            _write_csv(df, kind, path, kwargs)
            with open(path, "rb") as data:
                file_id = yield from upload(data, f"{name}.csv.gz", {})
        db_id = yield from database_id_of(client, database)
        credential = yield from credential_id_of(client, credential_id)
        columns = table_columns
        if not columns:
            create = existing_table_rows == "drop" or not (
                yield from _table_exists(db_id, schema, name)
            )
            columns = sql_types_of(_as_pandas(df, kind)) if create else None
        return (
            yield from _import(
                client, [file_id], db_id, credential, schema, name, headers=headers,
                delimiter="comma", compression="gzip", table_columns=columns,
                loosen_types=False, options=options,
            )
        )  # fmt: skip

    return drive(flow(), client, then=_jobs_future(client, polling_interval))


def _as_pandas(df: Any, kind: str) -> Any:
    return df.to_pandas() if kind == "polars" else df


def _write_csv(df: Any, kind: str, path: str, kwargs: Mapping[str, Any]) -> None:
    """The frame as gzipped CSV at ``path``, written in chunks (pandas) or by polars."""
    if kind == "polars":
        import gzip

        with gzip.open(path, "wb", compresslevel=1) as out:
            df.write_csv(out, **kwargs)
        return
    options = {"encoding": "utf-8", "index": False, "chunksize": 100_000, **kwargs}
    df.to_csv(path, compression={"method": "gzip", "compresslevel": 1}, **options)


# -- between databases ---------------------------------------------------------------------------
def transfer_table(
    source_db: str | int,
    dest_db: str | int,
    source_table: str,
    dest_table: str,
    job_name: str | None = None,
    client: Any = None,
    source_credential_id: int | None = None,
    dest_credential_id: int | None = None,
    polling_interval: float | None = None,
    **advanced_options: Any,
) -> Any:
    """Copy a table to another database (``civis.io.transfer_table``): a Dbsync import with
    one sync; ``**advanced_options`` go to ``imports.post_syncs`` (e.g.
    ``existing_table_rows="drop"``). A :class:`CivisFuture` polling ``imports.get_files_runs``."""
    client = default_client() if client is None else client

    def flow() -> Flow[tuple[int, int]]:
        source_credential = yield from credential_id_of(client, source_credential_id)
        dest_credential = yield from credential_id_of(client, dest_credential_id)
        source = given(
            remote_host_id=(yield from database_id_of(client, source_db)),
            credential_id=source_credential,
        )
        destination = given(
            remote_host_id=(yield from database_id_of(client, dest_db)),
            credential_id=dest_credential,
        )
        job = yield call("imports.post", random_name(job_name), "Dbsync", True, source=source,
                         destination=destination)  # fmt: skip
        yield call("imports.post_syncs", job.id, {"path": source_table}, {"path": dest_table},
                   advanced_options=advanced_options)  # fmt: skip
        started = yield call("imports.post_runs", job.id)
        return job.id, started.run_id

    return drive(
        flow(),
        client,
        then=lambda ids: future_on(client, "imports.get_files_runs", ids, polling_interval),
    )
