"""The bad-input catalogue (issue 12, "Proof"): every case is refused with a specclient error
whose message names the problem, and nothing reaches the wire.

Each row is ``(id, call, error type, pattern)``: ``call`` gets a client whose transport fails
the test if it is ever called, so "nothing sent" is checked on every row, not assumed. The
engine's rows are here; platform and CLI rows are added beside them.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from specclient import AsyncClient, Client, errors
from specclient.auth import APIKey, Basic, Bearer, OAuth2ClientCredentials
from specclient.http.retry import RetryPolicy
from specclient.http.transport import Sender

_OBJECT = {"application/json": {"schema": {"type": "object"}}}
SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "catalogue", "version": "1"},
    "servers": [{"url": "http://api.example/v1"}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["cat", "dog"]},
                    },
                    {"name": "alive", "in": "query", "schema": {"type": "boolean"}},
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "integer"}},
                    },
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                    {"name": "api_key", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok", "content": _OBJECT}},
            },
            "post": {
                "operationId": "createPet",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "age": {"type": "integer"},
                                    "weight": {"type": "number"},
                                    "tags": {"type": "array", "items": {"type": "string"}},
                                    "owner": {"type": "object"},
                                },
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "ok", "content": _OBJECT}},
            },
        },
        "/pets/{petId}": {
            "parameters": [
                {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "getPet",
                "responses": {"200": {"description": "ok", "content": _OBJECT}},
            },
            "delete": {"operationId": "deletePet", "responses": {"204": {"description": "gone"}}},
        },
        "/owners/{ownerId}": {
            "get": {
                "operationId": "getOwner",
                "parameters": [
                    {
                        "name": "ownerId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {"200": {"description": "ok", "content": _OBJECT}},
            }
        },
        "/batches": {
            "post": {
                "operationId": "postBatch",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"type": "integer"}}
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"sent {request.method} {request.url} for a call that must be refused")


def _client(**options: Any) -> Client:
    options.setdefault("http", httpx.MockTransport(_never))
    return Client(SPEC, **options)


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    return loop


Call = Callable[[Client], Any]
P = errors.ParameterError
INF, NAN = math.inf, math.nan
D_NAN, D_INF = decimal.Decimal("NaN"), decimal.Decimal("Infinity")

CASES: list[tuple[str, Call, type[Exception], str]] = []


def case(name: str, call: Call, error: type[Exception], pattern: str) -> None:
    CASES.append((name, call, error, pattern))


def stable_id(name: str) -> str:
    """A case's name without the addresses object reprs carry (``<object object at 0x..>``):
    the same ids in every process, as pytest-xdist's workers require."""
    return re.sub(r" at 0x[0-9a-f]+", "", name)


# -- path parameters: an empty or missing value must never address the collection ----------
for value, pattern in [
    ("", "'pet_id' is empty"),
    (None, "'pet_id' is required and cannot be None"),
    ([], "argument 'pet_id': expected str, got list \\[\\]"),
    ({}, "'pet_id'"),
    (b"raw", "argument 'pet_id': expected str, got bytes"),
    (1.5, "argument 'pet_id': expected str, got float"),
    (True, "argument 'pet_id': expected str, got bool"),
    (object(), "argument 'pet_id': expected str, got object"),
]:
    for verb in ("get", "delete"):
        case(
            f"path {verb} pet_id={value!r}",
            lambda c, v=value, m=verb: getattr(c.pets, m)(v),
            P,
            pattern,
        )
case("path pet_id missing", lambda c: c.pets.delete(), P, "missing required argument: 'pet_id'")
case("path pet_id twice", lambda c: c.pets.get("1", pet_id="2"), P, "multiple values")
for value, pattern in [
    ("abc", "expected int, got str 'abc'"),
    ("", "expected int, got str ''"),
    (1.5, "expected int, got float 1.5"),
    (INF, "expected int, got float inf"),
    (NAN, "expected int, got float nan"),
    (True, "expected int, got bool True"),
    ([1], "expected int, got list"),
    (None, "'owner_id' is required and cannot be None"),
]:
    case(f"path owner_id={value!r}", lambda c, v=value: c.owners.get(v), P, pattern)

