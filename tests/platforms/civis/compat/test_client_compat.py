"""civis-python 2.10.1's tests/test_base.py, test_client.py, test_resources.py,
test_retries.py and test_camel_to_snake.py, ported one for one against specclient's Civis
client on an in-process fake (``httpx.MockTransport``). Test names keep civis-python's.

Tests of civis-python's private helpers with no user-visible counterpart (docstring
rendering, ``parse_param``...) are not ported; docs/platforms/civis.md keeps the tally, and
test_port_tally.py checks that every name it lists as ported exists here.
"""

from __future__ import annotations

import contextlib
import warnings

import httpx
import pytest

from specclient._clock import FakeClock
from specclient.errors import APIError, AuthError, ConnectionError
from specclient.platforms.civis import APIClient, CivisAPIError

civis = pytest.importorskip("civis")
KEY = "k" * 30
FULL_SPEC = civis.resources.API_SPEC_PATH  # civis-python's bundled copy of the published spec


def _spec(paths):
    return {"swagger": "2.0", "info": {"title": "Civis", "version": "1"}, "paths": paths}


def _client(handler, spec=None, **options):
    return APIClient(
        KEY,
        local_api_spec=FULL_SPEC if spec is None else spec,
        http=httpx.MockTransport(handler),
        **options,
    )


_THINGS = _spec({"/things": {"get": {"responses": {"200": {"schema": {"type": "array"}}}}}})


# -- tests/test_base.py --------------------------------------------------------------------------
def test_base_url_default():
    import specclient

    client = specclient.connect("civis", api_key=KEY, spec=_spec({}))
    assert str(client.base_url) == "https://api.civisanalytics.com"


def test_base_url_from_env(monkeypatch):
    import specclient

    monkeypatch.setenv("CIVIS_API_ENDPOINT", "https://api1.civisanalytics.com")
    client = specclient.connect("civis", api_key=KEY, spec=_spec({}))
    assert str(client.base_url) == "https://api1.civisanalytics.com"


def test_store_last_response():
    reply = httpx.Response(200, json={"value": "response"})
    client = _client(lambda r: reply, _THINGS, return_type="raw")
    resp = client.things.list()
    assert client.last_response is resp and resp.json() == {"value": "response"}


def test_civis_api_error_empty_response():
    # civis-python: error_message "No Response Content from Civis API" for any reply that is
    # not JSON; ours quotes the reply (a deliberate difference, docs/platforms/civis.md)
    reply = httpx.Response(500, content=b"foobar")
    client = _client(lambda r: reply, _THINGS, retry_total=0)
    with pytest.raises(CivisAPIError) as caught:
        client.things.list()
    assert caught.value.error_message == "Response Content: foobar"
    assert caught.value.status_code == 500
    empty = _client(
        lambda r: httpx.Response(502),
        _THINGS,
        retry_total=0,
    )
    with pytest.raises(CivisAPIError) as caught:
        empty.things.list()
    assert caught.value.error_message == "Bad Gateway"  # as civis-python: the reason


@pytest.mark.parametrize(
    ("source_params", "expected_query"),
    [
        ({}, ""),
        ({"database_id": 123, "name": "hello"}, "database_id=123&name=hello"),
        (
            {"table_tag_ids": [1, 2, 3]},
            "table_tag_ids%5B%5D=1&table_tag_ids%5B%5D=2&table_tag_ids%5B%5D=3",
        ),
        (
            {"table_tag_ids": (1, 2, 3)},
            "table_tag_ids%5B%5D=1&table_tag_ids%5B%5D=2&table_tag_ids%5B%5D=3",
        ),
        (
            {"table_tag_ids": {1, 2, 3}},
            "table_tag_ids%5B%5D=1&table_tag_ids%5B%5D=2&table_tag_ids%5B%5D=3",
        ),
    ],
)
def test_array_params(source_params, expected_query):
    sent = []

    def handler(request):
        sent.append(request.url.query.decode())
        return httpx.Response(200, json=[])

    _client(handler).tables.list(**source_params)
    assert sent == [expected_query]


