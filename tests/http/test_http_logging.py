"""DEBUG logs show each attempt (verb, URL, status, time, attempt, wait) and never a secret."""

from __future__ import annotations

import logging

import httpx
import pytest
from scripted_wire import Script

from specclient._clock import FakeClock
from specclient.auth import APIKey, Bearer, OAuth2ClientCredentials
from specclient.http.retry import RetryPolicy
from specclient.http.transport import Sender

SECRETS = ["q-key-123", "bearer-456", "hunter2-pw", "ssn-789", "cs-000", "sig-abc"]


def make_sender(script: Script, clock: FakeClock, **kwargs: object) -> Sender:
    return Sender(http=script.transport, clock=clock, retry=RetryPolicy(jitter=False), **kwargs)  # type: ignore[arg-type]


def test_each_attempt_is_logged_with_verb_url_status_attempt_and_wait(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(503, 200)
    make_sender(script, clock, auth=APIKey("q-key-123", query="api_key")).send(
        httpx.Request("GET", "https://api.example/v1/things?page=2")
    )
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("specclient")]
    assert len(lines) == 2
    assert lines[0].startswith("GET https://api.example/v1/things?page=2&api_key=*** -> 503 in ")
    assert lines[0].endswith("ms (attempt 1/4); retrying in 0.50 s")
    assert lines[1].startswith("GET https://api.example/v1/things?page=2&api_key=*** -> 200 in ")
    assert lines[1].endswith("(attempt 2/4)")
    assert "q-key-123" not in caplog.text  # httpx's own INFO line is redacted too


def test_bodies_and_headers_in_logs_are_redacted(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(429, 201, 200)
    sender = make_sender(script, clock, auth=Bearer("bearer-456"))
    sender.send(
        httpx.Request(
            "POST",
            "https://api.example/v1/users?X-Amz-Signature=sig-abc",
            json={"name": "ann", "password": "hunter2-pw", "profile": {"ssn": "ssn-789"}},
        ),
        secret_fields=frozenset({"ssn"}),
    )
    sender.send(
        httpx.Request(
            "POST",
            "https://api.example/oauth/token",
            data={"grant_type": "client_credentials", "client_secret": "cs-000"},
        )
    )
    text = caplog.text
    assert '"name": "ann"' in text and '"password": "***"' in text and '"ssn": "***"' in text
    assert "grant_type=client_credentials&client_secret=***" in text
    assert "X-Amz-Signature=***" in text
    for secret in SECRETS:
        assert secret not in text


def test_transport_failure_is_logged_with_the_error_and_the_give_up(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG, logger="specclient")
    script = Script(*[httpx.ConnectError("refused")] * 2)
    sender = Sender(
        http=script.transport, clock=clock, retry=RetryPolicy(max_retries=1, jitter=False)
    )
    with pytest.raises(ConnectionError):
        sender.send(httpx.Request("DELETE", "https://api.example/v1/things/1"))
    messages = [r.getMessage() for r in caplog.records]
    assert "DELETE https://api.example/v1/things/1 -> ConnectError" in messages[0]
    assert messages[0].endswith("retrying in 0.50 s")
    assert messages[1].endswith("(attempt 2/2); giving up after 2 attempts")


def test_oauth_exchange_leaves_no_secret_in_any_log(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    caplog.set_level(logging.DEBUG)

    def wire(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "tok-secret-1", "expires_in": 60})
        return httpx.Response(200, json={"ok": True})

    auth = OAuth2ClientCredentials("client-a", "cs-000", "/oauth/token", clock=clock)
    Sender(http=httpx.MockTransport(wire), clock=clock, auth=auth).send(
        httpx.Request("GET", "https://api.example/v1/things")
    )
    assert "GET https://api.example/v1/things -> 200" in caplog.text
    assert "tok-secret-1" not in caplog.text and "cs-000" not in caplog.text


def test_root_debug_logging_shows_no_set_cookie_from_httpcore(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 12 item 10: httpcore logs response headers at DEBUG; secret ones are masked."""
    from tests.http.loopback import Reply, serve

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        return Reply(
            headers={"Set-Cookie": "sid=cookie-value-42; HttpOnly", "X-Plain": "shown"},
            chunks=[b"{}"],
        )

    caplog.set_level(logging.DEBUG)  # the root logger, as a user debugging would
    with serve(answer) as server, Sender() as sender:
        sender.send(httpx.Request("GET", f"{server.url}/x"))
    httpcore_lines = [r.getMessage() for r in caplog.records if r.name.startswith("httpcore")]
    assert any("(b'Set-Cookie', b'***')" in line for line in httpcore_lines)
    assert any("(b'X-Plain', b'shown')" in line for line in httpcore_lines)
    assert "cookie-value-42" not in caplog.text
