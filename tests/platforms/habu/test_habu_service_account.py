"""connect("habu") the ways LiveRamp's SDK logs in: a service-account file (password grant), a
ready access token, and the LR-Org-ID / Restricted-LR-Org-ID headers; under the SDK's names,
from arguments, environment or the SDK's YAML config keys."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

import specclient
from specclient.emulators.habu import SERVICE_ACCOUNT, service_account_file
from specclient.errors import AuthError


class Wire(httpx.BaseTransport):
    """A real transport that keeps every request it sends (token requests included)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._transport = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self._transport.handle_request(request)

    def close(self) -> None:
        self._transport.close()

    def api_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if not r.url.path.endswith("/oauth/token")]

    def token_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/oauth/token")]


ORG = "0f8d1e2c-5b6a-4c3d-9e8f-7a6b5c4d3e2f"


def connect(emu, wire: Wire, **options):
    return specclient.connect(
        "habu",
        base_url=emu.base_url,
        clock=emu.clock,
        token_cache=False,
        http=wire,
        **options,
    )


def test_service_account_file_logs_in_with_the_password_grant(emu, tmp_path):
    path = service_account_file(tmp_path / "sa.json", emu.base_url)
    wire = Wire()
    client = connect(emu, wire, service_account_file=str(path), lr_org_id=ORG)
    assert client.cleanrooms.list() == []
    [token] = wire.token_calls()
    assert "Authorization" not in token.headers
    assert parse_qs(token.content.decode()) == {
        "grant_type": ["password"],
        "username": [SERVICE_ACCOUNT["account_id"]],
        "password": [SERVICE_ACCOUNT["secret_key"]],
        "scope": ["openid"],
        "client_id": [SERVICE_ACCOUNT["client_id"]],
        "response_type": ["token"],
    }
    [call] = wire.api_calls()
    assert call.headers["LR-Org-ID"] == ORG
    assert "Restricted-LR-Org-ID" not in call.headers
    assert call.headers["Authorization"].startswith("Bearer ")
    # the emulator's API-client token cap is untouched: a service account is not that client
    assert not emu.state.token_issues
    assert list(emu.state.org_headers) == [{"LR-Org-ID": ORG}]


def test_both_org_headers_on_every_call_from_the_sdks_variables(emu, tmp_path, monkeypatch):
    path = service_account_file(tmp_path / "sa.json", emu.base_url)
    monkeypatch.setenv("LIVERAMP_SERVICE_ACCOUNT_FILE", str(path))
    monkeypatch.setenv("LIVERAMP_LR_ORG_ID", ORG)
    monkeypatch.setenv("LIVERAMP_RESTRICTED_LR_ORG_ID", " restricted-org-7 ")
    wire = Wire()
    client = connect(emu, wire)
    client.cleanrooms.list()
    client.health.get()
    calls = wire.api_calls()
    assert len(calls) == 2
    for call in calls:
        assert call.headers["LR-Org-ID"] == ORG
        assert call.headers["Restricted-LR-Org-ID"] == "restricted-org-7"


def test_the_sdks_yaml_config_keys_work_as_a_credentials_file(emu, tmp_path):
    path = service_account_file(tmp_path / "sa.json", emu.base_url)
    config = tmp_path / "config.yaml"
    config.write_text(f"service_account_file: {path}\nlr_org_id: {ORG}\n")
    wire = Wire()
    client = connect(emu, wire, creds_path=str(config))
    assert client.cleanrooms.list() == []
    assert wire.api_calls()[0].headers["LR-Org-ID"] == ORG


def test_the_service_account_token_is_reused_then_renewed_before_it_expires(emu, tmp_path):
    path = service_account_file(tmp_path / "sa.json", emu.base_url)
    wire = Wire()
    client = connect(emu, wire, service_account_file=str(path), lr_org_id=ORG)
    client.cleanrooms.list()
    emu.clock.advance(emu.state.token_lifetime - 301)  # outside the 300 s margin
    client.cleanrooms.list()
    assert len(wire.token_calls()) == 1
    emu.clock.advance(2)  # inside it
    client.cleanrooms.list()
    assert len(wire.token_calls()) == 2


def test_a_ready_access_token_is_sent_as_is(emu, tmp_path):
    token = emu.state.issue_token(emu.credentials["client_id"], emu.credentials["client_secret"])
    wire = Wire()
    client = connect(emu, wire, access_token=token["accessToken"], lr_org_id=ORG)
    assert client.cleanrooms.list() == []
    assert not wire.token_calls()
    assert wire.api_calls()[0].headers["Authorization"] == f"Bearer {token['accessToken']}"
    assert token["accessToken"] not in repr(client)


def test_org_headers_go_with_client_credentials_too_and_callers_headers_win(emu):
    wire = Wire()
    client = connect(
        emu, wire, lr_org_id=ORG, headers={"Restricted-LR-Org-ID": "mine"}, **emu.credentials
    )
    client.cleanrooms.list()
    call = wire.api_calls()[0]
    assert call.headers["LR-Org-ID"] == ORG
    assert call.headers["Restricted-LR-Org-ID"] == "mine"


def test_a_wrong_secret_key_is_an_auth_error_naming_what_to_check(emu, tmp_path):
    path = service_account_file(tmp_path / "sa.json", emu.base_url, secret_key="wrong-key-123")
    client = connect(emu, Wire(), service_account_file=str(path), lr_org_id=ORG)
    with pytest.raises(AuthError) as caught:
        client.cleanrooms.list()
    assert "account_id and secret_key" in str(caught.value)
    assert "wrong-key-123" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('{"account_id": "a", "client_id": "c"}', "lacks secret_key, token_uri"),
    ],
)
def test_a_bad_service_account_file_is_refused_before_anything_is_sent(tmp_path, content, says):
    path = tmp_path / "sa.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(AuthError, match=says) as caught:
        specclient.connect("habu", service_account_file=str(path), base_url="http://127.0.0.1:9")
    assert str(path) in str(caught.value)


def test_missing_credentials_mention_the_service_account_way_in(monkeypatch):
    with pytest.raises(AuthError) as caught:
        specclient.connect("habu")
    message = str(caught.value)
    assert "client_id" in message and "LIVERAMP_SERVICE_ACCOUNT_FILE" in message


def test_the_service_account_file_is_what_the_sdk_reads(tmp_path):
    path = service_account_file(tmp_path / "sa.json", "http://127.0.0.1:9/v1")
    data = json.loads(path.read_text())
    assert sorted(data) == ["account_id", "client_id", "secret_key", "token_uri"]
    assert data["token_uri"] == "http://127.0.0.1:9/v1/oauth/token"


async def test_connect_async_logs_in_with_the_service_account_and_shares_its_cached_token(
    emu, tmp_path
):
    path = service_account_file(tmp_path / "sa.json", emu.base_url)
    options = dict(
        base_url=emu.base_url,
        clock=emu.clock,
        token_cache=str(tmp_path / "tokens"),
        service_account_file=str(path),
        lr_org_id=ORG,
    )
    async with specclient.connect_async("habu", **options) as client:
        assert await client.cleanrooms.list() == []
    issued = set(emu.state.tokens)
    # a second (sync) process reuses the cached service-account token: none is minted
    assert specclient.connect("habu", **options).cleanrooms.list() == []
    assert set(emu.state.tokens) == issued and len(issued) == 1
    assert list(emu.state.org_headers) == [{"LR-Org-ID": ORG}, {"LR-Org-ID": ORG}]
