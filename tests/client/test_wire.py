"""What goes over the wire: paths, queries, headers and bodies."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

import specclient


@pytest.mark.parametrize(
    ("value", "wire_path"),
    [
        ("a/../b", "/v1/pets/a%2F..%2Fb"),
        ("x?y#z", "/v1/pets/x%3Fy%23z"),
        ("..", "/v1/pets/%2E%2E"),
        ("é 1", "/v1/pets/%C3%A9%201"),
        (42, "/v1/pets/42"),
    ],
)
def test_path_parameters_stay_inside_their_segment(pets, recorder, value, wire_path):
    pets.pets.get(value)
    assert recorder.last.url.raw_path.decode() == wire_path
    assert recorder.last.url.host == "pets.example"


def test_query_lists_repeat_and_booleans_are_lower_case(pets, recorder):
    recorder.handler = lambda r: httpx.Response(200, json={"items": []})
    pets.pets.list(tags=["a", "b"], only_healthy=True, limit=5, x_trace="t-1")
    request = recorder.last
    assert request.url.params.multi_items() == [
        ("limit", "5"),
        ("tags", "a"),
        ("tags", "b"),
        ("onlyHealthy", "true"),
    ]
    assert request.headers["X-Trace"] == "t-1"


def test_body_fields_are_keywords_in_snake_case_and_camel_case_on_the_wire(pets, recorder):
    recorder.handler = lambda r: httpx.Response(201, json={"id": "9", "name": "Rex"})
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    pets.pets.post("Rex", "dog", start_at=when, age_years=3)
    assert recorder.last.method == "POST"
    assert recorder.last.headers["content-type"] == "application/json"
    assert recorder.last_json() == {
        "name": "Rex",
        "kind": "dog",
        "startAt": "2026-01-02T03:04:05+00:00",
        "ageYears": 3,
    }


def test_body_override_gives_full_control(pets, recorder):
    pets.pets.post(body={"name": "Rex", "kind": "cat", "extra": [1, 2]})
    assert recorder.last_json() == {"name": "Rex", "kind": "cat", "extra": [1, 2]}


def test_explicit_none_in_a_body_sends_null(pets, recorder):
    pets.pets.post("Rex", "cat", age_years=None)
    assert recorder.last_json() == {"name": "Rex", "kind": "cat", "ageYears": None}


def test_form_body_is_urlencoded(pets, recorder):
    pets.owners.adopt(12, pet_id="p/1", note="good dog")
    assert recorder.last.url.path == "/v1/owners/12/pets:adopt"
    assert recorder.last.headers["content-type"] == "application/x-www-form-urlencoded"
    assert recorder.last.content == b"petId=p%2F1&note=good+dog"


def test_binary_body_is_sent_as_bytes(pets, recorder):
    recorder.handler = lambda r: httpx.Response(204)
    pets.pets.put_photo("7", body=b"\x89PNG\r\n")
    assert recorder.last.content == b"\x89PNG\r\n"
    assert recorder.last.headers["content-type"] == "application/octet-stream"


def test_per_call_headers_and_client_headers(pets_spec, recorder):
    client = specclient.Client.from_spec(
        pets_spec, http=recorder.transport, cache=False, headers={"User-Agent": "me/1"}
    )
    client.pets.get("1", headers={"X-Extra": "yes"})
    assert recorder.last.headers["X-Extra"] == "yes"
    assert recorder.last.headers["User-Agent"] == "me/1"


def test_base_url_option_overrides_the_spec_server(pets_spec, recorder):
    client = specclient.Client.from_spec(
        pets_spec, http=recorder.transport, cache=False, base_url="http://127.0.0.1:9999/api"
    )
    client.pets.delete("5")
    assert str(recorder.last.url) == "http://127.0.0.1:9999/api/pets/5"
    assert recorder.last.method == "DELETE"


def test_auth_is_applied_and_never_shown(pets_spec, recorder):
    auth = specclient.auth.APIKey("s3cr3t-value", header="X-Key")
    client = specclient.Client.from_spec(pets_spec, http=recorder.transport, cache=False, auth=auth)
    client.pets.get("1")
    assert recorder.last.headers["X-Key"] == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(client) + repr(auth)


def test_json_encodes_numpy_and_nan_honestly(pets, recorder):
    np = pytest.importorskip("numpy")
    pets.pets.post(
        "Rex",
        "dog",
        body={"name": "Rex", "kind": "dog", "weights": [np.float64("nan"), np.int64(3)]},
    )
    assert json.loads(recorder.last.content)["weights"] == [None, 3]