# -- query and header parameters --------------------------------------------------------------
QUERY: list[tuple[str, Any, str]] = [
    ("limit", "ten", "argument 'limit': expected int, got str 'ten'"),
    ("limit", 2.5, "argument 'limit': expected int, got float 2.5"),
    ("limit", True, "argument 'limit': expected int, got bool True"),
    ("limit", [1], "argument 'limit': expected int, got list"),
    ("limit", {}, "argument 'limit': expected int, got dict"),
    ("limit", INF, "argument 'limit': expected int, got float inf"),
    ("limit", -INF, "argument 'limit': expected int, got float -inf"),
    ("limit", NAN, "argument 'limit': expected int, got float nan"),
    ("limit", D_NAN, "argument 'limit': expected int, got Decimal"),
    ("limit", b"1", "argument 'limit': expected int, got bytes"),
    ("ratio", INF, "argument 'ratio': expected float, got float inf"),
    ("ratio", -INF, "argument 'ratio': expected float, got float -inf"),
    ("ratio", NAN, "argument 'ratio': expected float, got float nan"),
    ("ratio", D_NAN, "argument 'ratio': expected float, got Decimal"),
    ("ratio", D_INF, "argument 'ratio': expected float, got Decimal"),
    ("ratio", "0.5", "argument 'ratio': expected float, got str '0.5'"),
    ("ratio", True, "argument 'ratio': expected float, got bool True"),
    ("ratio", [0.5], "argument 'ratio': expected float, got list"),
    ("kind", "bird", "argument 'kind': 'bird' is not one of 'cat', 'dog'"),
    ("kind", "Cat", "argument 'kind': 'Cat' is not one of 'cat', 'dog'"),
    ("kind", "", "argument 'kind': '' is not one of 'cat', 'dog'"),
    ("kind", 1, "argument 'kind': 1 is not one of 'cat', 'dog'"),
    ("kind", ["cat"], "argument 'kind': expected str, got list"),
    ("alive", "true", "argument 'alive': expected bool, got str 'true'"),
    ("alive", 1, "argument 'alive': expected bool, got int 1"),
    ("alive", 0.0, "argument 'alive': expected bool, got float 0.0"),
    ("alive", "no", "argument 'alive': expected bool, got str 'no'"),
    ("tags", "1,2", "argument 'tags': expected list, got str '1,2'"),
    ("tags", 7, "argument 'tags': expected list, got int 7"),
    ("tags", ["a"], "argument 'tags': item 0: expected int, got str 'a'"),
    ("tags", [1, 2.5], "argument 'tags': item 1: expected int, got float 2.5"),
    ("tags", [1, INF], "argument 'tags': item 1: expected int, got float inf"),
    ("tags", [None], "argument 'tags': item 0: null is not allowed"),
    ("tags", {"a": 1}, "argument 'tags': expected list, got dict"),
    ("x_trace", 12.5, "argument 'x_trace': expected str, got float 12.5"),
    ("x_trace", ["a"], "argument 'x_trace': expected str, got list"),
    ("x_trace", b"trace", "argument 'x_trace': expected str, got bytes"),
    ("x_trace", {}, "argument 'x_trace': expected str, got dict"),
    (
        "api_key",
        b"query-secret-1",
        "argument 'api_key': expected str, got bytes \\(value hidden",
    ),
    (
        "api_key",
        ["query-secret-2"],
        "argument 'api_key': expected str, got list \\(value hidden",
    ),
]
for name, value, pattern in QUERY:
    case(f"query {name}={value!r}", lambda c, n=name, v=value: c.pets.list(**{n: v}), P, pattern)
for value in ("\n", "a\r\nX-Injected: 1", "a\rb"):
    case(
        f"header x_trace={value!r}",
        lambda c, v=value: c.pets.list(x_trace=v),
        P,
        "argument 'x_trace': a header value cannot hold a line break",
    )
