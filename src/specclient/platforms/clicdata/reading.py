"""Where a data set's pages go as they arrive: kept for one frame, or one record batch each.

:class:`Keep` collects every page column by column (a :class:`ColumnCollector`: the typed
frame at the end). :class:`EachPage` turns each page into a ``pyarrow.RecordBatch`` of one
fixed schema and hands it on (to a Parquet or CSV sink, or to an iterator), so memory is
bounded by a page whatever the table's size.

The fixed schema is read from the first page, with two choices a frame does not need: a
``number`` column is ``float64`` (a frame makes it ``int64`` when every value on every page
is whole, which a stream cannot know on its first page), and ``dropdown`` is a plain string
(each page's categories differ).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .frames import ColumnCollector

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Keep", "EachPage", "take_page"]


def take_page(collected: ColumnCollector, reply: Any, records: str) -> tuple[int, Any]:
    """Add the rows of one page's reply; ``(rows added, the page's other fields)``."""
    from .workflows import payload, result_of

    before = collected.rows
    # the rows go from the page's bytes into typed Arrow columns; the rest of the page
    # (envelope, pagination) is all that becomes Python
    body = collected.add_page(reply.content, records)
    if body is None:  # a page Arrow's reader refused: the same rows, via json
        body = payload(reply)
        collected.add(result_of(body, "data") or [])
    return collected.rows - before, body


class Keep:
    """Every page into one :class:`ColumnCollector` (``collected``)."""

    def __init__(self, columns: Sequence[Mapping[str, str]] | None) -> None:
        self.collected = ColumnCollector(columns)

    def take(self, reply: Any, records: str) -> tuple[int, Any]:
        return take_page(self.collected, reply, records)


def _stream_type(field: pa.Field, kind: str | None) -> pa.DataType:
    import pyarrow as pa

    if kind in ("number", "percentage"):
        return pa.float64()
    if pa.types.is_dictionary(field.type) or pa.types.is_null(field.type):
        return pa.string()
    return field.type


class EachPage:
    """Each page as a record batch of one schema, handed to ``emit``."""

    def __init__(
        self, columns: Sequence[Mapping[str, str]] | None, emit: Callable[[pa.RecordBatch], Any]
    ) -> None:
        self.columns = columns
        self.types = {str(c["name"]): str(c.get("data_type", "text")) for c in columns or ()}
        self.emit = emit
        self.schema: pa.Schema | None = None
        self.rows = 0

    def batch(self, collected: ColumnCollector) -> pa.RecordBatch:
        import pyarrow as pa

        table = collected.table()
        if self.schema is None:
            self.schema = pa.schema(
                [pa.field(f.name, _stream_type(f, self.types.get(f.name))) for f in table.schema]
            )
        table = table.select(self.schema.names).cast(self.schema)
        return table.combine_chunks().to_batches()[0] if table.num_rows else _empty(self.schema)

    def take(self, reply: Any, records: str) -> tuple[int, Any]:
        collected = ColumnCollector(self.columns)
        got, body = take_page(collected, reply, records)
        if got or self.schema is None:
            self.emit(self.batch(collected))
        self.rows += got
        return got, body


def _empty(schema: pa.Schema) -> pa.RecordBatch:
    import pyarrow as pa

    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
