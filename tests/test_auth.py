"""Auth objects: bytes on the wire, reprs without secrets, OAuth token life cycle and caches."""

from __future__ import annotations

import asyncio
import base64
import json
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from specclient import errors
from specclient._clock import FakeClock
from specclient.auth import APIKey, Basic, Bearer, FileTokenCache, OAuth2ClientCredentials
from specclient.http.transport import AsyncSender, Sender

API = "https://api.example/v1/things?page=2"


def sent_with(auth: httpx.Auth, url: str = API) -> httpx.Request:
    """The request as it leaves the client with ``auth`` applied."""
    seen: list[httpx.Request] = []

    def wire(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(wire), auth=auth) as client:
        client.get(url)
    return seen[0]


# -- static credentials: bytes on the wire


def test_api_key_in_a_header() -> None:
    request = sent_with(APIKey("k-1", header="CLICDATA-API-KEY"))
    assert request.headers["CLICDATA-API-KEY"] == "k-1"
    assert "Authorization" not in request.headers


def test_api_key_with_a_prefix() -> None:
    assert (
        sent_with(APIKey("k-1", header="Authorization", prefix="Token")).headers["Authorization"]
        == "Token k-1"
    )
    assert sent_with(APIKey("k-1", header="X-Key", prefix="key=  ")).headers["X-Key"] == (
        "key=  k-1"
    )


def test_api_key_in_the_query_keeps_other_parameters() -> None:
    request = sent_with(APIKey("k/1", query="api_key"))
    assert request.url.raw_path == b"/v1/things?page=2&api_key=k%2F1"


def test_api_key_needs_exactly_one_place() -> None:
    with pytest.raises(errors.ParameterError, match="exactly one of header= or query="):
        APIKey("k")
    with pytest.raises(errors.ParameterError, match="exactly one of header= or query="):
        APIKey("k", header="X-Key", query="key")


def test_empty_credentials_are_an_auth_error() -> None:
    with pytest.raises(errors.AuthError, match="APIKey: the key"):
        APIKey("", header="X-Key")
    with pytest.raises(errors.AuthError, match="Bearer: the token is empty"):
        Bearer("")
    with pytest.raises(errors.AuthError, match="client_secret is empty"):
        OAuth2ClientCredentials("id", "", "https://a/token")


def test_bearer_header() -> None:
    assert sent_with(Bearer("t.o.k")).headers["Authorization"] == "Bearer t.o.k"


def test_basic_header_is_utf8_base64_of_user_colon_password() -> None:
    header = sent_with(Basic("ann", "pä:ss")).headers["Authorization"]
    assert header == "Basic " + base64.b64encode("ann:pä:ss".encode()).decode()


@pytest.mark.parametrize(
    "auth",
    [
        APIKey("sek-1", header="X-Key"),
        APIKey("sek-1", query="key", prefix="p"),
        Bearer("sek-1"),
        Basic("ann", "sek-1"),
        OAuth2ClientCredentials("client-a", "sek-1", "https://a/token"),
    ],
    ids=type,
)
def test_no_secret_in_repr_str_or_vars(auth: httpx.Auth) -> None:
    shown = repr(auth) + str(auth) + repr(vars(auth))
    assert "sek-1" not in shown
    assert "***" in repr(auth)


def test_oauth_client_auth_must_be_basic_or_form() -> None:
    with pytest.raises(errors.ParameterError, match="client_auth must be 'basic' or 'form'"):
        OAuth2ClientCredentials("id", "s", "https://a/token", client_auth="header")  # type: ignore[arg-type]


# -- OAuth2 client credentials