for value, pattern in [
    ({"X-Other": "a\nb"}, "headers: the value of 'X-Other' cannot hold a line break"),
    ({"X-Other": "a\r\nX-Evil: 1"}, "headers: the value of 'X-Other' cannot hold a line break"),
    ({"X-Other": 5}, "headers: the value of 'X-Other' must be a string, not int"),
    ({"X-Other": b"v"}, "headers: the value of 'X-Other' must be a string, not bytes"),
    ({"X-Other": None}, "headers: the value of 'X-Other' must be a string, not NoneType"),
    ({"Bad\nName": "v"}, "headers: 'Bad.nName' is not a header name"),
    ({"": "v"}, "headers: '' is not a header name"),
    ({5: "v"}, "headers: 5 is not a header name"),
    ("X-Other: v", "headers must be a mapping of names to values, not str"),
    ([("X-Other", "v")], "headers must be a mapping of names to values, not list"),
]:
    case(f"_headers={value!r}", lambda c, v=value: c.pets.list(_headers=v), P, pattern)
    case(f"Client(headers={value!r})", lambda c, v=value: _client(headers=v), P, pattern)
case(
    "unknown argument",
    lambda c: c.pets.list(limt=1),
    P,
    "unknown argument 'limt' \\(did you mean 'limit'\\?\\)",
)
case(
    "unknown argument far",
    lambda c: c.pets.list(zzz=1),
    P,
    "unknown argument 'zzz'; parameters are",
)
case("positional to keyword-only", lambda c: c.pets.list(5), P, "positional argument")

# -- body fields -------------------------------------------------------------------------------
BODY: list[tuple[dict[str, Any], str]] = [
    ({}, "missing required argument: 'name'"),
    ({"name": 1}, "argument 'name': expected str, got int 1"),
    ({"name": None}, "'name' is required and cannot be None"),
    ({"name": "rex", "age": "3"}, "argument 'age': expected int, got str '3'"),
    ({"name": "rex", "age": 3.5}, "argument 'age': expected int, got float 3.5"),
    ({"name": "rex", "age": INF}, "argument 'age': expected int, got float inf"),
    ({"name": "rex", "age": True}, "argument 'age': expected int, got bool True"),
    ({"name": "rex", "weight": INF}, "argument 'weight': expected float, got float inf"),
    ({"name": "rex", "weight": -INF}, "argument 'weight': expected float, got float -inf"),
    ({"name": "rex", "weight": D_NAN}, "argument 'weight': expected float, got Decimal"),
    ({"name": "rex", "weight": D_INF}, "argument 'weight': expected float, got Decimal"),
    ({"name": "rex", "weight": "9"}, "argument 'weight': expected float, got str '9'"),
    ({"name": "rex", "tags": "a,b"}, "argument 'tags': expected list, got str 'a,b'"),
    ({"name": "rex", "tags": [1]}, "argument 'tags': item 0: expected str, got int 1"),
    ({"name": "rex", "owner": "bob"}, "argument 'owner': expected dict, got str 'bob'"),
    ({"name": "rex", "owner": ["bob"]}, "argument 'owner': expected dict, got list"),
    (
        {"name": "rex", "owner": {"w": INF}},
        "the JSON body cannot be encoded: infinity is not valid JSON",
    ),
    (
        {"name": "rex", "owner": {"w": -INF}},
        "the JSON body cannot be encoded: infinity is not valid JSON",
    ),
    (
        {"name": "rex", "owner": {"w": D_NAN}},
        "the JSON body cannot be encoded: Decimal\\('NaN'\\) is not valid JSON",
    ),
    (
        {"name": "rex", "owner": {"w": D_INF}},
        "the JSON body cannot be encoded: Decimal\\('Infinity'\\) is not valid JSON",
    ),
    (
        {"name": "rex", "owner": {"w": object()}},
        "the JSON body cannot be encoded: object is not JSON serialisable",
    ),
    ({"name": "rex", "owner": {"w": {1, 2}.__class__}}, "the JSON body cannot be encoded"),
    (
        {"name": "rex", "owner": _circular()},
        "the JSON body cannot be encoded: the value contains itself",
    ),
    ({"name": "rex", "nmae": "x"}, "unknown argument 'nmae' \\(did you mean 'name'\\?\\)"),
]
for kwargs, pattern in BODY:
    case(f"body {kwargs!r:.60}", lambda c, k=kwargs: c.pets.post(**k), P, pattern)

