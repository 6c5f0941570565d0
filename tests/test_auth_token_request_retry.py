"""A failed token request is retried by what the token request is, not by the API call's verb
(issue 12 item 17): a second grant is harmless unless the platform caps tokens."""

from __future__ import annotations

import httpx
import pytest

from specclient import Client, errors
from specclient.auth import OAuth2ClientCredentials
from specclient.http.retry import RetryPolicy

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "http://api.example/v1"}],
    "paths": {
        "/things": {
            "post": {
                "operationId": "createThing",
                "responses": {"201": {"description": "ok"}},
            }
        }
    },
}


def _wire(first_token_error: type[httpx.TransportError]) -> tuple[httpx.MockTransport, list[str]]:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path == "/v1/token":
            if seen.count("POST /v1/token") == 1:
                raise first_token_error("boom", request=request)
            return httpx.Response(200, json={"access_token": "tok-1", "expires_in": 3600})
        return httpx.Response(201, json={"ok": True})

    return httpx.MockTransport(handle), seen


def _client(transport: httpx.MockTransport, **auth: object) -> Client:
    # "right-secret" is one the secret scan (tests/conftest.py) looks for in every test's output
    grant = OAuth2ClientCredentials("id", "right-secret", "token", **auth)  # type: ignore[arg-type]
    retry = RetryPolicy(max_retries=2, jitter=False, backoff_base=0)
    return Client(SPEC, http=transport, auth=grant, retry=retry)


@pytest.mark.parametrize("error", [httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError])
def test_a_lost_token_reply_is_retried_even_for_a_post_when_grants_are_not_capped(error):
    transport, seen = _wire(error)
    assert _client(transport).things.post() == {"ok": True}
    # before: a POST call whose *token* request lost its reply was not retried (POST rules)
    assert seen == ["POST /v1/token", "POST /v1/token", "POST /v1/things"]


def test_a_capped_grant_is_not_asked_twice_after_a_lost_reply_and_says_why():
    transport, seen = _wire(httpx.ReadError)
    client = _client(transport, lost_reply_hint=lambda sent: f"capped grant, sent at {sent:.0f}")
    with pytest.raises(errors.ConnectionError, match=r"not retried: capped grant, sent at \d+"):
        client.things.post()
    assert seen == ["POST /v1/token"]


def test_a_capped_grant_is_still_retried_when_the_request_never_left():
    transport, seen = _wire(httpx.ConnectError)
    client = _client(transport, lost_reply_hint=lambda sent: "capped")
    assert client.things.post() == {"ok": True}
    assert seen == ["POST /v1/token", "POST /v1/token", "POST /v1/things"]