class TokenServer:
    """Issues tok-1, tok-2 ... at /oauth/token; answers API calls with scripted statuses."""

    def __init__(
        self,
        reply: Callable[[int], dict[str, Any]] | None = None,
        api_statuses: list[int] | None = None,
    ) -> None:
        self.reply = reply or (lambda n: {"access_token": f"tok-{n}", "expires_in": 3600})
        self.api_statuses = list(api_statuses or [])
        self.token_calls: list[httpx.Request] = []
        self.api_calls: list[httpx.Request] = []
        # Recorded as sent: a replayed request is the same object with a new header.
        self.bearers: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            self.token_calls.append(request)
            return httpx.Response(200, json=self.reply(len(self.token_calls)))
        self.api_calls.append(request)
        self.bearers.append(request.headers.get("Authorization", ""))
        status = self.api_statuses.pop(0) if self.api_statuses else 200
        return httpx.Response(status, json={"status": status})


def oauth(clock: FakeClock, **kwargs: Any) -> OAuth2ClientCredentials:
    kwargs.setdefault("token_url", "https://api.example/v1/oauth/token")
    return OAuth2ClientCredentials("client-a", "secret-a", clock=clock, **kwargs)


def client_for(server: TokenServer, auth: httpx.Auth) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(server), auth=auth)


def test_token_request_with_basic_client_auth_on_the_wire() -> None:
    server = TokenServer()
    with client_for(server, oauth(FakeClock())) as client:
        client.get(API)
    token_request = server.token_calls[0]
    assert token_request.method == "POST"
    assert str(token_request.url) == "https://api.example/v1/oauth/token"
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (
        token_request.headers["Authorization"]
        == "Basic " + base64.b64encode(b"client-a:secret-a").decode()
    )
    assert token_request.content == b"grant_type=client_credentials"
    assert server.bearers == ["Bearer tok-1"]


def test_token_request_with_form_client_auth_scope_and_extra_params() -> None:
    server = TokenServer()
    auth = oauth(
        FakeClock(), client_auth="form", scope=["data_read", "table_read"], extra_params={"a": "b"}
    )
    with client_for(server, auth) as client:
        client.get(API)
    token_request = server.token_calls[0]
    assert "Authorization" not in token_request.headers
    assert token_request.content == (
        b"grant_type=client_credentials&scope=data_read+table_read&a=b"
        b"&client_id=client-a&client_secret=secret-a"
    )


def test_token_is_reused_until_the_refresh_margin_then_refreshed() -> None:
    clock = FakeClock()
    server = TokenServer()
    with client_for(server, oauth(clock, refresh_margin=60)) as client:
        client.get(API)
        clock.advance(3539)  # 61 s before expiry: still good
        client.get(API)
        clock.advance(2)  # 59 s before expiry: inside the margin
        client.get(API)
        client.get(API)
    assert len(server.token_calls) == 2
    assert server.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]


def test_camel_case_token_reply_is_understood() -> None:
    clock = FakeClock()
    server = TokenServer(
        reply=lambda n: {
            "accessToken": f"habu-{n}",
            "tokenType": "bearer",
            "expiresIn": 43200,
            "expiresAt": "2026-01-01T00:00:00Z",
        }
    )
    with client_for(server, oauth(clock)) as client:
        client.get(API)
        clock.advance(43200 - 61)
        client.get(API)
    assert server.bearers == ["Bearer habu-1", "Bearer habu-1"]
    assert len(server.token_calls) == 1


def test_missing_expiry_is_taken_as_one_hour() -> None:
    clock = FakeClock()
    server = TokenServer(reply=lambda n: {"access_token": f"tok-{n}"})
    with client_for(server, oauth(clock, refresh_margin=0)) as client:
        client.get(API)
        clock.advance(3599)
        client.get(API)
        clock.advance(2)
        client.get(API)
    assert len(server.token_calls) == 2


def test_short_lived_token_is_still_used_despite_a_longer_margin() -> None:
    clock = FakeClock()
    server = TokenServer(reply=lambda n: {"access_token": f"tok-{n}", "expires_in": 30})
    with client_for(server, oauth(clock, refresh_margin=60)) as client:
        client.get(API)
        client.get(API)
    assert len(server.token_calls) == 1


def test_401_refreshes_the_token_and_replays_exactly_once() -> None:
    server = TokenServer(api_statuses=[401, 200])
    with client_for(server, oauth(FakeClock())) as client:
        response = client.get(API)
    assert response.status_code == 200
    assert server.bearers == ["Bearer tok-1", "Bearer tok-2"]