WHOLE: list[tuple[Any, str]] = [
    ("{'name': 'rex'}", "body=: expected dict, got str"),
    (["rex"], "body=: expected dict, got list"),
    (42, "body=: expected dict, got int 42"),
    (4.2, "body=: expected dict, got float"),
    (True, "body=: expected dict, got bool"),
    ({"age": 1}, "body is missing required field: 'name'"),
    ({"name": "rex", "w": INF}, "the JSON body cannot be encoded: infinity"),
    ({"name": "rex", "w": D_NAN}, "the JSON body cannot be encoded: Decimal\\('NaN'\\)"),
    (_circular(), "the JSON body cannot be encoded: the value contains itself"),
]
for value, pattern in WHOLE:
    case(f"_body={value!r:.40}", lambda c, v=value: c.pets.post(_body=v), P, pattern)
for value, pattern in [
    ({"a": 1}, "body=: expected list, got dict"),
    ("1,2", "body=: expected list, got str"),
    (7, "body=: expected list, got int 7"),
    (["x"], "body=: item 0: expected int, got str 'x'"),
    ([1, INF], "body=: item 1: expected int, got float inf"),
    ([D_NAN], "body=: item 0: expected int, got Decimal"),
]:
    case(f"batch body={value!r:.40}", lambda c, v=value: c.batches.post(body=v), P, pattern)
case("required body missing", lambda c: c.batches.post(), P, "a request body is required")
case("body on a get", lambda c: c.pets.list(_body={}), P, "takes no request body")

# -- per-call options ---------------------------------------------------------------------------
for value, pattern in [
    (-1, "timeout must be a positive number of seconds, not -1"),
    (0, "timeout must be a positive number of seconds, not 0"),
    (-0.5, "timeout must be a positive number of seconds, not -0.5"),
    (INF, "timeout must be a positive number of seconds, not inf"),
    (NAN, "timeout must be a positive number of seconds, not nan"),
    ("5", "timeout must be a number of seconds or None, not str"),
    (True, "timeout must be a number of seconds or None, not bool"),
    ([5], "timeout must be a number of seconds or None, not list"),
]:
    case(f"_timeout={value!r}", lambda c, v=value: c.pets.get("1", _timeout=v), P, pattern)
    case(f"timeout={value!r}", lambda c, v=value: c.pets.list(timeout=v), P, pattern)
for value in ("xml", "json", "SNAKE", 1):
    case(
        f"return_type={value!r}",
        lambda c, v=value: c.pets.get("1", return_type=v),
        P,
        "return_type must be one of",
    )
case("iterator on a plain list", lambda c: c.pets.list(iterator=True), P, "not paginated")
case("option twice", lambda c: c.pets.list(timeout=1, _timeout=2), P, "timeout was given twice")
case(
    "content type not offered",
    lambda c: c.pets.post(name="r", _content_type="text/xml"),
    P,
    "content_type",
)

# -- the client itself --------------------------------------------------------------------------
for value, pattern in [
    (True, "max_retries must be a whole number >= 0, not True"),
    (False, "max_retries must be a whole number >= 0, not False"),
    (-1, "max_retries must be a whole number >= 0, not -1"),
    (1.5, "max_retries must be a whole number >= 0, not 1.5"),
    ("3", "max_retries must be a whole number >= 0, not '3'"),
    (None, "max_retries must be a whole number >= 0, not None"),
]:
    case(f"Client(max_retries={value!r})", lambda c, v=value: _client(max_retries=v), P, pattern)
for value, pattern in [
    (-1, "timeout must be a positive number of seconds, not -1"),
    (0, "timeout must be a positive number of seconds, not 0"),
    (INF, "timeout must be a positive number of seconds, not inf"),
    ("30", "timeout must be a number of seconds or None, not str"),
    (True, "timeout must be a number of seconds or None, not bool"),
]:
    case(f"Client(timeout={value!r})", lambda c, v=value: _client(timeout=v), P, pattern)
