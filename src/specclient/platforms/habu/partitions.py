"""A question run's result as a Dask DataFrame whose partitions fetch their own rows.

The driver reads one row (the result's metadata and row count) and builds the graph; each
partition, when computed, connects from the worker, fetches its own range of pages and returns
a typed DataFrame, so no row passes through the driver. What travels in the task graph is the
API's URL, the run id and the range: no secret. Workers authenticate from their own environment
(``HABU_API_CLIENT`` / ``HABU_API_SECRET`` or the credentials file) and share tokens through the
default on-disk token cache where they share a disk. On a ``dask.distributed`` cluster every
page request holds a lease of one cluster-wide semaphore, so all workers together keep to the
client's ``result_workers`` requests in flight: one shared budget, whatever the partitions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...tables.columns import Column
from ...tables.partitions import dask_frame as _dask_frame
from ...tables.partitions import lease, page_ranges

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ResultPartition", "PARTITION_ROWS"]

#: Rows per partition: ten 10,000-row pages, a DataFrame of ~7 MB for the tutorial's columns.
PARTITION_ROWS = 100_000  # tests lower it; read at each call


@dataclass(frozen=True)
class ResultPartition:
    """Rows ``start .. stop`` of a run's result (a picklable callable: one Dask partition)."""

    base_url: str
    run_id: str
    start: int
    stop: int
    page_size: int
    columns: tuple[Column, ...]
    budget: str  # the cluster-wide semaphore's name
    budget_size: int

    def __call__(self) -> pd.DataFrame:
        import pyarrow as pa

        import specclient

        from ...tables.columns import arrow_schema
        from ...tables.decode import batch_from_json
        from ...tables.frames import columns_of, to_pandas

        batches = []
        with specclient.connect("habu", base_url=self.base_url, progress=False) as client:
            for offset in range(self.start, self.stop, self.page_size):
                limit = min(self.page_size, self.stop - offset)
                with self._lease():
                    reply = client.cleanroom_question_runs.get_data(
                        self.run_id, limit=limit, offset=offset, return_type="raw"
                    )
                batches.append(batch_from_json(reply.content, "stats", self.columns))
        table = pa.Table.from_batches(batches, schema=arrow_schema(list(self.columns)))
        by_name, table, batches = columns_of(table), None, []  # each column freed as it converts
        return to_pandas(by_name, self.columns)

    def _lease(self) -> Any:
        return lease(self.budget, self.budget_size)


def partitions(
    base_url: str,
    run_id: str,
    total: int,
    page_size: int,
    columns: list[Column],
    workers: int,
) -> Iterator[ResultPartition]:
    # whole pages per partition, so no page is split between two workers
    for start, stop in page_ranges(total, page_size, PARTITION_ROWS):
        yield ResultPartition(
            base_url,
            run_id,
            start,
            stop,
            page_size,
            tuple(columns),
            f"specclient-habu-data-{run_id}",
            workers,
        )


def dask_frame(pieces: list[ResultPartition], columns: list[Column]) -> Any:
    """The Dask DataFrame of ``pieces`` (``specclient[dask]``)."""
    from ...tables.columns import arrow_schema
    from ...tables.frames import to_pandas

    meta = to_pandas(arrow_schema(columns).empty_table(), columns)
    return _dask_frame(pieces, meta, "question_results")


def first_page_facts(payload: Mapping[str, Any]) -> tuple[int, list[Any]]:
    """The row count and metadata a one-row first page gives."""
    count = payload.get("count")
    return (count if isinstance(count, int) and not isinstance(count, bool) else 0), list(
        payload.get("metadata") or []
    )
