"""civis-python 2.10.1's ``Response`` behaviours (its tests/test_response.py), each asserted
on civis-python's class and on ours with the same payload and headers."""

from __future__ import annotations

import pprint

import pytest

from specclient.platforms.civis import CivisImmutableResponseError, CivisResponse
from specclient.platforms.civis.responses import CivisResponseList, JSONValueResponse

civis_response = pytest.importorskip("civis.response")

HEADERS = {"X-RateLimit-Remaining": "997", "X-RateLimit-Limit": "1000"}
SCRIPT = {
    "id": 7,
    "createdAt": "2026-01-01T00:00:00Z",
    "arguments": {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2},
    "params": [{"name": "DB_NAME", "defaultValue": None}],
    "lastRun": {"id": 70, "state": "succeeded", "errorMessage": None},
}


@pytest.fixture(params=["civis-python", "specclient"])
def make(request):
    """A response of each library for a payload (and headers)."""
    if request.param == "civis-python":
        return lambda data, headers=None: civis_response.Response(data, headers=headers)
    return lambda data, headers=None: CivisResponse(data, headers=headers)


def test_json_data_is_the_payload_as_sent(make):
    assert make(SCRIPT, HEADERS).json_data == SCRIPT


def test_rate_limit_headers_read_as_numbers(make):
    response = make(SCRIPT, HEADERS)
    assert (response.calls_remaining, response.rate_limit) == (997, 1000)
    assert make(SCRIPT).calls_remaining is None


def test_snake_and_camel_names_both_read_a_field(make):
    response = make(SCRIPT)
    assert response.created_at == response.createdAt == response["createdAt"]
    assert response.last_run.error_message is None
    assert response.lastRun.state == "succeeded"


def test_user_data_under_arguments_keeps_its_keys(make):
    response = make(SCRIPT)
    assert dict(response.arguments.items()) == {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2}
    assert response.json()["arguments"] == {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2}
    assert response.arguments["MY_VAR"] == "x"


def test_a_json_value_output_keeps_its_value_as_sent(make):
    output = {"objectType": "JSONValue", "objectId": 3, "value": {"someKey": {"A-B": 1}}}
    response = make(output)
    assert response.value == {"someKey": {"A-B": 1}}
    assert response.json()["value"] == {"someKey": {"A-B": 1}}


def test_json_snake_case_at_every_depth(make):
    assert make(SCRIPT).json() == {
        "id": 7,
        "created_at": "2026-01-01T00:00:00Z",
        "arguments": {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2},
        "params": [{"name": "DB_NAME", "default_value": None}],
        "last_run": {"id": 70, "state": "succeeded", "error_message": None},
    }


def test_json_is_a_copy_the_caller_may_edit(make):
    response = make(SCRIPT)
    mine = response.json(snake_case=False)
    mine["id"] = 8
    assert response.id == 7 and response.json_data["id"] == 7
    response.json()["last_run"]["id"] = 0
    assert response.last_run.id == 70


def test_json_of_no_content_is_an_empty_dict(make):
    assert make(None).json() == {}


def test_responses_are_hashable_and_equal_ones_hash_alike(make):
    assert hash(make(SCRIPT)) == hash(make(dict(SCRIPT)))
    assert len({make(SCRIPT), make(dict(SCRIPT))}) == 1


def test_responses_are_read_only_with_civis_pythons_message(make):
    response = make(SCRIPT)
    message = "Response object is read-only. Did you want to call .json()"
    with pytest.raises(Exception, match=message) as attr:
        response.id = 9
    with pytest.raises(Exception, match=message) as item:
        response["id"] = 9
    assert type(attr.value).__name__ == type(item.value).__name__ == "CivisImmutableResponseError"


def test_our_immutability_error_is_civis_pythons_class_too():
    with pytest.raises(civis_response.CivisImmutableResponseError):
        CivisResponse(SCRIPT).id = 9
    with pytest.raises(CivisImmutableResponseError):
        CivisResponse(SCRIPT)["id"] = 9


def test_get_and_items_as_civis_python(make):
    response = make(SCRIPT)
    assert response.get("created_at") == "2026-01-01T00:00:00Z"
    assert response.get("createdAt") == "2026-01-01T00:00:00Z"
    assert response.get("nope", 5) == 5
    assert [k for k, _ in response.items()] == [
        "id", "created_at", "arguments", "params", "last_run",
    ]  # fmt: skip


def test_long_responses_pretty_print_over_lines_like_civis_python():
    theirs = pprint.pformat(civis_response.Response(SCRIPT))
    ours = pprint.pformat(CivisResponse(SCRIPT))
    assert ours.count("\n") >= 4
    assert ours.startswith("Response({") and ours.endswith("})")
    # same layout; only the nested objects' own reprs may differ
    assert [line.split(":")[0] for line in ours.splitlines()] == [
        line.split(":")[0] for line in theirs.splitlines()
    ]


def test_list_items_carry_the_lists_headers():
    ours = CivisResponseList([CivisResponse({"id": 1})], payload=[{"id": 1}], headers=HEADERS)
    theirs = civis_response.convert_response_data_type([{"id": 1}], headers=HEADERS)
    assert ours[0].headers == theirs[0].headers == HEADERS
    assert ours[0].calls_remaining == theirs[0].calls_remaining == 997
    assert ours.json() == theirs.json() == [{"id": 1}]


def test_json_values_answers_keep_their_value():
    payload = {"id": 1, "name": "cfg", "value": {"camelCase": [{"innerKey": 1}]}}
    theirs = civis_response.Response(payload, from_json_values=True)
    ours = JSONValueResponse(payload)
    assert ours.value == theirs.value == {"camelCase": [{"innerKey": 1}]}
    assert ours.json() == theirs.json()