for value, pattern in [
    ("api.example/v1", "base_url must be an absolute http:// or https:// URL with a host"),
    ("ftp://api.example", "base_url must be an absolute http:// or https:// URL with a host"),
    ("http://", "base_url must be an absolute http:// or https:// URL with a host"),
    ("", "base_url must be an absolute"),
    ("http://api.example:port/v1", "base_url is not a URL"),
    ("http://api.example:99999/v1", "base_url is not a URL"),
    ("http://api example/v1", "base_url contains whitespace"),
    ("http://api.example/v1\n", "base_url contains whitespace"),
    (123, "base_url must be a string, not int"),
    (b"http://api.example", "base_url must be a string, not bytes"),
]:
    case(f"Client(base_url={value!r})", lambda c, v=value: _client(base_url=v), P, pattern)
for value in ("xml", "Pandas", None):
    case(
        f"Client(return_type={value!r})",
        lambda c, v=value: _client(return_type=v),
        P,
        "return_type must be one of",
    )
case("Client(servers=list)", lambda c: _client(servers=["http://a"]), P, "servers= must map")
case("Client(servers=non-str)", lambda c: _client(servers={"http://a": 1}), P, "servers= must map")
for value in (0, -5, True, 2.5, "1MB"):
    case(
        f"Sender(max_response_bytes={value!r})",
        lambda c, v=value: Sender(max_response_bytes=v),
        P,
        "max_response_bytes must be",
    )
case("Sender(http=object)", lambda c: Sender(http=object()), P, "http= must be an httpx.Client")
case("Sender(auth=str)", lambda c: Sender(auth="token"), P, "auth= must be an httpx.Auth")
case(
    "RetryPolicy(-1)", lambda c: RetryPolicy(max_retries=-1), ValueError, "max_retries must be >= 0"
)

# -- the escape hatch ----------------------------------------------------------------------------
for value, pattern in [
    ({"w": INF}, "json= cannot be encoded: infinity is not valid JSON"),
    ({"w": D_NAN}, "json= cannot be encoded: Decimal\\('NaN'\\)"),
    (_circular(), "json= cannot be encoded: the value contains itself"),
    ({"w": object()}, "json= cannot be encoded: object is not JSON serialisable"),
]:
    case(
        f"request(json={value!r:.30})",
        lambda c, v=value: c._request("POST", "/pets", json=v),
        P,
        pattern,
    )
case("request(verb=None)", lambda c: c._request(None, "/pets"), P, "verb and url must be strings")
case("request(url=bytes)", lambda c: c._request("GET", b"/pets"), P, "verb and url must be strings")

# -- credentials: refused by type, never quoted ---------------------------------------------------
SECRET = "catalogue-secret-77"
CREDENTIALS: list[tuple[str, Call, type[Exception], str]] = [
    (
        "APIKey(bytes)",
        lambda c: APIKey(SECRET.encode(), header="X-Key"),
        P,
        "must be a string, not bytes",
    ),
    ("APIKey(int)", lambda c: APIKey(12345678, header="X-Key"), P, "must be a string, not int"),
    ("APIKey(None)", lambda c: APIKey(None, header="X-Key"), P, "must be a string, not NoneType"),
    ("APIKey('')", lambda c: APIKey("", header="X-Key"), errors.AuthError, "is empty"),
    ("APIKey(whitespace)", lambda c: APIKey(" \n\t", header="X-Key"), errors.AuthError, "is empty"),
    ("APIKey(no place)", lambda c: APIKey(SECRET), P, "exactly one of header= or query="),
    ("APIKey(two places)", lambda c: APIKey(SECRET, header="X", query="k"), P, "exactly one of"),
    ("Bearer(bytes)", lambda c: Bearer(SECRET.encode()), P, "must be a string, not bytes"),
    ("Bearer('')", lambda c: Bearer(""), errors.AuthError, "is empty"),
    ("Bearer(newline)", lambda c: Bearer("\n"), errors.AuthError, "is empty"),
    ("Basic(user int)", lambda c: Basic(1, SECRET), P, "must be a string, not int"),
    (
        "Basic(password bytes)",
        lambda c: Basic("u", SECRET.encode()),
        P,
        "password must be a string, not bytes",
    ),
    ("Basic(user '')", lambda c: Basic("", SECRET), errors.AuthError, "username is empty"),
    (
        "OAuth(secret bytes)",
        lambda c: OAuth2ClientCredentials("id", SECRET.encode(), "https://a/t"),
        P,
        "client_secret must be a string, not bytes",
    ),
    (
        "OAuth(secret '')",
        lambda c: OAuth2ClientCredentials("id", "", "https://a/t"),
        errors.AuthError,
        "client_secret is empty",
    ),
    (
        "OAuth(id '')",
        lambda c: OAuth2ClientCredentials("", SECRET, "https://a/t"),
        errors.AuthError,
        "client_id is empty",
    ),
    (
        "OAuth(url '')",
        lambda c: OAuth2ClientCredentials("id", SECRET, ""),
        errors.AuthError,
        "token_url is empty",
    ),
    (
        "OAuth(client_auth)",
        lambda c: OAuth2ClientCredentials("id", SECRET, "https://a/t", client_auth="header"),
        P,
        "client_auth must be 'basic' or 'form'",
    ),  # type: ignore[arg-type]
]
CASES.extend(CREDENTIALS)


