"""A CSV download to typed Arrow record batches, a block at a time, as its bytes arrive.

Fed chunks of a (possibly gzipped) CSV file with a header row, :class:`CsvBatches` gives
record batches of about ``block_size`` bytes of text each, so a file of any size costs a block
of memory. Each block is parsed by Arrow's CSV reader (in C, on every core) with the column
types the caller knows (a table's own column types: :mod:`.columns` kinds); a column whose
type is unknown is typed by Arrow's inference on the first block and kept that way after.
A block Arrow's strict converters refuse is read as text and parsed by :func:`.parse.parse_text`
(the lenient path, where what cannot be read becomes missing).

A block ends at a line break outside quotes (an even number of ``"`` before it), so a quoted
value holding a line break never straddles two blocks.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .columns import Column, arrow_schema, arrow_type
from .memory import table_pool
from .parse import parse_text

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CsvBatches", "BLOCK_SIZE", "kind_of_arrow_type"]

BLOCK_SIZE = 8 * 1024 * 1024
_TRUE = ["t", "true", "True", "TRUE", "1"]
_FALSE = ["f", "false", "False", "FALSE", "0"]


def kind_of_arrow_type(arrow: pa.DataType) -> str:
    """The kind (:data:`.columns.KINDS`) of an Arrow type Arrow's CSV inference chose."""
    import pyarrow as pa

    if pa.types.is_integer(arrow):
        return "integer"
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return "number"
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_date(arrow):
        return "date"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    return "string"


class CsvBatches:
    """Typed record batches from the chunks of a CSV file with a header row.

    Parameters
    ----------
    kinds : mapping, optional
        Column name to kind; a column not named is typed by inference on the first block.
    delimiter : str
    gzip : bool
        The bytes are gzip-compressed (concatenated members are read one after another).
    encoding : str, optional
        The text's encoding (default UTF-8).
    block_size : int
        Bytes of text parsed at a time.
    """

    def __init__(
        self,
        kinds: Mapping[str, str] | None = None,
        *,
        delimiter: str = ",",
        gzip: bool = False,
        encoding: str | None = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self.kinds = dict(kinds or {})
        self.delimiter = delimiter
        self.encoding = encoding or "utf-8"
        self.block_size = block_size
        self.columns: list[Column] | None = None  # known once the header and a block are read
        self._names: list[str] | None = None
        self._buffer = bytearray()
        self._emitted = False  # a batch was given out
        self._inflate: Any = zlib.decompressobj(zlib.MAX_WBITS | 32) if gzip else None

    # -- feeding ---------------------------------------------------------------------------
    def feed(self, chunk: bytes) -> list[pa.RecordBatch]:
        """The batches completed by ``chunk`` (often none)."""
        self._buffer += self._inflated(chunk)
        if self._names is None and not self._read_header(final=False):
            return []
        batches: list[pa.RecordBatch] = []
        while len(self._buffer) >= self.block_size:
            cut = _block_end(self._buffer, self.block_size)
            if cut <= 0:
                break  # no whole row yet
            block = self._buffer[:cut]  # one copy, read by Arrow in place
            del self._buffer[:cut]
            batches += self._parse(block)
        return batches

    def close(self) -> list[pa.RecordBatch]:
        """The last batches; at least one (empty, typed) when the file had no rows."""
        if self._inflate is not None:
            self._buffer += self._inflate.flush()
        if self._names is None:
            self._read_header(final=True)
        block = bytes(self._buffer)
        self._buffer.clear()
        batches = self._parse(block) if block.strip() else []
        if self.columns is None:  # no rows at all: the kinds given, else text
            names = self._names or []
            self.columns = [Column(n, self.kinds.get(n, "string")) for n in names]
        if not batches and not self._emitted:
            import pyarrow as pa

            schema = arrow_schema(self.columns)
            batches = [
                pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
            ]
        return batches

    @property
    def schema(self) -> pa.Schema:
        return arrow_schema(self.columns or [])

    def _inflated(self, chunk: bytes) -> bytes:
        if self._inflate is None:
            return chunk
        out = self._inflate.decompress(chunk)
        while self._inflate.eof and self._inflate.unused_data:  # the next gzip member
            rest = self._inflate.unused_data
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)
            out += self._inflate.decompress(rest)
        return out  # type: ignore[no-any-return]

    def _read_header(self, *, final: bool) -> bool:
        end = self._buffer.find(b"\n")
        if end < 0 and not final:
            return False
        line = bytes(self._buffer if end < 0 else self._buffer[:end])
        del self._buffer[: len(line) + (0 if end < 0 else 1)]
        text = line.decode(self.encoding).rstrip("\r")
        self._names = next(csv.reader([text], delimiter=self.delimiter), []) if text else []
        return True

    # -- parsing ---------------------------------------------------------------------------
    def _parse(self, block: bytes | bytearray) -> list[pa.RecordBatch]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        names = self._names or []
        known = self.columns
        types = (
            {c.name: _read_type(c.kind) for c in known}
            if known is not None
            else {n: _read_type(self.kinds[n]) for n in names if n in self.kinds}
        )
        try:
            table = pcsv.read_csv(
                pa.BufferReader(pa.py_buffer(block)),
                read_options=self._read_options(names),
                parse_options=pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True),
                convert_options=_convert(types),
                memory_pool=table_pool(),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return self._parse_leniently(block)
        if known is None:
            self.columns = [
                Column(n, self.kinds.get(n) or kind_of_arrow_type(table.column(n).type))
                for n in names
            ]
        self._emitted = True
        return _typed(table, self.columns or []).to_batches()

    def _read_options(self, names: Sequence[str]) -> Any:
        import pyarrow.csv as pcsv

        return pcsv.ReadOptions(column_names=list(names), encoding=self.encoding)

    def _parse_leniently(self, block: bytes | bytearray) -> list[pa.RecordBatch]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        names = self._names or []
        text = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(block)),
            read_options=self._read_options(names),
            parse_options=pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True),
            convert_options=_convert({n: pa.string() for n in names}),
            memory_pool=table_pool(),
        )
        if self.columns is None:
            self.columns = [Column(n, self.kinds.get(n, "string")) for n in names]
        arrays = []
        for column in self.columns:
            values = text.column(column.name).combine_chunks()
            parsed = parse_text(values, column.kind)
            if column.name not in self.kinds and _lost(values, parsed):
                # a type inferred from the first block must not turn later values into gaps
                raise ValueError(
                    f"CSV column {column.name!r} was read as {column.kind} from its first "
                    "rows, but later values are not; its type is not known from the table: "
                    "read it as text (return_as='list', or pandas options such as dtype=str)"
                )
            arrays.append(parsed)
        self._emitted = True
        return [pa.RecordBatch.from_arrays(arrays, schema=arrow_schema(self.columns))]


