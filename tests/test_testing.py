"""Cassette filters, proved with pytest-recording for real: record, grep, replay offline."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

# Imported here, before any inner pytest run: pytester forgets modules first imported during
# a run, and a re-imported PyYAML no longer matches its cached C extension (its emitter then
# fails with "expected SCALAR ..." on the next cassette).
import vcr  # noqa: F401
import yaml  # noqa: F401

from specclient.testing import REDACTED, assert_no_secrets, scrub_response, vcr_config

pytest_plugins = ["pytester"]

SECRETS = {
    "basic_client_secret": "CS-BASIC-SECRET-1",
    "form_client_secret": "CS-FORM-SECRET-2",
    "access_token": "TOK-SECRET-3",
    "refresh_token": "RT-SECRET-4",
    "query_api_key": "QK-SECRET-5",
    "key_header": "KS-SECRET-6",
    "password": "PW-SECRET-7",
    "x_secret_field": "SSN-SECRET-8",
    "amz_credential": "AKIA-SECRET-9",
    "amz_signature": "SIG-SECRET-10",
    "cookie": "COOKIE-SECRET-11",
    "azure_sig": "AZSIG-SECRET-12",
}

INNER_TEST = """
import os

import httpx
import pytest

from specclient.auth import OAuth2ClientCredentials
from specclient.http.transport import Sender
from specclient.testing import vcr_config as specclient_vcr_config

S = {secrets!r}
SIGNED = (
    "https://bucket.example/k.csv?X-Amz-Credential=" + S["amz_credential"]
    + "&X-Amz-Signature=" + S["amz_signature"] + "&X-Amz-Expires=60"
)


@pytest.fixture
def vcr_config():
    return specclient_vcr_config(secret_fields=["ssn"])


def wire(request):
    if os.environ.get("NO_WIRE"):
        raise AssertionError("a replay reached the wire")
    path = request.url.path
    if path == "/oauth/token":
        return httpx.Response(200, json={{
            "access_token": S["access_token"], "refresh_token": S["refresh_token"],
            "token_type": "Bearer", "expires_in": 3600,
        }})
    if path == "/upload-url":
        return httpx.Response(
            200,
            json={{"result": {{"signedRequest": SIGNED, "contentType": "text/csv"}}}},
            headers={{"Set-Cookie": "session=" + S["cookie"] + "; HttpOnly"}},
        )
    return httpx.Response(200, json={{"ok": True, "path": path}})


@pytest.mark.vcr
def test_exchange():
    transport = httpx.MockTransport(wire)
    basic = OAuth2ClientCredentials("client-b", S["basic_client_secret"], "/oauth/token")
    form = OAuth2ClientCredentials(
        "client-f", S["form_client_secret"], "/oauth/token", client_auth="form"
    )
    with Sender(http=transport, auth=basic) as api:
        assert api.send(httpx.Request(
            "GET", "https://api.example/v1/things?page=2&api_key=" + S["query_api_key"]
        )).status_code == 200
        assert api.send(httpx.Request(
            "POST", "https://api.example/v1/users",
            json={{"name": "ann", "password": S["password"], "ssn": S["x_secret_field"]}},
            headers={{"api-key-id": "key-id-public", "api-key-secret": S["key_header"]}},
        )).status_code == 200
        upload = api.send(httpx.Request("POST", "https://api.example/upload-url")).json()
        signed = upload["result"]["signedRequest"]
        assert api.send(
            httpx.Request("PUT", signed, content=b"a,b\\n1,2\\n"), auth=False
        ).status_code == 200
        assert api.send(httpx.Request(
            "GET", "https://blob.example/c/f?sv=2024&sig=" + S["azure_sig"]
        ), auth=False).status_code == 200
    with Sender(http=transport, auth=form) as other:
        assert other.send(httpx.Request("GET", "https://api.example/v1/me")).status_code == 200