# -- platforms' connect options (Civis is left out: its connect() fetches the spec first) -------
def _connect(platform: str, **options: Any) -> Any:
    import specclient
    from specclient.emulators import clicdata, habu, usmart

    demo = {"habu": habu, "usmart": usmart, "clicdata": clicdata}[platform].CREDENTIALS
    return specclient.connect(platform, http=httpx.MockTransport(_never), **demo, **options)


for platform in ("habu", "usmart", "clicdata"):
    for option, value, pattern in [
        ("timeout", -1, "timeout must be a positive number of seconds, not -1"),
        ("timeout", "5", "timeout must be a number of seconds or None, not str"),
        ("max_retries", True, "max_retries must be a whole number >= 0, not True"),
        ("base_url", "not a url", "base_url must be an absolute http:// or https:// URL"),
        ("headers", {"X": "a\nb"}, "headers: the value of 'X' cannot hold a line break"),
        ("max_response_bytes", 0, "max_response_bytes must be a positive whole number or None"),
    ]:
        case(
            f"connect({platform!r}, {option}={value!r})",
            lambda c, p=platform, o=option, v=value: _connect(p, **{o: v}),
            P,
            pattern,
        )


# -- Civis's connect options: checked before /endpoints is fetched (the transport fails the
# test if the spec fetch, or anything else, is sent) -------------------------------------------
def _connect_civis(**options: Any) -> Any:
    import specclient
    from specclient.emulators.civis import CREDENTIALS

    options = {"api_key": CREDENTIALS["api_key"], **options}
    return specclient.connect(
        "civis",
        http=httpx.MockTransport(_never),
        spec_cache_dir="/nonexistent/specclient-civis",  # no cached spec: connect would fetch
        **options,
    )


for option, value, pattern in [
    ("base_url", "not a url", "base_url must be an absolute http:// or https:// URL"),
    ("base_url", "ftp://civis.example", "base_url must be an absolute http:// or https:// URL"),
    ("api_key", 12345, "api_key must be a str, not int"),
    ("api_key", b"bytes-key-0000000000", "api_key must be a str, not bytes"),
    ("bogus", 1, "unknown option 'bogus'"),
    ("api_kye", "k", "unknown option 'api_kye' \\(did you mean 'api_key'\\?\\)"),
    ("timeout", -1, "timeout must be a positive number of seconds, not -1"),
    ("headers", {"X": "a\nb"}, "headers: the value of 'X' cannot hold a line break"),
    ("max_response_bytes", 0, "max_response_bytes must be a positive whole number or None"),
    ("max_retries", -1, "retry_total must be a whole number >= 0, not -1"),
    ("return_type", "bogus", "return_type must be 'snake', 'raw', 'pandas' or 'arrow'"),
    ("spec_ttl", -5, "spec_ttl must be a number of seconds >= 0, not -5"),
    ("user_agent", 5, "user_agent must be a str, not int"),
    ("user_agent", "a\nb", "user_agent: the value of 'User-Agent' cannot hold a line break"),
    ("resources", "every", "resources must be 'base' or 'all', not 'every'"),
    ("local_api_spec", "/no/such/spec.json", "spec file '/no/such/spec.json' does not exist"),
]:
    case(
        f"connect('civis', {option}={value!r})",
        lambda c, o=option, v=value: _connect_civis(**{o: v}),
        P,
        pattern,
    )


