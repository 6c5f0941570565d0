"""civis-python 2.10.1's ``Response`` behaviours (its tests/test_response.py), each asserted
on civis-python's class and on ours with the same payload and headers."""

from __future__ import annotations

import pprint

import pytest

from specclient.platforms.civis import CivisImmutableResponseError, CivisResponse
from specclient.platforms.civis.responses import CivisResponseList, JSONValueResponse

civis_response = pytest.importorskip("civis.response")

HEADERS = {"X-RateLimit-Remaining": "997", "X-RateLimit-Limit": "1000"}
SCRIPT = {
    "id": 7,
    "createdAt": "2026-01-01T00:00:00Z",
    "arguments": {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2},
    "params": [{"name": "DB_NAME", "defaultValue": None}],
    "lastRun": {"id": 70, "state": "succeeded", "errorMessage": None},
}


@pytest.fixture(params=["civis-python", "specclient"])
def make(request):
    """A response of each library for a payload (and headers)."""
    if request.param == "civis-python":
        return lambda data, headers=None: civis_response.Response(data, headers=headers)
    return lambda data, headers=None: CivisResponse(data, headers=headers)


def test_json_data_is_the_payload_as_sent(make):
    assert make(SCRIPT, HEADERS).json_data == SCRIPT


def test_rate_limit_headers_read_as_numbers(make):
    response = make(SCRIPT, HEADERS)
    assert (response.calls_remaining, response.rate_limit) == (997, 1000)
    assert make(SCRIPT).calls_remaining is None


def test_snake_and_camel_names_both_read_a_field(make):
    response = make(SCRIPT)
    assert response.created_at == response.createdAt == response["createdAt"]
    assert response.last_run.error_message is None
    assert response.lastRun.state == "succeeded"


def test_user_data_under_arguments_keeps_its_keys(make):
    response = make(SCRIPT)
    assert dict(response.arguments.items()) == {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2}
    assert response.json()["arguments"] == {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2}
    assert response.arguments["MY_VAR"] == "x"


def test_a_json_value_output_keeps_its_value_as_sent(make):
    output = {"objectType": "JSONValue", "objectId": 3, "value": {"someKey": {"A-B": 1}}}
    response = make(output)
    assert response.value == {"someKey": {"A-B": 1}}
    assert response.json()["value"] == {"someKey": {"A-B": 1}}


def test_json_snake_case_at_every_depth(make):
    assert make(SCRIPT).json() == {
        "id": 7,
        "created_at": "2026-01-01T00:00:00Z",
        "arguments": {"MY_VAR": "x", "camelKey": 1, "with-hyphen": 2},
        "params": [{"name": "DB_NAME", "default_value": None}],
        "last_run": {"id": 70, "state": "succeeded", "error_message": None},
    }


def test_json_is_a_copy_the_caller_may_edit(make):
    response = make(SCRIPT)
    mine = response.json(snake_case=False)
    mine["id"] = 8
    assert response.id == 7 and response.json_data["id"] == 7
    response.json()["last_run"]["id"] = 0
    assert response.last_run.id == 70


def test_json_of_no_content_is_an_empty_dict(make):
    assert make(None).json() == {}


def test_responses_are_hashable_and_equal_ones_hash_alike(make):
    assert hash(make(SCRIPT)) == hash(make(dict(SCRIPT)))
    assert len({make(SCRIPT), make(dict(SCRIPT))}) == 1


def test_responses_are_read_only_with_civis_pythons_message(make):
    response = make(SCRIPT)
    message = "Response object is read-only. Did you want to call .json()"
    with pytest.raises(Exception, match=message) as attr:
        response.id = 9
    with pytest.raises(Exception, match=message) as item:
        response["id"] = 9
    assert type(attr.value).__name__ == type(item.value).__name__ == "CivisImmutableResponseError"


def test_our_immutability_error_is_civis_pythons_class_too():
    with pytest.raises(civis_response.CivisImmutableResponseError):
        CivisResponse(SCRIPT).id = 9
    with pytest.raises(CivisImmutableResponseError):
        CivisResponse(SCRIPT)["id"] = 9


