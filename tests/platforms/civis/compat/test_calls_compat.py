"""civis-python 2.10.1's call-level behaviours (its tests/test_base.py, test_client.py,
test_resources.py, test_retries.py), each run against specclient's Civis client on the
emulator and, where the behaviour can be observed the same way, against civis-python's."""

from __future__ import annotations

import warnings
from pathlib import Path

import httpx
import pytest

from specclient.emulators.civis import CREDENTIALS
from specclient.errors import NotFoundError, ServerError, UnauthorizedError
from specclient.platforms.civis import (
    APIClient,
    CivisAPIError,
    CivisAPIKeyError,
    CivisPaginatedResponse,
)

civis = pytest.importorskip("civis")
KEY = CREDENTIALS["api_key"]
SPEC = Path(__file__).resolve().parents[4] / "specs" / "civis.yaml"


@pytest.fixture
def theirs(emu):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return civis.APIClient(api_key=KEY)


# -- errors ------------------------------------------------------------------------------------
def _raised(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        return error
    raise AssertionError("no error raised")


def test_a_404_reads_as_civis_pythons_error(emu, theirs):
    ours = _raised(lambda: emu.client().tables.get(999999))
    them = _raised(lambda: theirs.tables.get(999999))
    assert isinstance(ours, CivisAPIError) and isinstance(ours, NotFoundError)
    assert str(ours) == str(them)
    assert str(ours).startswith("(404) ") and str(ours).endswith(" (GET /tables/999999)")
    assert (ours.status_code, ours.error_message) == (them.status_code, them.error_message)
    assert ours.response.status_code == 404


def test_civis_pythons_except_clause_catches_our_errors(emu):
    with pytest.raises(civis.base.CivisAPIError) as caught:
        emu.client().tables.get(999999)
    assert caught.value.status_code == 404


def test_a_refused_key_is_civis_pythons_key_error(emu):
    refused = emu.client(api_key="wrong-key-000000000000", local_api_spec=str(SPEC))
    ours = _raised(refused.users.get_me)
    assert isinstance(ours, CivisAPIKeyError) and isinstance(ours, UnauthorizedError)
    assert isinstance(ours, civis.base.CivisAPIKeyError)
    assert isinstance(ours.__cause__, CivisAPIError)
    assert str(ours) == ours.response.headers["www-authenticate"]
    assert "wrong-key" not in str(ours) and "wrong-key" not in repr(ours.__cause__)


# -- calls -------------------------------------------------------------------------------------
def test_iterator_true_answers_a_paginated_response_with_json(emu, theirs):
    ours = emu.client().tables.list(database_id=1, limit=2, iterator=True)
    them = theirs.tables.list(database_id=1, limit=2, iterator=True)
    assert isinstance(ours, CivisPaginatedResponse)
    assert ours.json() == them.json()
    assert [t["name"] for t in ours.json()] == []  # consumed, as civis-python's


def test_last_response_is_the_latest_answer(emu, theirs):
    client = emu.client()
    assert client.last_response is None
    me = client.users.get_me()
    assert client.last_response is me
    theirs.users.get_me()
    assert client.last_response.json() == theirs.last_response.json()


@pytest.mark.parametrize(
    ("call", "args", "kwargs"),
    [
        ("tables.get", (), {}),
        ("tables.get", (1, 2), {}),
        ("tables.get", (1,), {"bogus": 3}),
        ("tables.list", (), {"not_a_filter": 1}),
    ],
)
def test_argument_errors_read_as_civis_pythons(emu, theirs, call, args, kwargs):
    resource, method = call.split(".")
    ours = _raised(lambda: getattr(getattr(emu.client(), resource), method)(*args, **kwargs))
    them = _raised(lambda: getattr(getattr(theirs, resource), method)(*args, **kwargs))
    assert type(them) is TypeError and isinstance(ours, TypeError)
    assert str(ours) == str(them)


def test_api_client_takes_civis_python_2_10_positional_order(emu):
    client = APIClient(KEY, "snake", "1.0", None)
    assert client.users.get_me().username == "demo-user"
    with pytest.raises(ValueError, match="api_version"):
        APIClient(KEY, "snake", "2.0", emu.client().spec.source or {})


def test_a_bad_return_type_is_a_value_error_as_in_civis_python():
    with pytest.raises(ValueError, match="bogus"):
        civis.APIClient(KEY, return_type="bogus")
    with pytest.raises(ValueError, match="return_type must be 'snake', 'raw', 'pandas' or 'arrow'"):
        APIClient(KEY, return_type="bogus")


def test_return_type_pandas_is_an_extension(emu):
    frame = APIClient(KEY, "pandas").tables.list(database_id=1)
    assert list(frame["name"])[:2] == ["customers", "orders"]


# -- retries -----------------------------------------------------------------------------------
def test_ten_attempts_as_civis_python(emu):
    emu.faults.add("databases.list", "503", count=50)
    with pytest.raises(ServerError):
        emu.client().databases.list()
    assert len(emu.faults.fired) == 10


def test_a_post_answered_503_is_sent_again(emu):
    emu.faults.add("scripts.post_containers", "503", count=2)
    script = emu.client().scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="retried",
        docker_command="true",
    )
    assert script.name == "retried"
    assert len(emu.faults.fired) == 2
    assert [s.name for s in emu.client().scripts.list()].count("retried") == 1