def test_second_401_is_returned_without_a_third_try() -> None:
    server = TokenServer(api_statuses=[401, 401, 401])
    with client_for(server, oauth(FakeClock())) as client:
        response = client.get(API)
    assert response.status_code == 401  # the client turns it into UnauthorizedError
    assert len(server.token_calls) == 2 and len(server.api_calls) == 2


def test_refused_token_request_names_the_url_and_status_never_the_secret() -> None:
    def wire(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"error": "invalid_client", "client_secret_echo": "secret-a"}
        )

    auth = oauth(FakeClock(), token_url="https://api.example/v1/oauth/token?api_key=kk")
    with (
        httpx.Client(transport=httpx.MockTransport(wire), auth=auth) as client,
        pytest.raises(errors.AuthError) as caught,
    ):
        client.get(API)
    message = str(caught.value)
    assert "https://api.example/v1/oauth/token?api_key=***" in message
    assert "401 Unauthorized (invalid_client)" in message
    assert "secret-a" not in message and "kk" not in message


@pytest.mark.parametrize(
    ("body", "text"),
    [(b"<html>oops</html>", "is not a JSON object"), (b'{"token": "x"}', "has no access_token")],
)
def test_unusable_token_reply_is_an_auth_error(body: bytes, text: str) -> None:
    wire = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with (
        httpx.Client(transport=wire, auth=oauth(FakeClock())) as client,
        pytest.raises(errors.AuthError, match=text),
    ):
        client.get(API)


@pytest.mark.parametrize(
    ("token_url", "base_url", "expected"),
    [
        ("/v1/oauth/token", None, "https://api.example/v1/oauth/token"),
        ("oauth/token", "https://api.example/v1", "https://api.example/v1/oauth/token"),
        ("oauth/token", None, "https://api.example/oauth/token"),
        ("https://auth.example/token", None, "https://auth.example/token"),
    ],
)
def test_relative_token_url_is_resolved_against_the_api(
    token_url: str, base_url: str | None, expected: str
) -> None:
    auth = oauth(FakeClock(), token_url=token_url, base_url=base_url)
    assert str(auth.resolve_token_url(httpx.URL(API))) == expected


def test_token_request_goes_through_the_sender_and_its_client() -> None:
    server = TokenServer()
    sender = Sender(http=httpx.MockTransport(server), auth=oauth(FakeClock()), timeout=4.0)
    sender.send(httpx.Request("GET", API))
    sender.close()
    assert server.token_calls[0].extensions["timeout"]["read"] == 4.0