# -- tests/test_client.py ------------------------------------------------------------------------
def _me_and_hosts(calls):
    def handler(request):
        calls.append(request.url.path)
        if request.url.path == "/users/me":
            return httpx.Response(
                200, json={"id": 1, "featureFlags": {"foo": True, "bar": True, "baz": False}}
            )
        if request.url.path.startswith("/storage_hosts"):
            return httpx.Response(
                200, json=[{"id": 1234, "name": "test"}, {"id": 5678, "name": "othertest"}]
            )
        if request.url.path.startswith("/tables"):
            return httpx.Response(200, json=[{"id": 7, "name": "bar"}])
        return httpx.Response(404, json={"errorDescription": "nope"})

    return handler


def test_feature_flags():
    client = _client(_me_and_hosts([]))
    with pytest.warns(FutureWarning):
        assert client.feature_flags == ("foo", "bar")


def test_feature_flags_memoized():
    calls = []
    client = _client(_me_and_hosts(calls))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.feature_flags  # noqa: B018
        client.feature_flags  # noqa: B018
    assert calls.count("/users/me") == 1


def test_get_table_id():
    sent = []

    def handler(request):
        sent.append((request.url.path, dict(request.url.params)))
        return httpx.Response(200, json=[{"id": 7, "name": "bar"}])

    assert _client(handler).get_table_id(table="foo.bar", database=123) == 7
    assert sent == [("/tables/", {"database_id": "123", "schema": "foo", "name": "bar"})]


def test_get_storage_host_id():
    calls = []
    client = _client(_me_and_hosts(calls))
    assert client.get_storage_host_id("test") == 1234
    assert calls == ["/storage_hosts/"]
    assert client.get_storage_host_id(4732) == 4732
    with pytest.raises(ValueError, match="Storage Host invalidname not found"):
        client.get_storage_host_id("invalidname")


# -- tests/test_resources.py ---------------------------------------------------------------------
_OBJECTS = _spec({
    "/objects": {"get": {
        "parameters": [
            {"name": "foo", "in": "query", "required": True, "type": "integer"},
            {"name": "bar", "in": "query", "required": False, "type": "integer"},
        ],
        "responses": {"200": {"description": "ok", "schema": {"type": "array"}}},
    }},
    "/pages": {"get": {
        "parameters": [
            {"name": name, "in": "query", "required": False, "type": kind}
            for name, kind in [("limit", "integer"), ("page_num", "integer"), ("order", "string"), ("order_by", "string")]
        ],
        "responses": {"200": {"description": "ok", "schema": {"type": "array"}}},
    }},
    "/old": {"get": {
        "parameters": [{"name": "foo", "in": "query", "required": True, "type": "integer"}],
        "x-deprecation-warning": "custom deprecation warning",
        "deprecated": True,
        "responses": {"200": {"description": "ok", "schema": {"type": "array"}}},
    }},
})  # fmt: skip


def _objects(sent=None):
    def handler(request):
        if sent is not None:
            sent.append((request.url.path, dict(request.url.params)))
        return httpx.Response(200, json=[])

    return _client(handler, _OBJECTS)


def test_create_method_iterator_kwarg():
    sent = []
    assert list(_objects(sent).pages.list(iterator=True)) == []
    assert sent == [("/pages", {"page_num": "1"})]


def test_create_method_no_iterator_kwarg():
    with pytest.raises(TypeError, match="keyword argument"):
        _objects().objects.list(foo=202, iterator=True)


def test_create_method_unexpected_kwargs():
    sent = []
    client = _objects(sent)
    client.objects.list(foo=0, bar=0)
    assert sent == [("/objects", {"foo": "0", "bar": "0"})]
    with pytest.raises(TypeError) as excinfo:
        client.objects.list(foo=0, bar=0, baz=0)
    assert str(excinfo.value) == "list() got an unexpected keyword argument(s) {'baz'}"


def test_create_method_too_many_pos_args():
    with pytest.raises(TypeError) as excinfo:
        _objects().objects.list(0, 0, 0)
    assert str(excinfo.value) == "too many positional arguments"


