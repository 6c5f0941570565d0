"""OAuth2 token expiry from ``expiresAt`` (Habu, LiveRamp's SDK) and the service-account
password grant: the bytes of the token request, reuse on a fake clock, no secret in reprs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from specclient import errors
from specclient._clock import FakeClock
from specclient.auth import FileTokenCache, OAuth2ClientCredentials, OAuth2Password

API = "https://api.example/v1/things"
TOKEN_URL = "https://login.example/oauth2/token"
START = 1_700_000_000.0  # FakeClock's default start


def iso(epoch: float, spec: str = "milliseconds") -> str:
    """``expiresAt`` as Habu writes it: ``2023-10-14T18:47:16.104+00:00``."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec=spec)


class Server:
    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.token_calls: list[httpx.Request] = []
        self.bearers: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "token" in request.url.path:
            self.token_calls.append(request)
            return httpx.Response(200, json=self.reply(len(self.token_calls)))
        self.bearers.append(request.headers.get("Authorization", ""))
        return httpx.Response(200, json={})


def calls(auth: httpx.Auth, server: Server, clock: FakeClock, steps: list[float]) -> None:
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        for step in steps:
            clock.advance(step)
            client.get(API)


def oauth(clock: FakeClock) -> OAuth2ClientCredentials:
    return OAuth2ClientCredentials(
        "client-a", "secret-a", TOKEN_URL, clock=clock, refresh_margin=60
    )


def test_expires_at_alone_decides_the_tokens_life() -> None:
    clock = FakeClock()
    server = Server(lambda n: {"accessToken": f"t{n}", "expiresAt": iso(START + 7200.104)})
    # 61 s before expiresAt the token is reused; 59 s before, a new one is fetched
    calls(oauth(clock), server, clock, [0, 7200.104 - 61, 2])
    assert server.bearers == ["Bearer t1", "Bearer t1", "Bearer t2"]


def test_an_earlier_expires_at_wins_over_expires_in() -> None:
    clock = FakeClock()
    server = Server(
        lambda n: {"accessToken": f"t{n}", "expiresIn": 43200, "expiresAt": iso(START + 600)}
    )
    calls(oauth(clock), server, clock, [0, 600 - 61, 2])
    assert len(server.token_calls) == 2


def test_expires_at_in_z_form_without_fraction_and_as_epoch_milliseconds() -> None:
    for stamp in (
        datetime.fromtimestamp(START + 900, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        int((START + 900) * 1000),
        datetime.fromtimestamp(START + 900, UTC).strftime("%Y-%m-%dT%H:%M:%S"),
    ):
        clock = FakeClock()
        server = Server(lambda n, stamp=stamp: {"access_token": f"t{n}", "expiresAt": stamp})
        calls(oauth(clock), server, clock, [0, 900 - 61, 2])
        assert server.bearers == ["Bearer t1", "Bearer t1", "Bearer t2"], stamp


def test_unreadable_or_past_expires_at_falls_back_to_expires_in_then_one_hour() -> None:
    clock = FakeClock()
    server = Server(lambda n: {"access_token": f"t{n}", "expiresAt": "soon", "expiresIn": 300})
    calls(oauth(clock), server, clock, [0, 300 - 61, 2])
    assert len(server.token_calls) == 2
    clock = FakeClock()
    server = Server(lambda n: {"access_token": f"t{n}", "expiresAt": iso(START - 5)})
    calls(oauth(clock), server, clock, [0, 3600 - 61, 2])
    assert len(server.token_calls) == 2


def service_account(clock: FakeClock, **kwargs: Any) -> OAuth2Password:
    return OAuth2Password(
        "svc-123@example.org",
        "s3cret&key",
        TOKEN_URL,
        client_id="liveramp-api",
        clock=clock,
        refresh_margin=60,
        **kwargs,
    )


def test_password_grant_sends_what_the_liveramp_sdk_sends() -> None:
    clock = FakeClock()
    server = Server(lambda n: {"access_token": f"sa{n}", "token_type": "Bearer", "expires_in": 600})
    calls(service_account(clock), server, clock, [0])
    [request] = server.token_calls
    assert request.method == "POST"
    assert str(request.url) == TOKEN_URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers
    assert request.content == (
        b"grant_type=password&username=svc-123%40example.org&password=s3cret%26key"
        b"&scope=openid&client_id=liveramp-api&response_type=token"
    )
    assert server.bearers == ["Bearer sa1"]


def test_password_grant_token_is_reused_until_expires_in_minus_the_margin() -> None:
    clock = FakeClock()
    server = Server(lambda n: {"access_token": f"sa{n}", "expires_in": 600})
    calls(service_account(clock), server, clock, [0, 600 - 61, 2])
    assert server.bearers == ["Bearer sa1", "Bearer sa1", "Bearer sa2"]


def test_password_grant_cache_entries_differ_by_account(tmp_path: Any) -> None:
    cache = FileTokenCache(tmp_path)
    one = service_account(FakeClock(), token_cache=cache)
    other = OAuth2Password("svc-2", "k", TOKEN_URL, client_id="liveramp-api", token_cache=cache)
    assert one.cache_key(TOKEN_URL) != other.cache_key(TOKEN_URL)


def test_password_grant_hides_the_secret_and_names_what_to_check() -> None:
    auth = service_account(FakeClock())
    assert "s3cret" not in repr(auth) and "s3cret" not in str(vars(auth))

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_grant"})

    with (
        httpx.Client(transport=httpx.MockTransport(refuse), auth=auth) as client,
        pytest.raises(errors.AuthError) as caught,
    ):
        client.get(API)
    message = str(caught.value)
    assert "invalid_grant" in message and "account_id and secret_key" in message
    assert "s3cret" not in message


def test_password_grant_needs_every_field() -> None:
    with pytest.raises(errors.AuthError, match="secret_key"):
        OAuth2Password("svc", "", TOKEN_URL, client_id="liveramp-api")
    with pytest.raises(errors.AuthError, match="client_id"):
        OAuth2Password("svc", "k", TOKEN_URL, client_id="")
