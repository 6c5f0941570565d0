"""The copy itself, written once as a flow: open the source, check the types against the
destination before anything is written, resume past the rows a failed run committed, write
batch by batch (the source reading its next batch meanwhile:
:mod:`~specclient.platforms._one_ahead`), report progress, finish."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specclient.platforms._one_ahead import hand_off

from ..errors import ParameterError
from .checkpoint import Checkpoints
from .destinations import Destination, more_rows_than_source
from .drive import CopyFlow, Pull
from .sources import Source

__all__ = ["CopyProgress", "CopyResult", "copy_flow", "check_pair"]


@dataclass(frozen=True)
class CopyProgress:
    """Given to ``progress=`` after every batch: rows copied so far (``rows``), of which
    ``skipped`` were already at the destination from an earlier, failed run."""

    copy_id: str
    rows: int
    skipped: int


@dataclass(frozen=True)
class CopyResult:
    """What a copy did: its id, the source rows it wrote now, the rows a failed run had
    already written (``resumed``), and what the destination says (a path, a data set's row
    count, a file's record)."""

    copy_id: str
    rows: int
    resumed: int
    destination: Any


Progress = bool | Callable[[CopyProgress], Any] | None


def check_pair(source: Any, destination: Any, asynchronous: bool) -> None:
    """Descriptors of the right kind, with clients of the driver's kind."""
    from ..client import AsyncClient, Client

    if not isinstance(source, Source):
        raise ParameterError("copy", f"source must be a copy source, not {source!r}", "source")
    if not isinstance(destination, Destination):
        raise ParameterError(
            "copy", f"destination must be a copy destination, not {destination!r}", "destination"
        )
    wrong, use = (Client, "specclient.copy") if asynchronous else (AsyncClient, "copy_async")
    for side, described in (("source", source), ("destination", destination)):
        if isinstance(getattr(described, "client", None), wrong):
            raise ParameterError(
                "copy", f"the {side} has a {type(described.client).__name__}: use {use}", side
            )


def _reporter(progress: Progress) -> tuple[Callable[[CopyProgress], Any] | None, Any]:
    if callable(progress):
        return progress, None
    if progress is not None and not isinstance(progress, bool):
        raise ParameterError("copy", "progress must be True, False or a callable", "progress")
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(unit="rows", desc="copying", disable=disable, leave=False)

    def show(change: CopyProgress) -> None:
        bar.update(change.rows + change.skipped - bar.n)

    return show, bar


def copy_flow(
    source: Source,
    destination: Destination,
    copy_id: str,
    checkpoints: Checkpoints,
    progress: Progress,
) -> CopyFlow:
    report, bar = _reporter(progress)
    batches = None
    try:
        # the source fetches its next batch while the destination writes the last one
        batches = hand_off((yield from source.open()))
        first = yield Pull(batches)
        if first is None:  # a source without a batch is an empty table of no columns
            import pyarrow as pa

            first = pa.RecordBatch.from_pylist([], schema=pa.schema([]))
        schema = first.schema
        record = checkpoints.read(copy_id) if destination.resumable else None

        def save(updated: dict[str, Any]) -> None:
            checkpoints.write(copy_id, {**updated, "copy_id": copy_id, "source": source.key})

        skip = resumed = yield from destination.prepare(schema, record, save)
        written = 0
        try:
            batch = first
            while batch is not None:
                if batch.schema != schema:
                    batch = batch.cast(schema)  # the same columns, typed as the first batch
                if skip:
                    cut = min(skip, batch.num_rows)
                    batch, skip = batch.slice(cut), skip - cut
                if batch.num_rows:
                    yield from destination.write(batch)
                    written += batch.num_rows
                if report is not None:
                    report(CopyProgress(copy_id, written, resumed - skip))
                batch = yield Pull(batches)
            if skip:
                raise more_rows_than_source(destination, skip)
            result = yield from destination.finish(schema)
        except BaseException:
            destination.abort()
            raise
    finally:
        if batches is not None:
            batches.close()
        if bar is not None:
            bar.close()
    if destination.resumable:
        checkpoints.clear(copy_id)
    return CopyResult(copy_id, written, resumed, result)