"""


@pytest.fixture
def recorded(pytester: pytest.Pytester) -> Path:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_inner=INNER_TEST.format(secrets=SECRETS))
    result = pytester.runpytest("--record-mode=once", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
    return pytester.path / "cassettes" / "test_inner"


def test_recorded_cassette_holds_no_secret(recorded: Path) -> None:
    assert_no_secrets(recorded, SECRETS.values())


def test_recorded_cassette_keeps_what_is_not_secret(recorded: Path) -> None:
    text = (recorded / "test_exchange.yaml").read_text()
    assert text.count(REDACTED) >= len(SECRETS)
    for kept in [
        "key-id-public",  # an id, not a secret
        "grant_type=client_credentials&client_id=client-f&client_secret=REDACTED",
        "page=2&api_key=REDACTED",
        "X-Amz-Signature=REDACTED&X-Amz-Expires=60",
        "sv=2024&sig=REDACTED",
        "ann",
        "Bearer",  # token_type survives; the token does not
    ]:
        assert kept in text, kept


def test_recorded_cassette_replays_offline(
    recorded: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_WIRE", "1")
    result = pytester.runpytest("--record-mode=none", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)


# -- assert_no_secrets itself


@pytest.mark.parametrize(
    "spelling",
    [
        "tok/en+1",
        "tok%2Fen%2B1",
        "tok%2Fen+1".replace("+", "%2B"),
        base64.b64encode(b"tok/en+1").decode(),
    ],
)
def test_assert_no_secrets_finds_a_secret_in_any_spelling(tmp_path: Path, spelling: str) -> None:
    (tmp_path / "c.yaml").write_text(f"headers: {spelling}\n")
    with pytest.raises(AssertionError) as caught:
        assert_no_secrets(tmp_path, ["other", "tok/en+1"])
    assert "secret #1 (8 characters)" in str(caught.value)
    assert "tok/en" not in str(caught.value)


def test_assert_no_secrets_passes_a_clean_file(tmp_path: Path) -> None:
    cassette = tmp_path / "c.yaml"
    cassette.write_text("Authorization: REDACTED\n")
    assert_no_secrets(cassette, ["tok-1"])


def test_assert_no_secrets_refuses_to_check_nothing(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="no cassette files"):
        assert_no_secrets(tmp_path / "missing", ["tok-1"])
    (tmp_path / "c.yaml").write_text("x")
    with pytest.raises(ValueError, match="at least one"):
        assert_no_secrets(tmp_path, ["", ""])


def test_vcr_config_runs_user_filters_after_ours() -> None:
    seen = []
    config = vcr_config(before_record_response=lambda r: seen.append(r) or r, record_mode="none")
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"], "X-Api-Key": ["k"]},
        "body": {"string": b'{"accessToken": "t", "expiresIn": 60}'},
    }
    out = config["before_record_response"](response)
    assert seen == [out]
    assert out["headers"]["X-Api-Key"] == [REDACTED]
    assert out["body"]["string"] == b'{"accessToken": "REDACTED", "expiresIn": 60}'
    assert response["body"]["string"] == b'{"accessToken": "t", "expiresIn": 60}'  # a copy
    assert config["record_mode"] == "none" and config["decode_compressed_response"] is True


def test_scrub_response_masks_signed_urls_in_headers() -> None:
    response = {
        "headers": {"Location": ["https://b.example/k?X-Amz-Signature=abc&v=1"]},
        "body": {"string": b""},
    }
    assert scrub_response(response)["headers"]["Location"] == [
        "https://b.example/k?X-Amz-Signature=REDACTED&v=1"
    ]


def test_assert_no_secrets_finds_the_secret_inside_a_basic_header(tmp_path: Path) -> None:
    """Issue 12 item 10: base64(id:secret) holds no base64(secret); every alignment counts."""
    for client_id in ("a", "ab", "abc", "client-1"):
        header = base64.b64encode(f"{client_id}:s3cr3t-value-9".encode()).decode()
        cassette = tmp_path / f"{client_id}.yaml"
        cassette.write_text(f"Authorization: Basic {header}\n")
        with pytest.raises(AssertionError, match="secret #0"):
            assert_no_secrets(cassette, ["s3cr3t-value-9"])
    clean = tmp_path / "clean.yaml"
    clean.write_text(f"Authorization: Basic {base64.b64encode(b'client:other-value').decode()}\n")
    assert_no_secrets(clean, ["s3cr3t-value-9"])
