"""Reading URQL's JSON array as it streams in."""

from __future__ import annotations

import json

import pytest

from specclient.errors import SpecClientError
from specclient.platforms.usmart import iter_json_array

RECORDS = [{"site": "Zürich – Süd", "count": 12}, {"site": "B", "count": 3.5}, {"n": None}]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_records_come_out_whole_whatever_the_chunk_size(size):
    raw = json.dumps(RECORDS, ensure_ascii=False).encode()
    chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
    assert list(iter_json_array(chunks)) == RECORDS


def test_numbers_split_across_chunks_are_not_cut():
    assert list(iter_json_array([b"[12", b"34, 5", b"6]"])) == [1234, 56]


def test_empty_array_is_no_records():
    assert list(iter_json_array([b"[", b"]"])) == []


def test_answer_cut_short_is_an_error_not_fewer_rows():
    with pytest.raises(SpecClientError, match="ended before the closing"):
        list(iter_json_array([b'[{"a": 1}, {"a": 2}']))


def test_non_array_is_an_error():
    with pytest.raises(SpecClientError, match="did not answer with a JSON array"):
        list(iter_json_array([b'{"error": "x"}']))
