"""One test per defect of the community wrapper (platform notes §8): each shows we do it right.

The wrapper (clicdata-api-wrapper 0.0.1) is what ClicData users run today; the numbers in the
test names are the notes' numbering.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

import specclient
from specclient.emulators.clicdata import DEFAULT_PASSWORD, DEFAULT_USERNAME
from specclient.errors import APIError, AuthError, NotFoundError, ServerError, SpecClientError


def _rec_id(emu, name="Sales"):
    return next(t.rec_id for t in emu.state.tables.values() if t.name == name)


def test_defect_01_basic_auth_keeps_the_colon_and_encodes_inner_then_outer(emu, wire):
    client = emu.client(
        http=wire, client_secret=None, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD
    )
    client.account.get()
    outer = base64.b64decode(wire.requests[0].headers["authorization"].removeprefix("Basic "))
    client_id, colon, inner = outer.decode().partition(":")
    assert (client_id, colon) == (emu.credentials["client_id"], ":")
    assert base64.b64decode(inner).decode() == f"{DEFAULT_USERNAME}:{DEFAULT_PASSWORD}"


def test_defect_02_extra_headers_are_merged_not_replacing_authorization(emu, wire):
    client = emu.client(http=wire)
    client.account.get(headers={"X-Trace": "abc"})
    call = wire.to("/account")[0]
    assert call.headers["x-trace"] == "abc"
    assert call.headers["authorization"].startswith("Bearer ")
    assert call.headers["accept"]  # the defaults are still there too


def test_defect_03_delete_sends_its_body_built_from_the_filter_items(emu, wire):
    emu.client(http=wire).data.delete_rows(_rec_id(emu), {"region": "East"}, multiple="first")
    (call,) = wire.to("/row", "DELETE")
    assert wire.body(call) == {
        "find": [{"column": "region", "value": "East"}],
        "multiplerows": "first",
    }


def test_defect_04_data_history_sends_a_get_and_returns_versions_and_rows(emu, wire):
    client = emu.client(http=wire)
    rec_id = _rec_id(emu)
    client.data.rebuild(rec_id)
    assert client.data.history(rec_id)["version"].tolist() == [1]
    assert len(client.data.history(rec_id, version=1)) == 130
    assert {r.method for r in wire.to("/versions") + wire.to("/v/1")} == {"GET"}


def test_defect_05_create_and_append_returns_the_new_rec_id_with_the_rows_in(emu):
    client = emu.client()
    rec_id = client.data.create_from_dataframe("static", pd.DataFrame({"a": [1, 2, 3]}))
    assert isinstance(rec_id, int)
    assert emu.state.tables[rec_id].data["a"] == [1, 2, 3]
    legacy = emu.client(api_version=None)  # legacy POST /data answers a bare integer
    other = legacy.data.create_from_dataframe("static legacy", pd.DataFrame({"a": [4]}))
    assert emu.state.tables[other].data["a"] == [4]


def test_defect_06_dtypes_missing_from_the_wrapper_map_all_work(emu):
    df = pd.DataFrame(
        {
            "i32": np.array([1, 2], dtype="int32"),
            "f32": np.array([0.5, 1.5], dtype="float32"),
            "ns": pd.to_datetime(["2024-01-01", "2024-01-02"]).astype("datetime64[ns]"),
            "td": pd.to_timedelta(["1h", "2h"]),
        }
    )
    client = emu.client()
    rec_id = client.data.create_from_dataframe("dtypes", df)
    columns = {c["name"]: c["data_type"] for c in emu.state.tables[rec_id].columns}
    assert columns == {"i32": "number", "f32": "number", "ns": "datetime", "td": "text"}
    back = client.data.get(rec_id)
    assert back["i32"].tolist() == [1, 2] and back["ns"].tolist() == df["ns"].tolist()


def test_defect_07_thumbnail_and_snapshot_use_dashboard_paths_with_int_ids(emu, wire):
    client = emu.client(http=wire)
    board_id = next(iter(emu.state.dashboards))
    client.dashboards.thumbnail(board_id)
    client.dashboards.snapshot(board_id)
    paths = [r.url.path for r in wire.requests if "oauth20" not in r.url.path]
    assert paths == [f"/dashboard/{board_id}/thumbnail", f"/dashboard/{board_id}/snapshot"]


def test_defect_08_trigger_schedule_is_a_post(emu, wire):
    schedule_id = next(iter(emu.state.schedules))
    emu.client(http=wire).schedules.trigger(schedule_id)
    assert [r.method for r in wire.to("/trigger")] == ["POST"]
    assert len(emu.state.schedules[schedule_id]["runs"]) == 1


def test_defect_09_the_reload_refresh_goes_to_rebuild(emu, wire):
    emu.client(http=wire).data.rebuild(_rec_id(emu), method="reload")
    # the data set's date is read first (what a lost reply is reconciled with: issue 12.1)
    assert [r.url.path for r in wire.requests if "oauth20" not in r.url.path] == [
        "/data",
        f"/data/{_rec_id(emu)}/rebuild",
    ]


def test_defect_10_false_boolean_filters_are_sent(emu, wire):
    client = emu.client(http=wire)
    client.dashboards.list(includethumbnail=False)
    client.data.list(uniquekeyavailable=False)
    assert wire.to("/dashboard")[0].url.params["includethumbnail"] == "false"
    assert wire.to("/data")[0].url.params["uniquekeyavailable"] == "false"
    client.data.delete_rows(_rec_id(emu), {"paid": False, "order_id": 0})
    assert wire.body(wire.to("/row", "DELETE")[0])["find"] == [
        {"column": "paid", "value": False},
        {"column": "order_id", "value": 0},
    ]


def test_defect_11_rows_are_batched_json_safe_and_retried(emu, wire):
    client = emu.client(http=wire)
    df = pd.DataFrame(
        {
            "x": [np.float64("nan"), *range(1, 1200)],
            "t": [pd.NaT, *pd.date_range("2024-01-01", periods=1199, freq="s")],
        }
    )
    rec_id = client.data.create_from_dataframe("batched", df.iloc[:0].astype({"x": "float64"}))
    emu.faults.add("data.insert", "503", count=1)
    client.data.append(rec_id, df, progress=False)
    bodies = [wire.body(r)["data"] for r in wire.to(f"/data/{rec_id}/insert")]
    assert [len(b) for b in bodies] == [500, 500, 500, 200]  # the first got a 503: sent again
    assert bodies[0][0] == {"x": None, "t": None}
    assert bodies[0][1] == {"x": 1.0, "t": "2024-01-01T00:00:00"}
    assert emu.state.tables[rec_id].row_count == 1200


def test_defect_12_a_refused_token_request_is_an_auth_error(emu):
    with pytest.raises(AuthError, match="refused: 401"):
        emu.client(client_id="unknown-client").data.list()


def test_defect_13_api_version_is_sent_and_the_envelope_understood(emu, wire):
    client = emu.client(http=wire)
    df = client.data.get(_rec_id(emu, "Customers"))
    assert len(df) == 40
    # activepieces' default on these paths (issue 16: never 2025.3 on the legacy /data paths)
    assert all(
        r.url.params.get("api_version") == "2022.01"
        for r in wire.requests
        if "oauth20" not in r.url.path
    )


def test_defect_14_errors_are_typed_and_pagination_failures_raise(emu, capsys):
    client = emu.client(max_retries=0, page_size=10)
    with pytest.raises(NotFoundError):
        client.data.rows(424242)
    emu.faults.add("data.rows", "500", count=1)
    with pytest.raises(ServerError) as caught:
        client.data.get(_rec_id(emu))
    assert isinstance(caught.value, APIError) and isinstance(caught.value, SpecClientError)
    assert capsys.readouterr().out == ""  # nothing printed, nothing half-returned


def test_connect_is_reachable_through_the_top_level_function(emu):
    client = specclient.connect("clicdata", base_url=emu.base_url, **emu.credentials)
    assert client.data.list()["success"] is True
