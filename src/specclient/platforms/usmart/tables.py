"""uSmart's table-shaped answers through :mod:`specclient.tables`: URQL records and data files
as typed Arrow batches, a ``pyarrow.Table``, or a Parquet/CSV file written as bytes arrive.

URQL streams one JSON array (``limit(-1)``); :class:`~.workflows.JsonArrayReader` cuts it
into records as the bytes come, and :class:`RecordBatcher` turns every ``batch_rows`` records
into one typed batch (:func:`specclient.tables.decode.batch_from_records`). uSmart publishes
no column types, so each column's kind is read from the first batch's values (whole numbers:
``integer``; any fraction: ``number``; ``true``/``false``: ``boolean``; text: ``string``)
unless ``kinds=`` names it; a later value that does not fit its column is an error naming the
column, never a silently changed value. A data file is downloaded to a temporary file as it
streams (memory: one chunk), then read a batch at a time: Parquet and CSV by Arrow's readers,
a JSON array of records like URQL's answer.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ...errors import ParameterError, SpecClientError
from ...tables.columns import KINDS, Column, kind_of_values
from .._flows import Download, Flow, Request, Workflows, workflow

if TYPE_CHECKING:
    import pyarrow as pa

    from ...tables.outputs import TableOutput

__all__ = [
    "BATCH_ROWS",
    "RecordBatcher",
    "UrqlStream",
    "urql_request",
    "urql_table_flow",
    "urql_batches",
    "aurql_batches",
    "file_request",
    "file_table_flow",
    "file_download_flow",
    "file_batches",
    "DataTables",
    "AsyncDataTables",
    "FileTables",
    "AsyncFileTables",
]

#: Records per batch: the size of a Habu result page.
BATCH_ROWS = 10_000


# -- records to typed batches ------------------------------------------------------------------


_FITS = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


class RecordBatcher:
    """Records in, typed batches of ``batch_rows`` out (at most ``limit`` records in all).

    ``kinds`` names a column's kind; the others are read from the first batch's values.
    """

    def __init__(
        self,
        *,
        batch_rows: int = BATCH_ROWS,
        kinds: Mapping[str, str] | None = None,
        limit: int | None = None,
        where: str = "data.query",
    ) -> None:
        for name, kind in (kinds or {}).items():
            if kind not in KINDS:
                raise ParameterError(where, f"kinds[{name!r}] must be one of {KINDS}", "kinds")
        self.batch_rows = batch_rows
        self.kinds = dict(kinds or {})
        self.limit = limit
        self.where = where
        self.columns: list[Column] | None = None
        self.rows = 0  # records taken so far
        self._pending: list[Any] = []

    @property
    def full(self) -> bool:
        return self.limit is not None and self.rows >= self.limit

    def feed(self, records: Sequence[Any]) -> list[pa.RecordBatch]:
        out = []
        for record in records:
            if self.full:
                break
            self._pending.append(record)
            self.rows += 1
            if len(self._pending) >= self.batch_rows:
                out.append(self._batch())
        return out

    def flush(self) -> list[pa.RecordBatch]:
        """The records still held; the one (empty) batch of a table without records."""
        if self._pending or self.columns is None:
            return [self._batch()]
        return []

    def _batch(self) -> pa.RecordBatch:
        from ...tables.decode import batch_from_records

        records, self._pending = self._pending, []
        if not all(isinstance(r, Mapping) for r in records):
            raise SpecClientError(f"{self.where}(): the answer holds items that are not records")
        if self.columns is None:
            self.columns = self._infer(records)
        self._check(records)
        return batch_from_records(records, self.columns)

    def _infer(self, records: Sequence[Mapping[str, Any]]) -> list[Column]:
        names: dict[str, None] = {}
        for record in records:
            names.update(dict.fromkeys(record))
        return [
            Column(
                name,
                self.kinds.get(name)
                or kind_of_values([r.get(name) for r in records], empty="string"),
            )
            for name in names
        ]

    def _check(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.columns is not None
        known = {c.name: c.kind for c in self.columns}
        for number, record in enumerate(records, start=self.rows - len(records)):
            for name, value in record.items():
                kind = known.get(name)
                fits = _FITS.get(kind or "")
                if kind is None or (value is not None and fits is not None and not fits(value)):
                    what = "a column not in the first records" if kind is None else kind
                    raise SpecClientError(
                        f"{self.where}(): record {number} has {name}={value!r}, but {name!r} is "
                        f"{what} (read from the first {self.batch_rows} records); name its "
                        f"kind with kinds={{{name!r}: ...}} (one of {KINDS})"
                    )


class UrqlStream:
    """A streamed JSON array of records to typed batches, chunk by chunk (fed by the sync and
    the async reader alike, so the parsing exists once)."""

    def __init__(self, batcher: RecordBatcher) -> None:
        from .workflows import JsonArrayReader

        self.reader = JsonArrayReader()
        self.batcher = batcher

    @property
    def done(self) -> bool:
        return self.reader.done or self.batcher.full

    def feed(self, chunk: bytes) -> list[pa.RecordBatch]:
        return self.batcher.feed(self.reader.feed(chunk))

    def end(self, stopped: bool) -> list[pa.RecordBatch]:
        """The bytes ended (``stopped``: by our choice); the last batch."""
        if not stopped and not self.batcher.full:
            self.reader.end()
        return self.batcher.flush()


# -- URQL --------------------------------------------------------------------------------------


def urql_request(
    host: Any,
    where: str,
    resource_guid: str,
    terms: Sequence[str],
    revision: int | str,
    conditions: Mapping[str, Any] | None,
    select: Any,
    sort: Any,
    limit: int | None,
) -> Request:
    """The URQL request for a query, its arguments checked before anything is sent."""
    from .workflows import URQL_WINDOW, _client_settings, _field_names, _require_guid, _wire

    _require_guid(where, "resource_guid", resource_guid)
    if not (revision == "latest" or isinstance(revision, int) and revision >= 0):
        raise ParameterError(where, "revision must be 'latest' or a whole number", "revision")
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise ParameterError(where, "limit must be a whole number >= 0", "limit")
    parts = list(terms)
    for key, value in (conditions or {}).items():
        parts.append(f"{quote(str(key), safe='')}={quote(_wire(value), safe='')}")
    for term, names in (("sort", sort), ("select", select)):
        fields = _field_names(where, term, names)
        if fields:
            parts.append(f"{term}({','.join(fields)})")
    streaming = limit is None or limit > URQL_WINDOW
    parts.append("limit(-1)" if streaming else f"limit({limit},0)")
    org_guid, hosts = _client_settings(host)
    url = f"{hosts.api}/org/{org_guid}/{quote(resource_guid, safe='')}/{revision}/urql?"
    return Request("GET", url + "&".join(parts), {"idempotent": True})


def _stream_into(read: Request, stream: UrqlStream, chunk_size: int, output: TableOutput) -> Flow:
    """Stream ``read``'s JSON array into ``output``'s sink; returns the columns."""

    def take(chunk: bytes) -> bool:
        for batch in stream.feed(chunk):
            output.sink.add(batch)
        return stream.done

    try:
        stopped = yield Download(read, chunk_size, take)
        for batch in stream.end(stopped):
            output.sink.add(batch)
    except BaseException:
        output.sink.abort()
        raise
    return stream.batcher.columns


def urql_table_flow(
    read: Request, batcher: RecordBatcher, chunk_size: int, output: TableOutput
) -> Flow:
    """A query's records delivered as ``output`` asks (a table, a frame, a file)."""
    from ...tables.outputs import deliver

    columns = yield from _stream_into(read, UrqlStream(batcher), chunk_size, output)
    return deliver(output, columns)