def _lost(text: pa.Array, parsed: pa.Array) -> bool:
    """Whether parsing made a gap of a value that was there (not blank) as text."""
    import pyarrow.compute as pc

    blank = pc.sum(pc.or_kleene(pc.is_null(text), pc.equal(text, ""))).as_py() or 0
    return parsed.null_count > blank


def _read_type(kind: str) -> pa.DataType:
    """What Arrow's CSV reader converts a column of ``kind`` to (timestamps without a zone:
    a naive Civis/Redshift ``timestamp`` is UTC, made zone-aware after)."""
    import pyarrow as pa

    if kind in ("date", "timestamp"):
        return pa.timestamp("ns")
    return arrow_type(kind)


def _convert(types: Mapping[str, pa.DataType]) -> Any:
    import pyarrow.csv as pcsv

    return pcsv.ConvertOptions(
        column_types=dict(types),
        true_values=_TRUE,
        false_values=_FALSE,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )


def _typed(table: pa.Table, columns: Sequence[Column]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for column in columns:
        values = table.column(column.name)
        wanted = arrow_type(column.kind)
        if values.type != wanted:
            if pa.types.is_timestamp(values.type) and pa.types.is_timestamp(wanted):
                values = pc.cast(values, wanted, memory_pool=table_pool())  # naive = UTC
            elif pa.types.is_date(values.type) or pa.types.is_null(values.type):
                values = pc.cast(values, wanted, memory_pool=table_pool())
            else:
                values = pa.chunked_array(
                    [parse_text(chunk.cast(pa.string()), column.kind) for chunk in values.chunks],
                    type=wanted,
                )
        arrays.append(values)
    return pa.Table.from_arrays(arrays, schema=arrow_schema(list(columns)))


def _block_end(buffer: bytearray, size: int) -> int:
    """Where the last whole row within the first ``size`` bytes of ``buffer`` ends (0: none;
    then the first whole row, however long)."""
    for end in (size, len(buffer)):
        quotes = buffer.count(b'"', 0, end)  # before ``end``
        while True:
            newline = buffer.rfind(b"\n", 0, end)
            if newline < 0:
                break
            quotes -= buffer.count(b'"', newline, end)  # now: before the line break
            if quotes % 2 == 0:
                return newline + 1
            end = newline
    return 0