@pytest.mark.parametrize(
    ("name", "call", "error", "pattern"), CASES, ids=[stable_id(c[0]) for c in CASES]
)
def test_bad_input_is_refused_with_a_clear_error_before_anything_is_sent(
    name: str, call: Call, error: type[Exception], pattern: str
) -> None:
    client = _client()
    with pytest.raises(error, match=pattern) as caught:
        call(client)
    assert isinstance(caught.value, errors.SpecClientError) or error is ValueError, name
    text = str(caught.value)
    assert SECRET not in text and "query-secret" not in text


def test_the_catalogue_is_as_large_as_promised() -> None:
    assert len(CASES) >= 150


async def test_async_clients_refuse_the_same_way_before_sending() -> None:
    client = AsyncClient(SPEC, http=httpx.MockTransport(_never))
    for call in (
        lambda: client.pets.delete(""),
        lambda: client.pets.post(name="rex", weight=INF),
        lambda: client.pets.post(_body="{}"),
        lambda: client.pets.get("1", _timeout=-1),
    ):
        with pytest.raises(errors.ParameterError):
            await call()


def test_an_integral_float_for_an_integer_is_sent_as_the_integer() -> None:
    """JSON Schema 2020-12 calls 3.0 an integer; the wire gets 3, which every server reads."""
    seen: list[httpx.Request] = []

    def wire(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    client = _client(http=httpx.MockTransport(wire))
    client.pets.list(limit=3.0)
    client.owners.get(7.0)
    client.pets.post(name="rex", age=4.0, weight=2.0)
    assert seen[0].url.query == b"limit=3"
    assert seen[1].url.path == "/v1/owners/7"
    assert seen[2].content == b'{"name":"rex","age":4,"weight":2.0}'


def test_a_float_nan_in_a_body_is_still_sent_as_null() -> None:
    """pandas' missing value: kept as null (docs/DECISIONS.md), unlike the infinities."""
    seen: list[httpx.Request] = []

    def wire(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={})

    _client(http=httpx.MockTransport(wire)).pets.post(name="rex", owner={"w": NAN})
    assert seen[0].content == b'{"name":"rex","owner":{"w":null}}'


# -- replies that are not what the spec promised (issue 12 item 21) -----------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body", "error", "pattern"),
    [
        (
            200,
            {"Content-Type": "text/html"},
            b"<html>login</html>",
            errors.ResponseDecodeError,
            "pets.get: the spec promises JSON but the server answered text/html \\(status 200\\)",
        ),
        (
            200,
            {"Content-Type": "text/plain"},
            b"ok",
            errors.ResponseDecodeError,
            "the spec promises JSON but the server answered text/plain",
        ),
        (
            200,
            {"Content-Type": "application/json"},
            b"{not json",
            errors.ResponseDecodeError,
            "is not valid JSON: '\\{not json'",
        ),
        (
            200,
            {"Content-Type": "application/json"},
            b"[" * 100_000,
            errors.ResponseDecodeError,
            "is not valid JSON",
        ),
        (
            302,
            {"Location": "https://login.example/?token=leak-me"},
            b"",
            errors.APIError,
            "302 the server redirected to https://login.example/\\?token=\\*\\*\\*; API calls do not follow redirects",
        ),
        (304, {}, b"", errors.APIError, "304 Not Modified"),
    ],
)
def test_a_reply_that_is_not_the_promised_json_is_an_error(
    status: int, headers: dict[str, str], body: bytes, error: type[Exception], pattern: str
) -> None:
    client = _client(
        http=httpx.MockTransport(lambda r: httpx.Response(status, headers=headers, content=body))
    )
    with pytest.raises(error, match=pattern) as caught:
        client.pets.get("1")
    assert "leak-me" not in str(caught.value)