def urql_batches(
    client: Any, read: Request, batcher: RecordBatcher, chunk_size: int
) -> Iterator[pa.RecordBatch]:
    """A query's typed batches, read lazily from the streamed answer (sync client)."""
    from ...response import raise_for_status

    stream = UrqlStream(batcher)
    response = client._request(read.verb, read.path, **read.options, stream=True)
    try:
        raise_for_status(response)
        stopped = False
        for chunk in response.iter_bytes(chunk_size):
            yield from stream.feed(chunk)
            if stream.done:
                stopped = True
                break
        yield from stream.end(stopped)
    finally:
        response.close()


async def aurql_batches(
    client: Any, read: Request, batcher: RecordBatcher, chunk_size: int
) -> AsyncIterator[pa.RecordBatch]:
    """:func:`urql_batches` on an async client."""
    from ...response import raise_for_status

    stream = UrqlStream(batcher)
    response = await client._request(read.verb, read.path, **read.options, stream=True)
    try:
        if response.status_code >= 400:
            await response.aread()  # the error's excerpt needs the body
        raise_for_status(response)
        stopped = False
        async for chunk in response.aiter_bytes(chunk_size):
            for batch in stream.feed(chunk):
                yield batch
            if stream.done:
                stopped = True
                break
        for batch in stream.end(stopped):
            yield batch
    finally:
        await response.aclose()