def test_get_and_items_as_civis_python(make):
    response = make(SCRIPT)
    assert response.get("created_at") == "2026-01-01T00:00:00Z"
    assert response.get("createdAt") == "2026-01-01T00:00:00Z"
    assert response.get("nope", 5) == 5
    assert [k for k, _ in response.items()] == [
        "id", "created_at", "arguments", "params", "last_run",
    ]  # fmt: skip


def test_long_responses_pretty_print_over_lines_like_civis_python():
    theirs = pprint.pformat(civis_response.Response(SCRIPT))
    ours = pprint.pformat(CivisResponse(SCRIPT))
    assert ours.count("\n") >= 4
    assert ours.startswith("Response({") and ours.endswith("})")
    # same layout; only the nested objects' own reprs may differ
    assert [line.split(":")[0] for line in ours.splitlines()] == [
        line.split(":")[0] for line in theirs.splitlines()
    ]


def test_list_items_carry_the_lists_headers():
    ours = CivisResponseList([CivisResponse({"id": 1})], payload=[{"id": 1}], headers=HEADERS)
    theirs = civis_response.convert_response_data_type([{"id": 1}], headers=HEADERS)
    assert ours[0].headers == theirs[0].headers == HEADERS
    assert ours[0].calls_remaining == theirs[0].calls_remaining == 997
    assert ours.json() == theirs.json() == [{"id": 1}]


def test_json_values_answers_keep_their_value():
    payload = {"id": 1, "name": "cfg", "value": {"camelCase": [{"innerKey": 1}]}}
    theirs = civis_response.Response(payload, from_json_values=True)
    ours = JSONValueResponse(payload)
    assert ours.value == theirs.value == {"camelCase": [{"innerKey": 1}]}
    assert ours.json() == theirs.json()


# -- the rest of civis-python 2.10.1's tests/test_response.py, ported one for one -------------
# (test_* names keep civis-python's, so docs/platforms/civis.md's tally can be checked by name)
import io  # noqa: E402 - the port's own imports, kept beside it
import pickle  # noqa: E402
from string import ascii_lowercase  # noqa: E402

import httpx  # noqa: E402

from specclient.platforms.civis import APIClient, find  # noqa: E402


@pytest.fixture(params=["civis-python", "specclient"])
def find_in(request):
    return civis_response.find if request.param == "civis-python" else find


def _pages_client(pages, seen, headers=None):
    """Our client on an in-process fake answering ``GET /objects`` with ``pages`` in turn."""
    spec = {
        "swagger": "2.0",
        "info": {"title": "Civis", "version": "1"},
        "paths": {
            "/objects/": {
                "get": {
                    "parameters": [
                        {"name": "param", "in": "query", "type": "string"},
                        {"name": "limit", "in": "query", "type": "integer"},
                        {"name": "page_num", "in": "query", "type": "integer"},
                    ],
                    "responses": {"200": {"description": "ok", "schema": {"type": "array"}}},
                }
            }
        },
    }

    def handler(request):
        seen.append(dict(request.url.params))
        return httpx.Response(200, json=pages[len(seen) - 1], headers=headers or {})

    return APIClient("k" * 30, local_api_spec=spec, http=httpx.MockTransport(handler))


PAGES = [
    [{"id": 1, "name": "job_1"}, {"id": 2, "name": "job_2"}, {"id": 3, "name": "job_3"}],
    [{"id": 4, "name": "job_4"}, {"id": 5, "name": "job_5"}],
    [],
]


def test_pagination():
    seen = []
    paginator = _pages_client(PAGES, seen).objects.list(param="value", iterator=True)
    assert seen == []  # no API call made yet
    ids = []
    for obj in paginator:
        ids.append(obj["id"])
        # lazy: the second page is asked for only when its first item is needed
        assert len(seen) == (1 if obj["id"] <= 3 else 2)
    assert ids == [1, 2, 3, 4, 5]
    assert seen[:2] == [{"param": "value", "page_num": "1"}, {"param": "value", "page_num": "2"}]
    # civis-python asks for a third page and stops at the empty answer; so do we when the
    # page sizes say nothing (no limit given, no X-Pagination-Total-Pages header)
    assert seen[2] == {"param": "value", "page_num": "3"} and len(seen) == 3


