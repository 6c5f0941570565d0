"""connect("habu"): credentials from arguments, environment or the tutorial's YAML file; OAuth
with the token kept across processes (2 tokens a day) in a file only the user can read."""

from __future__ import annotations

import json
import os
import stat

import pytest

import specclient
from specclient.errors import AuthError, ParameterError
from specclient.platforms.habu import DEFAULT_BASE_URL, HabuClient


def _no_secret_in(text: str, emu) -> None:
    assert emu.credentials["client_secret"] not in text
    for token in emu.state.tokens:
        assert token not in text


def test_credentials_from_arguments(emu):
    client = specclient.connect("habu", base_url=emu.base_url, clock=emu.clock, **emu.credentials)
    assert isinstance(client, HabuClient)
    assert client.cleanrooms.list() == []
    assert client.organization == emu.credentials["organization"]


def test_credentials_from_the_tutorials_environment_variables(emu, monkeypatch):
    monkeypatch.setenv("HABU_API_CLIENT", emu.credentials["client_id"])
    monkeypatch.setenv("HABU_API_SECRET", emu.credentials["client_secret"])
    monkeypatch.setenv("HABU_ORGANIZATION", emu.credentials["organization"])
    # the tutorial sets HABU_API to the host with a trailing slash and appends v1/ itself
    monkeypatch.setenv("HABU_API", emu.base_url.removesuffix("/v1") + "/")
    client = specclient.connect("habu", clock=emu.clock)
    assert client.base_url == emu.base_url
    assert client.health.get().status == "UP"
    assert client.cleanrooms.list() == []
    assert client.organization == emu.credentials["organization"]


def test_credentials_from_the_tutorials_yaml_file_unchanged(emu, tmp_path):
    creds = tmp_path / "creds.yaml"
    creds.write_text(
        f"HABU_ORGANIZATION: {emu.credentials['organization']}\n"
        f"HABU_API_CLIENT: {emu.credentials['client_id']}\n"
        f"HABU_API_SECRET: {emu.credentials['client_secret']}\n"
    )
    client = specclient.connect(
        "habu", creds_path=str(creds), base_url=emu.base_url, clock=emu.clock
    )
    assert client.cleanrooms.list() == []
    assert client.organization == emu.credentials["organization"]


def test_arguments_win_over_environment(emu, monkeypatch):
    monkeypatch.setenv("HABU_API_CLIENT", "someone-else")
    monkeypatch.setenv("HABU_API_SECRET", "not-this-one")
    client = specclient.connect("habu", base_url=emu.base_url, clock=emu.clock, **emu.credentials)
    assert client.cleanrooms.list() == []


def test_missing_credentials_name_the_argument_and_variables_never_a_value(monkeypatch):
    monkeypatch.setenv("HABU_API_CLIENT", "client-abc")
    with pytest.raises(AuthError) as caught:
        specclient.connect("habu")
    message = str(caught.value)
    assert "client_secret" in message and "HABU_API_SECRET" in message
    assert "client-abc" not in message


def test_the_default_base_url_is_production():
    client = specclient.connect("habu", client_id="a", client_secret="b", token_cache=False)
    assert client.base_url == DEFAULT_BASE_URL == "https://api.habu.com/v1"


def test_an_unknown_option_is_refused_with_a_hint():
    with pytest.raises(ParameterError, match="poll_interval"):
        specclient.connect("habu", client_id="a", client_secret="b", pol_interval=5)


def test_wrong_credentials_are_an_auth_error_without_the_secret(emu):
    client = specclient.connect(
        "habu",
        base_url=emu.base_url,
        clock=emu.clock,
        client_id=emu.credentials["client_id"],
        client_secret="wrong-secret-value",
        token_cache=False,
    )
    with pytest.raises(AuthError) as caught:
        client.cleanrooms.list()
    assert "wrong-secret-value" not in str(caught.value)
    assert "401" in str(caught.value)


