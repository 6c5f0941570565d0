"""The uSmart emulator as a client meets it on the wire: actions, the fake S3, URQL and DCAT.

Raw httpx on purpose: these tests pin what the emulator answers, independent of our adapter
(the adapter's workflows are tested in tests/platforms/usmart).
"""

from __future__ import annotations

import json
import shutil
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from specclient.emulators import running
from specclient.emulators.usmart import CREDENTIALS, ORG_GUID, VIEWER_CREDENTIALS, build, urql
from specclient.emulators.usmart.state import ActionError
from specclient.errors import ParameterError

KEYS = {"api-key-id": CREDENTIALS["api_key_id"], "api-key-secret": CREDENTIALS["api_key_secret"]}


@pytest.fixture(scope="module")
def emu():
    with running("usmart", seed=1, process_delay=2.0) as emulator:
        yield emulator
    shutil.rmtree(emulator.state.root, ignore_errors=True)


@pytest.fixture
def http(emu):
    with httpx.Client(base_url=emu.base_url, timeout=10) as client:
        yield client


def action(http, name, body, headers=KEYS):
    return http.post(f"/org/{ORG_GUID}/{name}", json=body, headers=headers)


def first_dataset(emu):
    return next(d for d in emu.state.datasets.values() if d.access_level == "public")


def signed_upload(http, name="data.csv"):
    reply = action(http, "s3:generatePutRequest", {"fileName": name})
    assert reply.status_code == 200
    return reply.json()["result"]


def put(http, signed, data, content_type=None):
    return http.put(
        signed["signedRequest"],
        content=data,
        headers={"Content-Type": content_type or signed["contentType"]},
    )


# -- actions ------------------------------------------------------------------------------------


def test_dataset_view_lists_files_and_resource_containers(emu, http):
    ds = first_dataset(emu)
    reply = action(http, "dataset:view", {"datasetGUID": ds.guid})
    assert reply.status_code == 200
    result = reply.json()["result"]
    assert result["datasetGUID"] == ds.guid
    assert [f["fileName"] for f in result["files"]][0] == "cycle_counts.csv"
    assert {c["pipelineId"] for c in result["resourceContainers"]} >= {"data-api"}


def test_action_name_may_arrive_percent_encoded(emu, http):
    ds = first_dataset(emu)
    reply = http.post(
        f"/org/{ORG_GUID}/dataset%3Aview", json={"datasetGUID": ds.guid}, headers=KEYS
    )
    assert reply.status_code == 200


def test_wrong_secret_is_refused_with_401_and_no_secret_in_the_body(http):
    reply = action(
        http,
        "dataset:view",
        {"datasetGUID": "x"},
        headers={"api-key-id": KEYS["api-key-id"], "api-key-secret": "wrong"},
    )
    assert reply.status_code == 401
    assert reply.json()["error"] == "Unauthorized"
    assert KEYS["api-key-secret"] not in reply.text


def test_viewer_may_view_but_not_create_files(emu, http):
    viewer = {
        "api-key-id": VIEWER_CREDENTIALS["api_key_id"],
        "api-key-secret": VIEWER_CREDENTIALS["api_key_secret"],
    }
    ds = first_dataset(emu)
    assert action(http, "dataset:view", {"datasetGUID": ds.guid}, viewer).status_code == 200
    refused = action(
        http,
        "file:create",
        {"datasetGUID": ds.guid, "reference": "r", "fileName": "a.csv", "fileSize": 1},
        viewer,
    )
    assert refused.status_code == 403
    assert "Provider" in refused.json()["message"]


def test_unknown_dataset_is_404_naming_the_guid(http):
    reply = action(http, "dataset:view", {"datasetGUID": "no-such-guid"})
    assert reply.status_code == 404
    assert reply.json() == {
        "error": "NotFound",
        "message": "no dataset with datasetGUID 'no-such-guid'",
    }


@pytest.mark.parametrize("path", ["/home/me/data.csv", "C:\\Users\\me\\data.csv"])
def test_a_path_as_file_name_is_accepted_and_stored_as_its_base_name(emu, http, path):
    # UrbanTide's own example sends the local path (issue 16): the service takes it.
    ds = first_dataset(emu)
    signed = signed_upload(http, path)
    assert signed["contentType"] == "text/csv"
    assert put(http, signed, b"a,b\n1,2\n").status_code == 200
    body = {"datasetGUID": ds.guid, "reference": signed["reference"], "fileName": path}
    created = action(http, "file:create", {**body, "fileSize": 8})
    assert created.status_code == 200, created.text
    assert created.json()["result"]["fileName"] == "data.csv"
    view = action(http, "dataset:view", {"datasetGUID": ds.guid}).json()["result"]
    assert "data.csv" in [f["fileName"] for f in view["files"]]
    assert path not in [f["fileName"] for f in view["files"]]


