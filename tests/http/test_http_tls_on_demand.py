"""The TLS pool (slow to build: it loads the CA bundle) is made only for https requests."""

from __future__ import annotations

import httpx

from specclient.http import transport
from specclient.http.transport import Sender


def test_plain_http_never_builds_the_tls_pool_and_https_builds_it_once():
    pool = transport._SyncTLSOnDemand()
    seen: list[str] = []
    made: list[int] = []

    def make_tls() -> httpx.MockTransport:
        made.append(1)
        return httpx.MockTransport(lambda r: (seen.append("tls"), httpx.Response(200))[1])

    pool._plain = httpx.MockTransport(lambda r: (seen.append("plain"), httpx.Response(200))[1])
    pool._make_tls = make_tls
    with httpx.Client(transport=pool) as client:
        client.get("http://127.0.0.1:1/a")
        assert made == []
        client.get("https://example.invalid/b")
        client.get("https://example.invalid/c")
    assert seen == ["plain", "tls", "tls"] and made == [1]


def test_senders_use_it_unless_proxies_come_from_the_environment(monkeypatch):
    for name in transport._PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert isinstance(Sender().client._transport, transport._SyncTLSOnDemand)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert not isinstance(Sender().client._transport, transport._SyncTLSOnDemand)