def test_concurrent_threads_share_one_token_request() -> None:
    threads_count = 8
    sending = 0
    all_sending = threading.Condition()
    issued: list[int] = []

    def wire(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            # Hold the token reply until every thread has started its call. Without a shared
            # lock each thread would be here with its own token request.
            with all_sending:
                all_sending.wait_for(lambda: sending == threads_count, timeout=10)
            issued.append(1)
            return httpx.Response(200, json={"access_token": f"tok-{len(issued)}"})
        return httpx.Response(200)

    sender = Sender(http=httpx.MockTransport(wire), auth=oauth(FakeClock()))
    bearers: list[str] = []

    def call() -> None:
        nonlocal sending
        with all_sending:
            sending += 1
            all_sending.notify_all()
        bearers.append(sender.send(httpx.Request("GET", API)).request.headers["Authorization"])

    workers = [threading.Thread(target=call) for _ in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    sender.close()
    assert len(issued) == 1
    assert bearers == ["Bearer tok-1"] * threads_count


# -- async: the same life cycle


async def test_async_concurrent_tasks_share_one_token_request() -> None:
    tasks_count = 8
    started = 0
    everyone_started = asyncio.Event()
    issued: list[int] = []

    async def wire(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            await everyone_started.wait()
            issued.append(1)
            return httpx.Response(200, json={"accessToken": f"tok-{len(issued)}"})
        return httpx.Response(200)

    sender = AsyncSender(http=httpx.MockTransport(wire), auth=oauth(FakeClock()))

    async def call() -> str:
        nonlocal started
        started += 1
        if started == tasks_count:
            everyone_started.set()
        response = await sender.send(httpx.Request("GET", API))
        return response.request.headers["Authorization"]

    bearers = await asyncio.gather(*(call() for _ in range(tasks_count)))
    await sender.aclose()
    assert len(issued) == 1
    assert bearers == ["Bearer tok-1"] * tasks_count


async def test_async_reuse_expiry_and_401_replay() -> None:
    clock = FakeClock()
    server = TokenServer(api_statuses=[200, 200, 401, 200])
    auth = oauth(clock)
    async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as client:
        await client.get(API)
        await client.get(API)
        clock.advance(3600)
        await client.get(API)  # expired: tok-2, refused: tok-3, replayed
    assert server.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-3"]


async def test_async_auth_works_across_event_loops() -> None:
    auth = oauth(FakeClock())
    server = TokenServer()

    async def once() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as c:
            await c.get(API)

    await once()
    await asyncio.to_thread(asyncio.run, once())  # a second loop in another thread
    assert len(server.token_calls) == 1


# -- FileTokenCache


def test_file_cache_shares_a_token_across_auth_objects(tmp_path: Path) -> None:
    clock = FakeClock()
    server = TokenServer()
    for _ in range(2):  # two processes, in effect: separate auth objects, one cache directory
        auth = oauth(clock, token_cache=FileTokenCache(tmp_path / "tokens"))
        with client_for(server, auth) as client:
            client.get(API)
    assert len(server.token_calls) == 1
    assert server.bearers == ["Bearer tok-1", "Bearer tok-1"]


def test_file_cache_permissions_and_contents(tmp_path: Path) -> None:
    directory = tmp_path / "tokens"
    auth = oauth(FakeClock(), token_cache=FileTokenCache(directory))
    with client_for(TokenServer(), auth) as client:
        client.get(API)
    files = list(directory.glob("*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    stored = json.loads(files[0].read_text())
    assert stored["access_token"] == "tok-1"
    assert stored["expires_at"] == FakeClock().time() + 3600
    assert "secret-a" not in files[0].read_text()
    assert files[0].stem == auth.cache_key("https://api.example/v1/oauth/token")


def test_file_cache_keys_differ_by_client_and_token_url(tmp_path: Path) -> None:
    one = oauth(FakeClock())
    other = OAuth2ClientCredentials("client-b", "s", "https://api.example/v1/oauth/token")
    url = "https://api.example/v1/oauth/token"
    assert one.cache_key(url) != other.cache_key(url)
    assert one.cache_key(url) != one.cache_key("https://staging.example/v1/oauth/token")


def test_expired_cached_token_is_replaced(tmp_path: Path) -> None:
    clock = FakeClock()
    server = TokenServer()
    cache = FileTokenCache(tmp_path)
    with client_for(server, oauth(clock, token_cache=cache)) as client:
        client.get(API)
    clock.advance(3600)
    with client_for(server, oauth(clock, token_cache=cache)) as client:
        client.get(API)
    assert server.bearers == ["Bearer tok-1", "Bearer tok-2"]


def test_revoked_cached_token_is_refreshed_on_401(tmp_path: Path) -> None:
    clock = FakeClock()
    cache = FileTokenCache(tmp_path)
    server = TokenServer(api_statuses=[200, 401, 200, 200])
    with client_for(server, oauth(clock, token_cache=cache)) as client:
        client.get(API)
    with client_for(server, oauth(clock, token_cache=cache)) as client:
        client.get(API)  # tok-1 from the file is refused: tok-2, replayed
    with client_for(server, oauth(clock, token_cache=cache)) as client:
        client.get(API)  # the file now holds tok-2
    assert server.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]


def test_corrupt_cache_file_is_ignored_and_overwritten(tmp_path: Path) -> None:
    auth = oauth(FakeClock(), token_cache=FileTokenCache(tmp_path))
    entry = tmp_path / f"{auth.cache_key('https://api.example/v1/oauth/token')}.json"
    entry.write_text("{not json")
    server = TokenServer()
    with client_for(server, auth) as client:
        client.get(API)
    assert json.loads(entry.read_text())["access_token"] == "tok-1"


def test_token_cache_env_zero_disables_the_file_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECCLIENT_TOKEN_CACHE", "0")
    server = TokenServer()
    for _ in range(2):
        with client_for(server, oauth(FakeClock(), token_cache=FileTokenCache(tmp_path))) as c:
            c.get(API)
    assert len(server.token_calls) == 2
    assert list(tmp_path.iterdir()) == []


def test_default_cache_directory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPECCLIENT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert FileTokenCache().directory == tmp_path / "xdg" / "specclient" / "tokens"
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path / "own"))
    assert FileTokenCache().directory == tmp_path / "own" / "tokens"
    monkeypatch.delenv("SPECCLIENT_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert FileTokenCache().directory == tmp_path / "home" / ".cache" / "specclient" / "tokens"


def test_api_key_under_an_innocent_name_is_still_redacted() -> None:
    from specclient.http.redact import is_secret_name, redact_url

    APIKey("k-9", query="acct_code_9")
    APIKey("k-9", header="X-Tenant-Pass-9")
    assert redact_url("https://h/x?acct_code_9=k-9&page=1") == "https://h/x?acct_code_9=***&page=1"
    assert is_secret_name("x-tenant-pass-9")


def test_expired_own_token_yields_to_a_fresher_one_in_the_shared_cache(tmp_path: Path) -> None:
    clock = FakeClock()
    server = TokenServer()
    cache = FileTokenCache(tmp_path)
    first, second = oauth(clock, token_cache=cache), oauth(clock, token_cache=cache)
    with client_for(server, first) as one, client_for(server, second) as two:
        one.get(API)
        two.get(API)  # tok-1 from the file
        clock.advance(3600)
        one.get(API)  # expired: tok-2, written to the file
        two.get(API)  # its own tok-1 is expired, the file has tok-2: no new request
    assert server.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]
    assert len(server.token_calls) == 2


def test_file_cache_lock_makes_separate_auth_objects_share_one_token(tmp_path: Path) -> None:
    # Two auth objects with their own FileTokenCache: no shared memory or thread lock, just as
    # two processes. The flock on the cache entry is what makes the second one wait and reuse.
    lookups = 0
    looked_up = threading.Condition()
    issued: list[int] = []

    class WatchedCache(FileTokenCache):
        def get(self, key: str) -> dict[str, Any] | None:
            nonlocal lookups
            found = super().get(key)
            with looked_up:
                lookups += 1
                looked_up.notify_all()
            return found

    def wire(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            # The first fetcher looked twice (before and inside the lock); hold its reply
            # until the other one has looked too and is at the lock (or past it, if unlocked).
            with looked_up:
                looked_up.wait_for(lambda: lookups >= 3, timeout=10)
            issued.append(1)
            return httpx.Response(200, json={"access_token": f"tok-{len(issued)}"})
        return httpx.Response(200)

    bearers: list[str] = []

    def process_like() -> None:
        auth = oauth(FakeClock(), token_cache=WatchedCache(tmp_path))
        with httpx.Client(transport=httpx.MockTransport(wire), auth=auth) as client:
            bearers.append(client.get(API).request.headers["Authorization"])

    workers = [threading.Thread(target=process_like) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    assert len(issued) == 1
    assert bearers == ["Bearer tok-1", "Bearer tok-1"]


def test_auth_reexports_exactly_the_grants_module_names():
    """specclient.auth loads the OAuth2 grants lazily by a list of names of its own: it must be
    the grants module's public names, no more and no fewer, so none goes missing or dangles."""
    from specclient import _grants, auth

    assert set(_grants.__all__) == auth._GRANTS
    for name in _grants.__all__:
        assert getattr(auth, name) is getattr(_grants, name)