def test_token_is_sent_with_basic_client_auth_and_reused_until_it_expires(emu):
    client = emu.client(token_cache=False)
    for _ in range(5):
        client.cleanrooms.list()
    assert len(emu.state.token_issues) == 1
    emu.clock.advance(12 * 3600 - 200)  # inside the renewal margin before the 12 h expiry
    client.cleanrooms.list()
    assert len(emu.state.token_issues) == 2


def test_a_second_process_reuses_the_cached_token(emu, tmp_path):
    first = emu.client(token_cache=str(tmp_path / "tokens"))
    first.cleanrooms.list()
    second = emu.client(token_cache=str(tmp_path / "tokens"))  # as a new process would
    second.cleanrooms.list()
    assert len(emu.state.token_issues) == 1


def test_without_a_cache_each_process_mints_its_own_token(emu):
    emu.client(token_cache=False).cleanrooms.list()
    emu.client(token_cache=False).cleanrooms.list()
    assert len(emu.state.token_issues) == 2


def test_the_environment_switch_turns_the_default_cache_off(emu, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_TOKEN_CACHE", "0")
    emu.client().cleanrooms.list()
    emu.client().cleanrooms.list()
    assert len(emu.state.token_issues) == 2


def test_the_token_cache_is_readable_only_by_the_user_and_holds_no_secret(emu, tmp_path):
    directory = tmp_path / "tokens"
    emu.client(token_cache=str(directory)).cleanrooms.list()
    files = [p for p in directory.iterdir() if p.suffix == ".json"]
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    text = files[0].read_text()
    assert emu.credentials["client_secret"] not in text
    assert json.loads(text)["access_token"] in emu.state.tokens


def test_the_default_cache_lives_under_the_specclient_cache_dir(emu, monkeypatch, tmp_path):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path))
    emu.client().cleanrooms.list()
    assert list((tmp_path / "tokens").glob("*.json"))


def test_the_daily_token_cap_is_not_burnt_by_many_clients(emu, tmp_path):
    for _ in range(10):
        emu.client(token_cache=str(tmp_path / "t")).cleanrooms.list()
    assert len(emu.state.token_issues) == 1


def test_client_and_auth_reprs_hold_no_secret(emu):
    client = emu.client(token_cache=False)
    client.cleanrooms.list()
    _no_secret_in(repr(client), emu)
    _no_secret_in(repr(client.auth), emu)
    run_list_repr = repr(client.cleanrooms.list())
    _no_secret_in(run_list_repr, emu)


async def test_connect_async_uses_the_same_credentials_and_cache(emu, tmp_path):
    async with specclient.connect_async(
        "habu",
        base_url=emu.base_url,
        clock=emu.clock,
        token_cache=str(tmp_path / "t"),
        **emu.credentials,
    ) as client:
        assert await client.cleanrooms.list() == []
    emu.client(token_cache=str(tmp_path / "t")).cleanrooms.list()
    assert len(emu.state.token_issues) == 1


# -- issue 14 item 2 / issue 12 item 17: token errors say what happened ----------------------


def test_the_daily_token_cap_is_named_not_blamed_on_the_credentials(emu):
    for _ in range(2):
        emu.client(token_cache=False).cleanrooms.list()
    with pytest.raises(AuthError) as caught:
        emu.client(token_cache=False).cleanrooms.list()
    text = str(caught.value)
    assert "is refusing new tokens for now (429" in text
    assert "Token limit reached: at most 2 access tokens per 24 hours" in text
    assert "Habu issues at most 2 access tokens per client in 24 hours" in text
    assert "check client_id" not in text
    assert len(emu.state.token_issues) == 2


def test_a_base_url_without_v1_is_named_as_the_problem(emu):
    client = specclient.connect(
        "habu",
        base_url=emu.base_url.removesuffix("/v1"),
        clock=emu.clock,
        token_cache=False,
        **emu.credentials,
    )
    with pytest.raises(AuthError) as caught:
        client.cleanrooms.list()
    text = str(caught.value)
    assert "there is no token endpoint at" in text and "(404" in text
    assert text.endswith("check base_url: Habu's ends in /v1 (https://api.habu.com/v1)")
    assert "check client_id" not in text
