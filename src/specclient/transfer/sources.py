"""Where a copy reads its table: descriptors that open a stream of Arrow record batches.

Each source names itself (``key``: the same table gives the same key, so a re-run of a copy
finds its checkpoint) and has an ``open()`` flow that returns an iterator of batches (sync on
a sync client, async on an async one), reusing each platform's own batch reader and the one
decoder in :mod:`specclient.tables`. The batches of a source share one schema, and the rows
come in the same order every time (a resumed copy skips the rows already written).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from .drive import CopyFlow, Invoke, settle

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "Source",
    "HabuResult",
    "ClicDataRows",
    "FrameSource",
    "FileSource",
    "UsmartQuery",
    "UsmartFile",
    "habu_result",
    "clicdata_data",
    "usmart_query",
    "usmart_file",
    "frame",
    "file",
    "BATCH_ROWS",
]

#: Rows per batch where the source sets no page of its own (DataFrames, local files).
BATCH_ROWS = 10_000


class Source:
    """A table to copy from."""

    key: str
    client: Any  # None for a local table

    def open(self) -> CopyFlow:  # pragma: no cover - every source overrides it
        raise NotImplementedError
        yield


# -- Habu --------------------------------------------------------------------------------------


@dataclass
class HabuResult(Source):
    """The result of a Habu question run; a future on the run is waited for first."""

    client: Any
    run: Any
    page_size: int | None = None
    workers: int | None = None

    @property
    def run_id(self) -> str:
        run = self.run
        if isinstance(run, str):
            return run
        if hasattr(run, "run_id"):
            return str(run.run_id)
        if isinstance(run, Mapping) or hasattr(run, "get"):
            return str(run.get("id"))
        raise ParameterError("copy", f"a Habu run is a run id or a future, not {run!r}", "source")

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"habu:{self.client.base_url}/run/{self.run_id}"

    def open(self) -> CopyFlow:
        run = self.run
        if isinstance(run, concurrent.futures.Future) or hasattr(run, "__await__"):
            yield settle(run)  # waits for the run; its RunFailed if it failed
        options = {"page_size": self.page_size, "workers": self.workers}
        return (yield Invoke(lambda: self.client.question_result_batches(self.run_id, **options)))


def habu_result(
    run: Any, *, client: Any = None, page_size: int | None = None, workers: int | None = None
) -> HabuResult:
    """A Habu question run's result rows.

    Parameters
    ----------
    run
        A run's future (``client.run_question(..., wait=False)``: the copy waits for it), a
        run record, or a run id (then ``client`` is needed).
    client : HabuClient or AsyncHabuClient, optional
        Default: the future's own client.
    page_size, workers
        As ``question_results``; one page is in memory per worker.
    """
    client = client if client is not None else getattr(run, "client", None)
    if client is None:
        raise ParameterError("copy", "habu_result() needs client= for a run id", "client")
    source = HabuResult(client, run, page_size, workers)
    source.run_id  # noqa: B018 - checks the run before anything is sent
    return source


# -- ClicData ----------------------------------------------------------------------------------


@dataclass
class ClicDataRows(Source):
    """The rows of a ClicData data set, a page at a time (``client.data.iter_batches``)."""

    client: Any
    rec_id: int
    page_size: int | None = None

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"clicdata:{self.client.base_url}/data/{self.rec_id}"

    def open(self) -> CopyFlow:
        rows, size = self.client.data, self.page_size
        return (yield Invoke(lambda: rows.iter_batches(self.rec_id, page_size=size)))


def clicdata_data(client: Any, rec_id: int, *, page_size: int | None = None) -> ClicDataRows:
    """A ClicData data set's rows (``number`` columns as float64, as ClicData keeps them)."""
    if isinstance(rec_id, bool) or not isinstance(rec_id, int):
        raise ParameterError("copy", f"rec_id must be an int, not {rec_id!r}", "source")
    return ClicDataRows(client, rec_id, page_size)


# -- uSmart -----------------------------------------------------------------------------------