def test_a_file_name_that_names_no_file_is_refused(emu, http):
    # The spec's pattern refuses it before the action runs; the state model refuses it too.
    reply = action(http, "s3:generatePutRequest", {"fileName": "/home/me/"})
    assert reply.status_code == 400
    assert reply.json()["error"] == "BadRequest"
    assert "'fileName'" in reply.json()["message"]
    with pytest.raises(ActionError, match="fileName '/home/me/' names no file"):
        emu.state.generate_put_request({"fileName": "/home/me/"}, emu.base_url)


def test_realtime_pipeline_cannot_be_created(emu, http):
    reply = action(
        http,
        "resourceContainer:create",
        {"datasetGUID": first_dataset(emu).guid, "pipelineId": "realtime-data-api"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "Unsupported"


# -- the fake S3 --------------------------------------------------------------------------------


def test_signed_put_then_file_create_registers_the_stored_bytes(emu, http):
    ds = first_dataset(emu)
    signed = signed_upload(http, "fresh.csv")
    assert signed["contentType"] == "text/csv"
    stored = put(http, signed, b"a,b\n1,2\n")
    assert stored.status_code == 200 and stored.headers["ETag"]
    created = action(
        http,
        "file:create",
        {
            "datasetGUID": ds.guid,
            "reference": signed["reference"],
            "fileName": "fresh.csv",
            "fileSize": 8,
            "action": "file:create",
        },
    )
    assert created.status_code == 200
    guid = created.json()["result"]["fileGUID"]
    download = http.get(f"/org/{ORG_GUID}/resource", params={"resourceGUID": guid})
    assert download.content == b"a,b\n1,2\n"
    again = action(
        http,
        "file:create",
        {
            "datasetGUID": ds.guid,
            "reference": signed["reference"],
            "fileName": "fresh.csv",
            "fileSize": 8,
        },
    )
    assert again.status_code == 409  # a reference registers once


def test_tampered_signature_gets_an_s3_xml_403(http):
    signed = signed_upload(http)
    parts = urlsplit(signed["signedRequest"])
    query = dict(parse_qsl(parts.query))
    query["X-Amz-Signature"] = "0" * 64
    tampered = urlunsplit(parts._replace(query=urlencode(query)))
    reply = http.put(tampered, content=b"x", headers={"Content-Type": signed["contentType"]})
    assert reply.status_code == 403
    assert reply.headers["content-type"].startswith("application/xml")
    assert "<Code>SignatureDoesNotMatch</Code>" in reply.text


def test_content_type_other_than_the_signed_one_is_refused(http):
    signed = signed_upload(http)
    reply = put(http, signed, b"x", content_type="application/octet-stream")
    assert reply.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in reply.text


def test_expired_signed_url_is_refused_and_stores_nothing(emu, http):
    signed = signed_upload(http)
    emu.clock.advance(901)
    reply = put(http, signed, b"late")
    assert reply.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in reply.text
    assert emu.state.uploads[signed["reference"]].blob is None


def test_file_size_must_match_the_bytes_stored(emu, http):
    signed = signed_upload(http)
    put(http, signed, b"12345")
    reply = action(
        http,
        "file:create",
        {
            "datasetGUID": first_dataset(emu).guid,
            "reference": signed["reference"],
            "fileName": "data.csv",
            "fileSize": 6,
        },
    )
    assert reply.status_code == 400
    assert "does not match the 5 bytes" in reply.json()["message"]


def test_uploads_are_written_to_disk_not_kept_in_state(emu, http):
    signed = signed_upload(http)
    put(http, signed, b"z" * 100_000)
    blob = emu.state.uploads[signed["reference"]].blob
    assert blob.path.is_file() and blob.path.stat().st_size == 100_000
    assert not hasattr(blob, "data")


# -- processing, URQL, DCAT ---------------------------------------------------------------------


def test_process_moves_latest_only_after_the_delay(emu, http):
    ds = first_dataset(emu)
    api = next(c for c in ds.containers if c.pipeline_id == "data-api")
    before = api.revision
    reply = action(http, "resourceContainer:process", {"resourceContainerGUID": api.guid})
    assert reply.json()["result"]["state"] == "processing"
    urql_path = f"/api/org/{ORG_GUID}/{api.guid}/latest/urql"
    assert http.get(urql_path + "?limit(1,0)").status_code == 200
    assert api.revision == before
    emu.clock.advance(2.5)
    http.get(urql_path + "?limit(1,0)")
    assert api.revision == before + 1


def test_urql_filters_sorts_selects_and_pages(emu, http):
    api = next(c for c in first_dataset(emu).containers if c.pipeline_id == "data-api")
    reply = http.get(
        f"/api/org/{ORG_GUID}/{api.guid}/latest/urql"
        "?site=Canal%20Path&sort(-count)&select(count)&limit(2,0)"
    )
    assert reply.status_code == 200
    rows = reply.json()
    assert len(rows) == 2 and set(rows[0]) == {"usmart_id", "count"}
    assert rows[0]["count"] >= rows[1]["count"]
    assert len(rows[0]["usmart_id"]) == 20


def test_urql_without_limit_answers_ten_records_like_the_service(emu, http):
    api = next(c for c in first_dataset(emu).containers if c.pipeline_id == "data-api")
    assert len(http.get(f"/api/org/{ORG_GUID}/{api.guid}/latest/urql").json()) == 10


def test_urql_window_past_ten_thousand_is_a_400():
    with pytest.raises(urql.URQLError, match="first 10000 records; use limit"):
        urql.parse("limit(100,9950)")
    assert urql.parse("limit(-1)").limit == -1


def test_urql_unknown_term_is_a_400_on_the_wire(emu, http):
    api = next(c for c in first_dataset(emu).containers if c.pipeline_id == "data-api")
    reply = http.get(f"/api/org/{ORG_GUID}/{api.guid}/latest/urql?stats(count)")
    assert reply.status_code == 400
    assert reply.json() == {"error": "BadQuery", "message": "unsupported URQL term 'stats'"}


def test_public_dcat_hides_private_datasets_and_private_needs_keys(emu, http):
    public = http.get(f"/discovery/org/{ORG_GUID}/dcat/data.json").json()
    assert public["@type"] == "dcat:Catalog"
    assert all(d["accessLevel"] == "public" for d in public["dataset"])
    assert http.get(f"/discovery/org/{ORG_GUID}/dcat/private").status_code == 401
    private = http.get(f"/discovery/org/{ORG_GUID}/dcat/private", headers=KEYS).json()
    assert len(private["dataset"]) == len(emu.state.datasets) > len(public["dataset"])
    entry = public["dataset"][0]
    assert "dataset:viewDiscovery?datasetGUID=" in entry["identifier"]
    api = [d for d in entry["distribution"] if d["title"] == "API"]
    assert api and api[0]["accessURL"].endswith("/urql")
    assert "downloadURL" not in json.dumps(public)


def test_anonymous_urql_reads_public_data_only(emu, http):
    api = next(c for c in first_dataset(emu).containers if c.pipeline_id == "data-api")
    assert http.get(f"/api/org/{ORG_GUID}/{api.guid}/latest/urql").status_code == 200
    private = next(d for d in emu.state.datasets.values() if d.access_level == "private")
    container = emu.state.add_container(private, "data-api")
    reply = http.get(f"/api/org/{ORG_GUID}/{container.guid}/latest/urql")
    assert reply.status_code == 404


def test_unknown_emulator_option_is_a_parameter_error():
    with pytest.raises(ParameterError, match="unknown uSmart emulator option 'pipeline'"):
        build(seed=0, pipeline={})


def test_pipeline_list_is_configurable():
    only = {"geojson-export": {"title": "GeoJSON", "kind": "download", "supported": True}}
    with (
        running("usmart", seed=2, pipelines=only) as emulator,
        httpx.Client(base_url=emulator.base_url) as http,
    ):
        ds = first_dataset(emulator)
        made = action(
            http,
            "resourceContainer:create",
            {"datasetGUID": ds.guid, "pipelineId": "geojson-export"},
        )
        assert made.status_code == 200
        refused = action(
            http, "resourceContainer:create", {"datasetGUID": ds.guid, "pipelineId": "data-api"}
        )
        assert refused.status_code == 400
        assert refused.json()["message"] == "unknown pipelineId 'data-api'; known: geojson-export"
