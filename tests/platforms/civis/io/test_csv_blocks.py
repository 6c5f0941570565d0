"""The CSV decoder under civis.io's reads (specclient/tables/csv_batches.py): blocks cut only
between rows, gzip members one after another, types kept from block to block."""

from __future__ import annotations

import gzip

import pyarrow as pa
import pytest

from specclient.tables.csv_batches import CsvBatches


def _read(decoder, data, step):
    batches = []
    for start in range(0, len(data), step):
        batches += decoder.feed(data[start : start + step])
    batches += decoder.close()
    return pa.Table.from_batches(batches, schema=decoder.schema), len(batches)


def test_a_quoted_line_break_never_splits_a_row_across_blocks():
    rows = [f'{i},"line one\nline ""two"", {i}"\n'.encode() for i in range(200)]
    data = b"n,text\n" + b"".join(rows)
    table, count = _read(CsvBatches({"n": "integer"}, block_size=50), data, 7)
    assert count > 10
    assert table.column("n").to_pylist() == list(range(200))
    assert table.column("text").to_pylist()[3] == 'line one\nline "two", 3'


def test_gzip_members_are_read_one_after_another():
    data = gzip.compress(b"a,b\n1,x\n") + gzip.compress(b"2,y\n")
    table, _ = _read(CsvBatches({"a": "integer"}, gzip=True), data, 5)
    assert table.to_pylist() == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]


def test_an_inferred_type_is_kept_and_a_later_misfit_is_an_error_not_a_gap():
    good = b"n\n" + b"".join(b"%d\n" % i for i in range(100))
    table, _ = _read(CsvBatches(block_size=64), good, 1000)
    assert table.schema == pa.schema([("n", pa.int64())])
    with pytest.raises(ValueError, match="CSV column 'n' was read as integer from its first"):
        _read(CsvBatches(block_size=64), good + b"abc\n", 1000)


def test_a_column_typed_by_the_table_reads_what_it_cannot_parse_as_missing():
    data = b'n\n1\n""\n2.0\nabc\n'  # a lone empty field is quoted, as csv.writer does
    table, _ = _read(CsvBatches({"n": "integer"}, block_size=8), data, 3)
    assert table.column("n").to_pylist() == [1, None, 2, None]


def test_a_header_without_rows_gives_one_empty_typed_batch():
    decoder = CsvBatches({"a": "integer", "b": "timestamp"})
    batches = decoder.feed(b"a,b\n") + decoder.close()
    assert len(batches) == 1 and batches[0].num_rows == 0
    assert batches[0].schema == pa.schema([("a", pa.int64()), ("b", pa.timestamp("ns", "UTC"))])
