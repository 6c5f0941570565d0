"""Result pages to a typed DataFrame: the API's strings become the dtypes the metadata names."""

from __future__ import annotations

import pandas as pd

from specclient.platforms.habu.frames import ResultFrameBuilder, result_frame

METADATA = [
    {"fieldName": "segment", "dataType": "STRING", "columnName": "Segment"},
    {"fieldName": "day", "dataType": "DATE", "columnName": "Day"},
    {"fieldName": "reach", "dataType": "LONG", "columnName": "Reach"},
    {"fieldName": "spend", "dataType": "DECIMAL", "columnName": "Spend"},
    {"fieldName": "is_new", "dataType": "BOOLEAN", "columnName": "Is new"},
    {"fieldName": "seen", "dataType": "TIMESTAMP", "columnName": "Seen"},
]


def _row(k: int, **overrides: str) -> dict[str, str]:
    row = {
        "segment": f"s{k}",
        "day": f"2024-03-0{k % 9 + 1}",
        "reach": str(k * 10),
        "spend": f"{k}.25",
        "is_new": "true" if k % 2 else "FALSE",
        "seen": "2024-07-17T20:39:04.000+00:00",
    }
    row.update(overrides)
    return row


def test_every_data_type_gets_its_dtype_across_chunks():
    builder = ResultFrameBuilder(METADATA, chunk_rows=4)
    for start in range(0, 10, 3):
        builder.add([_row(k) for k in range(start, min(start + 3, 10))])
    frame = builder.frame()
    assert list(frame.columns) == ["segment", "day", "reach", "spend", "is_new", "seen"]
    assert [str(t) for t in frame.dtypes[["segment", "reach", "spend", "is_new"]]] == [
        "string",
        "Int64",
        "Float64",
        "boolean",
    ]
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert str(frame["seen"].dt.tz) == "UTC"
    assert frame["reach"].tolist() == [k * 10 for k in range(10)]
    assert frame["is_new"].tolist() == [bool(k % 2) for k in range(10)]
    assert frame["spend"][3] == 3.25


def test_empty_strings_become_missing_values_not_zeros():
    frame = result_frame(
        {
            "metadata": METADATA,
            "stats": [_row(1), _row(2, reach="", spend="", is_new="", day="", seen="")],
        }
    )
    assert frame["reach"].isna().tolist() == [False, True]
    assert frame["spend"].isna().tolist() == [False, True]
    assert frame["is_new"].isna().tolist() == [False, True]
    assert frame["day"].isna().tolist() == [False, True]


def test_rows_keyed_by_column_name_are_read_too():
    rows = [
        {
            "Segment": "a",
            "Day": "2024-01-01",
            "Reach": "5",
            "Spend": "1.5",
            "Is new": "true",
            "Seen": "2024-01-01T00:00:00.000+00:00",
        }
    ]
    frame = result_frame({"metadata": METADATA, "stats": rows})
    assert frame["reach"].tolist() == [5]


def test_a_row_missing_a_column_gives_a_missing_value():
    rows = [_row(1), {k: v for k, v in _row(2).items() if k != "spend"}]
    frame = result_frame({"metadata": METADATA, "stats": rows})
    assert frame["spend"].isna().tolist() == [False, True]


def test_no_data_gives_an_empty_frame_with_the_typed_columns():
    frame = result_frame({"metadata": METADATA, "stats": []})
    assert len(frame) == 0 and str(frame["reach"].dtype) == "Int64"
    assert len(result_frame({})) == 0