# -- data files --------------------------------------------------------------------------------


def file_request(host: Any, resource_guid: str, where: str) -> Request:
    """The download of a file's latest revision (``files.download``'s endpoint), streamed."""
    from .workflows import _client_settings, _require_guid

    _require_guid(where, "resource_guid", resource_guid)
    org_guid, hosts = _client_settings(host)
    url = f"{hosts.data}/org/{org_guid}/resource?resourceGUID={quote(resource_guid, safe='')}"
    return Request("GET", url, {"idempotent": True})


def file_download_flow(read: Request, chunk_size: int) -> Flow:
    """Download to a temporary file (one chunk in memory); returns its path."""
    descriptor, name = tempfile.mkstemp(prefix="specclient-usmart-")
    try:
        with open(descriptor, "wb") as handle:

            def write(chunk: bytes) -> bool:
                handle.write(chunk)
                return False

            yield Download(read, chunk_size, write)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _format_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(64).lstrip()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def file_batches(
    path: Path, batcher: RecordBatcher, *, remove: bool = True
) -> Iterator[pa.RecordBatch]:
    """A downloaded data file's rows, a batch at a time: Parquet and CSV through Arrow's
    readers, a JSON array of records through :class:`RecordBatcher`. The file is removed
    once read (or abandoned) when ``remove``."""
    try:
        kind = _format_of(path)
        if kind == "parquet":
            import pyarrow.parquet as pq

            with pq.ParquetFile(path) as parquet:
                yield from parquet.iter_batches(batch_size=batcher.batch_rows)
        elif kind == "csv":
            import pyarrow.csv as pcsv

            with pcsv.open_csv(path) as reader:
                yield from reader
        else:
            stream = UrqlStream(batcher)
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 16):
                    yield from stream.feed(chunk)
            yield from stream.end(False)
    finally:
        if remove:
            path.unlink(missing_ok=True)


def file_table_flow(
    read: Request, batcher: RecordBatcher, chunk_size: int, output: TableOutput
) -> Flow:
    """A data file's rows delivered as ``output`` asks, each column typed as its kind is in
    every table (a CSV's dates as ``timestamp[ns]``, like Habu's)."""
    from ...tables.columns import arrow_schema
    from ...tables.outputs import deliver

    path = yield from file_download_flow(read, chunk_size)
    columns: list[Column] | None = None
    try:
        for batch in file_batches(path, batcher):
            if columns is None:
                columns = _columns_of(batch.schema)
            output.sink.add(batch.cast(arrow_schema(columns)))
    except BaseException:
        output.sink.abort()
        raise
    return deliver(output, columns or [])


def _columns_of(schema: pa.Schema) -> list[Column]:
    from ...transfer.kinds import kind_of

    columns = []
    for field in schema:
        kind = kind_of(field.type)
        if kind is None:
            raise SpecClientError(
                f"files.table(): column {field.name!r} is {field.type}, which no table kind "
                "holds; read this file with files.batches() instead"
            )
        columns.append(Column(field.name, kind))
    return columns


# -- the methods -------------------------------------------------------------------------------


def _query(
    host: Any,
    resource_guid: str,
    terms: Sequence[str],
    options: Mapping[str, Any],
    kinds: Mapping[str, str] | None,
) -> tuple[Request, RecordBatcher]:
    where = "data.query_batches"
    limit = options.get("limit")
    read = urql_request(
        host,
        where,
        resource_guid,
        terms,
        options.get("revision", "latest"),
        options.get("where"),
        options.get("select"),
        options.get("sort"),
        limit,
    )
    return read, RecordBatcher(kinds=kinds, limit=limit, where=where)


