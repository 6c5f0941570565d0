"""DataFrame <-> ClicData conversion: every dtype maps by kind, values become JSON-safe."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from specclient.errors import ParameterError
from specclient.platforms.clicdata.frames import (
    column_type_for,
    columns_for_frame,
    iter_record_blocks,
    json_safe,
    records_to_frame,
)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        ("int8", "number"),
        ("int16", "number"),
        ("int32", "number"),
        ("int64", "number"),
        ("uint8", "number"),
        ("uint64", "number"),
        ("float16", "number"),
        ("float32", "number"),
        ("float64", "number"),
        ("Int8", "number"),
        ("Int64", "number"),
        ("UInt32", "number"),
        ("Float64", "number"),
        ("bool", "checkbox"),
        ("boolean", "checkbox"),
        ("datetime64[ns]", "datetime"),
        ("datetime64[us]", "datetime"),
        ("datetime64[s]", "datetime"),
        (pd.DatetimeTZDtype("ns", "Europe/Paris"), "datetime"),
        ("timedelta64[ns]", "text"),
        ("category", "text"),
        ("object", "text"),
        ("string", "text"),
    ],
)
def test_every_pandas_dtype_maps_to_a_column_type_by_kind(dtype, expected):
    assert column_type_for(pd.Series([], dtype=dtype).dtype) == expected


def test_unmappable_dtype_is_refused_naming_the_column():
    df = pd.DataFrame({"z": np.array([1 + 2j], dtype="complex128")})
    with pytest.raises(ParameterError, match="column 'z' has dtype complex128"):
        columns_for_frame(df)


def test_infinite_floats_and_duplicate_names_are_refused_before_sending():
    with pytest.raises(ParameterError, match="infinite"):
        columns_for_frame(pd.DataFrame({"x": [1.0, np.inf]}))
    with pytest.raises(ParameterError, match="duplicate column names"):
        columns_for_frame(pd.DataFrame([[1, 2]], columns=["a", "a"]))


def _rows(df: pd.DataFrame) -> list[dict]:
    out = []
    for names, rows in iter_record_blocks(df, block_rows=2):
        out.extend(dict(zip(names, row, strict=True)) for row in rows)
    return out


def test_values_become_json_nan_nat_na_to_null_timestamps_iso_numpy_plain():
    df = pd.DataFrame(
        {
            "i32": np.array([1, 2, 3], dtype="int32"),
            "f32": np.array([1.5, np.nan, 2.0], dtype="float32"),
            "nullable": pd.array([7, None, 9], dtype="Int64"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "naive": pd.to_datetime(["2024-01-01 00:00:00", None, "2024-01-03 10:00:01"]),
            "aware": pd.to_datetime(["2024-01-01 10:00", "2024-06-01 11:30", None]).tz_localize(
                "Europe/Paris"
            ),
            "cat": pd.Categorical(["a", None, "b"]),
            "obj": ["x", None, np.int64(4)],
            "dur": pd.to_timedelta(["1 day", None, "2h"]),
        }
    )
    rows = _rows(df)
    # json.dumps with no default= proves every value is plain JSON.
    assert json.loads(json.dumps(rows)) == [
        {
            "i32": 1,
            "f32": 1.5,
            "nullable": 7,
            "flag": True,
            "naive": "2024-01-01T00:00:00",
            "aware": "2024-01-01T09:00:00Z",
            "cat": "a",
            "obj": "x",
            "dur": "P1DT0H0M0S",
        },
        {
            "i32": 2,
            "f32": None,
            "nullable": None,
            "flag": None,
            "naive": None,
            "aware": "2024-06-01T09:30:00Z",
            "cat": None,
            "obj": None,
            "dur": None,
        },
        {
            "i32": 3,
            "f32": 2.0,
            "nullable": 9,
            "flag": False,
            "naive": "2024-01-03T10:00:01",
            "aware": None,
            "cat": "b",
            "obj": 4,
            "dur": "P0DT2H0M0S",
        },
    ]
    assert type(rows[0]["i32"]) is int and type(rows[0]["f32"]) is float


def test_sub_second_timestamps_keep_their_precision_in_one_format_per_column():
    df = pd.DataFrame({"t": pd.to_datetime(["2024-01-01 00:00:00.250", "2024-01-02 00:00:00.000"])})
    assert [r["t"] for r in _rows(df)] == ["2024-01-01T00:00:00.250", "2024-01-02T00:00:00.000"]


def test_json_safe_handles_scalars_from_object_columns():
    assert json_safe(np.float32("nan")) is None
    assert json_safe(pd.NaT) is None and json_safe(pd.NA) is None
    assert json_safe(np.bool_(True)) is True
    assert json_safe(pd.Timestamp("2024-05-01 12:00", tz="UTC")) == "2024-05-01T12:00:00Z"
    assert json_safe(np.datetime64("2024-05-01")) == "2024-05-01T00:00:00"


def test_records_become_a_frame_typed_from_column_types():
    columns = [
        {"name": "n", "data_type": "number"},
        {"name": "nn", "data_type": "number"},
        {"name": "x", "data_type": "number"},
        {"name": "p", "data_type": "percentage"},
        {"name": "c", "data_type": "checkbox"},
        {"name": "cn", "data_type": "checkbox"},
        {"name": "t", "data_type": "datetime"},
        {"name": "tz", "data_type": "datetime"},
        {"name": "d", "data_type": "date"},
        {"name": "dd", "data_type": "dropdown"},
        {"name": "s", "data_type": "text"},
    ]
    records = [
        {
            "n": 1,
            "nn": 1,
            "x": 1.5,
            "p": 0.5,
            "c": True,
            "cn": True,
            "t": "2024-01-01T10:00:00",
            "tz": "2024-01-01T10:00:00Z",
            "d": "2024-01-01",
            "dd": "red",
            "s": "a",
        },
        {
            "n": 2,
            "nn": None,
            "x": 2,
            "p": None,
            "c": False,
            "cn": None,
            "t": None,
            "tz": "2024-01-02T10:00:00Z",
            "d": "2024-01-02",
            "dd": "blue",
            "s": None,
        },
    ]
    df = records_to_frame(records, columns)
    assert list(df.columns) == [c["name"] for c in columns]
    dtypes = {k: str(v) for k, v in df.dtypes.items()}
    assert dtypes["n"] == "int64" and dtypes["nn"] == "Int64" and dtypes["x"] == "float64"
    assert dtypes["p"] == "float64" and dtypes["c"] == "bool" and dtypes["cn"] == "boolean"
    assert dtypes["t"].startswith("datetime64") and "UTC" not in dtypes["t"]
    assert dtypes["tz"].startswith("datetime64") and dtypes["tz"].endswith("UTC]")
    assert dtypes["d"].startswith("datetime64") and dtypes["dd"] == "category"
    assert df["tz"].iloc[1] == pd.Timestamp("2024-01-02 10:00", tz="UTC")


def test_an_empty_table_still_has_its_columns():
    df = records_to_frame(
        [], [{"name": "a", "data_type": "text"}, {"name": "b", "data_type": "number"}]
    )
    assert list(df.columns) == ["a", "b"] and len(df) == 0


def test_pages_collected_by_column_keep_columns_that_appear_late():
    from specclient.platforms.clicdata.frames import ColumnCollector

    collected = ColumnCollector([{"name": "a", "data_type": "number"}])
    collected.add([{"a": 1}, {"a": 2}])
    collected.add([{"a": 3, "extra": "x"}])
    df = collected.frame()
    assert df["a"].tolist() == [1, 2, 3] and str(df["a"].dtype) == "int64"
    assert df["extra"].isna().tolist() == [True, True, False] and df["extra"].iloc[2] == "x"
    assert collected.rows == 3


def test_a_page_read_from_its_bytes_gives_the_frame_the_dicts_give():
    import json

    from specclient.platforms.clicdata.frames import ColumnCollector

    columns = [
        {"name": "n", "data_type": "number"},
        {"name": "x", "data_type": "number"},
        {"name": "c", "data_type": "checkbox"},
        {"name": "t", "data_type": "datetime"},
        {"name": "tz", "data_type": "datetime"},
        {"name": "dd", "data_type": "dropdown"},
        {"name": "s", "data_type": "text"},
    ]
    pages = [
        [
            {"n": 1, "x": 1, "c": True, "t": "2024-01-01T10:00:00", "tz": "2024-01-01T10:00:00Z",
             "dd": "red", "s": "a"},
            {"n": 2, "x": 2, "c": False, "t": None, "tz": "2024-01-02T10:00:00+02:00",
             "dd": "blue", "s": None},
        ],
        [{"n": 3, "x": 2.5, "c": True, "t": "2024-01-03T00:00:00", "tz": None, "dd": "red",
          "s": "c", "late": 7}],
    ]  # fmt: skip
    from_dicts, from_bytes = ColumnCollector(columns), ColumnCollector(columns)
    for rows in pages:
        from_dicts.add(rows)
        body = json.dumps({"success": True, "result": rows, "pagination": {"page_size": 2}})
        rest = from_bytes.add_page(body.encode(), "result")
        assert rest == {"success": True, "pagination": {"page_size": 2}}
    expected, got = from_dicts.frame(), from_bytes.frame()
    pd.testing.assert_frame_equal(got, expected)
    # x had a fraction on the second page: float64 for the whole column; n stayed whole
    assert str(got["n"].dtype) == "int64" and str(got["x"].dtype) == "float64"
    assert got["x"].tolist() == [1.0, 2.0, 2.5]
    assert str(got["t"].dtype) == "datetime64[ns]" and got["t"].isna().tolist() == [
        False, True, False
    ]  # fmt: skip
    assert got["tz"].iloc[1] == pd.Timestamp("2024-01-02 08:00", tz="UTC")
    assert got["late"].isna().tolist() == [True, True, False] and got["late"].iloc[2] == 7
    assert str(got["dd"].dtype) == "category" and str(got["s"].dtype) == "object"


def test_a_page_arrow_cannot_read_is_refused_without_adding_rows():
    from specclient.platforms.clicdata.frames import ColumnCollector

    collected = ColumnCollector([{"name": "s", "data_type": "text"}])
    assert collected.add_page(b'{"result": [{"s": 1}]}', "result") is None
    assert collected.rows == 0


def test_list_and_history_frames_keep_their_promised_types_rows_or_no_rows(emu):
    """Issue 14 item 9: date-time fields are datetimes (the list answers one of two shapes, a
    ``oneOf``), and a data set with no versions yet still has the history's columns."""
    client = emu.client()
    listed = client.data.list(return_type="pandas")
    assert str(listed["creation_date"].dtype) == "datetime64[ns, UTC]"
    assert str(listed["last_data_update_date"].dtype) == "datetime64[ns, UTC]"
    assert str(listed["id"].dtype) == "Int64"

    empty = client.data.history(102)  # Data History on, nothing rebuilt yet
    assert list(empty.columns) == ["version", "created_date", "reason", "row_count"]
    assert [str(t) for t in empty.dtypes] == ["Int64", "datetime64[ns, UTC]", "string", "Int64"]

    client.data.rebuild(102, method="rebuild", wait=True)
    versions = client.data.history(102)
    assert versions["version"].tolist() == [1]
    assert versions["reason"].tolist() == ["rebuild"]
    assert str(versions["created_date"].dtype) == "datetime64[ns, UTC]"


