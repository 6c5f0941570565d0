"""connect("usmart"): credentials, organisation GUID, hosts, and no secret in sight."""

from __future__ import annotations

import inspect

import httpx
import pytest

import specclient
from specclient.errors import AuthError, ParameterError, UnauthorizedError
from specclient.platforms.usmart import REAL_HOSTS, UsmartKeys, hosts_for, parse_org_guid

ORG = "28ccd497-7acd-4470-bd17-721d5cbbd6ef"
DCAT = f"https://discovery.usmart.io/org/{ORG}/dcat/data.json"


def recording_client(**options):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"result": {"datasetGUID": "d", "files": [], "resourceContainers": []}}
        )

    client = specclient.connect(
        "usmart", http=httpx.Client(transport=httpx.MockTransport(handler)), **options
    )
    return client, seen


def test_keys_and_org_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("USMART_API_KEY_ID", "env-id")
    monkeypatch.setenv("USMART_API_KEY_SECRET", "env-secret")
    monkeypatch.setenv("USMART_ORG_GUID", ORG)
    client, seen = recording_client()
    client.datasets.view(dataset_guid="d")
    request = seen[0]
    assert str(request.url) == f"https://data.usmart.io/org/{ORG}/dataset:view"
    assert request.headers["api-key-id"] == "env-id"
    assert request.headers["api-key-secret"] == "env-secret"
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"datasetGUID":"d"}'


def test_org_guid_is_taken_from_a_dcat_url():
    assert parse_org_guid(DCAT) == ORG
    client, _ = recording_client(api_key_id="i", api_key_secret="s", org_guid=DCAT)
    assert client.org_guid == ORG


def test_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("USMART_API_KEY_ID", "env-id")
    client, seen = recording_client(api_key_id="arg-id", api_key_secret="s", org_guid=ORG)
    client.datasets.view(dataset_guid="d")
    assert seen[0].headers["api-key-id"] == "arg-id"


def test_credentials_file_is_read(tmp_path):
    creds = tmp_path / "usmart.yaml"
    creds.write_text(
        f"USMART_API_KEY_ID: f-id\nUSMART_API_KEY_SECRET: f-secret\nUSMART_ORG_GUID: {ORG}\n"
    )
    client, seen = recording_client(creds_path=creds)
    client.datasets.view(dataset_guid="d")
    assert seen[0].headers["api-key-secret"] == "f-secret"


def test_missing_secret_names_the_argument_and_variable_not_a_value():
    with pytest.raises(AuthError) as info:
        specclient.connect("usmart", api_key_id="i", org_guid=ORG)
    assert "api_key_secret" in str(info.value)
    assert "USMART_API_KEY_SECRET" in str(info.value)


def test_bad_org_guid_is_a_parameter_error_before_any_call():
    with pytest.raises(ParameterError, match="not a GUID"):
        specclient.connect("usmart", api_key_id="i", api_key_secret="s", org_guid="my-org")
    with pytest.raises(ParameterError, match="cannot find /org/<guid>/"):
        parse_org_guid("https://discovery.usmart.io/dcat/data.json")


def test_no_call_takes_the_org_guid():
    client, _ = recording_client(api_key_id="i", api_key_secret="s", org_guid=ORG)
    params = inspect.signature(client.datasets.view).parameters
    assert "org_guid" not in params and "dataset_guid" in params
    create = inspect.signature(client.files.method("create")).parameters
    assert list(create)[:4] == ["dataset_guid", "reference", "file_name", "file_size"]


def test_hosts_derive_from_base_url():
    assert hosts_for(None) == REAL_HOSTS
    local = hosts_for("http://127.0.0.1:8080/")
    assert (local.data, local.api, local.discovery) == (
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/api",
        "http://127.0.0.1:8080/discovery",
    )
    moved = hosts_for(None, api_url="https://api.example.org/")
    assert moved.api == "https://api.example.org" and moved.data == REAL_HOSTS.data


def test_spec_calls_reach_the_host_their_operation_names():
    client, seen = recording_client(api_key_id="i", api_key_secret="s", org_guid=ORG)
    client.catalog.public(return_type="raw")
    client.data.urql("res-1", "latest", return_type="raw")
    assert str(seen[0].url) == f"https://discovery.usmart.io/org/{ORG}/dcat/data.json"
    assert str(seen[1].url) == f"https://api.usmart.io/org/{ORG}/res-1/latest/urql"
    assert "api-key-id" not in seen[0].headers  # the public catalogue is anonymous


def test_secret_never_shows_in_reprs():
    client, _ = recording_client(api_key_id="i", api_key_secret="hush-123", org_guid=ORG)
    assert "hush-123" not in repr(client)
    assert "hush-123" not in repr(client.auth)
    assert repr(UsmartKeys("i", "hush-123")) == "UsmartKeys(key_id='i', key_secret='***')"


def test_wrong_secret_is_an_auth_error_without_the_secret(emu):
    client = emu.client(api_key_secret="not-the-secret")
    with pytest.raises(UnauthorizedError) as info:
        client.datasets.view(dataset_guid="x")
    assert "not-the-secret" not in str(info.value)
    assert isinstance(info.value, AuthError)


def test_anonymous_client_reads_the_public_catalogue(emu):
    client = specclient.connect("usmart", base_url=emu.base_url, org_guid=ORG, anonymous=True)
    frame = client.catalog.datasets()
    assert len(frame) == 2


async def test_async_client_reaches_actions_and_the_catalogue_host(emu):
    async with emu.async_client() as client:
        view = await client.datasets.view(dataset_guid=next(iter(emu.state.datasets)))
        catalogue = await client.catalog.public(return_type="raw")
    assert view["result"]["files"]
    assert str(catalogue.request.url).startswith(emu.base_url + "/discovery/org/")