def test_a_decode_error_shows_a_redacted_excerpt_not_the_raw_reply() -> None:
    body = b'{"password": "decode-secret-1", "broken": '
    client = _client(
        http=httpx.MockTransport(
            lambda r: httpx.Response(
                200, headers={"Content-Type": "application/json"}, content=body
            )
        )
    )
    Bearer("decode-secret-1")  # the credential the process knows
    with pytest.raises(errors.ResponseDecodeError) as caught:
        client.pets.get("1")
    assert "decode-secret-1" not in str(caught.value)


# -- Habu page sizes and worker counts (issue 12 item 20): refused naming the argument ----------

# (their own list and test: CASES is parametrized above, before these lines run)
_RUN = "00000000-0000-4000-8000-000000000001"
HABU_CASES: list[tuple[str, Call, type[Exception], str]] = []


def _async_habu(call: Callable[[Any], Any]) -> Any:
    """Run ``call`` on an async Habu client whose transport fails the test if it is called."""
    import asyncio

    import specclient
    from specclient.emulators import habu

    async def main() -> Any:
        transport = httpx.MockTransport(_never)
        async with specclient.connect_async("habu", http=transport, **habu.CREDENTIALS) as client:
            result = await call(client)
            if hasattr(result, "__anext__"):  # batches: taking the first would send
                await result.__anext__()
            return result

    return asyncio.run(main())


_HABU_COUNT_METHODS: list[tuple[str, Callable[[Any, dict[str, Any]], Any]]] = [
    ("question_results", lambda h, kw: h.question_results(_RUN, **kw)),
    ("question_results", lambda h, kw: h.question_results(_RUN, return_type="dask", **kw)),
    ("question_result_batches", lambda h, kw: h.question_result_batches(_RUN, **kw)),
]
for _method, _invoke in _HABU_COUNT_METHODS:
    for _argument in ("page_size", "workers"):
        for _value in (0, -1, True, 2.5, "10"):
            _pattern = re.escape(
                f"{_method}(): {_argument} must be a whole number >= 1, got {_value!r}"
            )
            HABU_CASES.append(
                (
                    f"habu.{_method}({_argument}={_value!r})",
                    lambda c, i=_invoke, a=_argument, v=_value: i(_connect("habu"), {a: v}),
                    P,
                    _pattern,
                )
            )
            HABU_CASES.append(
                (
                    f"async habu.{_method}({_argument}={_value!r})",
                    lambda c, i=_invoke, a=_argument, v=_value: _async_habu(lambda h: i(h, {a: v})),
                    P,
                    _pattern,
                )
            )
for _value in (0, -5, False, "500"):
    HABU_CASES.append(
        (
            f"habu.flow_report(page_size={_value!r})",
            lambda c, v=_value: _connect("habu").flow_report(_RUN, _RUN, "Q-1_1", page_size=v),
            P,
            re.escape(f"flow_report(): page_size must be a whole number >= 1, got {_value!r}"),
        )
    )
for _setting in ("page_size", "result_workers"):
    for _value in (0, -1, True, 1.5, "8"):
        HABU_CASES.append(
            (
                f"connect('habu', {_setting}={_value!r})",
                lambda c, s=_setting, v=_value: _connect("habu", **{s: v}),
                P,
                re.escape(
                    f"connect('habu')(): {_setting} must be a whole number >= 1, got {_value!r}"
                ),
            )
        )


@pytest.mark.parametrize(
    ("name", "call", "error", "pattern"), HABU_CASES, ids=[stable_id(c[0]) for c in HABU_CASES]
)
def test_habu_page_sizes_and_workers_are_refused_before_anything_is_sent(
    name: str, call: Call, error: type[Exception], pattern: str
) -> None:
    test_bad_input_is_refused_with_a_clear_error_before_anything_is_sent(name, call, error, pattern)
