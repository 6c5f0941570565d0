"""``civis.io``'s SQL helpers: a SQL script's run unloads the result to a CSV file, read back
through its presigned URL (:func:`read_civis_sql`, :func:`read_civis`, :func:`civis_to_csv`,
:func:`civis_to_multifile_csv`, :func:`export_to_civis_file`), and :func:`query_civis`.

Reading decodes the gzipped CSV as it streams, a block at a time, into typed Arrow batches
(:class:`~specclient.tables.csv_batches.CsvBatches`), typed from the table's own column types
(``databases.get_schemas_tables``) when the statement reads one table
(``SELECT ... FROM schema.table``); columns it cannot place are typed by Arrow's inference on
the first block. civis-python instead lets pandas guess every column from the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from specclient.client import AsyncClient
from specclient.errors import SpecClientError
from specclient.platforms._flows import Flow
from specclient.platforms.civis.io_common import (
    CHUNK_SIZE,
    DELIMITERS,
    EmptyResultError,
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
from specclient.platforms.civis.io_files import download, stream

__all__ = [
    "RETURN_AS",
    "read_civis",
    "read_civis_sql",
    "civis_to_csv",
    "civis_to_multifile_csv",
    "export_to_civis_file",
    "query_civis",
    "kind_of_sql_type",
]

#: what a read can return: civis-python's three, and Arrow's table and lazy batches
RETURN_AS = ("list", "pandas", "polars", "arrow", "batches")
_SQL_PARAMS_ARGUMENTS_KEYS = frozenset(("params", "arguments"))


class _Unset:
    """civis-python's ``DeprecatedKwargDefault``: ``use_pandas`` was not given."""

    def __repr__(self) -> str:
        return "<not given>"


_UNSET: Any = _Unset()

