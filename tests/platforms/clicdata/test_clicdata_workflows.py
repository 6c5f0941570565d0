"""The data workflows against a live emulator: DataFrames in and out, refreshes, row deletes,
dashboards, schedules, and the envelope rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specclient.errors import APIError, ForbiddenError, NotFoundError, ParameterError, ServerError
from specclient.platforms.clicdata import ClicDataAPIError, ClicDataScopeError

PNG = b"\x89PNG\r\n\x1a\n"


def _table(emu, name):
    return next(t for t in emu.state.tables.values() if t.name == name)


def _mixed_frame(rows: int = 7) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int32"),
            "amount": np.linspace(0.5, 10.5, rows).astype("float32"),
            "units": pd.array([i if i % 3 else None for i in range(rows)], dtype="Int64"),
            "paid": [i % 2 == 0 for i in range(rows)],
            "at": pd.date_range("2024-01-01", periods=rows, freq="h"),
            "at_tz": pd.date_range("2024-01-01", periods=rows, freq="D", tz="America/Montreal"),
            "region": pd.Categorical(["N", "S"] * (rows // 2) + ["N"] * (rows % 2)),
            "note": [f"row {i}" if i != 2 else None for i in range(rows)],
        }
    )


def test_get_reads_every_page_into_a_typed_frame(emu, wire):
    client = emu.client(http=wire, page_size=25)
    df = client.data.get(_table(emu, "Sales").rec_id)
    assert len(df) == 120 and df["order_id"].tolist() == list(range(1, 121))
    assert len(wire.to(f"/data/{_table(emu, 'Sales').rec_id}")) == 5  # 120 rows / 25
    assert str(df["order_id"].dtype) == "int64" and str(df["amount"].dtype) == "float64"
    assert str(df["paid"].dtype) == "bool" and str(df["ordered_at"].dtype).endswith("UTC]")


def test_legacy_api_pages_by_has_more_data(emu, wire):
    emu.state.page_size = 50
    client = emu.client(http=wire, api_version=None)
    df = client.data.get(_table(emu, "Sales").rec_id)
    assert len(df) == 120
    pages = wire.to(f"/data/{_table(emu, 'Sales').rec_id}")
    assert [r.url.params["page"] for r in pages] == ["1", "2", "3"]


def test_create_from_dataframe_maps_dtypes_and_round_trips_the_rows(emu, wire):
    client = emu.client(http=wire)
    frame = _mixed_frame()
    rec_id = client.data.create_from_dataframe("mixed", frame, progress=False)
    (create,) = wire.to("/data", "POST")
    assert wire.body(create)["columns"] == [
        {"name": "id", "data_type": "number"},
        {"name": "amount", "data_type": "number"},
        {"name": "units", "data_type": "number"},
        {"name": "paid", "data_type": "checkbox"},
        {"name": "at", "data_type": "datetime"},
        {"name": "at_tz", "data_type": "datetime"},
        {"name": "region", "data_type": "text"},
        {"name": "note", "data_type": "text"},
    ]
    back = client.data.get(rec_id)
    assert back["id"].tolist() == list(range(7))
    assert back["units"].isna().tolist() == frame["units"].isna().tolist()
    assert back["at"].tolist() == frame["at"].tolist()
    assert (back["at_tz"] == frame["at_tz"].dt.tz_convert("UTC")).all()
    assert back["note"].fillna("<na>").tolist() == frame["note"].fillna("<na>").tolist()
    assert np.allclose(back["amount"], frame["amount"])


def test_append_sends_chunks_under_the_cap_and_counts_rows(emu, wire):
    client = emu.client(http=wire)
    rec_id = client.data.create_from_dataframe("chunks", _mixed_frame(2).iloc[:0], progress=False)
    frame = _mixed_frame(1234)
    assert client.data.append(rec_id, frame, chunk_size=500, progress=False) == 1234
    sizes = [len(wire.body(r)["data"]) for r in wire.to(f"/data/{rec_id}/insert")]
    assert sizes == [500, 500, 234]
    assert emu.state.tables[rec_id].row_count == 1234


def test_chunk_size_above_the_platform_cap_is_refused_before_sending(emu, wire):
    client = emu.client(http=wire)
    with pytest.raises(ParameterError, match="chunk_size must be between 1 and 500"):
        client.data.append(_table(emu, "Sales").rec_id, _mixed_frame(), chunk_size=501)
    assert wire.requests == []


def test_append_refuses_columns_the_table_lacks_before_sending_rows(emu, wire):
    client = emu.client(http=wire)
    with pytest.raises(ParameterError, match=r"columns \['bogus'\] are not in data set"):
        client.data.append(_table(emu, "Customers").rec_id, pd.DataFrame({"bogus": [1]}))
    assert not wire.to("/insert")


def test_legacy_append_sends_rows_of_column_value_cells(emu, wire):
    client = emu.client(http=wire, api_version=None)
    rec_id = _table(emu, "Customers").rec_id
    frame = pd.DataFrame({"customer_id": [41], "name": ["New"], "score": [0.25]})
    client.data.append(rec_id, frame, progress=False)
    (call,) = wire.to(f"/data/{rec_id}/row", "POST")
    assert wire.body(call) == {
        "data": [
            [
                {"column": "customer_id", "value": 41},
                {"column": "name", "value": "New"},
                {"column": "score", "value": 0.25},
            ]
        ]
    }
    assert emu.state.tables[rec_id].row_count == 41


def test_rebuild_posts_to_the_refresh_endpoint_and_reload_means_rebuild(emu, wire):
    client = emu.client(http=wire)
    rec_id = _table(emu, "Sales").rec_id
    client.data.rebuild(rec_id, method="reload")
    client.data.rebuild(rec_id, method="updateappend")
    paths = [(r.method, r.url.path) for r in wire.requests if "/oauth20" not in r.url.path]
    # each refresh is sent once, after reading the data set's date (what a lost reply is
    # reconciled with: issue 12.1)
    assert paths == [
        ("GET", "/data"),
        ("POST", f"/data/{rec_id}/rebuild"),
        ("GET", "/data"),
        ("POST", f"/data/{rec_id}/updateappend"),
    ]
    assert len(client.data.history(rec_id)) == 2


def test_rebuild_rejects_an_unknown_method_before_sending(emu, wire):
    client = emu.client(http=wire)
    with pytest.raises(ParameterError, match="method must be one of recreate, rebuild"):
        client.data.rebuild(_table(emu, "Sales").rec_id, method="refreshall")
    assert wire.requests == []


def test_history_lists_versions_and_reads_one_version_typed(emu):
    client = emu.client()
    rec_id = _table(emu, "Sales").rec_id
    client.data.rebuild(rec_id)
    client.data.rebuild(rec_id, method="append")
    versions = client.data.history(rec_id)
    assert versions["version"].tolist() == [1, 2]
    assert versions["row_count"].tolist() == [130, 140]
    first = client.data.history(rec_id, version=1)
    assert len(first) == 130 and str(first["order_id"].dtype) == "int64"


def test_history_on_a_table_without_data_history_says_so(emu):
    with pytest.raises(APIError, match="Data History is not enabled"):
        emu.client().data.history(_table(emu, "Customers").rec_id)


def test_delete_rows_sends_its_filter_body_including_false_values(emu, wire):
    client = emu.client(http=wire)
    rec_id = _table(emu, "Sales").rec_id
    deleted = client.data.delete_rows(rec_id, {"region": "North", "paid": False}, multiple="all")
    (call,) = wire.to(f"/data/{rec_id}/row", "DELETE")
    assert wire.body(call) == {
        "find": [{"column": "region", "value": "North"}, {"column": "paid", "value": False}],
        "multiplerows": "all",
    }
    table = emu.state.tables[rec_id]
    assert deleted > 0 and table.row_count == 120 - deleted
    remaining = list(zip(table.data["region"], table.data["paid"], strict=True))
    assert ("North", False) not in remaining and ("North", True) in remaining


def test_delete_rows_first_removes_one_row(emu):
    rec_id = _table(emu, "Sales").rec_id
    assert emu.client().data.delete_rows(rec_id, {"region": "North"}, multiple="first") == 1
    assert emu.state.tables[rec_id].row_count == 119
    with pytest.raises(ParameterError, match="multiple must be 'all' or 'first'"):
        emu.client().data.delete_rows(rec_id, {"region": "North"}, multiple="some")


def test_update_rows_sets_values_on_matching_rows(emu):
    rec_id = _table(emu, "Customers").rec_id
    assert emu.client().data.update_rows(rec_id, {"customer_id": 3}, {"name": "Renamed"}) == 1
    assert emu.state.tables[rec_id].data["name"][2] == "Renamed"


def test_dashboard_thumbnail_and_snapshot_are_png_bytes(emu):
    for api_version in ("2025.3", None):
        client = emu.client(api_version=api_version)
        board = next(iter(emu.state.dashboards.values()))
        thumbnail = client.dashboards.thumbnail(board["id"])
        snapshot = client.dashboards.snapshot(board["id"])
        assert thumbnail == board["_thumbnail"] and thumbnail.startswith(PNG)
        assert snapshot == board["_snapshot"] and len(snapshot) > len(thumbnail)


def test_trigger_schedule_is_a_post_that_refreshes_its_tables(emu, wire):
    client = emu.client(http=wire)
    schedule = next(iter(emu.state.schedules.values()))
    table = emu.state.tables[schedule["data"][0]]
    before = table.updated
    emu.clock.advance(120)
    future = client.schedules.trigger(schedule["id"])  # started: the tables are refreshed
    assert future.run["refreshed"] == [table.rec_id]  # the run as the trigger answered
    (call,) = wire.to(f"/schedule/{schedule['id']}/trigger")
    assert call.method == "POST"
    assert table.updated == before + 120 and len(table.versions) == 1
    assert client.schedules.get(schedule["id"])["result"]["runs"][0]["status"] == "Completed"


def test_a_success_false_body_with_http_200_is_an_api_error():
    import specclient.emulators

    with specclient.emulators.running("clicdata", seed=1, scopes=["data_read"]) as emu:
        client = emu.client()
        assert client.data.list()["success"] is True
        with pytest.raises(ClicDataScopeError, match="Missing scope") as caught:
            client.account.get()
        error = caught.value
        assert isinstance(error, ClicDataAPIError) and isinstance(error, ForbiddenError)
        assert isinstance(error, APIError) and error.status_code == 200
        assert error.code == "unauthorized" and error.description == "Missing scope"
        with pytest.raises(ClicDataScopeError):
            client.data.create_from_dataframe("nope", pd.DataFrame({"a": [1]}))


def test_a_failing_page_raises_instead_of_returning_part_of_the_rows(emu):
    client = emu.client(page_size=50, max_retries=0)
    emu.faults.add("data.rows", "500", count=10)
    with pytest.raises(ServerError):
        client.data.get(_table(emu, "Sales").rec_id)


def test_get_of_an_unknown_rec_id_is_not_found(emu):
    with pytest.raises(NotFoundError, match="RecId 999999"):
        emu.client().data.get(999999)


def test_teams_and_users_endpoints_work_end_to_end(emu, wire):
    client = emu.client(http=wire)
    user = client.users.create(email_address="new@example.com", first_name="New")["result"]
    team = client.teams.create(name="Ops")["result"]
    client.teams.add_user(team["id"], user_id=user["id"])
    client.teams.set_parameter(team["id"], name="region", value="EU")
    client.users.set_password(user["id"], password="long-enough-pass")
    teams = {t["name"]: t for t in client.teams.list()["result"]}
    assert teams["Ops"]["users"] == [user["id"]] and teams["Ops"]["parameters"] == {"region": "EU"}
    client.teams.remove_user(team["id"], user_id=user["id"])
    client.users.delete(user["id"])
    assert all(u["id"] != user["id"] for u in client.users.list()["result"])
    (password_call,) = wire.to("/password")
    assert password_call.method == "PUT"


def test_spec_methods_page_and_give_frames_from_their_annotations(emu):
    client = emu.client()
    rows = list(client.data.rows(_table(emu, "Sales").rec_id, page_size=50, iterator=True))
    assert len(rows) == 120 and rows[-1]["order_id"] == 120
    assert len(list(client.tables.list(page_size=1, iterator=True))) == 2
    listing = client.data.list(return_type="pandas")
    assert listing["name"].tolist() == ["Sales", "Customers"]


def test_get_as_arrow_holds_the_frames_columns_and_values(emu, wire):
    import pyarrow as pa

    client = emu.client(http=wire, page_size=25)
    rec_id = _table(emu, "Sales").rec_id
    frame = client.data.get(rec_id)
    table = client.data.get(rec_id, return_type="arrow")
    assert isinstance(table, pa.Table) and table.num_rows == 120
    assert table.schema.field("order_id").type == pa.int64()
    assert table.schema.field("paid").type == pa.bool_()
    assert table.column("order_id").to_pylist() == list(range(1, 121))
    assert table.column_names == list(frame.columns)
    for name in frame.columns:
        assert table.column(name).to_pylist() == frame[name].astype(object).tolist(), name


def test_get_refuses_an_unknown_return_type_before_sending(emu, wire):
    client = emu.client(http=wire)
    with pytest.raises(ParameterError, match="return_type must be one of"):
        client.data.get(_table(emu, "Sales").rec_id, return_type="polars")
    assert wire.requests == []
