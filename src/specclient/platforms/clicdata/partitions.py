"""A data set as a Dask DataFrame whose partitions fetch their own pages (``specclient[dask]``).

The driver reads the data set's metadata and one row (the schema and the row count); each
partition, when computed, connects from its worker, fetches its own pages and returns them
typed. What travels in the graph is the API's URL, the RecId, the page range and the schema:
no secret. Workers authenticate from their own environment (``CLICDATA_*`` variables or the
credentials file). Page requests share one cluster-wide budget
(:func:`specclient.tables.partitions.lease`). The columns are the stream's
(:mod:`.reading`): ``number`` is ``float64`` and ``dropdown`` text in every partition, since a
partition cannot know what the others hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...tables.partitions import PARTITION_ROWS, lease, page_ranges

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["DataPartition", "partitions"]


@dataclass(frozen=True)
class DataPartition:
    """Pages ``first_page .. last_page`` of a data set (a picklable callable: one partition)."""

    base_url: str
    api_version: str | None
    rec_id: int
    first_page: int
    last_page: int
    page_size: int
    columns: tuple[tuple[str, str], ...]  # (name, ClicData data_type)
    schema: pa.Schema
    budget: str
    budget_size: int

    def __call__(self) -> pd.DataFrame:
        import pyarrow as pa

        import specclient

        from .reading import EachPage

        batches: list[Any] = []
        into = EachPage([{"name": n, "data_type": t} for n, t in self.columns], batches.append)
        into.schema = self.schema  # every partition in the schema the driver read
        options = {"base_url": self.base_url, "api_version": self.api_version}
        with specclient.connect("clicdata", **options) as client:
            for page in range(self.first_page, self.last_page + 1):
                with lease(self.budget, self.budget_size):
                    reply = client.data.rows(
                        self.rec_id, page=page, page_size=self.page_size, return_type="raw"
                    )
                into.take(reply, "result")
        return pa.Table.from_batches(batches, schema=self.schema).to_pandas()


def partitions(
    base_url: str,
    api_version: str | None,
    rec_id: int,
    total: int,
    page_size: int,
    columns: list[dict[str, str]],
    schema: pa.Schema,
    workers: int,
) -> Iterator[DataPartition]:
    named = tuple((str(c["name"]), str(c.get("data_type", "text"))) for c in columns)
    for start, stop in page_ranges(total, page_size, PARTITION_ROWS):
        yield DataPartition(
            base_url,
            api_version,
            rec_id,
            start // page_size + 1,
            max(start // page_size + 1, -(-stop // page_size)),
            page_size,
            named,
            schema,
            f"specclient-clicdata-data-{rec_id}",
            workers,
        )