def test_iterator_interface():
    paginator = _pages_client(PAGES, []).objects.list(param="value", iterator=True)
    assert [next(paginator)["id"] for _ in range(5)] == [1, 2, 3, 4, 5]
    with pytest.raises(StopIteration):
        next(paginator)


def test_paginated_response_json():
    paginator = _pages_client(PAGES, []).objects.list(param="value", iterator=True)
    assert paginator.json() == [item for page in PAGES for item in page]


def test_paginated_items_carry_their_pages_headers():
    seen = []
    client = _pages_client(PAGES, seen, headers={"X-RateLimit-Remaining": "41"})
    items = list(client.objects.list(iterator=True))
    assert [item.headers["x-ratelimit-remaining"] for item in items] == ["41"] * 5
    assert items[0].calls_remaining == 41


def test_response_to_no_content_snake():
    # civis-python: a 202/204/205 without a body is a Response with json_data None
    for code in (202, 204, 205):
        theirs = civis_response.convert_response_data_type(
            _empty_requests_response(code), return_type="snake"
        )
        ours = _fake_reply(httpx.Response(code, headers={"header1": "val1"}))
        assert isinstance(ours, CivisResponse)
        assert ours.json() == theirs.json() == {}
        assert ours.headers["header1"] == theirs.headers["header1"] == "val1"
        assert ours.status_code == code


def _empty_requests_response(code):
    import requests

    response = requests.Response()
    response.status_code, response._content = code, b""
    response.headers.update({"header1": "val1"})
    return response


def _fake_reply(reply):
    spec = {
        "swagger": "2.0",
        "info": {"title": "Civis", "version": "1"},
        "paths": {"/things/{id}": {"delete": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "integer"}],
            "responses": {"204": {"description": "gone"}},
        }}},
    }  # fmt: skip
    client = APIClient("k" * 30, local_api_spec=spec, http=httpx.MockTransport(lambda r: reply))
    return client.things.delete(1)


def test_convert_data_type_civis():
    ours = CivisResponse({"foo": "bar"}, headers={"header": "val"})
    assert ours["foo"] == "bar" and ours.headers == {"header": "val"}


def test_convert_data_type_civis_list():
    data = [{"foo": "bar"}, {"fizz": "buzz"}]
    ours = CivisResponseList(
        [CivisResponse(d) for d in data], payload=data, headers={"header": "val"}
    )
    assert isinstance(ours, list) and len(ours) == 2
    assert isinstance(ours[0], CivisResponse) and ours[0]["foo"] == "bar"
    assert ours[0].headers == {"header": "val"}


def test_parse_column_names(make):
    resp = make(
        {
            "columns": [
                {
                    "valueDistributionPercent": {"update": 50.0, "foo": 50.0},
                    "valueDistribution": {"update": 1, "foo": 1},
                }
            ]
        }
    )
    assert resp.columns[0].value_distribution_percent["update"] == 50.0


@pytest.mark.parametrize(
    ("headers", "remaining", "limit"),
    [
        (None, None, None),
        ({}, None, None),
        ({"X-RateLimit-Remaining": "1", "X-RateLimit-Limit": "100"}, 1, 100),
    ],
)
def test_rate_limit(make, headers, remaining, limit):
    response = make({"foo": "bar"}, headers)
    assert (response.calls_remaining, response.rate_limit) == (remaining, limit)
    # civis-python keeps headers=None as None; ours is always a mapping (a deliberate
    # difference, docs/platforms/civis.md): both are empty then
    assert not response.headers if headers is None else response.headers == headers


def test_response_is_immutable(make):
    response = make({"fooBar": {"barBaz": "whatever"}})
    assert response.json_data == {"fooBar": {"barBaz": "whatever"}}
    errors = (civis_response.CivisImmutableResponseError, CivisImmutableResponseError)
    with pytest.raises(errors):
        response["foo_bar"] = "something else"
    with pytest.raises(errors):
        response.foo_bar = "something else"
    with pytest.raises(errors):
        response["foo_bar"]["bar_baz"] = "something else"
    with pytest.raises(errors):
        response.foo_bar.bar_baz = "something else"


