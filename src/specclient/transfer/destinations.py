"""Where a copy writes its table: descriptors that check the types, resume, and write.

A destination's ``prepare`` flow checks every source column against what the destination
can hold (a :class:`~specclient.transfer.kinds.CopyTypeError` naming the column, before
anything is written), then readies the destination and says how many source rows are already
there (a resumed copy); ``write`` writes one batch; ``finish`` makes the table visible and
gives the copy's result; ``abort`` cleans up what only this process holds (a partial file).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConflictError, ParameterError, SpecClientError
from .drive import CopyFlow, Invoke, Pull
from .kinds import kinds_of, refuse

if TYPE_CHECKING:
    import pyarrow as pa

    from ..tables.sinks import Sink

__all__ = [
    "Destination",
    "ClicDataDestination",
    "FileDestination",
    "UsmartDestination",
    "clicdata_dataset",
    "usmart_dataset",
    "to_file",
    "stdout_csv",
]

Save = Callable[[dict[str, Any]], None]


class Destination:
    """A table to copy to."""

    key: str
    client: Any  # None for a local file
    #: True where the destination is appended to in place: a copy keeps a checkpoint
    #: (:mod:`specclient.transfer.checkpoint`) to resume without writing a row twice.
    resumable: bool = False

    def prepare(
        self, schema: pa.Schema, record: dict[str, Any] | None, save: Save
    ) -> CopyFlow:  # pragma: no cover - every destination overrides it
        """Check ``schema``; ready the destination; the number of source rows already in it."""
        raise NotImplementedError
        yield

    def write(self, batch: pa.RecordBatch) -> CopyFlow:  # pragma: no cover
        raise NotImplementedError
        yield

    def finish(self, schema: pa.Schema) -> CopyFlow:  # pragma: no cover
        raise NotImplementedError
        yield

    def abort(self) -> None:
        """Undo what only this process holds; what is committed at the destination stays."""


# -- ClicData ----------------------------------------------------------------------------------

#: The table kinds each ClicData column type accepts.
CLICDATA_ACCEPTS: Mapping[str, tuple[str, ...]] = {
    "number": ("integer", "number"),
    "percentage": ("integer", "number"),
    "rec_id": ("integer",),
    "checkbox": ("boolean",),
    "datetime": ("date", "timestamp"),
    "date": ("date", "timestamp"),
    "text": ("string",),
    "dropdown": ("string",),
}


@dataclass
class ClicDataDestination(Destination):
    """An existing ClicData data set, appended to, or emptied first (``mode="replace"``)."""

    client: Any
    rec_id: int
    mode: str = "append"
    resumable: bool = True

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"clicdata:{self.client.base_url}/data/{self.rec_id}?mode={self.mode}"

    def prepare(self, schema: pa.Schema, record: dict[str, Any] | None, save: Save) -> CopyFlow:
        meta = yield Invoke(lambda: self.client.data.describe(self.rec_id))
        self._check(schema, meta.get("columns") or [])
        if record is None:
            base = 0 if self.mode == "replace" else (yield from self._count())
            record = {"destination": self.key, "base_rows": base, "cleared": False}
            save(record)
        if self.mode == "replace" and not record.get("cleared"):
            yield from self._clear(meta)
            record = {**record, "cleared": True}
            save(record)
        count = yield from self._count()
        return count - int(record["base_rows"])

    def _check(self, schema: pa.Schema, columns: list[Mapping[str, Any]]) -> None:
        kinds = kinds_of(schema, "ClicData")
        types = {str(c["name"]): str(c.get("data_type", "text")) for c in columns}
        for name, kind in kinds.items():
            if name not in types:
                refuse(name, f"is not in ClicData data set {self.rec_id} (it has {sorted(types)})")
            accepted = CLICDATA_ACCEPTS.get(types[name], ("string",))
            if kind not in accepted:
                refuse(
                    name,
                    f"holds {kind} values ({schema.field(name).type}), which ClicData "
                    f"column type {types[name]!r} of data set {self.rec_id} cannot store",
                )

    def _count(self) -> CopyFlow:
        return int((yield Invoke(lambda: self.client.data.row_count(self.rec_id))))

    def _clear(self, meta: Mapping[str, Any]) -> CopyFlow:
        """Delete every row. ClicData has no truncate: rows are deleted by the first column's
        values, one call per distinct value of a page, until none is left."""
        from .sources import ClicDataRows

        first = str((meta.get("columns") or [{}])[0].get("name", ""))
        left = yield from self._count()
        while left:
            rows = ClicDataRows(self.client, self.rec_id, page_size=1000)
            batches = yield from rows.open()
            batch = yield Pull(batches)
            values = set(batch.column(first).to_pylist()) if batch is not None else set()
            for value in values:
                yield Invoke(functools.partial(self._delete, {first: _json_value(value)}))
            before, left = left, (yield from self._count())
            if left >= before:  # nothing matched: never loop forever on a table we cannot empty
                raise SpecClientError(
                    f"copy: could not empty ClicData data set {self.rec_id} for the replace "
                    f"(deleting rows by column {first!r} removed none); nothing was copied"
                )

    def _delete(self, find: Mapping[str, Any]) -> Any:
        return self.client.data.delete_rows(self.rec_id, find)

    def write(self, batch: pa.RecordBatch) -> CopyFlow:
        df = batch.to_pandas(date_as_object=False)
        yield Invoke(lambda: self.client.data.append(self.rec_id, df, progress=False))

    def finish(self, schema: pa.Schema) -> CopyFlow:
        return {"rec_id": self.rec_id, "row_count": (yield from self._count())}


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def clicdata_dataset(client: Any, rec_id: int, *, mode: str = "append") -> ClicDataDestination:
    """An existing ClicData data set: ``mode="append"`` adds the rows, ``"replace"`` deletes
    the rows it holds first. Its columns must include every source column, of a type that
    holds it."""
    if isinstance(rec_id, bool) or not isinstance(rec_id, int):
        raise ParameterError("copy", f"rec_id must be an int, not {rec_id!r}", "destination")
    if mode not in ("append", "replace"):
        raise ParameterError(
            "copy", f"mode must be 'append' or 'replace', not {mode!r}", "destination"
        )
    return ClicDataDestination(client, rec_id, mode)


# -- uSmart -----------------------------------------------------------------------------------


@dataclass
class UsmartDestination(Destination):
    """A uSmart dataset: the rows become a new file (``file_name``) or the next revision of
    a file (``file_guid``). They are staged in a local temporary file (CSV or Parquet, by the
    name), which is uploaded whole at the end with ``files.upload`` / ``files.update_revision``
    (each exactly once: they read the dataset back after an ambiguous failure)."""

    client: Any
    dataset_guid: str
    file_name: str | None = None
    file_guid: str | None = None
    _staged: FileDestination | None = field(default=None, repr=False)

    @property
    def key(self) -> str:  # type: ignore[override]
        target = f"file/{self.file_guid}" if self.file_guid else f"new/{self.file_name}"
        return f"usmart:{self.client.base_url}/dataset/{self.dataset_guid}/{target}"

    def prepare(self, schema: pa.Schema, record: dict[str, Any] | None, save: Save) -> CopyFlow:
        import tempfile

        view = yield Invoke(lambda: self.client.datasets.get(self.dataset_guid))
        name = self.file_name
        if self.file_guid is not None:
            known = {f["file_guid"]: f["file_name"] for f in view["files"]}
            if self.file_guid not in known:
                raise ParameterError(
                    "copy",
                    f"uSmart dataset {self.dataset_guid} has no file {self.file_guid}",
                    "destination",
                )
            name = known[self.file_guid]
        assert name is not None
        path = Path(tempfile.mkdtemp(prefix="specclient-copy-")) / name
        format = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
        self._staged = FileDestination(path, format)
        return (yield from self._staged.prepare(schema, record, save))

    def write(self, batch: pa.RecordBatch) -> CopyFlow:
        assert self._staged is not None
        return (yield from self._staged.write(batch))

    def finish(self, schema: pa.Schema) -> CopyFlow:
        assert self._staged is not None
        path = yield from self._staged.finish(schema)
        try:
            files = self.client.files
            if self.file_guid is not None:
                guid, dataset = self.file_guid, self.dataset_guid
                return (
                    yield Invoke(
                        lambda: files.update_revision(
                            guid, path, dataset_guid=dataset, progress=False
                        )
                    )
                )
            done = yield from self._uploaded(path)
            if done is not None:
                return done
            return (yield Invoke(lambda: files.upload(self.dataset_guid, path, progress=False)))
        finally:
            self.abort()

    def _uploaded(self, path: Path) -> CopyFlow:
        """The file an earlier run of this copy uploaded (same name, same size), if any: the
        run failed after its upload took effect, so it is not uploaded twice."""
        view = yield Invoke(lambda: self.client.datasets.get(self.dataset_guid))
        size = path.stat().st_size
        for entry in view["files"]:
            if entry["file_name"] == self.file_name and int(entry["file_size"]) == size:
                return entry
        return None

    def abort(self) -> None:
        import shutil

        if self._staged is not None:
            self._staged.abort()
            shutil.rmtree(self._staged.path.parent, ignore_errors=True)


def usmart_dataset(
    client: Any, dataset_guid: str, *, file_name: str | None = None, file_guid: str | None = None
) -> UsmartDestination:
    """A uSmart dataset: a new file named ``file_name`` (``.csv`` or ``.parquet``), or a new
    revision of the file ``file_guid``."""
    if not isinstance(dataset_guid, str) or not dataset_guid.strip():
        raise ParameterError("copy", "dataset_guid must be a non-empty GUID string", "destination")
    if (file_name is None) == (file_guid is None):
        raise ParameterError(
            "copy", "give file_name= (a new file) or file_guid= (a new revision)", "destination"
        )
    if file_name is not None and Path(file_name).suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(
            "copy", f"file_name must end .csv or .parquet, not {file_name!r}", "destination"
        )
    return UsmartDestination(client, dataset_guid, file_name, file_guid)


# -- local files -------------------------------------------------------------------------------


@dataclass
class FileDestination(Destination):
    """A Parquet or CSV file, written to ``<path>.partial`` and renamed into place at the end
    (a copy run again simply writes it again: the file is whole or absent)."""

    path: Path
    format: str
    _sink: Sink | None = field(default=None, repr=False)

    @property
    def key(self) -> str:  # type: ignore[override]
        return f"file:{self.path.resolve()}"

    def prepare(self, schema: pa.Schema, record: dict[str, Any] | None, save: Save) -> CopyFlow:
        _check_flat(schema, self.format)
        from ..tables.sinks import CsvFile, ParquetFile

        self._sink = ParquetFile(self.path) if self.format == "parquet" else CsvFile(self.path)
        return 0
        yield

    def write(self, batch: pa.RecordBatch) -> CopyFlow:
        assert self._sink is not None
        self._sink.add(batch)
        return
        yield

    def finish(self, schema: pa.Schema) -> CopyFlow:
        assert self._sink is not None
        return self._sink.close(schema)
        yield

    def abort(self) -> None:
        if self._sink is not None:
            self._sink.abort()


def _check_flat(schema: pa.Schema, format: str) -> None:
    """Parquet holds any Arrow type; CSV only the flat kinds."""
    if format == "csv":
        kinds_of(schema, "CSV")


def to_file(path: str | os.PathLike[str], *, format: str | None = None) -> FileDestination:
    """A local Parquet or CSV file (by its suffix, or ``format=``), replaced whole."""
    from .sources import format_of

    resolved = Path(path)
    return FileDestination(resolved, format_of(resolved, format, "destination"))


@dataclass
class StdoutCsv(Destination):
    """CSV on standard output (the CLI's ``-``): a header, then the rows as they come."""

    key: str = "stdout"
    _writer: Any = field(default=None, repr=False)

    def prepare(self, schema: pa.Schema, record: dict[str, Any] | None, save: Save) -> CopyFlow:
        import pyarrow.csv as pcsv

        kinds_of(schema, "CSV")
        self._writer = pcsv.CSVWriter(sys.stdout.buffer, schema)
        return 0
        yield

    def write(self, batch: pa.RecordBatch) -> CopyFlow:
        self._writer.write_batch(batch)
        return
        yield

    def finish(self, schema: pa.Schema) -> CopyFlow:
        sys.stdout.buffer.flush()
        return "-"
        yield


def stdout_csv() -> StdoutCsv:
    return StdoutCsv()


def more_rows_than_source(destination: Destination, extra: int) -> ConflictError:
    return ConflictError(
        f"copy: {destination.key} already holds {extra} more row(s) of this copy than the "
        "source has: something else wrote to it, or the source changed since the copy began",
        status_code=409,
        method="copy",
        url=destination.key,
    )
