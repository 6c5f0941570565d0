"""Fetching Civis's spec from /endpoints, the disk cache, and the fallback when offline."""

from __future__ import annotations

import base64
import json
import warnings

import httpx
import pytest

from specclient._clock import FakeClock
from specclient.errors import AuthError, ConnectionError
from specclient.platforms.civis.endpoints import (
    StaleSpecWarning,
    cache_path,
    default_cache_dir,
    load_endpoints,
)

KEY = "secret-civis-key-123"
SPEC = {
    "swagger": "2.0",
    "info": {"title": "Civis Analytics API", "version": "1"},
    "paths": {"/users/me": {"get": {"responses": {"200": {"description": "ok"}}}}},
}
BASE = "http://civis.test"


class Server:
    """A fake /endpoints that counts requests and can be switched to failing."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.mode = "ok"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.mode == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.mode == "503":
            return httpx.Response(503, json={"error": "unavailable"})
        if self.mode == "401":
            return httpx.Response(401, json={"error": "invalid_token"})
        return httpx.Response(200, json=SPEC)


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path))  # a cache of this test's own
    return Server()


def load(server, clock, **options):
    return load_endpoints(BASE, KEY, http=httpx.MockTransport(server), clock=clock, **options)


def test_fetches_endpoints_with_the_key_as_basic_user(server):
    spec = load(server, FakeClock())

    assert spec == SPEC
    (request,) = server.requests
    assert request.url == "http://civis.test/endpoints"
    assert (
        request.headers["authorization"] == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    )


def test_second_load_within_ttl_reads_the_disk_cache_not_the_service(server):
    clock = FakeClock()
    load(server, clock)
    clock.advance(3600)
    assert load(server, clock) == SPEC
    assert len(server.requests) == 1


def test_cache_file_is_keyed_by_base_url_and_version_and_holds_no_key(server):
    load(server, FakeClock())
    path = cache_path(default_cache_dir(), BASE, "1.0")
    text = path.read_text()
    assert json.loads(text)["spec"] == SPEC
    assert KEY not in text and KEY not in path.name
    assert cache_path(default_cache_dir(), "http://other.test", "1.0") != path


def test_expired_cache_is_fetched_again(server):
    clock = FakeClock()
    load(server, clock, ttl=60)
    clock.advance(61)
    load(server, clock, ttl=60)
    assert len(server.requests) == 2


def test_force_refresh_fetches_even_when_fresh(server):
    clock = FakeClock()
    load(server, clock)
    load(server, clock, force_refresh=True)
    assert len(server.requests) == 2


def test_unreachable_service_falls_back_to_the_expired_copy_with_a_warning(server):
    clock = FakeClock()
    load(server, clock, ttl=60)
    clock.advance(7200)
    server.mode = "down"
    with pytest.warns(StaleSpecWarning, match="using the spec cached 2.0 h ago"):
        assert load(server, clock, ttl=60) == SPEC
    # three attempts, backing off on the fake clock rather than sleeping
    assert len(server.requests) == 1 + 3
    assert clock.sleeps == [2.0, 4.0]


def test_service_errors_also_fall_back_to_the_cache(server):
    clock = FakeClock()
    load(server, clock, ttl=0)
    server.mode = "503"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert load(server, clock, ttl=0) == SPEC
    assert any(issubclass(w.category, StaleSpecWarning) for w in caught)


def test_unreachable_service_without_cache_raises_connection_error(server):
    server.mode = "down"
    with pytest.raises(ConnectionError, match="could not reach Civis") as info:
        load(server, FakeClock())
    assert KEY not in str(info.value)


def test_refused_key_raises_auth_error_and_does_not_use_the_cache(server):
    clock = FakeClock()
    load(server, clock, ttl=0)
    server.mode = "401"
    with pytest.raises(AuthError, match="401 error downloading the Civis API spec") as info:
        load(server, clock, ttl=0)
    assert KEY not in str(info.value)


def test_unknown_api_version_is_refused_before_any_request(server):
    with pytest.raises(ValueError, match="api_version must be one of"):
        load(server, FakeClock(), api_version="2.0")
    assert server.requests == []


def test_corrupt_cache_file_is_ignored(server):
    path = cache_path(default_cache_dir(), BASE, "1.0")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert load(server, FakeClock()) == SPEC
    assert len(server.requests) == 1
