"""ClicData's data workflows, written once for :class:`Client` and :class:`AsyncClient`.

Each workflow is a generator that *yields* what it needs done (call a spec method, post bytes,
sleep) and receives the response, or has the error thrown into it. The drivers in
:mod:`specclient.platforms._flows` run it with the sync client, or await each step on the async
one; the logic (paging, typing, chunking, the exactly-once check) exists once. Same idea as
httpx's auth flows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx
import orjson

from specclient.client import AsyncResource, Resource
from specclient.errors import (
    ConflictError,
    ParameterError,
    RateLimitError,
    ServerError,
    SpecClientError,
    TransportError,
)
from specclient.http.retry import RetryPolicy
from specclient.platforms._flows import Call, Fan, Flow, Request, Sleep, Workflows, workflow
from specclient.platforms._one_ahead import Handoff
from specclient.platforms._progress import rows_bar
from specclient.platforms.clicdata.errors import AppendInterrupted
from specclient.platforms.clicdata.frames import (
    BLOCK_ROWS,
    check_cells,
    check_frame,
    columns_for_frame,
    iter_column_blocks,
    json_safe,
)

__all__ = [
    "DEFAULT_API_VERSION",
    "INSERT_CAP",
    "REFRESH_METHODS",
    "ClicDataData",
    "AsyncClicDataData",
    "payload",
    "result_of",
]

#: what activepieces (the one public client of the versioned API) sends unless an operation
#: says otherwise (``x-api-version`` in the spec); the format is YYYY.M or YYYY.MM.
DEFAULT_API_VERSION = "2022.01"
#: Rows per insert call: activepieces enforces it; the legacy API gets the same cap to be safe.
INSERT_CAP = 500
#: The five refresh endpoints; "reload" is the wrapper's name for /rebuild.
REFRESH_METHODS = ("recreate", "rebuild", "append", "update", "updateappend")
_REFRESH_ALIASES = {"reload": "rebuild"}
_RETRYABLE = (ServerError, TransportError, RateLimitError)
_JSON = {"Content-Type": "application/json"}


# -- envelope helpers ------------------------------------------------------------------------------


def payload(response: httpx.Response) -> Any:
    """The decoded body: JSON when it parses, else the text."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def result_of(body: Any, legacy_key: str | None = None) -> Any:
    """The useful part of a reply in either style: envelope ``result``, or the legacy shape."""
    if isinstance(body, Mapping) and "success" in body and ("result" in body or len(body) <= 2):
        return body.get("result")
    if legacy_key and isinstance(body, Mapping):
        return body.get(legacy_key)
    return body


def _page_done(body: Any, rows: Sequence[Any], page: int, page_size: int | None) -> bool:
    """Whether ``page`` was the last one, by the versioned rules or the legacy flag."""
    if isinstance(body, Mapping) and "success" in body:
        block = body.get("pagination") or {}
        if "has_more_results" in block:
            return not block["has_more_results"]
        if block.get("last_page") is not None:
            return page >= int(block["last_page"])
        size = block.get("page_size") or page_size
        return not rows or (size is not None and len(rows) < int(size))
    if isinstance(body, Mapping) and "has_more_data" in body:
        return not body["has_more_data"]
    return not rows


def _last_page(body: Any) -> int | None:
    """The versioned pagination's ``last_page``, when the page says it."""
    block = body.get("pagination") if isinstance(body, Mapping) else None
    last = block.get("last_page") if isinstance(block, Mapping) else None
    return int(last) if isinstance(last, int) and not isinstance(last, bool) else None


# The engine's one backoff (0.5, 1, 2, 4, 8 s), without jitter: a workflow's own re-checks
# are few and sequential.
_BACKOFF = RetryPolicy(backoff_base=0.5, backoff_max=8.0, jitter=False)


def _backoff(attempt: int) -> float:
    return _BACKOFF.backoff(attempt)


# -- checks that run before anything is sent ---------------------------------------------------


def _check_chunk_size(chunk_size: Any, operation: str) -> None:
    if (
        not isinstance(chunk_size, int)
        or isinstance(chunk_size, bool)
        or not 1 <= chunk_size <= INSERT_CAP
    ):
        raise ParameterError(
            operation,
            f"chunk_size must be between 1 and {INSERT_CAP} "
            f"(ClicData's cap per insert call), not {chunk_size!r}",
            "chunk_size",
        )