def test_response_cross_compatibility(make):
    msg = "Life is a long journey. Enjoy it!"
    response = make({"fooBar": {"barBaz": msg}})
    got = {
        getattr(outer, inner) if how[1] == "attr" else outer[inner]
        for top in ("foo_bar", "fooBar")
        for inner in ("bar_baz", "barBaz")
        for how in (("attr", "attr"), ("attr", "item"), ("item", "attr"), ("item", "item"))
        for outer in [getattr(response, top) if how[0] == "attr" else response[top]]
    }
    assert got == {msg}


@pytest.mark.parametrize("key", ["arguments", "environmentVariables"])
def test_response_keys_preserve_case(make, key):
    from specclient.openapi.naming import camel_to_snake

    resp = getattr(make({key: {"FOO": 123, "FOO_BAR": 456}}), camel_to_snake(key))
    assert resp.FOO == resp["FOO"] == 123
    assert resp.FOO_BAR == resp["FOO_BAR"] == 456
    with pytest.raises(AttributeError):
        resp.foo  # noqa: B018
    with pytest.raises(KeyError):
        resp["foo"]
    with pytest.raises(AttributeError):
        resp.foo_bar  # noqa: B018
    with pytest.raises(KeyError):
        resp["foo_bar"]


@pytest.mark.parametrize(
    ("source", "as_snake_case"),
    [
        ({"foo": {"barBar": 1}}, {"foo": {"bar_bar": 1}}),
        (
            {"fooBar": 1, "arguments": {"FOO": 2, "FOO_BAR": 3}},
            {"foo_bar": 1, "arguments": {"FOO": 2, "FOO_BAR": 3}},
        ),
        (
            {"fooBar": [{"name": "a", "type": "b"}, {"name": "c", "type": "d"}]},
            {"foo_bar": [{"name": "a", "type": "b"}, {"name": "c", "type": "d"}]},
        ),
        ({"fooBar": ["a", "b", "c"]}, {"foo_bar": ["a", "b", "c"]}),
    ],
)
def test_json(make, source, as_snake_case):
    response = make(source)
    assert response.json() == as_snake_case
    assert response.json(snake_case=False) == source


def test_json_no_data(make):
    response = make(None)
    assert response.json() == {}
    assert response.json(snake_case=False) == {}


@pytest.mark.parametrize("snake_case", [True, False])
def test_json_preserve_original_dict(make, snake_case):
    json_data = {"foo": 123, "bar": 456}
    assert make(json_data).json(snake_case=snake_case) is not json_data


@pytest.mark.parametrize(
    ("json_data", "expected_length"), [({}, 0), ({"foo": 123}, 1), ({"foo": 123, "bar": 456}, 2)]
)
def test_len(make, json_data, expected_length):
    response = make(json_data)
    assert response.json_data == json_data
    assert len(response) == expected_length


@pytest.mark.parametrize(
    ("json_data", "expected_repr"),
    [
        (None, "Response({})"),
        ({}, "Response({})"),
        ({"foo": 123}, "Response({'foo': 123})"),
        ({"foo": {"barBaz": 456}}, "Response({'foo': Response({'bar_baz': 456})})"),
        (
            {
                "foo": {ascii_lowercase[i]: i for i in range(3)},
                "fooBar": {ascii_lowercase[i]: i for i in range(15)},
            },
            "Response({'foo': Response({'a': 0, 'b': 1, 'c': 2}), 'foo_bar': Response({'a': 0, "
            "'b': 1, 'c': 2, 'd': 3, 'e': 4, 'f': 5, 'g': 6, 'h': 7, 'i': 8, 'j': 9, 'k': 10, "
            "'l': 11, 'm': 12, 'n': 13, 'o': 14})})",
        ),
    ],
)
def test_repr(make, json_data, expected_repr):
    assert repr(make(json_data)) == expected_repr


def test_repr_with_empty_string_key(make):
    assert repr(make({"": 123})) == "Response({'': 123})"


_LONG = {ascii_lowercase[i]: i for i in range(15)}


@pytest.mark.parametrize(
    ("json_data", "expected"),
    [
        ({"foo": {"barBaz": 456}}, "Response({'foo': Response({'bar_baz': 456})})"),
        (
            _LONG,
            "Response({" + ",\n          ".join(f"'{k}': {v}" for k, v in _LONG.items()) + "})",
        ),
        (
            {"foo": {ascii_lowercase[i]: i for i in range(3)}, "fooBar": _LONG},
            "Response({'foo': Response({'a': 0, 'b': 1, 'c': 2}),\n"
            "          'foo_bar': Response({"
            + ",\n                               ".join(f"'{k}': {v}" for k, v in _LONG.items())
            + "})})",
        ),
    ],
)
def test_pprint(make, json_data, expected):
    assert pprint.pformat(make(json_data)) == expected