# -- column types --------------------------------------------------------------------------------
_SQL_KINDS = {
    "integer": ("smallint", "int", "int2", "int4", "int8", "integer", "bigint"),
    "number": ("real", "float", "float4", "float8", "double precision", "numeric", "decimal"),
    "boolean": ("boolean", "bool"),
    "date": ("date",),
}
_NAME = r'(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
_ONE_TABLE = re.compile(
    rf"^\s*select\s+(?:(?!\bfrom\b).)+?\s+from\s+(?P<table>{_NAME}\s*\.\s*{_NAME})"
    r"(?:\s+limit\s+\d+)?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def kind_of_sql_type(sql_type: str) -> str:
    """The kind (:data:`specclient.tables.KINDS`) of a Civis column's ``sql_type``."""
    base = sql_type.split("(", 1)[0].strip().lower()
    if base.startswith("timestamp"):
        return "timestamp"
    for kind, names in _SQL_KINDS.items():
        if base in names:
            return kind
    return "string"


def _result_kinds(db_id: int, sql: str) -> Flow[dict[str, str]]:
    """Column name to kind, from the one table ``sql`` reads (empty when it is not that)."""
    match = _ONE_TABLE.match(sql)
    if match is None:
        return {}
    schema, name = split_schema_tablename(re.sub(r"\s*\.\s*", ".", match.group("table")))
    if schema is None:
        return {}
    try:
        table = yield call("databases.get_schemas_tables", db_id, schema, name)
    except SpecClientError as error:
        if getattr(error, "status_code", None) == 404:
            return {}  # not a table we can see: the types are inferred
        raise
    return {column.name: kind_of_sql_type(column.sql_type or "") for column in table.columns}


# -- arguments -----------------------------------------------------------------------------------
def _return_as(return_as: str, use_pandas: Any, return_type: str | None) -> str:
    """civis-python's ``return_as`` / deprecated ``use_pandas``, and specclient's
    ``return_type`` spelling of the same choice."""
    if return_type is not None:
        if return_as not in ("list", return_type):
            raise ValueError(f"return_as={return_as!r} and return_type={return_type!r} conflict")
        return_as = return_type
    if return_as not in RETURN_AS:
        raise ValueError(f"unsupported return_as option: {return_as}")
    if return_as == "polars":
        try:
            import polars  # noqa: F401
        except ImportError:
            raise ImportError("return_as is 'polars' but polars is not installed.") from None
    if isinstance(use_pandas, _Unset):
        return return_as
    warning = (
        "To support multiple dataframe libraries, the keyword argument 'use_pandas' is "
        "deprecated since civis-python v2.6.0 and will be removed in civis-python v3.0.0 "
        "(scheduled for February 2027). While 'use_pandas' still works for now, you're "
        "strongly encouraged to update your code to use the new keyword argument "
        "'return_as' instead and stop settting 'use_pandas'. "
    )
    conflict = (
        "Update your code so that the 'use_pandas' argument is no longer set, "
        "and set 'return_as' to one of {'list', 'pandas', 'polars'}."
    )
    if use_pandas and return_as == "list":
        return_as = "pandas"
        warning += 'To return a pandas dataframe, set return_as="pandas". '
    elif use_pandas and return_as == "polars":
        raise ValueError(
            "Conflicting argument values: use_pandas=True but return_as='polars'. " + conflict
        )
    elif not use_pandas and return_as == "pandas":
        raise ValueError(
            "Conflicting argument values: use_pandas=False but return_as='pandas'. " + conflict
        )
    warnings.warn(warning.strip(), FutureWarning, stacklevel=3)
    return return_as


def _check_sql_params(sql_params_arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    given = dict(sql_params_arguments or {})
    if not (keys := set(given)) <= _SQL_PARAMS_ARGUMENTS_KEYS:
        raise ValueError(
            "sql_params_arguments must be a dict with keys in "
            f"{set(_SQL_PARAMS_ARGUMENTS_KEYS)}: {keys}"
        )
    return given


def _delimiter(delimiter: str) -> str:
    try:
        return DELIMITERS[delimiter]
    except KeyError:
        raise ValueError(f"delimiter must be one of {DELIMITERS.keys()}: {delimiter}") from None


def _get_sql_select(table: str, columns: Any = None) -> str:
    if columns and not isinstance(columns, list | tuple):
        raise TypeError("columns must be a list, tuple or None")
    select = ", ".join(columns) if columns is not None else "*"
    return f"select {select} from {table}"


# -- the script ----------------------------------------------------------------------------------
def sql_script(
    client: Any,
    sql: str,
    database: str | int,
    job_name: str | None,
    credential_id: int | None,
    hidden: bool,
    csv_settings: Mapping[str, Any] | None,
    sql_params_arguments: Mapping[str, Any],
) -> Flow[tuple[int, int, int]]:
    """Create a SQL script and start its run: (database id, script id, run id)."""
    db_id = yield from database_id_of(client, database)
    credential = yield from credential_id_of(client, credential_id)
    script = yield call(
        "scripts.post_sql",
        random_name(job_name),
        remote_host_id=db_id,
        credential_id=credential,
        sql=sql,
        hidden=hidden,
        csv_settings=given(**dict(csv_settings or {})),
        **sql_params_arguments,
    )
    started = yield call("scripts.post_sql_runs", script.id)
    return db_id, script.id, started.id


def _finished(script_id: int, run_id: int, polling_interval: float | None) -> Flow[Any]:
    poll = call("scripts.get_sql_runs", script_id, run_id)
    return (yield wait_for_run(poll, script_id, run_id, polling_interval))


# -- readers: what a read does with the bytes ----------------------------------------------------
class _Inflate:
    """gunzip, member after member (Civis may write several)."""

    def __init__(self) -> None:
        self._inflate: Any = zlib.decompressobj(zlib.MAX_WBITS | 32)

    def __call__(self, chunk: bytes) -> bytes:
        out = self._inflate.decompress(chunk)
        while self._inflate.eof and self._inflate.unused_data:
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
            out += self._inflate.decompress(rest)
        return out  # type: ignore[no-any-return]


class _ListReader:
    """civis-python's ``return_as="list"``: ``csv.reader`` rows of strings, header first."""

    def __init__(self, encoding: str | None, kwargs: Mapping[str, Any]) -> None:
        self._inflate = _Inflate()
        self._text = io.BytesIO()
        self._encoding = encoding or "utf-8"
        self._kwargs = kwargs

    def feed(self, chunk: bytes) -> None:
        self._text.write(self._inflate(chunk))

    def result(self) -> list[list[str]]:
        text = io.StringIO(self._text.getvalue().decode(self._encoding))
        return list(csv.reader(text, **self._kwargs))


class _PandasReader:
    """``return_as="pandas"`` with ``pandas.read_csv`` keyword arguments: civis-python's own
    way (pandas guesses the types), the gzipped file spooled to disk beyond 64 MiB."""

    def __init__(self, encoding: str | None, kwargs: Mapping[str, Any]) -> None:
        import tempfile

        self._spool = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 (closed in result)
        self._kwargs = {**kwargs, "compression": "gzip", "encoding": encoding}

    def feed(self, chunk: bytes) -> None:
        self._spool.write(chunk)

    def result(self) -> Any:
        import pandas as pd

        self._spool.seek(0)
        with self._spool:
            return pd.read_csv(self._spool, **self._kwargs)


class _TableReader:
    """Arrow's way: typed batches as the bytes arrive, one table, then the asked type."""

    def __init__(self, kinds: Mapping[str, str], encoding: str | None, return_as: str) -> None:
        from specclient.tables import csv_batches

        # read at call time: tests make blocks small to see several
        self.decoder = csv_batches.CsvBatches(
            kinds, gzip=True, encoding=encoding, block_size=csv_batches.BLOCK_SIZE
        )
        self._batches: list[Any] = []
        self._return_as = return_as

    def feed(self, chunk: bytes) -> None:
        self._batches += self.decoder.feed(chunk)

    def result(self) -> Any:
        import pyarrow as pa

        self._batches += self.decoder.close()
        table = pa.Table.from_batches(self._batches, schema=self.decoder.schema)
        self._batches = []
        if self._return_as == "arrow":
            return table
        if self._return_as == "polars":
            import polars

            return polars.from_arrow(table)
        from specclient.tables.frames import columns_of, to_pandas

        # by column, each let go once converted: the peak is the frame and one column
        by_name, table = columns_of(table), None
        return to_pandas(by_name, self.decoder.columns or [])


def _iterate(client: Any, url: str, decoder: Any) -> Iterator[Any] | AsyncIterator[Any]:
    """The lazy batches of ``return_as="batches"``: the download starts at the first batch
    asked for and holds a block at a time."""
    if isinstance(client, AsyncClient):
        return _aiterate(client, url, decoder)
    return _siterate(client, url, decoder)


def _siterate(client: Any, url: str, decoder: Any) -> Iterator[Any]:
    from specclient.response import raise_for_status

    response = client._request("GET", url, auth=False, stream=True)
    try:
        raise_for_status(response)
        for chunk in response.iter_bytes(CHUNK_SIZE):
            yield from decoder.feed(chunk)
        yield from decoder.close()
    finally:
        response.close()


async def _aiterate(client: Any, url: str, decoder: Any) -> AsyncIterator[Any]:
    from specclient.response import raise_for_status

    response = await client._request("GET", url, auth=False, stream=True)
    try:
        if response.status_code >= 400:
            await response.aread()  # the error's excerpt needs the body
        raise_for_status(response)
        async for chunk in response.aiter_bytes(CHUNK_SIZE):
            for batch in decoder.feed(chunk):
                yield batch
        for batch in decoder.close():
            yield batch
    finally:
        await response.aclose()


# -- reading ---------------------------------------------------------------------------------------
def read_civis_sql(
    sql: str,
    database: str | int,
    return_as: str = "list",
    use_pandas: Any = _UNSET,
    sql_params_arguments: dict[str, Any] | None = None,
    encoding: str | None = None,
    job_name: str | None = None,
    client: Any = None,
    credential_id: int | None = None,
    polling_interval: float | None = None,
    hidden: bool = True,
    *,
    return_type: str | None = None,
    **kwargs: Any,
) -> Any:
    """Read the result of a SQL query (``civis.io.read_civis_sql``).

    Parameters
    ----------
    sql : str
        The SQL select string to be executed.
    database : str or int
        The database's name or ID.
    return_as : {"list", "pandas", "polars", "arrow", "batches"}
        ``"list"`` (default, as civis-python): rows of strings, the header first.
        ``"pandas"`` / ``"polars"``: a DataFrame typed from the table's own column types
        (nullable ``Int64``, ``Float64``, ``boolean``, ``string``, UTC datetimes).
        ``"arrow"``: a ``pyarrow.Table``. ``"batches"``: an iterator of
        ``pyarrow.RecordBatch`` that downloads as it is consumed (an async iterator on an
        async client), holding one 8 MiB block at a time.
    use_pandas : bool, optional
        Deprecated (as in civis-python 2.6+): use ``return_as``.
    sql_params_arguments : dict, optional
        ``{"params": [...], "arguments": {...}}`` for ``scripts.post_sql``.
    encoding : str, optional
        The text's encoding (default UTF-8).
    job_name : str, optional
        Default: a random name.
    client : CivisClient or AsyncCivisClient, optional
        Default: ``APIClient()`` from ``CIVIS_API_KEY``.
    credential_id : int, optional
        Default: the user's default database credential.
    polling_interval : float, optional
        Seconds between checks of the query's run.
    hidden : bool, optional
        Keep the job out of the Civis UI (default).
    return_type : str, optional
        specclient's spelling of ``return_as`` (the two must agree when both are given).
    **kwargs
        For ``"list"``: ``csv.reader`` options. For ``"pandas"``: ``pandas.read_csv``
        options, and then pandas reads the file as civis-python does (types guessed).

    Returns
    -------
    list, DataFrame, pyarrow.Table or iterator of RecordBatch
        (a coroutine giving it, with an async client)

    Raises
    ------
    EmptyResultError
        If the query has no result set.
    CivisJobFailure
        If the query's run fails.
    """
    return_as = _return_as(return_as, use_pandas, return_type)
    params = _check_sql_params(sql_params_arguments)
    if kwargs and return_as not in ("list", "pandas", "polars"):
        raise TypeError(f"return_as={return_as!r} takes no reader options: {sorted(kwargs)}")
    client = default_client() if client is None else client
    flow = _read_sql(
        client, sql, database, job_name, credential_id, hidden, params, polling_interval,
        return_as, encoding, kwargs,
    )  # fmt: skip
    if return_as == "batches":
        return drive(flow, client, then=lambda found: _iterate(client, *found))
    return drive(flow, client)


def _read_sql(
    client: Any,
    sql: str,
    database: str | int,
    job_name: str | None,
    credential_id: int | None,
    hidden: bool,
    params: Mapping[str, Any],
    polling_interval: float | None,
    return_as: str,
    encoding: str | None,
    kwargs: Mapping[str, Any],
) -> Flow[Any]:
    settings = {"compression": "gzip"}
    db_id, script_id, run_id = yield from sql_script(
        client, sql, database, job_name, credential_id, hidden, settings, params
    )
    finished = yield from _finished(script_id, run_id, polling_interval)
    outputs = finished.output
    if not outputs:
        raise EmptyResultError(f"Query {script_id} returned no output.")
    url = outputs[0].path
    reader: Any
    if return_as == "list":
        reader = _ListReader(encoding, kwargs)
    elif return_as == "pandas" and kwargs:
        reader = _PandasReader(encoding, kwargs)
    else:
        kinds = yield from _result_kinds(db_id, sql)
        reader = _TableReader(kinds, encoding, return_as)
        if return_as == "batches":
            return url, reader.decoder
    yield from stream(url, reader.feed)
    return reader.result()


def read_civis(
    table: str,
    database: str | int,
    columns: list[str] | None = None,
    return_as: str = "list",
    use_pandas: Any = _UNSET,
    encoding: str | None = None,
    job_name: str | None = None,
    client: Any = None,
    credential_id: int | None = None,
    polling_interval: float | None = None,
    hidden: bool = True,
    *,
    return_type: str | None = None,
    **kwargs: Any,
) -> Any:
    """Read a Civis table (``civis.io.read_civis``): :func:`read_civis_sql` of
    ``select <columns or *> from <table>``, with the same ``return_as`` choices."""
    return_as = _return_as(return_as, use_pandas, return_type)
    sql = _get_sql_select(table, columns)
    return read_civis_sql(
        sql, database, return_as, encoding=encoding, job_name=job_name, client=client,
        credential_id=credential_id, polling_interval=polling_interval, hidden=hidden,
        **kwargs,
    )  # fmt: skip


# -- exporting -------------------------------------------------------------------------------------
def export_to_civis_file(
    sql: str,
    database: str | int,
    sql_params_arguments: dict[str, Any] | None = None,
    job_name: str | None = None,
    client: Any = None,
    credential_id: int | None = None,
    polling_interval: float | None = None,
    hidden: bool = True,
    csv_settings: dict[str, Any] | None = None,
) -> Any:
    """Store a query's result in a Civis file (``civis.io.export_to_civis_file``): a
    :class:`CivisFuture` whose result is the finished run (``['output'][0]['file_id']``)."""
    params = _check_sql_params(sql_params_arguments)
    client = default_client() if client is None else client
    flow = sql_script(client, sql, database, job_name, credential_id, hidden, csv_settings, params)
    return drive(flow, client, then=_sql_future(client, polling_interval))


def _sql_future(client: Any, polling_interval: float | None) -> Any:
    def future(ids: tuple[int, int, int]) -> Any:
        return future_on(client, "scripts.get_sql_runs", ids[1:], polling_interval)

    return future


def civis_to_csv(
    filename: str,
    sql: str,
    database: str | int,
    sql_params_arguments: dict[str, Any] | None = None,
    job_name: str | None = None,
    client: Any = None,
    credential_id: int | None = None,
    include_header: bool = True,
    compression: str = "none",
    delimiter: str = ",",
    unquoted: bool = False,
    hidden: bool = True,
    polling_interval: float | None = None,
) -> Any:
    """Export a query's result to the local CSV file ``filename`` (``civis.io.civis_to_csv``).

    Returns a :class:`CivisFuture` on the export's run; the file is written (streamed) when
    the run succeeds, as civis-python's done-callback does, and ``result()`` re-raises an
    error of the download. With an async client: a coroutine that waits for the run, writes
    the file and gives the finished run.
    """
    if compression == "gzip" and include_header:
        compression = "none"  # civis-python's (documented) behaviour, kept
    if compression not in ("none", "gzip", "zip"):
        raise ValueError(f"compression must be one of 'none', 'gzip', 'zip': {compression}")
    settings = {
        "include_header": include_header,
        "compression": "gzip",
        "column_delimiter": _delimiter(delimiter),
        "unquoted": unquoted,
        "filename_prefix": None,
        "force_multifile": False,
    }
    params = _check_sql_params(sql_params_arguments)
    client = default_client() if client is None else client
    flow = sql_script(client, sql, database, job_name, credential_id, hidden, settings, params)
    if isinstance(client, AsyncClient):
        return drive(_export_to(flow, filename, compression, polling_interval), client)
    future = drive(flow, client, then=_sql_future(client, polling_interval))
    future.add_done_callback(_download_when_done(client, filename, compression))
    return future


def _export_to(
    started: Flow[tuple[int, int, int]],
    filename: str,
    compression: str,
    polling_interval: float | None,
) -> Flow[Any]:
    _, script_id, run_id = yield from started
    finished = yield from _finished(script_id, run_id, polling_interval)
    yield from _save(finished, script_id, run_id, filename, compression)
    return finished


def _download_when_done(client: Any, filename: str, compression: str) -> Any:
    def callback(future: Any) -> None:
        if not future.succeeded():
            return
        drive(_save(future.result(), future.job_id, future.run_id, filename, compression), client)

    return callback


def _save(
    finished: Any, script_id: int, run_id: int, filename: str, compression: str
) -> Flow[None]:
    outputs = finished.output
    if not outputs:
        warnings.warn(
            f"Job {script_id}, run {run_id} does not have any output to download. "
            f"Not creating file {filename}.",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    url = outputs[0].path
    if compression == "gzip":  # the unload is gzipped already: copied as it is
        with open(filename, "wb") as raw:
            yield from stream(url, raw.write)
        return
    inflate = _Inflate()
    if compression == "none":
        with open(filename, "wb") as plain:
            yield from stream(url, lambda chunk: plain.write(inflate(chunk)))
        return
    import os
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory() as folder:
        text = os.path.join(folder, "civis_to_csv.csv")
        with open(text, "wb") as plain:
            yield from stream(url, lambda chunk: plain.write(inflate(chunk)))
        member = os.path.basename(filename)
        if member.split(".")[-1] == "zip":
            member = member.split(".")[0] + ".csv"
        with zipfile.ZipFile(filename, "w") as archive:
            archive.write(text, member, zipfile.ZIP_DEFLATED)


def civis_to_multifile_csv(
    sql: str,
    database: str | int,
    sql_params_arguments: dict[str, Any] | None = None,
    job_name: str | None = None,
    client: Any = None,
    credential_id: int | None = None,
    include_header: bool = True,
    compression: str = "none",
    delimiter: str = "|",
    max_file_size: int | None = None,
    unquoted: bool = False,
    prefix: str | None = None,
    polling_interval: float | None = None,
    hidden: bool = True,
) -> Any:
    """Unload a query's result to several files and return their manifest
    (``civis.io.civis_to_multifile_csv``): ``query``, ``header``, ``entries`` (``id``,
    ``name``, ``size``, ``url``, ``url_signed``), ``unquoted``, ``compression``,
    ``delimiter``."""
    settings = {
        "include_header": include_header,
        "compression": compression,
        "column_delimiter": _delimiter(delimiter),
        "unquoted": unquoted,
        "filename_prefix": prefix,
        "force_multifile": True,
        "max_file_size": max_file_size,
    }
    params = _check_sql_params(sql_params_arguments)
    client = default_client() if client is None else client
    started = sql_script(client, sql, database, job_name, credential_id, hidden, settings, params)
    return drive(_manifest(started, polling_interval), client)


def _manifest(started: Flow[tuple[int, int, int]], polling_interval: float | None) -> Flow[dict]:
    _, script_id, run_id = yield from started
    finished = yield from _finished(script_id, run_id, polling_interval)
    if not finished.output:
        raise EmptyResultError(f"Unload query {script_id} returned no manifest.")
    buf = io.BytesIO()
    yield from download(finished.output[0].file_id, buf)
    return json.loads(buf.getvalue().decode("utf-8"))  # type: ignore[no-any-return]


# -- queries ---------------------------------------------------------------------------------------
def query_civis(
    sql: str,
    database: str | int,
    client: Any = None,
    credential_id: int | None = None,
    preview_rows: int = 10,
    polling_interval: float | None = None,
    hidden: bool = True,
) -> Any:
    """Run a statement as a Civis query (``civis.io.query_civis``): a :class:`CivisFuture`
    polling ``queries.get`` (its result has ``result_rows`` and ``result_columns``)."""
    client = default_client() if client is None else client

    def start() -> Flow[tuple[int]]:
        db_id = yield from database_id_of(client, database)
        credential = yield from credential_id_of(client, credential_id)
        query = yield call("queries.post", db_id, sql, preview_rows, credential=credential,
                           hidden=hidden)  # fmt: skip
        return (query.id,)

    return drive(
        start(), client, then=lambda ids: future_on(client, "queries.get", ids, polling_interval)
    )