def test_create_method_multiple_values():
    with pytest.raises(TypeError) as excinfo:
        _objects().objects.list(0, foo=0)
    assert str(excinfo.value) == "multiple values for argument 'foo'"


def test_create_method_keyword_only():
    with pytest.raises(TypeError) as excinfo:
        _objects().objects.list(0, 0)
    assert str(excinfo.value) == "too many positional arguments"


def test_create_method_deprecation_warning():
    with pytest.warns(FutureWarning, match="custom deprecation warning"):
        _objects().old.list(foo=0)


def test_expired_api_key(tmp_path):
    # civis-python: requests' HTTPError "401 error downloading API specification. API key may
    # be expired."; ours: specclient's AuthError with the same facts (docs/platforms/civis.md)
    refused = httpx.MockTransport(lambda r: httpx.Response(401, json={"error": "unauthorized"}))
    with pytest.raises(
        AuthError, match="401 error downloading the Civis API spec .* may be expired"
    ):
        APIClient("expired_key_000000000", http=refused, spec_cache_dir=str(tmp_path))


def test_generate_classes_maybe_cached(tmp_path):
    import json
    from collections import OrderedDict

    fetched = []

    def handler(request):
        fetched.append(request.url.path)
        return httpx.Response(200, json=_spec({"/users/me": {"get": {"responses": {"200": {}}}}}))

    # no spec: fetched from /endpoints
    APIClient(KEY, http=httpx.MockTransport(handler), spec_cache_dir=str(tmp_path))
    assert fetched == ["/endpoints"]
    # an OrderedDict, or a path: used, nothing fetched
    spec = OrderedDict(_spec({"/users/me": {"get": {"responses": {"200": {}}}}}))
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    for local in (spec, str(path)):
        assert hasattr(
            APIClient(KEY, local_api_spec=local, http=httpx.MockTransport(handler)), "users"
        )
    assert fetched == ["/endpoints"]
    # civis-python refuses a plain dict (ValueError); ours takes any mapping (a deliberate
    # difference, docs/platforms/civis.md)
    assert hasattr(
        APIClient(KEY, local_api_spec=dict(spec), http=httpx.MockTransport(handler)), "users"
    )


def test_parse_api_spec_names():
    spec = _spec({
        path: {"get": {"responses": {"200": {"description": "ok"}}}}
        for path in ("/two_words/", "/oneword/", "/hyphen-words")
    })  # fmt: skip
    client = _client(lambda r: httpx.Response(200, json={}), spec)
    assert {"two_words", "oneword", "hyphen_words"} <= set(dir(client))
    for name in ("two_words", "oneword", "hyphen_words"):
        assert callable(getattr(client, name).get)


# -- tests/test_retries.py -----------------------------------------------------------------------
_VERBS = ("head", "get", "put", "options", "delete")  # civis-python's _RETRY_VERBS (no TRACE in
_ALL = _spec(
    {
        "/wobble/wubble": {
            verb: {"responses": {"200": {"description": "ok"}}} for verb in (*_VERBS, "post")
        }
    }
)  # noqa: E501 - Swagger 2.0 has no trace)


def _counting(status, headers=None):
    calls = []

    def handler(request):
        calls.append(request.method)
        if isinstance(status, Exception):
            raise status
        return httpx.Response(status, json={"key": "value"}, headers=headers or {})

    return calls, handler


def _call(client, verb):
    """One call; its error (after the retries counted) is not the point here."""
    with contextlib.suppress(APIError, ConnectionError):
        getattr(client.wobble, f"{verb}_wubble")()


def test_no_retry_on_success():
    calls, handler = _counting(200)
    client = _client(handler, _ALL, retry_total=2, clock=FakeClock())
    for verb in _VERBS:
        _call(client, verb)
    assert len(calls) == len(_VERBS)


def test_no_retry_on_get_no_retry_failure():
    calls, handler = _counting(403)
    client = _client(handler, _ALL, retry_total=2, clock=FakeClock())
    for verb in _VERBS:
        _call(client, verb)
    assert len(calls) == len(_VERBS)