def test_a_post_answered_502_is_not_sent_again(emu):
    emu.faults.add("scripts.post_containers", "502", count=1)
    with pytest.raises(ServerError):
        emu.client().scripts.post_containers(
            required_resources={"cpu": 256, "memory": 512},
            docker_image_name="busybox",
            name="once",
            docker_command="true",
        )
    assert len(emu.faults.fired) == 1


def test_a_retry_after_over_300_s_is_waited_as_civis_python(emu):
    emu.faults.add("databases.list", "429", count=1, retry_after=900)
    started = emu.clock.time()
    assert emu.client().databases.list()[0].name == "redshift-general"
    assert emu.clock.time() - started >= 900


# -- the wire ----------------------------------------------------------------------------------
def test_every_request_names_specclient_as_user_agent():
    seen = []

    def handler(request):
        seen.append(request.headers["User-Agent"])
        return httpx.Response(200, json={"id": 1, "username": "u"})

    import specclient

    spec = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/users/me": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    client = specclient.Client.from_spec(
        spec, base_url="http://x", http=httpx.MockTransport(handler)
    )
    client.request("GET", "http://x/users/me")
    assert seen == [f"specclient/{specclient.__version__}"]


def test_civis_pythons_snake_case_body_keys_are_accepted_by_the_emulator(emu, theirs):
    script = theirs.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512, "disk_space": 2},
        docker_image_name="busybox",
        name="snake",
        docker_command="true",
        arguments={"MY_VAR": "x", "other_key": 1},
    )
    seen = emu.client().scripts.get_containers(script.id)
    assert seen.required_resources.disk_space == 2
    assert seen.docker_image_name == "busybox"
    assert seen.json(snake_case=False)["arguments"] == {"MY_VAR": "x", "other_key": 1}


def test_array_query_parameters_go_as_civis_python_sends_them():
    import requests
    from civis.base import Endpoint

    sent = []

    def handler(request):
        sent.append(request.url.query.decode())
        return httpx.Response(200, json=[])

    client = APIClient(KEY, local_api_spec=str(SPEC), http=httpx.MockTransport(handler))
    client.tables.list(database_id=1, table_tag_ids=[1, 2])
    client.tables.list(table_tag_ids=[3])
    theirs = [
        requests.Request("GET", "http://x/tables", params=Endpoint._handle_array_params(p))
        .prepare()
        .path_url.split("?", 1)[1]
        for p in ({"database_id": 1, "table_tag_ids": [1, 2]}, {"table_tag_ids": [3]})
    ]
    assert (
        sent
        == theirs
        == [
            "database_id=1&table_tag_ids%5B%5D=1&table_tag_ids%5B%5D=2",
            "table_tag_ids%5B%5D=3",
        ]
    )


def test_booleans_go_as_json_spells_them():
    # civis-python (requests) sends Python's True; Civis's Rails API reads "true" and "True"
    # alike (ActiveModel boolean casting), so specclient keeps JSON's spelling.
    sent = []

    def handler(request):
        sent.append(request.url.query.decode())
        return httpx.Response(200, json=[])

    client = APIClient(KEY, local_api_spec=str(SPEC), http=httpx.MockTransport(handler))
    client.credentials.list(default=True)
    assert "default=true" in sent[0]


