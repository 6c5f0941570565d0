"""``specclient.auth.from_spec``: auth built from a spec's securitySchemes (bytes on the wire)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from specclient.auth import AllOf, APIKey, OAuth2ClientCredentials, from_spec
from specclient.errors import ParameterError
from specclient.http.redact import is_secret_name
from specclient.openapi import load


def spec(schemes: dict[str, Any], security: list[dict[str, list]], **extra: Any) -> Any:
    return load(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://api.example/v1"}],
            "components": {"securitySchemes": schemes},
            "security": security,
            "paths": {},
            **extra,
        },
        cache=False,
    )


def sent_with(auth: httpx.Auth) -> httpx.Request:
    seen: list[httpx.Request] = []

    def wire(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 3600})
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(wire), auth=auth) as client:
        client.get("https://api.example/v1/things")
    return seen


KEYS = {
    "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "basic": {"type": "http", "scheme": "basic"},
    "oauth": {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
    },
}


def test_the_first_alternative_whose_credentials_were_given_is_used():
    s = spec(KEYS, [{"key": []}, {"basic": []}])
    [request] = sent_with(from_spec(s, {"basic": {"username": "u", "password": "p"}}))
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    [request] = sent_with(
        from_spec(s, {"key": {"value": "k"}, "basic": {"username": "u", "password": "p"}})
    )
    assert request.headers["X-Key"] == "k" and "Authorization" not in request.headers


def test_schemes_of_one_alternative_are_applied_together():
    schemes = {
        "id": {"type": "apiKey", "in": "header", "name": "api-key-id"},
        "secret": {"type": "apiKey", "in": "query", "name": "sig"},
    }
    s = spec(schemes, [{"id": [], "secret": []}])
    auth = from_spec(
        s, {"id": {"value": "i"}, "secret": {"value": "s"}}, options={"id": {"secret": False}}
    )
    assert isinstance(auth, AllOf)
    [request] = sent_with(auth)
    assert request.headers["api-key-id"] == "i" and request.url.params["sig"] == "s"
    assert from_spec(s, {"id": {"value": "i"}}) is None  # half an alternative is not enough
    assert not is_secret_name("api-key-id")


def test_an_oauth_token_url_follows_the_base_url():
    s = spec(KEYS, [{"oauth": []}])
    auth = from_spec(
        s, {"oauth": {"client_id": "c", "client_secret": "x"}}, base_url="http://127.0.0.1:9/v1"
    )
    assert isinstance(auth, OAuth2ClientCredentials)
    assert auth.token_url == "http://127.0.0.1:9/oauth/token"  # relative: against the origin
    absolute = dict(KEYS["oauth"])
    absolute["flows"] = {
        "clientCredentials": {"tokenUrl": "https://api.example/v1/oauth/token", "scopes": {}}
    }
    s = spec({"oauth": absolute}, [{"oauth": []}])
    auth = from_spec(
        s,
        {"oauth": {"client_id": "c", "client_secret": "x"}},
        base_url="http://127.0.0.1:9/v1",
        options={"oauth": {"client_auth": "form"}},
    )
    assert auth.token_url == "http://127.0.0.1:9/v1/oauth/token"  # under a spec server: rebased
    assert auth.client_auth == "form"
    token_request, request = sent_with(auth)
    assert str(token_request.url) == "http://127.0.0.1:9/v1/oauth/token"
    assert request.headers["Authorization"] == "Bearer tok"


def test_no_credentials_for_any_alternative_is_none_and_key_reprs_hide_the_value():
    s = spec(KEYS, [{"key": []}])
    assert from_spec(s, {}) is None
    auth = from_spec(s, {"key": {"value": "hush-1"}})
    assert isinstance(auth, APIKey) and "hush-1" not in repr(auth)


def test_an_unsupported_scheme_is_named():
    s = spec({"oid": {"type": "openIdConnect", "openIdConnectUrl": "https://x"}}, [{"oid": []}])
    assert from_spec(s, {"oid": {"value": "v"}}) is None
    cookie = spec({"k": {"type": "apiKey", "in": "cookie", "name": "c"}}, [{"k": []}])
    with pytest.raises(ParameterError, match="security scheme 'k': apiKey in cookie"):
        from_spec(cookie, {"k": {"value": "v"}})


def test_a_relative_token_url_without_a_base_url_uses_the_spec_server():
    s = spec(KEYS, [{"oauth": []}])
    auth = from_spec(s, {"oauth": {"client_id": "c", "client_secret": "x"}})
    assert auth.token_url == "https://api.example/oauth/token"
    auth = from_spec(
        s, {"oauth": {"client_id": "c", "client_secret": "x"}}, base_url="http://h:1/api/v2"
    )
    assert auth.token_url == "http://h:1/oauth/token"