def test_datetimes_in_mixed_forms_or_blank_take_the_lenient_parser_and_nulls_stay_missing():
    from specclient.platforms.clicdata.frames import ColumnCollector

    columns = [
        {"name": "t", "data_type": "datetime"},  # first value naive, a later one with an offset
        {"name": "tz", "data_type": "datetime"},  # first value with a zone, a later one blank
        {"name": "nn", "data_type": "number"},
        {"name": "cn", "data_type": "checkbox"},
        {"name": "s", "data_type": "text"},
    ]
    rows = [
        {"t": "2024-01-01T10:00:00", "tz": "2024-01-01T10:00:00Z", "nn": 1, "cn": True, "s": "a"},
        {"t": "2024-01-02T10:00:00+02:00", "tz": "", "nn": None, "cn": None, "s": None},
        {"t": None, "tz": "2024-01-03T00:00:00.250+01:00", "nn": 3, "cn": False, "s": "c"},
    ]
    collected = ColumnCollector(columns)
    assert collected.add_page(json.dumps({"result": rows}).encode(), "result") == {}
    df = collected.frame()
    assert str(df["t"].dtype) == "datetime64[ns]"
    assert df["t"].tolist()[:2] == [
        pd.Timestamp("2024-01-01 10:00"),
        pd.Timestamp("2024-01-02 08:00"),
    ]
    assert df["t"].isna().tolist() == [False, False, True]
    assert str(df["tz"].dtype) == "datetime64[ns, UTC]"
    assert df["tz"].iloc[0] == pd.Timestamp("2024-01-01 10:00", tz="UTC") and pd.isna(
        df["tz"].iloc[1]
    )
    assert df["tz"].iloc[2] == pd.Timestamp("2024-01-02 23:00:00.250", tz="UTC")
    assert str(df["nn"].dtype) == "Int64" and df["nn"].tolist() == [1, pd.NA, 3]
    assert str(df["cn"].dtype) == "boolean" and df["cn"].tolist() == [True, pd.NA, False]
    assert df["s"].iloc[0] == "a" and np.isnan(df["s"].iloc[1]) and df["s"].iloc[2] == "c"
    # each column its own block: the numbers were not copied again to consolidate them
    assert len(df._mgr.blocks) == len(columns)


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        # ISO 8601 extended format, at the coarsest unit that shows every value of the column
        (
            pd.Series(
                pd.to_datetime(["2024-01-01 00:00:00.123456789", "1900-01-01"], format="ISO8601")
            ),
            ["2024-01-01T00:00:00.123456789", "1900-01-01T00:00:00.000000000"],
        ),
        (
            pd.Series(pd.to_datetime(["1969-12-31 23:59:59.5", None], format="ISO8601")),
            ["1969-12-31T23:59:59.500", None],
        ),
        (
            pd.Series(np.array(["1600-01-01", "2500-12-31T23:59:59"], dtype="datetime64[s]")),
            ["1600-01-01T00:00:00", "2500-12-31T23:59:59"],
        ),
        (pd.Series(pd.to_datetime([None, None])), [None, None]),
        # 01:30 EST on the day clocks go forward is 06:30 UTC
        (
            pd.Series(pd.to_datetime(["2024-03-10 01:30", None])).dt.tz_localize(
                "America/New_York"
            ),
            ["2024-03-10T06:30:00Z", None],
        ),
        (
            pd.Series(pd.to_datetime(["2024-03-10 01:30:00.25"]))
            .astype("datetime64[ms]")
            .dt.tz_localize("Europe/Paris"),
            ["2024-03-10T00:30:00.250Z"],
        ),
    ],
)
def test_timestamps_are_written_in_iso_8601_at_the_unit_the_column_needs(series, expected):
    df = pd.DataFrame({"t": series})
    assert [row["t"] for row in _rows(df)] == expected
