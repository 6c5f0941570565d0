"""``--output table|json|csv``: what the CLI prints for each kind of result."""

from __future__ import annotations

import io
import json

import pandas as pd

from specclient._cli_output import write
from specclient.response import Response, ResponseList


class Terminal(io.StringIO):
    """A text stream with a binary buffer underneath, like sys.stdout."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()


def printed(result, fmt: str, **options) -> str:
    out = io.StringIO()
    write(result, fmt, out, **options)
    return out.getvalue()


ROWS = ResponseList(
    [
        Response({"id": 1, "displayName": "A", "owner": {"id": 7}}),
        Response({"id": 2, "displayName": "B", "owner": None}),
    ],
    payload=[
        {"id": 1, "displayName": "A", "owner": {"id": 7}},
        {"id": 2, "displayName": "B", "owner": None},
    ],
)


def test_json_is_the_payload_as_sent() -> None:
    assert json.loads(printed(ROWS, "json")) == ROWS.json()


def test_csv_has_a_header_and_nested_values_as_json() -> None:
    assert printed(ROWS, "csv").splitlines() == ["id,displayName,owner", '1,A,"{""id"":7}"', "2,B,"]


def test_table_has_one_row_per_object_and_blank_nulls() -> None:
    lines = printed(ROWS, "table").splitlines()
    assert lines[0].split() == ["id", "displayName", "owner"]
    assert lines[1].split() == ["1", "A", '{"id":7}']
    assert lines[2].split() == ["2", "B"]


def test_records_path_finds_the_table_inside_an_object() -> None:
    page = Response({"total": 2, "data": {"rows": [{"a": 1}, {"a": 2}]}})
    assert printed(page, "csv", records="data.rows").splitlines() == ["a", "1", "2"]


def test_one_wide_object_prints_as_field_value_lines() -> None:
    room = Response({f"field{i}": i for i in range(8)})
    assert printed(room, "table").splitlines()[:2] == ["field0: 0", "field1: 1"]


def test_secrets_are_masked_in_every_format() -> None:
    token = Response({"accessToken": "eyJ-real-token", "expiresIn": 43200, "apiKey": "k-123"})
    for fmt in ("json", "csv", "table"):
        text = printed(token, fmt)
        assert "eyJ-real-token" not in text and "k-123" not in text
        assert "***" in text and "43200" in text


def test_operation_secret_fields_are_masked_too() -> None:
    reply = Response({"reference": "s3://bucket/key", "pin": "0000"})
    assert json.loads(printed(reply, "json", secret_fields=frozenset({"pin"})))["pin"] == "***"


def test_secret_columns_of_a_dataframe_are_masked() -> None:
    frame = pd.DataFrame({"user": ["a"], "password": ["hunter2"]})
    text = printed(frame, "csv")
    assert "hunter2" not in text
    assert text.splitlines() == ["user,password", "a,***"]


def test_downloaded_bytes_go_to_stdout_unchanged() -> None:
    out = Terminal()
    write(b"\x89PNG\r\n\x1a\n\x00", "table", out)
    assert out.buffer.getvalue() == b"\x89PNG\r\n\x1a\n\x00"


def test_text_is_printed_as_is() -> None:
    assert printed("a,b\n1,2\n", "json") == "a,b\n1,2\n"


def test_empty_list_as_table() -> None:
    assert printed(ResponseList([], payload=[]), "table") == "(no rows)\n"
