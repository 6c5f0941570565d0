"""The Habu emulator seen through plain HTTP: tokens, limits, envelopes, run lifecycle, results."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

import specclient.emulators
from specclient.emulators import habu
from specclient.emulators.habu import handlers as habu_handlers
from specclient.emulators.habu import state as habu_state
from specclient.emulators.habu.state import result_columns, result_page


@pytest.fixture
def emu():
    with specclient.emulators.running("habu", seed=7) as emulator:
        yield emulator


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token(emu, http: httpx.Client) -> str:
    reply = http.post(
        f"{emu.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={
            "Authorization": _basic(emu.credentials["client_id"], emu.credentials["client_secret"])
        },
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["accessToken"]


@pytest.fixture
def http(emu):
    with httpx.Client(base_url=emu.base_url) as plain:
        yield plain


@pytest.fixture
def authed(emu, http):
    http.headers["Authorization"] = f"Bearer {_token(emu, http)}"
    return http


def test_token_reply_is_camel_case_with_a_twelve_hour_lifetime(emu, http):
    reply = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={
            "Authorization": _basic(emu.credentials["client_id"], emu.credentials["client_secret"])
        },
    )
    body = reply.json()
    assert set(body) == {"accessToken", "tokenType", "expiresIn", "expiresAt"}
    assert body["tokenType"] == "Bearer" and body["expiresIn"] == 43200
    assert body["expiresAt"].endswith("+00:00") and "." in body["expiresAt"]
    header = json.loads(base64.urlsafe_b64decode(body["accessToken"].split(".")[0] + "=="))
    assert header["alg"] == "RS256" and "kid" in header


def test_token_endpoint_without_authorization_is_400_with_springs_message(http):
    reply = http.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert reply.status_code == 400
    assert "Required request header 'Authorization'" in reply.json()["message"]


def test_token_endpoint_refuses_wrong_credentials(emu, http):
    reply = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": _basic(emu.credentials["client_id"], "nope")},
    )
    assert reply.status_code == 401
    assert reply.json()["code"] == 401


def test_only_two_tokens_a_day_then_429_until_the_day_has_passed(emu, http):
    _token(emu, http)
    _token(emu, http)
    third = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={
            "Authorization": _basic(emu.credentials["client_id"], emu.credentials["client_secret"])
        },
    )
    assert third.status_code == 429
    assert "Retry-After" not in third.headers
    assert "2 access tokens per 24 hours" in third.json()["message"]
    emu.clock.advance(24 * 3600)
    _token(emu, http)


def test_the_token_cap_can_be_switched_off():
    with specclient.emulators.running("habu", token_cap=None) as emu, httpx.Client() as http:
        for _ in range(5):
            reply = http.post(
                f"{emu.base_url}/oauth/token",
                data={"grant_type": "client_credentials"},
                headers={
                    "Authorization": _basic(
                        emu.credentials["client_id"], emu.credentials["client_secret"]
                    )
                },
            )
            assert reply.status_code == 200


def test_calls_need_a_bearer_token_and_tokens_expire_after_twelve_hours(emu, http):
    assert http.get("/cleanrooms").status_code == 401
    token = _token(emu, http)
    headers = {"Authorization": f"Bearer {token}"}
    assert http.get("/cleanrooms", headers=headers).json() == []
    emu.clock.advance(43200)
    expired = http.get("/cleanrooms", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["status"] == "UNAUTHORIZED"
    assert expired.json()["details"] == "uri=/v1/cleanrooms"


def test_health_needs_no_token(http):
    assert http.get("/health").json()["status"] == "UP"


def test_errors_use_the_platforms_envelope(authed):
    missing = authed.get("/cleanrooms/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "404",
        "message": "Cleanroom 00000000-0000-4000-8000-000000000000 not found",
    }
    unknown = authed.get("/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "Not Found" and unknown.json()["path"] == "/v1/no-such-thing"
    wrong_method = authed.patch("/cleanrooms")
    assert wrong_method.status_code == 405
    assert {"GET", "POST"} <= set(wrong_method.headers["allow"].replace(" ", "").split(","))


def test_literal_segments_win_over_ids(authed):
    types = authed.get("/cleanrooms/cleanroom-types")
    assert types.status_code == 200
    assert "Hybrid" in {t["name"] for t in types.json()}


def test_a_clean_room_name_conflict_is_409(authed):
    body = {
        "name": "dup",
        "startAt": "2026-01-01",
        "type": "Hybrid",
        "parameters": {"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
    }
    assert authed.post("/cleanrooms", json=body).status_code == 200
    conflict = authed.post("/cleanrooms", json=body)
    assert conflict.status_code == 409 and conflict.json()["code"] == "409"


def _ready_question(authed) -> str:
    room = authed.post(
        "/cleanrooms",
        json={
            "name": "r",
            "startAt": "2026-01-01",
            "type": "Hybrid",
            "parameters": {"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
        },
    ).json()
    conn = authed.post("/data-connections", json={"name": "c", "category": "Ad Exposure"}).json()
    dataset = authed.post(
        f"/cleanrooms/{room['id']}/datasets/configure",
        params={"dataConnectionId": conn["id"]},
        json={"rampIDConsent": False},
    ).json()
    question = authed.post(
        "/question",
        json={
            "questionDetails": {
                "title": "q",
                "dataTypes": [{"macro": "@m", "dataSetTypeFields": []}],
            }
        },
    ).json()
    assert question["success"] is True
    crq = authed.post(
        f"/cleanrooms/{room['id']}/cleanroom-questions",
        params={"questionId": question["questionID"], "isEditable": "true"},
    ).json()
    assert crq["questionStatus"] != "READY"
    # the published document's form (a query parameter) is accepted as well as the body
    owners = authed.post(
        f"/cleanroom-questions/{crq['id']}/datasets-ownership",
        params={
            "AssignCleanroomQuestionDatasetRequests": json.dumps(
                {"organizationId": "org", "macro": "@m"}
            )
        },
    )
    assert owners.status_code == 200, owners.text
    assigned = authed.post(
        f"/cleanroom-questions/{crq['id']}/datasets",
        json=[{"datasetId": dataset["id"], "macro": "@m", "fields": []}],
    )
    assert assigned.status_code == 200, assigned.text
    return crq["id"]


def test_a_question_without_datasets_is_not_ready_412(authed):
    room = authed.post(
        "/cleanrooms",
        json={
            "name": "r",
            "startAt": "2026-01-01",
            "type": "Hybrid",
            "parameters": {"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
        },
    ).json()
    question = authed.post(
        "/question",
        json={
            "questionDetails": {
                "title": "q",
                "dataTypes": [{"macro": "@m", "dataSetTypeFields": []}],
            }
        },
    ).json()
    crq = authed.post(
        f"/cleanrooms/{room['id']}/cleanroom-questions",
        params={"questionId": question["questionID"]},
    ).json()
    reply = authed.post(f"/cleanroom-questions/{crq['id']}/create-run", json={"name": "x"})
    assert reply.status_code == 412


def test_missing_dataset_type_fields_are_refused_before_the_question_exists(emu, authed):
    reply = authed.post(
        "/question", json={"questionDetails": {"title": "q", "dataTypes": [{"macro": "@m"}]}}
    )
    # the platform fails with a 500 (an NPE); the emulator checks the corrected spec first
    assert reply.status_code == 400
    assert "dataSetTypeFields" in reply.json()["message"]
    assert emu.state.questions == {}


def test_a_run_moves_queued_running_completed_on_the_clock(emu, authed):
    crq = _ready_question(authed)
    run = authed.post(
        f"/cleanroom-questions/{crq}/create-run", json={"name": "r1", "parameters": {"k": "v"}}
    ).json()
    assert run["status"] == "QUEUED" and run["submittedAt"] and run["completedAt"] is None
    emu.clock.advance(61)
    running = authed.get(f"/cleanroom-question-runs/{run['id']}").json()
    assert running["status"] == "RUNNING" and running["executedAt"]
    emu.clock.advance(600)
    done = authed.get(f"/cleanroom-question-runs/{run['id']}").json()
    assert done["status"] == "COMPLETED" and done["completedAt"]
    assert authed.get(f"/cleanroom-question-runs/{run['id']}/data/count").json() == 1000


def test_a_failed_run_carries_failure_reason(emu, authed):
    crq = _ready_question(authed)
    emu.state.fail_next_run("column missing")
    run = authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "f"}).json()
    emu.clock.advance(3600)
    done = authed.get(f"/cleanroom-question-runs/{run['id']}").json()
    assert done["status"] == "FAILED"
    assert done["failureReason"] == "column missing" and done["isRetryable"] is True


def test_the_twenty_first_create_run_in_an_hour_is_429_without_retry_after(emu, authed):
    crq = _ready_question(authed)
    for k in range(20):
        ok = authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": f"r{k}"})
        assert ok.status_code == 200
    limited = authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "r20"})
    assert limited.status_code == 429
    assert "retry-after" not in limited.headers
    assert limited.json()["code"] == "429"
    emu.clock.advance(3600)
    assert (
        authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "r21"}).status_code
        == 200
    )


def test_run_list_filters_by_either_status_parameter_name(emu, authed):
    crq = _ready_question(authed)
    authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "a"})
    emu.clock.advance(3600)
    authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "b"})
    path = f"/cleanroom-questions/{crq}/cleanroom-question-runs"
    assert [r["name"] for r in authed.get(path, params={"questionRunStatus": "QUEUED"}).json()] == [
        "b"
    ]
    assert [r["name"] for r in authed.get(path, params={"status": "COMPLETED"}).json()] == ["a"]
    assert authed.get(path, params={"limit": 101}).status_code == 400


def test_result_pages_are_deterministic_strings_and_count_the_rows(emu, authed):
    crq = _ready_question(authed)
    run = authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "d"}).json()
    emu.clock.advance(3600)
    page = authed.get(
        f"/cleanroom-question-runs/{run['id']}/data", params={"limit": 5, "offset": 10}
    ).json()
    assert page["count"] == 1000 and len(page["stats"]) == 5
    assert [m["dataType"] for m in page["metadata"]][:3] == ["STRING", "DATE", "LONG"]
    assert all(isinstance(v, str) for row in page["stats"] for v in row.values())
    again = authed.get(
        f"/cleanroom-question-runs/{run['id']}/data", params={"limit": 5, "offset": 10}
    ).json()
    assert again == page


def test_a_million_row_result_serves_any_page_without_building_the_rest(monkeypatch):
    computed: list[int] = []  # rows computed per call of the row generator

    def counting_result_page(*args, **kwargs):
        rows = result_page(*args, **kwargs)
        computed.append(len(rows))
        return rows

    for module in (habu_handlers, habu_state):
        monkeypatch.setattr(module, "result_page", counting_result_page)
    with (
        specclient.emulators.running("habu", seed=3, result_rows=1_000_000) as emu,
        httpx.Client(base_url=emu.base_url) as http,
    ):
        http.headers["Authorization"] = f"Bearer {_token(emu, http)}"
        crq = _ready_question(http)
        run = http.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "big"}).json()
        emu.clock.advance(3600)
        computed.clear()
        last = http.get(
            f"/cleanroom-question-runs/{run['id']}/data", params={"limit": 500, "offset": 999_800}
        ).json()
        assert computed == [200]  # the last page's rows, not a million
        assert last["count"] == 1_000_000 and len(last["stats"]) == 200
        columns = result_columns(None)
        assert last["stats"][0] == result_page(3, run["id"], columns, 999_800, 1, 1_000_000)[0]


def test_result_rows_depend_on_the_seed_and_the_run():
    columns = result_columns(None)
    one = result_page(1, "run-a", columns, 0, 50, 100)
    assert one == result_page(1, "run-a", columns, 0, 50, 100)
    assert one != result_page(2, "run-a", columns, 0, 50, 100)
    assert one != result_page(1, "run-b", columns, 0, 50, 100)
    assert result_page(1, "run-a", columns, 40, 50, 100)[0] == one[40]


def test_build_refuses_unknown_options():
    with pytest.raises(TypeError, match="run_create_limt"):
        habu.build(seed=0, run_create_limt=3)


def test_download_streams_the_result_as_csv(emu, authed):
    crq = _ready_question(authed)
    run = authed.post(f"/cleanroom-questions/{crq}/create-run", json={"name": "csv"}).json()
    emu.clock.advance(3600)
    reply = authed.get(f"/cleanroom-question-runs/{run['id']}/download/results.csv")
    lines = reply.text.splitlines()
    assert lines[0].startswith("segment,day,impressions")
    assert len(lines) == 1001


def test_credential_values_are_stored_but_never_sent_back(emu, authed):
    created = authed.post(
        "/organization-credentials",
        json={
            "name": "s3",
            "credentialSourceName": "AWS S3 Credential",
            "credentials": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "s3-secret-value-123"}],
        },
    )
    assert created.status_code == 200, created.text
    assert "s3-secret-value-123" not in created.text
    listed = authed.get("/organization-credentials")
    assert "s3-secret-value-123" not in listed.text
    assert listed.json()[0]["credentials"][0]["name"] == "AWS_SECRET_ACCESS_KEY"


def test_run_schedules_are_kept_per_question(emu, authed):
    crq = _ready_question(authed)
    created = authed.post(
        f"/cleanroom-questions/{crq}/cleanroom-question-run-schedules",
        json={"name": "weekly", "repeatFrequency": "WEEKLY", "daysOfWeek": ["MON"]},
    )
    schedule_id = created.json()["id"]
    listed = authed.get(f"/cleanroom-questions/{crq}/cleanroom-question-run-schedules").json()
    assert [s["name"] for s in listed] == ["weekly"]
    path = f"/cleanroom-questions/{crq}/cleanroom-question-run-schedules/{schedule_id}"
    assert authed.delete(path).json() == {"success": True}
    assert authed.get(path).status_code == 404


def test_an_operation_the_emulator_does_not_model_answers_501_naming_itself(authed):
    reply = authed.get("/destinations/partners")
    assert reply.status_code == 501
    assert reply.json()["code"] == "501"
    assert "destinations.list_partners" in reply.json()["message"]