class DataTables:
    """``client.data.query_batches`` on the sync client."""

    def query_batches(
        self,
        resource_guid: str,
        *terms: str,
        kinds: Mapping[str, str] | None = None,
        chunk_size: int = 1 << 16,
        **options: Any,
    ) -> Iterator[pa.RecordBatch]:
        """The records of :meth:`query` (same ``revision``, ``where``, ``select``, ``sort``,
        ``limit``) as typed ``pyarrow.RecordBatch`` es of 10,000 records, read lazily from
        the streamed answer: nothing is held beyond one batch."""
        read, batcher = _query(self, resource_guid, terms, options, kinds)
        return urql_batches(self.client, read, batcher, chunk_size)  # type: ignore[attr-defined]


class AsyncDataTables:
    """``client.data.query_batches`` on the async client (awaited: an async iterator)."""

    async def query_batches(
        self,
        resource_guid: str,
        *terms: str,
        kinds: Mapping[str, str] | None = None,
        chunk_size: int = 1 << 16,
        **options: Any,
    ) -> AsyncIterator[pa.RecordBatch]:
        """See :meth:`DataTables.query_batches`."""
        read, batcher = _query(self, resource_guid, terms, options, kinds)
        return aurql_batches(self.client, read, batcher, chunk_size)  # type: ignore[attr-defined]


class _FileTableFlows(Workflows):
    @workflow
    def table(
        self,
        resource_guid: str,
        *,
        return_type: str | None = None,
        to_parquet: str | os.PathLike[str] | None = None,
        to_csv: str | os.PathLike[str] | None = None,
        kinds: Mapping[str, str] | None = None,
        chunk_size: int = 1 << 16,
    ) -> Flow[Any]:
        """A data file's latest revision as a table: a DataFrame (default), a
        ``pyarrow.Table``, or written to ``to_parquet``/``to_csv`` a batch at a time.

        The file streams to a temporary file first (one chunk in memory), then is read a
        batch at a time: Parquet and CSV by Arrow's readers (CSV types inferred by Arrow), a
        JSON array of records typed from its first records' values (``kinds=`` overrides).
        """
        from ...tables.outputs import table_output

        read = file_request(self, resource_guid, "files.table")
        output = table_output("files.table", return_type, to_parquet, to_csv)
        batcher = RecordBatcher(kinds=kinds, where="files.table")
        return (yield from file_table_flow(read, batcher, chunk_size, output))


class FileTables(_FileTableFlows):
    """``client.files.table`` and ``client.files.batches`` on the sync client."""

    def batches(
        self,
        resource_guid: str,
        *,
        kinds: Mapping[str, str] | None = None,
        chunk_size: int = 1 << 16,
    ) -> Iterator[pa.RecordBatch]:
        """A data file's rows as typed record batches: downloaded to a temporary file
        first (one chunk in memory), then read a batch at a time; the file is removed after."""
        from .._flows import run, spec_caller

        read = file_request(self, resource_guid, "files.batches")
        client = self.client  # type: ignore[attr-defined]
        path = run(file_download_flow(read, chunk_size), client, spec_caller(client))
        return file_batches(path, RecordBatcher(kinds=kinds, where="files.batches"))


class AsyncFileTables(_FileTableFlows):
    """``client.files.table`` and ``client.files.batches`` on the async client."""

    async def batches(
        self,
        resource_guid: str,
        *,
        kinds: Mapping[str, str] | None = None,
        chunk_size: int = 1 << 16,
    ) -> AsyncIterator[pa.RecordBatch]:
        """See :meth:`FileTables.batches`: awaited, an async iterator."""
        from .._flows import arun, spec_caller

        read = file_request(self, resource_guid, "files.batches")
        client = self.client  # type: ignore[attr-defined]
        path = await arun(file_download_flow(read, chunk_size), client, spec_caller(client))
        return _as_async(file_batches(path, RecordBatcher(kinds=kinds, where="files.batches")))


async def _as_async(batches: Iterator[pa.RecordBatch]) -> AsyncIterator[pa.RecordBatch]:
    # a local file read a batch at a time: short, blocking reads, as aiofiles would thread
    for batch in batches:
        yield batch
