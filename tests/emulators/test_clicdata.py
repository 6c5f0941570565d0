"""The ClicData emulator over plain HTTP: both body styles, typed tables, limits, tokens,
refreshes, PNG images, schedules."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator

import httpx
import pytest

import specclient.emulators
from specclient.emulators.clicdata import CREDENTIALS, DEFAULT_API_KEY

V = {"api_version": "2025.3"}


@pytest.fixture
def emu() -> Iterator[specclient.emulators.Emulator]:
    with specclient.emulators.running("clicdata", seed=3) as emulator:
        yield emulator


def _http(emu) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, headers={"CLICDATA-API-KEY": DEFAULT_API_KEY})


def _sales(emu) -> int:
    return next(t.rec_id for t in emu.state.tables.values() if t.name == "Sales")


def _new_table(http: httpx.Client, name: str = "t") -> int:
    body = {
        "name": name,
        "columns": [
            {"name": "n", "data_type": "number"},
            {"name": "s", "data_type": "text"},
            {"name": "when", "data_type": "datetime"},
        ],
    }
    return http.post("/data", json=body).json()


def test_without_api_version_the_legacy_shapes_come_back(emu):
    with _http(emu) as http:
        listing = http.get("/data").json()
        assert set(listing) == {"count", "data"} and listing["count"] == 2
        rows = http.get(f"/data/{_sales(emu)}", params={"page": 1}).json()
        assert set(rows) == {"data", "has_more_data"} and len(rows["data"]) == 120
        created = http.post(
            "/data", json={"name": "x", "columns": [{"name": "a", "data_type": "text"}]}
        )
        assert isinstance(created.json(), int)  # a bare RecId


def test_with_api_version_the_envelope_and_pagination_come_back(emu):
    with _http(emu) as http:
        page = http.get(f"/data/{_sales(emu)}", params={**V, "page": 2, "page_size": 50}).json()
        assert page["success"] is True and len(page["result"]) == 50
        assert page["result"][0]["order_id"] == 51
        assert page["pagination"] == {
            "result_count": 50,
            "result_total_count": 120,
            "current_page": 2,
            "page_size": 50,
            "has_more_results": True,
            "last_page": 3,
        }


def test_legacy_page_size_and_versioned_page_cap_are_configurable():
    with (
        specclient.emulators.running("clicdata", page_size=30, max_page_size=40) as emu,
        _http(emu) as http,
    ):
        first = http.get(f"/data/{_sales(emu)}", params={"page": 4}).json()
        assert len(first["data"]) == 30 and first["has_more_data"] is False
        refused = http.get(f"/data/{_sales(emu)}", params={**V, "page_size": 41})
        assert refused.status_code == 400
        assert refused.json()["error"]["description"] == "page_size must be at most 40"


def test_insert_cap_refuses_a_bigger_call_and_changes_nothing(emu):
    with _http(emu) as http:
        rec_id = _new_table(http)
        rows = [{"n": i} for i in range(501)]
        refused = http.post(f"/data/{rec_id}/insert", params=V, json={"data": rows})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "TooManyRows"
        assert emu.state.tables[rec_id].row_count == 0
        ok = http.post(f"/data/{rec_id}/insert", params=V, json={"data": rows[:500]}).json()
        assert ok == {"success": True, "result": {"rows_inserted": 500, "rows_found": 500}}
    with specclient.emulators.running("clicdata", insert_cap=0) as free, _http(free) as http:
        rec_id = _new_table(http)
        assert http.post(f"/data/{rec_id}/insert", json={"data": [{"n": 1}] * 2000}).json() == {
            "success": True
        }


def test_cells_are_typed_and_a_bad_one_rejects_the_whole_call(emu):
    with _http(emu) as http:
        rec_id = _new_table(http)
        good = {"n": "12", "s": 5, "when": "2024-01-01T10:00:00Z"}
        bad = {"n": "twelve"}
        refused = http.post(f"/data/{rec_id}/insert", params=V, json={"data": [good, bad]})
        assert refused.status_code == 400
        assert refused.json()["error"]["description"] == "column 'n' (number) cannot hold 'twelve'"
        assert emu.state.tables[rec_id].row_count == 0
        unknown = http.post(f"/data/{rec_id}/insert", params=V, json={"data": [{"zzz": 1}]})
        assert unknown.json()["error"]["code"] == "UnknownColumn"
        http.post(f"/data/{rec_id}/insert", params=V, json={"data": [good]})
        assert emu.state.tables[rec_id].rows(0, 1) == [
            {"n": 12, "s": "5", "when": "2024-01-01T10:00:00Z"}
        ]


def test_legacy_cell_rows_and_positional_rows_are_both_accepted(emu):
    with _http(emu) as http:
        rec_id = _new_table(http)
        cells = [[{"column": "n", "value": 1}, {"column": "s", "value": "a"}]]
        assert http.post(f"/data/{rec_id}/row", json={"data": cells}).json() == {"success": True}
        assert http.post(f"/data/{rec_id}/rows", json={"data": [[2, "b", None]]}).json() == {
            "success": True
        }
        assert emu.state.tables[rec_id].data["n"] == [1, 2]


def test_post_table_appends_cell_rows_as_a_public_client_sends_them(emu):
    # Issue 16: a public JavaScript client's row insert, POST /table/{id}?api_version=2021.08.
    sales = _sales(emu)
    before = emu.state.tables[sales].row_count
    row = [{"column": "order_id", "value": 9001}, {"column": "region", "value": "North"}]
    with _http(emu) as http:
        reply = http.post(
            f"/table/{sales}", params={"api_version": "2021.08"}, json={"data": [row]}
        )
        assert reply.status_code == 200, reply.text
        assert reply.json() == {"success": True, "result": {"rows_inserted": 1}}
        missing = http.post("/table/999999", params=V, json={"data": [row]})
        assert missing.status_code == 404 and missing.json()["success"] is False
    assert emu.state.tables[sales].row_count == before + 1
    client = emu.client()
    client.tables.append_rows(sales, data=[row])
    assert emu.state.tables[sales].row_count == before + 2


def test_duplicate_table_names_and_unknown_types_are_refused(emu):
    with _http(emu) as http:
        duplicate = http.post(
            "/data", json={"name": "Sales", "columns": [{"name": "a", "data_type": "text"}]}
        )
        assert duplicate.status_code == 409
        bad = http.post(
            "/data", params=V, json={"name": "z", "columns": [{"name": "a", "data_type": "id"}]}
        )
        assert bad.status_code == 400


def test_tokens_expire_after_the_configured_lifetime():
    with (
        specclient.emulators.running("clicdata", token_lifetime=10) as emu,
        httpx.Client(base_url=emu.base_url) as http,
    ):
        token = http.post(
            "/oauth20/token", data={"grant_type": "client_credentials", **CREDENTIALS}
        ).json()
        assert token["token_type"] == "Bearer" and token["expires_in"] == 10
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        assert http.get("/account", headers=auth).status_code == 200
        emu.clock.advance(11)
        expired = http.get("/account", headers=auth, params=V)
        assert expired.status_code == 401 and expired.json()["error"]["code"] == "token_expired"


def test_bad_client_credentials_get_a_json_401(emu):
    with httpx.Client(base_url=emu.base_url) as http:
        reply = http.post(
            "/oauth20/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CREDENTIALS["client_id"],
                "client_secret": "wrong",
            },
        )
        assert reply.status_code == 401
        assert reply.json() == {
            "success": False,
            "error": {"code": "invalid_client", "description": "Unknown client or wrong secret"},
        }
        assert http.get("/data").status_code == 401


def test_client_credentials_in_a_basic_header_get_a_token(emu):
    # RFC 6749 §2.3.1: a server MUST support Basic client authentication; no source says
    # ClicData refuses it (issue 16).
    pair = (CREDENTIALS["client_id"], CREDENTIALS["client_secret"])
    with httpx.Client(base_url=emu.base_url) as http:
        reply = http.post("/oauth20/token", data={"grant_type": "client_credentials"}, auth=pair)
        assert reply.status_code == 200
        token = reply.json()
        assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        assert http.get("/account", headers=auth).status_code == 200
        wrong = http.post(
            "/oauth20/token",
            data={"grant_type": "client_credentials"},
            auth=(CREDENTIALS["client_id"], "wrong"),
        )
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_client"


def test_authenticating_the_client_twice_is_an_invalid_request(emu):
    with httpx.Client(base_url=emu.base_url) as http:
        reply = http.post(
            "/oauth20/token",
            data={"grant_type": "client_credentials", **CREDENTIALS},
            auth=(CREDENTIALS["client_id"], CREDENTIALS["client_secret"]),
        )
    assert reply.status_code == 400
    assert reply.json() == {
        "success": False,
        "error": {
            "code": "invalid_request",
            "description": "authenticate the client once: in the Basic header or in the form body",
        },
    }
    assert emu.state.tokens_issued == 0


@pytest.mark.parametrize(
    ("content_type", "description"),
    [
        (
            "application/json",
            "the token request must be application/x-www-form-urlencoded "
            "(RFC 6749 section 4.4.2), not application/json",
        ),
        ("multipart/form-data", "the form body cannot be parsed: Missing boundary in multipart."),
    ],
)
def test_a_token_request_that_is_not_a_form_is_a_400_in_the_envelope(
    emu, content_type, description
):
    # Was a 500 (issue 16, issue 17): no public client sends JSON, and RFC 6749 makes the
    # token endpoint a form endpoint.
    body = b'{"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}'
    with httpx.Client(base_url=emu.base_url) as http:
        reply = http.post("/oauth20/token", content=body, headers={"Content-Type": content_type})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["description"] == description
    assert reply.json()["success"] is False
    assert emu.state.tokens_issued == 0


def test_missing_scope_is_http_200_with_success_false_on_the_versioned_api():
    with (
        specclient.emulators.running("clicdata", scopes=["account_read"]) as emu,
        _http(emu) as http,
    ):
        versioned = http.get("/data", params=V)
        assert versioned.status_code == 200
        assert versioned.json() == {
            "success": False,
            "error": {"code": "unauthorized", "description": "Missing scope"},
        }
        assert http.get("/data").status_code == 403
        assert http.get("/account", params=V).json()["success"] is True


def test_require_version_and_versioned_only_endpoints_answer_api_version_required():
    with specclient.emulators.running("clicdata", require_version=True) as emu, _http(emu) as http:
        reply = http.get("/data")
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "APIVersionRequired"
        assert "2025.3" in reply.headers["api-supported-versions"]
    with specclient.emulators.running("clicdata") as emu, _http(emu) as http:
        assert http.get("/table").json()["error"]["code"] == "APIVersionRequired"
        tables = http.get("/table", params={**V, "page_size": 1}).json()
        assert len(tables["result"]) == 1 and tables["pagination"]["result_total_count"] == 2


def test_refresh_modes_reload_append_and_update_the_source_rows(emu):
    with _http(emu) as http:
        rec_id = _sales(emu)
        table = emu.state.tables[rec_id]
        first_amount = table.data["amount"][0]
        assert http.post(f"/data/{rec_id}/append").text.startswith("Refresh (append)")
        assert table.row_count == 130 and table.data["amount"][0] == first_amount
        http.post(f"/data/{rec_id}/update", params=V)
        assert table.row_count == 130 and table.data["amount"][0] != first_amount
        reply = http.post(f"/table/{rec_id}/refresh", params=V, json={"mode": "reload"}).json()
        assert reply["result"]["mode"] == "rebuild" and table.row_count == 150
        versions = http.get(f"/data/{rec_id}/versions").json()["versions"]
        assert [v["reason"] for v in versions] == ["append", "update", "rebuild"]
        old = http.get(f"/data/{rec_id}/v/1", params={**V, "page_size": 500}).json()
        assert old["pagination"]["result_total_count"] == 130


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, size, pixels = 8, None, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + chunk)
        if kind == b"IHDR":
            size = struct.unpack(">II", chunk[:8])
        if kind == b"IDAT":
            pixels += chunk
        position += 12 + length
    width, height = size
    assert len(zlib.decompress(pixels)) == height * (1 + 3 * width)
    return width, height


def test_dashboards_serve_real_png_thumbnails_and_snapshots(emu):
    with _http(emu) as http:
        board_id = next(iter(emu.state.dashboards))
        legacy = base64.b64decode(http.get(f"/dashboard/{board_id}/thumbnail").text)
        versioned = base64.b64decode(
            http.get(f"/dashboard/{board_id}/snapshot", params=V).json()["result"]
        )
        assert _png_size(legacy) == (64, 36) and _png_size(versioned) == (320, 180)
        listed = http.get("/dashboard", params={"includethumbnail": "true"}).json()["dashboards"]
        assert base64.b64decode(listed[0]["thumbnail"]) == legacy
        assert "thumbnail" not in http.get("/dashboard").json()["dashboards"][0]


def test_triggering_a_schedule_refreshes_its_tables_and_logs_the_run(emu):
    with _http(emu) as http:
        schedule_id, schedule = next(iter(emu.state.schedules.items()))
        table = emu.state.tables[schedule["data"][0]]
        emu.clock.advance(3600)
        run = http.post(f"/schedule/{schedule_id}/trigger", params=V).json()["result"]
        assert run["refreshed"] == [table.rec_id] and run["status"] == "Completed"
        assert table.updated == emu.clock.time() and len(table.versions) == 1
        legacy = http.get(f"/schedule/{schedule_id}").json()["schedules"][0]
        assert legacy["last_run_date"] == run["started_date"]


def test_the_same_seed_gives_the_same_account(emu):
    with specclient.emulators.running("clicdata", seed=3) as twin:
        assert emu.state.tables[_sales(emu)].rows(0, 5) == twin.state.tables[_sales(twin)].rows(
            0, 5
        )
        assert [d["_thumbnail"] for d in emu.state.dashboards.values()] == [
            d["_thumbnail"] for d in twin.state.dashboards.values()
        ]


def test_a_malformed_api_version_answers_invalid_version(emu):
    with _http(emu) as http:
        reply = http.get("/account", params={"api_version": "latest"})
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "InvalidVersion"
        assert "2025.3" in reply.headers["api-supported-versions"]


def test_a_page_is_the_rows_as_they_are_now_after_each_kind_of_change(emu):
    # pages are put together from each row's JSON, kept between reads: every change to the
    # rows must show on the next read, in both body styles, exactly as the rows would encode
    import json

    with _http(emu) as http:
        rec_id = _new_table(http)
        table = emu.state.tables[rec_id]

        def read() -> tuple[list, list]:
            legacy = http.get(f"/data/{rec_id}", params={"page": 1})
            versioned = http.get(f"/data/{rec_id}", params={**V, "page": 1, "page_size": 10})
            assert legacy.headers["content-type"] == "application/json"
            body = versioned.json()
            assert list(body) == ["success", "result", "pagination"]
            assert body["pagination"]["result_count"] == len(body["result"])
            assert list(legacy.json()) == ["data", "has_more_data"]
            return legacy.json()["data"], body["result"]

        def rows(*ns: int) -> list[dict]:
            return [{"n": n, "s": f"r{n}", "when": None} for n in ns]

        assert read() == ([], [])
        table.append(rows(1, 2, 3))
        assert read() == (rows(1, 2, 3), rows(1, 2, 3))
        table.append(rows(4))  # an append keeps the rows encoded so far and adds its own
        assert read() == (rows(1, 2, 3, 4), rows(1, 2, 3, 4))
        assert table.delete([{"column": "n", "value": 2}], "all") == 1
        assert read() == (rows(1, 3, 4), rows(1, 3, 4))
        table.update([{"column": "n", "value": 3}], [{"column": "s", "value": "new"}], "all")
        changed = rows(1, 3, 4)
        changed[1]["s"] = "new"
        assert read() == (changed, changed)
        table._replace(rows(9))  # what a refresh does
        assert read() == (rows(9), rows(9))
        page = http.get(f"/data/{rec_id}", params={**V, "page": 1, "page_size": 10})
        assert page.content == (
            b'{"success":true,"result":[{"n":9,"s":"r9","when":null}],"pagination":'
            + json.dumps(page.json()["pagination"], separators=(",", ":")).encode()
            + b"}"
        )
        past = http.get(f"/data/{rec_id}", params={**V, "page": 5, "page_size": 10}).json()
        assert past["result"] == [] and past["pagination"]["result_count"] == 0