def test_jsonvalue_as_run_output(make):
    value = make({"objectType": "JSONValue", "value": {"foo": 456}}).value
    assert isinstance(value, dict) and value == {"foo": 456}


def test_get(make):
    response = make({"foo": 123, "bar": {"bazQux": 456}})
    assert response.get("foo") == 123
    assert response.bar.get("baz_qux") == response.bar.get("bazQux") == 456
    assert response.get("doesn't exist") is None
    assert response.get("doesn't exist", "fallback value") == "fallback value"
    assert response.bar.get("doesn't exist") is None


def test_items(make):
    response = make({"foo": 123, "bar": {"bazQux": 456}})
    for k, v in response.items():
        assert (k, v) in (("foo", 123), ("bar", make({"bazQux": 456})))


def test_eq(make):
    json_data = {"foo": 123, "bar": {"bazQux": 456}}
    response = make(json_data)
    assert response == make(json_data)
    assert response == {"foo": 123, "bar": {"baz_qux": 456}}
    for not_response_or_dict in (789, "str", ["list"], ("tuple",), {"set"}, None):
        assert response != not_response_or_dict


def test_response_is_pickleable(make):
    response = make({"foo": 123, "bar": 456})
    assert pickle.load(io.BytesIO(pickle.dumps(response))) == response


def test_find_filter_with_kwargs(make, find_in):
    r1 = make({"foo": 0, "bar": "a", "baz": True})
    r2 = make({"foo": 1, "bar": "b", "baz": True})
    r3 = make({"foo": 2, "bar": "b", "baz": False})
    rs = [r1, r2, r3]
    assert find_in(rs, wrong_attr="whatever") == []
    assert find_in(rs, foo=0) == [r1]
    assert find_in(rs, foo=1) == [r2]
    assert find_in(rs, foo=1, bar="b") == [r2]
    assert find_in(rs, bar="b") == [r2, r3]
    assert find_in(rs, bar="b", foo=1) == [r2]
    assert find_in(rs, foo=True) == []
    assert find_in(rs, foo=False) == []
    assert find_in(rs, bar=True) == []
    assert find_in(rs, bar=False) == []
    assert find_in(rs, baz=True) == [r1, r2]
    assert find_in(rs, baz=False) == [r3]
    assert find_in(rs, foo=int) == [r2, r3]


def test_response_to_json_parsing_error():
    # civis-python: CivisClientError("Unable to parse JSON from response"); ours: the engine's
    # ResponseDecodeError naming the call (a deliberate difference, docs/platforms/civis.md)
    from specclient.errors import ResponseDecodeError

    spec = {
        "swagger": "2.0",
        "info": {"title": "Civis", "version": "1"},
        "paths": {"/users/me": {"get": {
            "produces": ["application/json"],
            "responses": {"200": {"description": "ok", "schema": {"type": "object"}}},
        }}},
    }  # fmt: skip
    reply = httpx.Response(200, headers={"Content-Type": "application/json"}, content=b"{oops")
    client = APIClient("k" * 30, local_api_spec=spec, http=httpx.MockTransport(lambda r: reply))
    with pytest.raises(ResponseDecodeError, match="users.get_me: .* is not valid JSON"):
        client.users.get_me()


def test_convert_data_type_raw_unparsed():
    # return_type="raw" answers the HTTP response itself: civis-python's requests.Response,
    # ours httpx.Response (same .status_code, .headers, .json())
    spec = {
        "swagger": "2.0",
        "info": {"title": "Civis", "version": "1"},
        "paths": {"/users/me": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    reply = httpx.Response(200, json={}, headers={"header1": "val1"})
    client = APIClient(
        "k" * 30, "raw", local_api_spec=spec, http=httpx.MockTransport(lambda r: reply)
    )
    raw = client.users.get_me()
    assert isinstance(raw, httpx.Response) and raw.headers["header1"] == "val1"