@pytest.mark.parametrize("code", [429, 502, 503, 504])
def test_retry_on_retry_eligible_failures(code):
    calls, handler = _counting(code)
    client = _client(handler, _ALL, retry_total=2, clock=FakeClock())
    for verb in _VERBS:
        _call(client, verb)
    assert len(calls) == 3 * len(_VERBS)


def test_no_retry_on_post_success():
    calls, handler = _counting(200)
    _call(_client(handler, _ALL, retry_total=2, clock=FakeClock()), "post")
    assert calls == ["POST"]


@pytest.mark.parametrize(("code", "attempts"), [(429, 3), (503, 3), (502, 1), (504, 1)])
def test_retry_on_retry_eligible_post_failures(code, attempts):
    calls, handler = _counting(code)
    _call(_client(handler, _ALL, retry_total=2, clock=FakeClock()), "post")
    assert calls == ["POST"] * attempts


def test_no_retry_on_connection_error():
    # civis-python sends nothing again after a connection error. Ours sends a request again
    # when that cannot do harm (a deliberate difference, docs/platforms/civis.md): when the
    # connection was never made (nothing reached Civis), or for the verbs RFC 9110 calls
    # idempotent; a POST whose connection dropped after sending is never sent again.
    calls, handler = _counting(httpx.ReadError("connection reset"))
    client = _client(handler, _ALL, retry_total=2, clock=FakeClock())
    _call(client, "post")
    assert calls == ["POST"]
    _call(client, "get")
    assert calls[1:] == ["GET"] * 3
    calls, handler = _counting(httpx.ConnectError("refused"))
    _call(_client(handler, _ALL, retry_total=2, clock=FakeClock()), "post")
    assert calls == ["POST"] * 3


@pytest.mark.parametrize("verb", [*_VERBS, "post"])
def test_retry_respect_retry_after_headers(verb):
    clock = FakeClock()
    calls, handler = _counting(429, {"Retry-After": "1"})
    _call(_client(handler, _ALL, retry_total=1, clock=clock), verb)
    assert len(calls) == 2
    assert clock.sleeps == [1.0]  # civis-python: max(Retry-After, its back-off) = 1 s here


@pytest.mark.parametrize(("retry_total", "attempts"), [(2, 3), (None, 10)])
def test_no_recursion_in_retry_request(retry_total, attempts):
    calls, handler = _counting(429)
    options = {} if retry_total is None else {"retry_total": retry_total}
    client = _client(handler, _ALL, clock=FakeClock(), **options)
    for _ in range(1001 if retry_total else 101):
        with pytest.raises(APIError):
            client.wobble.get_wubble()
    assert len(calls) == attempts * (1001 if retry_total else 101)


# -- tests/test_camel_to_snake.py ----------------------------------------------------------------
def test_camel_to_snake():
    from specclient.openapi.naming import camel_to_snake

    for in_word, out_word in [
        ("CAMELCase", "camel_case"),
        ("camelCase", "camel_case"),
        ("CamelCase", "camel_case"),
        ("c__amel", "c__amel"),
    ]:
        assert camel_to_snake(in_word) == out_word


def test_iterable_method():
    """civis-python's rule (a GET taking ``limit`` and ``page_num``) picks the same methods
    that take ``iterator=`` as ours, over the whole published spec."""
    import inspect

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs_client = civis.APIClient(local_api_spec=FULL_SPEC, api_key="none")
    ours_client = _client(lambda r: httpx.Response(200, json={}))

    def taking_iterator(client, resources):
        found = set()
        for resource in resources:
            for name in dir(getattr(client, resource)):
                method = getattr(getattr(client, resource), name, None)
                if name.startswith("_") or not callable(method):
                    continue
                with contextlib.suppress(TypeError, ValueError):
                    if "iterator" in inspect.signature(method).parameters:
                        found.add(f"{resource}.{name}")
        return found

    # the resources from the instance's own attributes: reading dir()'s properties would call
    # the API (default_credential...)
    resources = [
        name
        for name, value in vars(theirs_client).items()
        if type(value).__module__.startswith("civis.resources")
    ]
    theirs = taking_iterator(theirs_client, resources)
    assert len(theirs) >= 71
    assert taking_iterator(ours_client, resources) == theirs