def _cells(filters: Any, operation: str, argument: str) -> list[dict[str, Any]]:
    if not isinstance(filters, Mapping) or not filters:
        raise ParameterError(
            operation, f"{argument} must be a non-empty dict of column -> value", argument
        )
    # Every pair is sent, False and 0 included (the wrapper dropped falsy values).
    return [{"column": str(k), "value": json_safe(v)} for k, v in filters.items()]


def _multiple(multiple: Any, operation: str) -> str:
    if multiple not in ("all", "first"):
        raise ParameterError(
            operation, f"multiple must be 'all' or 'first', not {multiple!r}", "multiple"
        )
    return multiple


def _refresh_method(method: Any) -> str:
    chosen = _REFRESH_ALIASES.get(method, method) if isinstance(method, str) else method
    if chosen not in REFRESH_METHODS:
        raise ParameterError(
            "data.rebuild",
            f"method must be one of {', '.join(REFRESH_METHODS)} (or 'reload'), not {method!r}",
            "method",
        )
    return chosen


class _ChunkFateUnknown(SpecClientError):
    """A chunk failed ambiguously and the row count that would tell could not be read."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        super().__init__(str(error))


def _chunks(df: Any, chunk_size: int) -> Iterator[tuple[list[str], list[list[Any]]]]:
    """``(column names, columns)`` of at most ``chunk_size`` JSON-ready rows, in order; the
    rows are made from the columns only when the chunk's body is (no tuple per row between)."""
    block_rows = max(1, BLOCK_ROWS // chunk_size) * chunk_size  # whole chunks: every one full
    for names, columns in iter_column_blocks(df, block_rows):
        for offset in range(0, len(columns[0]), chunk_size):
            yield names, [column[offset : offset + chunk_size] for column in columns]


# -- the flows -------------------------------------------------------------------------------------


def _data(method: str, args: tuple[Any, ...] = (), kwargs: Mapping[str, Any] | None = None) -> Call:
    """A call of the ``data`` resource's own operation ``method`` (even where a workflow
    shadows it), asking for the raw reply, whose envelope the flows read."""
    return Call(f"data.{method}", tuple(args), {**(kwargs or {}), "return_type": "raw"})


#: The columns of a data set's Data History (the spec's ``Version``), so the frame is typed
#: (a datetime ``created_date``) and keeps its columns when there are no versions.
_VERSION_COLUMNS = (
    ("version", "integer"),
    ("created_date", "timestamp"),
    ("reason", "string"),
    ("row_count", "integer"),
)


def _versions_frame(versions: list[Any]) -> Any:
    from specclient.tables import Column
    from specclient.tables.decode import batch_from_records
    from specclient.tables.frames import to_pandas

    known = [Column(name, kind) for name, kind in _VERSION_COLUMNS]
    extra = {key for row in versions if isinstance(row, Mapping) for key in row} - {
        name for name, _ in _VERSION_COLUMNS
    }
    columns = known + [Column(str(key), "object") for key in sorted(extra)]
    import pyarrow as pa

    return to_pandas(pa.Table.from_batches([batch_from_records(versions, columns)]), columns)


class _DataFlows(Workflows):
    """The workflows as generators; ``ClicDataData`` and ``AsyncClicDataData`` drive them."""

    client: Any  # the Resource this mixes into provides it
    method: Callable[[str], Any]  # provided by the Resource this mixes into

    @property
    def _settings(self) -> Mapping[str, Any]:
        # connect("clicdata") validated these into the client's options; defaults otherwise
        return {"api_version": DEFAULT_API_VERSION, "page_size": None, **self.client.settings}

    @property
    def _legacy(self) -> bool:
        return self._settings.get("api_version") is None

    def _largest_page(self, operation: str) -> int:
        """The largest ``page_size`` the spec allows on ``operation`` (1000 if it names none):
        fewer, larger requests read a table fastest."""
        for param in self.method(operation).operation.params:
            if param.wire_name == "page_size":
                return int(param.schema.get("maximum") or 1000)
        return 1000

    def _describe_flow(self, rec_id: Any) -> Flow:
        from .refresh import describe_flow

        return (yield from describe_flow(rec_id, self.client.base_url))

    def _page_size(self, operation: str, page_size: int | None) -> int | None:
        if self._legacy:
            return None  # the legacy API has no page size: the server picks
        return page_size or self._settings["page_size"] or self._largest_page(operation)

    def _walk_flow(
        self,
        operation: str,
        path: tuple[Any, ...],
        page_size: int | None,
        progress: bool | None,
        total: int | None,
        columns: Sequence[Mapping[str, str]] | None = None,
        into: Any = None,
    ) -> Flow:
        """Every page of ``operation`` into ``into`` (a :mod:`.reading` consumer; by default a
        :class:`~.reading.Keep`), which is returned.

        When the first page says how many there are (the versioned pagination's
        ``last_page``), the rest are fetched two at a time, in order: the next page is on the
        wire while the last one is decoded.
        """
        from .reading import Keep

        size = self._page_size(operation, page_size)
        pages = into if into is not None else Keep(columns)
        records = "data" if self._legacy else "result"
        bar = rows_bar(total or 0, progress, "reading")

        def page_call(page: int) -> Call:
            kwargs: dict[str, Any] = {"page": page}
            if size is not None:
                kwargs["page_size"] = size
            return _data(operation, path, kwargs)

        def take(reply: Any) -> Any:
            got, body = pages.take(reply, records)
            bar.update(got)
            return got, body

        try:
            page = 1
            while True:
                # An error on any page raises: the wrapper printed it and returned half the rows.
                got, body = take((yield page_call(page)))
                if _page_done(body, range(got), page, size):
                    return pages
                last = _last_page(body)
                if page == 1 and last is not None:
                    yield Fan([page_call(n) for n in range(2, last + 1)], 2, take)
                    return pages
                page += 1
        finally:
            bar.close()

    def _get_flow(
        self,
        rec_id: Any,
        page_size: int | None,
        progress: bool | None,
        return_type: str | None = None,
        to_parquet: Any = None,
        to_csv: Any = None,
    ) -> Flow:
        from specclient.tables.outputs import table_return_type
        from specclient.tables.sinks import Collect, sink_for

        from .reading import EachPage

        if return_type == "dask":
            return (yield from self._dask_flow(rec_id, page_size))
        # checked before anything is sent
        wanted = table_return_type("data.get", return_type)
        sink = sink_for(to_parquet, to_csv)
        meta = yield from self._describe_flow(rec_id)
        walk = ("rows", (rec_id,), page_size, progress, meta.get("row_count"), meta.get("columns"))
        if isinstance(sink, Collect):
            pages = yield from self._walk_flow(*walk)
            return pages.collected.table() if wanted == "arrow" else pages.collected.frame()
        # a file: each page written as it arrives, one page in memory
        each = EachPage(meta.get("columns"), sink.add)
        try:
            yield from self._walk_flow(*walk, into=each)
        except BaseException:
            sink.abort()
            raise
        assert each.schema is not None  # the first page always sets it
        return sink.close(each.schema)

    def _dask_flow(self, rec_id: Any, page_size: int | None) -> Flow:
        """The metadata and one row (the schema, the row count); the partitions fetch the rest."""
        from specclient.tables.partitions import dask_frame

        from .partitions import partitions
        from .reading import EachPage

        if self._legacy:
            raise ParameterError(
                "data.get",
                'return_type="dask" needs the versioned API (connect with an api_version): '
                "the legacy API has no page_size, so a partition cannot name its pages",
                "return_type",
            )
        meta = yield from self._describe_flow(rec_id)
        columns = list(meta.get("columns") or [])
        size = self._page_size("rows", page_size) or 1000  # versioned: always a number
        first = EachPage(columns, lambda batch: None)
        _, body = first.take(
            (yield _data("rows", (rec_id,), {"page": 1, "page_size": 1})), "result"
        )
        block = body.get("pagination") if isinstance(body, Mapping) else None
        total = int((block or {}).get("result_total_count") or meta.get("row_count") or 0)
        assert first.schema is not None  # the first page always sets it
        settings = (str(self.client.base_url), self._settings["api_version"])
        pieces = partitions(*settings, int(rec_id), total, size, columns, first.schema, 2)
        return dask_frame(list(pieces), first.schema.empty_table().to_pandas(), "data.get")

    def _batches_flow(self, rec_id: Any, page_size: int | None) -> Flow:
        """Every page of the data set's rows as an :class:`~.._batches.Emit` of one record
        batch, one request a page, the next sent only when the last batch was taken."""
        from .._batches import Emit
        from .reading import EachPage

        meta = yield from self._describe_flow(rec_id)
        ready: list[Any] = []
        into = EachPage(meta.get("columns"), ready.append)
        size, records = self._page_size("rows", page_size), "data" if self._legacy else "result"
        page = 1
        while True:
            kwargs: dict[str, Any] = {"page": page}
            if size is not None:
                kwargs["page_size"] = size
            got, body = into.take((yield _data("rows", (rec_id,), kwargs)), records)
            for batch in ready:
                yield Emit(batch)
            ready.clear()
            if _page_done(body, range(got), page, size):
                return None
            page += 1

    def _history_flow(self, rec_id: Any, version: int | None, page_size: int | None) -> Flow:

        if version is None:
            body = payload((yield _data("versions", (rec_id,))))
            return _versions_frame(list(result_of(body, "versions") or []))
        meta = yield from self._describe_flow(rec_id)
        pages = yield from self._walk_flow(
            "version_rows", (rec_id, version), page_size, False, None, meta.get("columns")
        )
        return pages.collected.frame()

    def _row_count_flow(self, rec_id: Any) -> Flow:
        if not self._legacy:
            body = payload((yield _data("rows", (rec_id,), {"page": 1, "page_size": 1})))
            block = body.get("pagination") if isinstance(body, Mapping) else None
            if block and block.get("result_total_count") is not None:
                return int(block["result_total_count"])
        meta = yield from self._describe_flow(rec_id)
        if meta.get("row_count") is not None:
            return int(meta["row_count"])
        pages = yield from self._walk_flow("rows", (rec_id,), None, False, None)
        return pages.collected.rows

    def _create_flow(
        self, name: Any, df: Any, description: str, chunk_size: int, progress: bool | None
    ) -> Flow:
        operation = "data.create_from_dataframe"
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(operation, "name must be a non-empty string", "name")
        columns = columns_for_frame(df, operation=operation)
        _check_chunk_size(chunk_size, operation)
        kwargs = {"name": name, "description": description, "columns": columns}
        created = result_of(payload((yield _data("create", (), kwargs))))
        rec_id = created.get("id") if isinstance(created, Mapping) else created
        try:
            rec_id = int(str(rec_id).strip())
        except ValueError:
            raise SpecClientError(f"{operation}(): ClicData did not return a RecId") from None
        yield from self._append_flow(rec_id, df, chunk_size, progress, 5, known_empty=True)
        return rec_id

    def _append_flow(
        self,
        rec_id: Any,
        df: Any,
        chunk_size: int,
        progress: bool | None,
        max_attempts: int,
        *,
        known_empty: bool = False,
    ) -> Flow:
        operation = "data.append"
        check_frame(df, operation=operation)
        _check_chunk_size(chunk_size, operation)
        if not known_empty:
            meta = yield from self._describe_flow(rec_id)
            types = {str(c.get("name")): str(c.get("data_type")) for c in meta.get("columns") or []}
            unknown = [str(c) for c in df.columns if types and str(c) not in types]
            if unknown:
                raise ParameterError(
                    operation,
                    f"columns {unknown} are not in data set {rec_id} (it has {sorted(types)})",
                    "df",
                )
            # every cell, before the first chunk: the server would refuse a bad one only after
            # storing the chunks before it
            check_cells(df, types, operation=operation)
        expected = 0 if known_empty else (yield from self._row_count_flow(rec_id))
        start = expected
        bar = rows_bar(len(df), progress, "appending")
        # The next chunk's body is made in a worker thread while this one is in flight: from
        # when its bytes are on the wire (on_sent), so making it never holds up sending it.
        bodies = Handoff(
            (
                (len(columns[0]), self._chunk_body(names, columns))
                for names, columns in _chunks(df, chunk_size)
            ),
            eager=False,
        )
        path = f"/data/{int(rec_id)}/row" if self._legacy else f"/data/{int(rec_id)}/insert"
        try:
            for size, content in bodies:
                sending = {"content": content, "idempotent": False, "headers": _JSON}
                step = Request("POST", path, sending, on_sent=bodies.advance)
                try:
                    yield from self._chunk_flow(rec_id, step, size, expected, max_attempts)
                except ConflictError:
                    raise  # another writer: its message says what the table holds
                except _ChunkFateUnknown as lost:
                    raise AppendInterrupted(
                        rec_id, expected - start, len(df), lost.error, held=expected, unsure=size
                    ) from lost.error
                except SpecClientError as error:
                    raise AppendInterrupted(
                        rec_id, expected - start, len(df), error, held=expected
                    ) from error
                expected += size
                bar.update(size)
        finally:
            bodies.close()
            bar.close()
        return expected - start

    def _chunk_body(self, names: list[str], columns: Sequence[list[Any]]) -> bytes:
        # Posted as bytes through client.request (same sender, auth, api_version and envelope
        # check) rather than through the spec method: the rows are already JSON-safe, and the
        # method's per-item argument check would cost about 20 microseconds a row, more than
        # the rest of the client's work together.
        rows: list[Any]
        if self._legacy:
            rows = [
                [{"column": n, "value": v} for n, v in zip(names, values, strict=True)]
                for values in zip(*columns, strict=True)
            ]
        else:
            rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        # orjson: the same bytes as json.dumps(separators=(",", ":")), 8x faster (the rows are
        # JSON-safe already: no NaN, no numpy scalars); docs/DECISIONS.md
        return orjson.dumps({"data": rows})

    def _chunk_flow(
        self, rec_id: Any, step: Request, size: int, before: int, attempts: int
    ) -> Flow:
        failure: Exception | None = None
        for attempt in range(1, attempts + 1):
            try:
                yield step
                return
            except _RETRYABLE as exc:
                failure = exc
            # Ambiguous: the server may have stored the chunk before failing. Ask the table.
            try:
                count = yield from self._count_after_failure_flow(rec_id, attempts)
            except _RETRYABLE as unreadable:
                raise _ChunkFateUnknown(unreadable) from unreadable
            if count == before + size:
                return
            if count != before:
                raise ConflictError(
                    f"data.append(): data set {rec_id} holds {count} rows, but this append "
                    f"expected {before} or {before + size}: something else is writing to "
                    f"it; stopped with {before} rows in place",
                    status_code=409,
                    method="POST",
                    url=f"{self.client.base_url}/data/{rec_id}",
                )
            if attempt < attempts:
                yield Sleep(_backoff(attempt))
        assert failure is not None
        raise failure

    def _count_after_failure_flow(self, rec_id: Any, attempts: int) -> Flow:
        for attempt in range(1, attempts + 1):
            try:
                return (yield from self._row_count_flow(rec_id))
            except _RETRYABLE:
                if attempt == attempts:
                    raise
            yield Sleep(_backoff(attempt))
        raise AssertionError("unreachable")

    def _rebuild_flow(
        self, rec_id: Any, method: Any, wait: bool, timeout: float | None, progress: Any
    ) -> Flow:
        from .refresh import refresh_flow

        chosen = _refresh_method(method)
        send = _data(f"refresh_{chosen}", (rec_id,))
        base_url = self.client.base_url
        return (
            yield from refresh_flow(
                send, rec_id, chosen, base_url, wait=wait, timeout=timeout, progress=progress
            )
        )

    def _delete_flow(self, rec_id: Any, filters: Any, multiple: Any) -> Flow:
        find = _cells(filters, "data.delete_rows", "filters")
        multiple = _multiple(multiple, "data.delete_rows")
        kwargs = {"find": find, "multiplerows": multiple}
        result = result_of(payload((yield _data("delete_rows", (rec_id,), kwargs))))
        return int(result.get("rows_deleted", 0)) if isinstance(result, Mapping) else 0

    def _update_flow(self, rec_id: Any, filters: Any, values: Any, multiple: Any) -> Flow:
        find = _cells(filters, "data.update_rows", "filters")
        changes = _cells(values, "data.update_rows", "values")
        multiple = _multiple(multiple, "data.update_rows")
        kwargs = {"find": find, "set": changes, "multiplerows": multiple}
        result = result_of(payload((yield _data("update_rows", (rec_id,), kwargs))))
        return int(result.get("rows_updated", 0)) if isinstance(result, Mapping) else 0

    # == the workflows both resources offer (signature and docstring here, once) ==========

    @workflow
    def describe(self, rec_id: int) -> Flow[dict[str, Any]]:
        """The data set's metadata (name, columns with their types, row count when given).

        Raises
        ------
        specclient.errors.NotFoundError
            No data set has this RecId.
        """
        return (yield from self._describe_flow(rec_id))

    @workflow
    def get(
        self,
        rec_id: int,
        *,
        page_size: int | None = None,
        progress: bool | None = None,
        return_type: str | None = None,
        to_parquet: Any = None,
        to_csv: Any = None,
    ) -> Flow[Any]:
        """Every row of a data set as one DataFrame, typed from the table's column types.

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        page_size : int, optional
            Rows per request on the versioned API: by default the client's ``page_size``,
            else the largest the API allows (the spec's maximum, 10,000).
        progress : bool, optional
            Show a progress bar; by default only when stderr is a terminal.
        return_type : {"pandas", "arrow", "dask"}, optional
            A DataFrame (default), a ``pyarrow.Table`` of the same columns, or a
            ``dask.dataframe`` whose partitions (100,000 rows each) fetch their own pages when
            computed, on the workers (``specclient[dask]``; the versioned API; workers
            authenticate from their own ``CLICDATA_*`` environment; the columns are the
            stream's: ``number`` as ``float64``, ``dropdown`` as text).
        to_parquet, to_csv : str or path, optional
            Write the rows to this file as the pages arrive (one page in memory, whatever the
            table's size) and return its path. The file appears only when every page is in
            (written as ``<path>.partial`` until then). Its schema is fixed by the first page:
            ``number`` columns are ``float64`` and ``dropdown`` plain text there.

        Returns
        -------
        pandas.DataFrame
            ``number`` -> int64 (Int64 with nulls) when every value is whole, else float64;
            ``checkbox`` -> bool; ``datetime`` -> datetime64 (UTC-aware when the values carry a
            zone); ``dropdown`` -> category; ``text`` -> object.
        """
        return (
            yield from self._get_flow(rec_id, page_size, progress, return_type, to_parquet, to_csv)
        )

    @workflow
    def history(
        self, rec_id: int, version: int | None = None, *, page_size: int | None = None
    ) -> Flow[Any]:
        """The stored versions of a data set, or the rows of one version (Data History on).

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        version : int, optional
            Without it: one row per version (``version``, ``created_date``, ``reason``,
            ``row_count``). With it: that version's rows, typed like :meth:`get`.

        Returns
        -------
        pandas.DataFrame
        """
        return (yield from self._history_flow(rec_id, version, page_size))

    @workflow
    def row_count(self, rec_id: int) -> Flow[int]:
        """How many rows the data set holds now (one small request on the versioned API)."""
        return (yield from self._row_count_flow(rec_id))

    @workflow
    def create_from_dataframe(
        self,
        name: str,
        df: Any,
        *,
        description: str = "",
        chunk_size: int = INSERT_CAP,
        progress: bool | None = None,
    ) -> Flow[int]:
        """Create a custom table with a column per DataFrame column, then append the rows.

        Every dtype maps by kind: ints and floats of any width (and nullable ``Int64``) ->
        ``number``; ``bool``/``boolean`` -> ``checkbox``; ``datetime64`` with or without a time
        zone -> ``datetime``; ``category``, ``object``, strings and durations -> ``text``.

        Returns
        -------
        int
            The new data set's RecId.

        Raises
        ------
        specclient.errors.ParameterError
            Before anything is created: not a DataFrame, duplicate or unmappable columns,
            infinite floats, or a bad ``chunk_size``.
        """
        return (yield from self._create_flow(name, df, description, chunk_size, progress))

    @workflow
    def append(
        self,
        rec_id: int,
        df: Any,
        *,
        chunk_size: int = INSERT_CAP,
        progress: bool | None = None,
        max_attempts: int = 5,
    ) -> Flow[int]:
        """Append a DataFrame's rows, in chunks, exactly once each.

        NaN/NaT/NA become null, timestamps ISO 8601 (UTC with ``Z`` when tz-aware), numpy
        scalars plain JSON numbers. When a chunk fails ambiguously (a 5xx, a timeout, a dropped
        connection: it may or may not have been stored), the table's row count says which: the
        chunk is sent again only if it is not there.

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        df : pandas.DataFrame
            Its columns must exist in the table.
        chunk_size : int
            Rows per request, at most 500.
        progress : bool, optional
            Progress bar; by default only when stderr is a terminal.
        max_attempts : int
            Sends per chunk before giving up.

        Returns
        -------
        int
            Rows appended.

        Raises
        ------
        specclient.errors.ParameterError
            Before anything is sent, for a bad frame, chunk size or unknown columns.
        specclient.errors.ConflictError
            The row count moved by something else than this chunk (another writer).
        """
        return (yield from self._append_flow(rec_id, df, chunk_size, progress, max_attempts))

    @workflow
    def rebuild(
        self,
        rec_id: int,
        method: str = "rebuild",
        *,
        wait: bool = False,
        timeout: float | None = None,
        progress: Any = None,
    ) -> Flow[Any]:
        """Refresh a data set: ``recreate``, ``rebuild`` (the wrapper's ``reload``), ``append``,
        ``update`` or ``updateappend``; a future on the refresh.

        Returns a :class:`~specclient.platforms.clicdata.refresh.RefreshFuture` (a
        ``concurrent.futures.Future``; on the async client its awaitable twin): ``reply`` is
        the refresh's reply, and the result is the data set's description (``GET /data``)
        once its ``last_data_update_date`` shows the refresh. ``wait=True`` returns
        ``future.result(timeout)``. The refresh is sent once: a lost reply is reconciled with
        the data set's date, never replayed (:class:`RefreshLost` when it cannot be told).

        Raises
        ------
        specclient.errors.ParameterError
            An unknown method name, before anything is sent.
        specclient.platforms.clicdata.RefreshLost
            The reply was lost and the data set does not show the refresh: it may have happened.
        """
        return (yield from self._rebuild_flow(rec_id, method, wait, timeout, progress))

    @workflow
    def delete_rows(
        self, rec_id: int, filters: Mapping[str, Any], multiple: str = "all"
    ) -> Flow[int]:
        """Delete the rows whose columns equal ``filters``; ``multiple="first"`` deletes one.

        Returns
        -------
        int
            Rows deleted, when the server says.
        """
        return (yield from self._delete_flow(rec_id, filters, multiple))

    @workflow
    def update_rows(
        self,
        rec_id: int,
        filters: Mapping[str, Any],
        values: Mapping[str, Any],
        multiple: str = "all",
    ) -> Flow[int]:
        """Set ``values`` on the rows whose columns equal ``filters``.

        Returns
        -------
        int
            Rows updated, when the server says.
        """
        return (yield from self._update_flow(rec_id, filters, values, multiple))


_ITER_BATCHES_DOC = """Every row of a data set as ``pyarrow.RecordBatch`` es, one a page, fetched lazily.

        One page is fetched each time the next batch is wanted, so memory is bounded by a page.
        Every batch has one schema (the first page's, with ``number`` as ``float64`` and
        ``dropdown`` as text, as :meth:`get`'s ``to_parquet=`` writes).

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        page_size : int, optional
            Rows a page (a batch): the client's ``page_size``, else the largest the API allows.
        """


class ClicDataData(_DataFlows, Resource):
    """``client.data``: the spec's data-set endpoints plus DataFrame workflows."""

    def iter_batches(self, rec_id: int, *, page_size: int | None = None) -> Iterator[Any]:
        from specclient.platforms._batches import iterate
        from specclient.platforms._workflow import spec_caller

        flow = self._batches_flow(rec_id, page_size)
        yield from iterate(flow, self._client, spec_caller(self._client))

    iter_batches.__doc__ = _ITER_BATCHES_DOC


class AsyncClicDataData(_DataFlows, AsyncResource):
    """``client.data`` on an AsyncClient: the same workflows, awaitable."""

    async def iter_batches(
        self, rec_id: int, *, page_size: int | None = None
    ) -> AsyncIterator[Any]:
        # an async generator, the twin of the sync one (``async for``); the paging is the flow
        from specclient.platforms._batches import aiterate
        from specclient.platforms._workflow import spec_caller

        flow = self._batches_flow(rec_id, page_size)
        async for batch in aiterate(flow, self._client, spec_caller(self._client)):
            yield batch

    iter_batches.__doc__ = _ITER_BATCHES_DOC