def _fake_civis(handler):
    """A Civis client on an in-process fake serving one json_values route."""
    spec = {
        "swagger": "2.0",
        "info": {"title": "Civis", "version": "1"},
        "paths": {
            "/json_values/{id}": {
                "get": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "type": "integer"}
                    ],
                    "responses": {"200": {"description": "ok", "schema": {"type": "object"}}},
                }
            }
        },
    }
    return APIClient(KEY, local_api_spec=spec, http=httpx.MockTransport(handler))


def test_json_values_answers_keep_the_users_json():
    value = {"camelKey": {"Inner-Key": [{"deepKey": 1}]}}

    def handler(request):
        return httpx.Response(200, json={"id": 5, "name": "cfg", "value": value})

    got = _fake_civis(handler).json_values.get(5)
    assert got.value == value
    assert got.json() == {"id": 5, "name": "cfg", "value": value}
    theirs = civis.response.Response(
        {"id": 5, "name": "cfg", "value": value}, from_json_values=True
    )
    assert got.json() == theirs.json()


def test_the_async_client_records_last_response_and_raises_civis_errors(emu):
    import asyncio

    from specclient.platforms.civis import connect_async

    async def main():
        async with connect_async(api_key=KEY, base_url=emu.base_url, clock=emu.clock) as client:
            me = await client.users.get_me()
            assert client.last_response is me
            pages = await client.tables.list(database_id=1, limit=2, iterator=True)
            first = await anext(pages)
            rest = await pages.json()
            assert [first.name, *(t["name"] for t in rest)][:2] == ["customers", "orders"]
            with pytest.raises(CivisAPIError) as caught:
                await client.tables.get(999999)
            return str(caught.value)

    assert asyncio.run(main()).endswith("(GET /tables/999999)")


# -- arguments civis-python passes unchecked (issue 14 item 10) --------------------------------
def test_an_integer_id_given_as_a_string_is_sent_as_civis_python_sends_it(emu, theirs):
    ours = emu.client()
    assert [t.name for t in ours.tables.list(database_id="1")] == [
        t.name for t in theirs.tables.list(database_id="1")
    ]
    assert ours.tables.get("106").json() == theirs.tables.get("106").json()
    sent = []

    def handler(request):
        sent.append(request.url.path + "?" + request.url.query.decode())
        return httpx.Response(200, json={"id": 106})

    wire = APIClient(KEY, local_api_spec=str(SPEC), http=httpx.MockTransport(handler))
    wire.tables.get("106")
    wire.tables.list(database_id="-1")
    assert sent == ["/tables/106?", "/tables/?database_id=-1"]


@pytest.mark.parametrize("value", ["1.5", "abc", " 1", "1 ", "--1", "١"])
def test_a_string_that_is_not_an_integer_is_still_refused_before_sending(emu, value):
    from specclient.errors import ParameterError

    with pytest.raises(ParameterError, match="argument 'database_id': expected int, got str"):
        APIClient(KEY, local_api_spec=str(SPEC), http=httpx.MockTransport(_never)).tables.list(
            database_id=value
        )


def _never(request):
    raise AssertionError(f"sent {request.url}")


def test_a_bad_endpoint_from_the_environment_is_refused_before_the_spec_fetch(monkeypatch):
    from specclient.errors import ParameterError

    monkeypatch.setenv("CIVIS_API_ENDPOINT", "civis.example/api")
    with pytest.raises(ParameterError, match="base_url must be an absolute http"):
        APIClient(KEY, http=httpx.MockTransport(_never))


def test_a_mock_transport_serves_the_spec_fetch_too(tmp_path):
    seen = []

    def handler(request):
        seen.append(request.url.path)
        return httpx.Response(200, json=_SPEC_DOC)

    APIClient(KEY, http=httpx.MockTransport(handler), spec_cache_dir=str(tmp_path))
    assert seen == ["/endpoints"]


_SPEC_DOC = {
    "swagger": "2.0",
    "info": {"title": "Civis", "version": "1"},
    "paths": {"/users/me": {"get": {"responses": {"200": {"description": "ok"}}}}},
}
