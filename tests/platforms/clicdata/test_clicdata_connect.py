"""connect("clicdata"): the three credential kinds on the wire, where credentials come from,
api_version on every call, and token refresh ahead of expiry."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest

import specclient
from specclient.emulators.clicdata import DEFAULT_API_KEY, DEFAULT_PASSWORD, DEFAULT_USERNAME
from specclient.errors import AuthError, ParameterError, UnauthorizedError
from specclient.platforms.clicdata import DEFAULT_API_VERSION, basic_credentials


def test_oauth_sends_client_credentials_in_the_form_body_then_a_bearer_token(emu, wire):
    client = emu.client(http=wire)
    client.account.get()
    token_call, api_call = wire.requests
    assert token_call.method == "POST" and token_call.url.path == "/oauth20/token"
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in token_call.headers
    form = parse_qs(token_call.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": [emu.credentials["client_id"]],
        "client_secret": [emu.credentials["client_secret"]],
    }
    assert "api_version" not in token_call.url.params
    assert api_call.headers["authorization"].startswith("Bearer ")


def test_basic_auth_nests_base64_of_email_and_password_inside_the_outer_pair(emu, wire):
    client = emu.client(
        http=wire, client_secret=None, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD
    )
    assert client.account.get()["result"]["domain"] == "demo"
    inner = base64.b64encode(f"{DEFAULT_USERNAME}:{DEFAULT_PASSWORD}".encode()).decode()
    outer = base64.b64encode(f"{emu.credentials['client_id']}:{inner}".encode()).decode()
    assert wire.requests[0].headers["authorization"] == f"Basic {outer}"
    assert basic_credentials(emu.credentials["client_id"], DEFAULT_USERNAME, DEFAULT_PASSWORD) == (
        f"Basic {outer}"
    )


def test_api_key_goes_in_its_own_header_without_authorization(emu, wire):
    client = emu.client(http=wire, api_key=DEFAULT_API_KEY)
    client.account.get()
    (call,) = wire.requests
    assert call.headers["clicdata-api-key"] == DEFAULT_API_KEY
    assert "authorization" not in call.headers


def test_credentials_come_from_the_environment(emu, monkeypatch):
    monkeypatch.setenv("CLICDATA_CLIENT_ID", emu.credentials["client_id"])
    monkeypatch.setenv("CLICDATA_CLIENT_SECRET", emu.credentials["client_secret"])
    client = specclient.connect("clicdata", base_url=emu.base_url, clock=emu.clock)
    assert client.profile.get()["result"]["email_address"] == DEFAULT_USERNAME
    monkeypatch.setenv("CLICDATA_API_KEY", DEFAULT_API_KEY)
    keyed = specclient.connect("clicdata", base_url=emu.base_url)
    assert keyed.account.get()["success"] is True


def test_credentials_come_from_a_yaml_file_with_the_variable_names(emu, tmp_path):
    creds = tmp_path / "clicdata.yaml"
    creds.write_text(
        f"CLICDATA_CLIENT_ID: {emu.credentials['client_id']}\n"
        f"CLICDATA_CLIENT_SECRET: {emu.credentials['client_secret']}\n"
    )
    client = specclient.connect("clicdata", base_url=emu.base_url, creds_path=str(creds))
    assert client.account.get()["result"]["name"] == "Demo Account"


def test_missing_credentials_name_what_to_set_without_sending_anything():
    with pytest.raises(AuthError, match="CLICDATA_CLIENT_ID") as caught:
        specclient.connect("clicdata", base_url="http://127.0.0.1:9")
    assert "client_secret" in str(caught.value)
    with pytest.raises(AuthError, match="'client_secret'"):
        specclient.connect("clicdata", client_id="only-an-id", base_url="http://127.0.0.1:9")


def test_wrong_secret_is_an_auth_error_not_a_type_error(emu):
    client = emu.client(client_secret="not-the-secret")
    with pytest.raises(AuthError, match="token request .* was refused: 401") as caught:
        client.account.get()
    assert "not-the-secret" not in str(caught.value)


def test_wrong_api_key_is_refused_with_401(emu):
    with pytest.raises(UnauthorizedError):
        emu.client(api_key="nope").account.get()


def test_every_call_carries_api_version_and_legacy_mode_sends_none(emu, wire):
    versioned = emu.client(http=wire)
    versioned.data.list()
    versioned.account.get(api_version="2022.01")
    calls = [r for r in wire.requests if r.url.path != "/oauth20/token"]
    assert [r.url.params.get("api_version") for r in calls] == [DEFAULT_API_VERSION, "2022.01"]
    wire.requests.clear()
    legacy = emu.client(http=wire, api_version=None)
    body = legacy.data.list(return_type="raw").json()
    assert set(body) == {"count", "data"}
    assert all("api_version" not in r.url.params for r in wire.requests)


def test_a_malformed_api_version_is_refused_at_connect():
    with pytest.raises(ParameterError, match="api_version must look like 2025.3"):
        specclient.connect("clicdata", api_key="k", api_version="v2")


def test_the_token_is_renewed_a_minute_before_it_expires_so_no_call_meets_a_401(emu, wire):
    client = emu.client(http=wire)
    client.account.get()
    emu.clock.advance(3600 - 30)  # inside the refresh margin, still valid on the server
    client.account.get()
    emu.clock.advance(45)  # the first token has expired on the server by now
    client.account.get()
    assert emu.state.tokens_issued == 2
    assert len(wire.to("/oauth20/token")) == 2
    assert all(
        r.headers.get("authorization", "").startswith("Bearer ") for r in wire.to("/account")
    )


def test_no_secret_in_the_client_or_auth_repr(emu):
    client = emu.client()
    shown = repr(client) + repr(client.auth) + repr(getattr(client.auth, "inner", ""))
    assert emu.credentials["client_secret"] not in shown
    keyed = emu.client(api_key=DEFAULT_API_KEY)
    assert DEFAULT_API_KEY not in repr(keyed.auth) + repr(getattr(keyed.auth, "inner", ""))
