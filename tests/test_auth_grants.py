"""Issue 12 items 7, 8, 9, 15 and 17: what a token is cached under, whitespace in credentials,
where credentials may go, many requests refused at once, and token errors that say what
happened."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from specclient import Client, errors
from specclient._clock import FakeClock
from specclient.auth import APIKey, Bearer, FileTokenCache, OAuth2ClientCredentials
from specclient.http.retry import RetryPolicy

API = "https://api.example/v1/things"
TOKEN_URL = "https://api.example/v1/oauth/token"


class Grants:
    """A token endpoint that knows one client secret and hands out tokens per scope."""

    def __init__(self, secret: str = "right-secret", statuses: list[Any] | None = None) -> None:
        self.secret = secret
        self.statuses = list(statuses or [])
        self.token_calls: list[httpx.Request] = []
        self.api_calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            self.token_calls.append(request)
            if self.statuses:
                status = self.statuses.pop(0)
                headers, body = {}, {"message": f"status {status}"}
                if isinstance(status, tuple):
                    status, headers, body = status
                return httpx.Response(status, headers=headers, json=body)
            user, _, secret = (
                base64.b64decode(request.headers["Authorization"][6:]).decode().partition(":")
            )
            if secret != self.secret:
                return httpx.Response(401, json={"error": "invalid_client"})
            form = dict(httpx.QueryParams(request.content.decode()))
            scope = form.get("scope", "read")
            return httpx.Response(200, json={"access_token": f"tok-{scope}", "expires_in": 3600})
        self.api_calls.append(request)
        return httpx.Response(200, json={"auth": request.headers.get("Authorization", "")})


def fetch(server: Grants, auth: httpx.Auth) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        return client.get(API)


def oauth(secret: str, cache: Any, **kwargs: Any) -> OAuth2ClientCredentials:
    kwargs.setdefault("retry", RetryPolicy(max_retries=2, jitter=False))
    return OAuth2ClientCredentials(
        "client-a", secret, TOKEN_URL, token_cache=cache, clock=FakeClock(), **kwargs
    )


# -- item 7: the cache is keyed by the whole grant --------------------------------------------


def test_a_wrong_secret_after_a_good_login_is_refused_not_served_from_the_cache(
    tmp_path: Path,
) -> None:
    cache, server = FileTokenCache(tmp_path), Grants()
    assert fetch(server, oauth("right-secret", cache)).json() == {"auth": "Bearer tok-read"}
    with pytest.raises(errors.AuthError, match="401 Unauthorized"):
        fetch(server, oauth("wrong-secret", cache))
    assert len(server.token_calls) == 2


def test_a_scope_never_gets_the_token_cached_for_another_scope(tmp_path: Path) -> None:
    cache, server = FileTokenCache(tmp_path), Grants()
    fetch(server, oauth("right-secret", cache, scope="read"))
    assert fetch(server, oauth("right-secret", cache, scope="admin")).json() == {
        "auth": "Bearer tok-admin"
    }
    assert fetch(server, oauth("right-secret", cache, scope="read")).json() == {
        "auth": "Bearer tok-read"
    }
    assert len(server.token_calls) == 2


def test_the_audience_is_part_of_the_grant(tmp_path: Path) -> None:
    cache = FileTokenCache(tmp_path)
    one = oauth("s", cache, extra_params={"audience": "https://a"})
    other = oauth("s", cache, extra_params={"audience": "https://b"})
    assert one.cache_key(TOKEN_URL) != other.cache_key(TOKEN_URL)
    assert one.cache_key(TOKEN_URL) == oauth(
        "s", cache, extra_params={"audience": "https://a"}
    ).cache_key(TOKEN_URL)


def test_the_cache_stores_neither_the_secret_nor_an_unkeyed_hash_of_it(tmp_path: Path) -> None:
    import hashlib

    cache = FileTokenCache(tmp_path)
    fetch(Grants(), oauth("right-secret", cache))
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"right-secret" not in stored
    assert hashlib.sha256(b"right-secret").hexdigest().encode() not in stored
    key_file = tmp_path / ".hash-key"
    assert len(key_file.read_bytes()) == 32 and key_file.stat().st_mode & 0o777 == 0o600


# -- item 8: whitespace around a credential -------------------------------------------------


@pytest.mark.parametrize("padded", ["key-value-1\n", "  key-value-1\t", "\nkey-value-1\r\n"])
def test_whitespace_around_an_api_key_is_stripped_before_the_wire(padded: str) -> None:
    seen: list[httpx.Request] = []

    def wire(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = APIKey(padded, header="X-Key")
    with httpx.Client(transport=httpx.MockTransport(wire), auth=auth) as client:
        client.get(API)
    assert seen[0].headers["X-Key"] == "key-value-1"


def test_a_padded_secret_is_masked_in_any_specclient_error_and_debug_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Bearer("padded-token-77\n")
    error = errors.APIError(
        "server echoed padded-token-77\n and padded-token-77",
        status_code=400,
        method="GET",
        url="http://h/",
    )
    assert "padded-token-77" not in str(error) and "padded-token-77" not in repr(error)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("specclient.http").debug("header was %s", "padded-token-77\n")
    assert "padded-token-77" not in caplog.text


# -- item 9: credentials only to the origins the spec or platform names ---------------------

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "https://api.example/v1"}],
    "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def test_a_relative_token_url_is_never_resolved_against_another_host() -> None:
    server = Grants()
    auth = OAuth2ClientCredentials("client-a", "right-secret", "/v1/oauth/token", clock=FakeClock())
    client = Client(SPEC, auth=auth, http=httpx.MockTransport(server))
    client._request("GET", "https://other.example/collect", auth=True)
    assert [str(r.url) for r in server.token_calls] == [TOKEN_URL]


def test_client_request_to_an_unknown_origin_carries_no_credentials() -> None:
    server = Grants()
    client = Client(
        SPEC, auth=APIKey("key-value-2", header="X-Key"), http=httpx.MockTransport(server)
    )
    client._request("GET", "https://other.example/collect")
    client._request("GET", "https://api.example/v1/things")
    client._request("GET", "/things")
    sent = [r.headers.get("X-Key") for r in server.api_calls]
    assert sent == [None, "key-value-2", "key-value-2"]


def test_a_mapped_server_is_a_known_origin() -> None:
    server = Grants()
    client = Client(
        SPEC,
        auth=APIKey("key-value-3", header="X-Key"),
        http=httpx.MockTransport(server),
        servers={"https://api.example/v1": "http://127.0.0.1:9/v1"},
    )
    client._request("GET", "http://127.0.0.1:9/v1/things")
    assert server.api_calls[0].headers.get("X-Key") == "key-value-3"


# -- item 17: token endpoint failures retried, and said plainly ------------------------------


@pytest.mark.parametrize("status", [429, 502, 503])
def test_a_transient_token_endpoint_failure_is_retried(status: int) -> None:
    server = Grants(statuses=[status])
    assert fetch(server, oauth("right-secret", None)).json() == {"auth": "Bearer tok-read"}
    assert len(server.token_calls) == 2


def test_retry_after_on_the_token_endpoint_is_waited_on_the_clock() -> None:
    server = Grants(statuses=[(429, {"Retry-After": "7"}, {"message": "slow down"})])
    auth = oauth("right-secret", None)
    fetch(server, auth)
    assert auth.clock.time() == pytest.approx(FakeClock().time() + 7)  # type: ignore[attr-defined]


def test_a_daily_cap_says_so_and_carries_the_platforms_hint() -> None:
    cap = (429, {}, {"message": "Token limit reached: at most 2 access tokens per 24 hours"})
    server = Grants(statuses=[cap, cap, cap])
    auth = oauth("right-secret", None, error_hints={429: "Habu issues 2 tokens a day."})
    with pytest.raises(errors.AuthError) as caught:
        fetch(server, auth)
    text = str(caught.value)
    assert "is refusing new tokens for now (429 Too Many Requests (Token limit reached" in text
    assert "after 3 attempts" in text and text.endswith("Habu issues 2 tokens a day.")
    assert "check client_id" not in text
    assert caught.value.status_code == 429  # type: ignore[attr-defined]


def test_a_404_token_endpoint_blames_the_url_not_the_credentials() -> None:
    server = Grants(statuses=[404])
    auth = oauth("right-secret", None, error_hints={404: "Habu's base_url ends in /v1."})
    with pytest.raises(errors.AuthError) as caught:
        fetch(server, auth)
    assert str(caught.value) == (
        f"there is no token endpoint at {TOKEN_URL} (404 Not Found (status 404)): check "
        "base_url and token_url. Habu's base_url ends in /v1."
    )
    assert len(server.token_calls) == 1


def test_bad_credentials_say_so_and_name_the_client_id() -> None:
    with pytest.raises(errors.AuthError) as caught:
        fetch(Grants(), oauth("wrong", None))
    assert str(caught.value) == (
        f"the token request to {TOKEN_URL} was refused: 401 Unauthorized (invalid_client): "
        "check client_id ('client-a') and client_secret"
    )


def test_a_failing_token_endpoint_says_try_later_after_its_retries() -> None:
    server = Grants(statuses=[503, 503, 503])
    with pytest.raises(
        errors.AuthError,
        match=r"failed \(503 Service Unavailable.*after 3 attempts; try again later",
    ):
        fetch(server, oauth("right-secret", None))


# -- item 15: many requests refused at once share one refresh, over a real pool --------------


def _expiring_api() -> tuple[Any, list[str], set[str]]:
    """Token endpoint + an API that refuses the tokens in ``revoked`` (as if they expired)."""
    from tests.http.loopback import Reply

    issued: list[str] = []
    revoked: set[str] = set()
    lock = threading.Lock()

    def handle(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        if path.endswith("/oauth/token"):
            with lock:
                issued.append(f"tok-{len(issued) + 1}")
                token = issued[-1]
            return Reply(
                chunks=[f'{{"access_token": "{token}"}}'.encode()],
                headers={"Content-Type": "application/json"},
            )
        if headers.get("authorization", "").removeprefix("Bearer ") in revoked:
            return Reply(status=401, chunks=[b'{"message": "expired"}'])
        return Reply(chunks=[b"{}"], headers={"Content-Type": "application/json"})

    return handle, issued, revoked


async def test_forty_async_tasks_over_a_five_connection_pool_survive_one_expiry() -> None:
    from tests.http.loopback import serve

    handle, issued, revoked = _expiring_api()
    with serve(handle) as server:
        auth = OAuth2ClientCredentials("c", "s", f"{server.url}/oauth/token", clock=FakeClock())
        limits = httpx.Limits(max_connections=5)
        timeout = httpx.Timeout(10.0, pool=5.0)
        async with httpx.AsyncClient(auth=auth, limits=limits, timeout=timeout) as client:
            await client.get(f"{server.url}/warm")
            revoked.add("tok-1")  # expires while 40 requests are about to use it
            replies = await asyncio.gather(*(client.get(f"{server.url}/x") for _ in range(40)))
    assert [r.status_code for r in replies] == [200] * 40
    assert issued == ["tok-1", "tok-2"]