@dataclass
class UsmartQuery(Source):
    """The records of a uSmart URQL query (``client.data.query_batches``)."""

    client: Any
    resource_guid: str
    terms: tuple[str, ...] = ()
    kinds: Mapping[str, str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:  # type: ignore[override]
        options = sorted((k, str(v)) for k, v in self.options.items())
        return f"usmart:{self.client.base_url}/data/{self.resource_guid}?{self.terms}{options}"

    def open(self) -> CopyFlow:
        batches = self.client.data.query_batches
        terms, kinds, options = self.terms, self.kinds, self.options
        return (yield Invoke(lambda: batches(self.resource_guid, *terms, kinds=kinds, **options)))


def usmart_query(
    client: Any,
    resource_guid: str,
    *terms: str,
    kinds: Mapping[str, str] | None = None,
    **options: Any,
) -> UsmartQuery:
    """A uSmart API pipeline's records, as ``client.data.query`` takes them (``revision``,
    ``where``, ``select``, ``sort``, ``limit``); ``kinds`` names columns' kinds."""
    if not isinstance(resource_guid, str) or not resource_guid.strip():
        raise ParameterError("copy", "resource_guid must be a non-empty GUID string", "source")
    return UsmartQuery(client, resource_guid, tuple(terms), kinds, dict(options))


@dataclass
class UsmartFile(Source):
    """The latest revision of a uSmart data file (``client.files.batches``)."""

    client: Any
    file_guid: str
    kinds: Mapping[str, str] | None = None

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"usmart:{self.client.base_url}/file/{self.file_guid}"

    def open(self) -> CopyFlow:
        kinds = self.kinds
        return (yield Invoke(lambda: self.client.files.batches(self.file_guid, kinds=kinds)))


def usmart_file(
    client: Any, file_guid: str, *, kinds: Mapping[str, str] | None = None
) -> UsmartFile:
    """A uSmart data file's rows (CSV, Parquet, or a JSON array of records)."""
    if not isinstance(file_guid, str) or not file_guid.strip():
        raise ParameterError("copy", "file_guid must be a non-empty GUID string", "source")
    return UsmartFile(client, file_guid, kinds)


# -- local tables ------------------------------------------------------------------------------


@dataclass
class FrameSource(Source):
    """A pandas DataFrame, as Arrow batches."""

    df: pd.DataFrame
    batch_rows: int = BATCH_ROWS
    key: str = field(default="")

    def open(self) -> CopyFlow:
        return iter(_frame_table(self.df).to_batches(max_chunksize=self.batch_rows))
        yield


def _frame_table(df: pd.DataFrame) -> pa.Table:
    """The frame as Arrow; a column Arrow cannot type (mixed values) is named."""
    import pyarrow as pa

    from .kinds import CopyTypeError

    columns = {}
    for name in df.columns:
        try:
            columns[str(name)] = pa.Array.from_pandas(df[name])
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise CopyTypeError(str(name), f"cannot be read as one type: {exc}") from None
    return pa.table(columns)


def _frame_key(df: pd.DataFrame) -> str:
    import pandas as pd

    shape = f"{len(df)}x{list(map(str, df.columns))}"
    try:
        digest = int(pd.util.hash_pandas_object(df, index=False).sum())
    except TypeError:  # unhashable cells: the shape alone
        digest = 0
    return "frame:" + hashlib.sha256(f"{shape}:{digest}".encode()).hexdigest()[:16]


def frame(df: Any, *, batch_rows: int = BATCH_ROWS) -> FrameSource:
    """A pandas DataFrame's rows."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise ParameterError(
            "copy", f"frame() takes a DataFrame, not {type(df).__name__}", "source"
        )
    return FrameSource(df, batch_rows, _frame_key(df))


@dataclass
class FileSource(Source):
    """A local Parquet or CSV file, read a batch at a time."""

    path: Path
    format: str
    batch_rows: int = BATCH_ROWS

    @property
    def key(self) -> str:  # type: ignore[override]
        stat = self.path.stat()
        return f"file:{self.path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"

    def open(self) -> CopyFlow:
        return _file_batches(self.path, self.format, self.batch_rows)
        yield


def _file_batches(path: Path, format: str, batch_rows: int) -> Iterator[pa.RecordBatch]:
    if format == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetFile(path) as handle:
            yield from handle.iter_batches(batch_size=batch_rows)
        return
    import pyarrow.csv as pcsv

    with pcsv.open_csv(path) as reader:
        yield from reader


def format_of(path: Path, format: str | None, where: str) -> str:
    """``parquet`` or ``csv``: as given, else by the file's suffix."""
    chosen = format or {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}.get(
        path.suffix.lower()
    )
    if chosen not in ("parquet", "csv"):
        raise ParameterError(
            "copy", f"{path}: say format='parquet' or 'csv' (from the suffix: unknown)", where
        )
    return chosen


def file(
    path: str | os.PathLike[str], *, format: str | None = None, batch_rows: int = BATCH_ROWS
) -> FileSource:
    """A local Parquet or CSV file (by its suffix, or ``format=``)."""
    resolved = Path(path)
    chosen = format_of(resolved, format, "source")
    if not resolved.is_file():
        raise ParameterError("copy", f"no file at {resolved}", "source")
    return FileSource(resolved, chosen, batch_rows)
