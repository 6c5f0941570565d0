"""Parameters on the wire, checked against the OpenAPI 3.1.1 specification's own examples.

``STYLE_EXAMPLES`` is the "Style Examples" table of OpenAPI 3.1.1 (section 4.8.12.6), copied
row for row; each cell is what a parameter named ``color`` must look like on the wire for the
value ``"blue"``, ``["blue", "black", "brown"]`` or ``{"R": 100, "G": 200, "B": 150}``. (3.1.1
corrects 3.1.0's ``label``/``explode: false`` row to RFC 6570; 3.0.4 has the same table.)
Every case goes through a real loopback server and asserts the raw request target or header.
"""

from __future__ import annotations

import pytest
from wire_server import client, openapi

from specclient.errors import ParameterError

STYLE_EXAMPLES = """
| matrix | false | ;color | ;color=blue | ;color=blue,black,brown | ;color=R,100,G,200,B,150 |
| matrix | true | ;color | ;color=blue | ;color=blue;color=black;color=brown | ;R=100;G=200;B=150 |
| label | false | . | .blue | .blue,black,brown | .R,100,G,200,B,150 |
| label | true | . | .blue | .blue.black.brown | .R=100.G=200.B=150 |
| simple | false | *empty* | blue | blue,black,brown | R,100,G,200,B,150 |
| simple | true | *empty* | blue | blue,black,brown | R=100,G=200,B=150 |
| form | false | color= | color=blue | color=blue,black,brown | color=R,100,G,200,B,150 |
| form | true | color= | color=blue | color=blue&color=black&color=brown | R=100&G=200&B=150 |
| spaceDelimited | false | *n/a* | *n/a* | color=blue%20black%20brown | color=R%20100%20G%20200%20B%20150 |
| spaceDelimited | true | *n/a* | *n/a* | *n/a* | *n/a* |
| pipeDelimited | false | *n/a* | *n/a* | color=blue%7Cblack%7Cbrown | color=R%7C100%7CG%7C200%7CB%7C150 |
| pipeDelimited | true | *n/a* | *n/a* | *n/a* | *n/a* |
| deepObject | false | *n/a* | *n/a* | *n/a* | *n/a* |
| deepObject | true | *n/a* | *n/a* | *n/a* | color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150 |
"""

VALUES = {
    "string": "blue",
    "array": ["blue", "black", "brown"],
    "object": {"R": 100, "G": 200, "B": 150},
}
SCHEMAS = {
    "string": {"type": "string"},
    "array": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object", "additionalProperties": {"type": "integer"}},
}
# Where each style lives (the "Style Values" table): path styles are also checked in headers
# when the style is ``simple``, the only header style.
LOCATIONS = {
    "matrix": ("path",),
    "label": ("path",),
    "simple": ("path", "header"),
    "form": ("query",),
    "spaceDelimited": ("query",),
    "pipeDelimited": ("query",),
    "deepObject": ("query",),
}


def _cases():
    for row in STYLE_EXAMPLES.strip().splitlines():
        style, explode, _undefined, *cells = [c.strip() for c in row.strip("|").split("|")]
        for kind, expected in zip(("string", "array", "object"), cells, strict=True):
            if expected == "*n/a*":
                continue
            for location in LOCATIONS[style]:
                yield pytest.param(
                    style,
                    explode == "true",
                    location,
                    kind,
                    expected,
                    id=f"{style}-{explode}-{location}-{kind}",
                )


def _call(wire, location, style, explode, kind):
    parameter = {
        "name": "color",
        "in": location,
        "required": True,
        "style": style,
        "explode": explode,
        "schema": SCHEMAS[kind],
    }
    path = "/colors/{color}" if location == "path" else "/colors"
    client(openapi(path, parameters=[parameter]), wire).t.call(color=VALUES[kind])
    return wire.last


@pytest.mark.parametrize(("style", "explode", "location", "kind", "expected"), list(_cases()))
def test_style_examples_table(wire, style, explode, location, kind, expected):
    sent = _call(wire, location, style, explode, kind)
    if location == "path":
        assert sent.target == "/colors/" + expected
    elif location == "query":
        assert sent.target == "/colors?" + expected
    else:
        assert sent.header("color") == expected


def test_every_style_row_with_a_serialisation_is_exercised():
    ids = [c.id for c in _cases()]
    # matrix, label, form: 2 rows x 3 kinds; simple: the same in paths and headers;
    # spaceDelimited and pipeDelimited: 2 cells each; deepObject: 1 cell.
    assert len(ids) == 6 + 6 + 6 + 12 + 2 + 2 + 1


@pytest.mark.parametrize(
    ("explode", "expected"),
    [(False, "color=blue,black,brown"), (True, "color=blue; color=black; color=brown")],
)
def test_cookie_parameters_are_form_style(wire, explode, expected):
    parameter = {
        "name": "color",
        "in": "cookie",
        "explode": explode,
        "schema": SCHEMAS["array"],
    }
    client(openapi("/c", parameters=[parameter]), wire).t.call(color=VALUES["array"])
    assert wire.last.header("cookie") == expected


def test_style_defaults_per_location(wire):
    # 3.1.1 "style ... Default values (based on value of in): for query - form; for path -
    # simple; for header - simple" and "When style is form, the default value [of explode]
    # is true. For all other styles, the default value is false."
    parameters = [
        {"name": "id", "in": "path", "required": True, "schema": SCHEMAS["array"]},
        {"name": "tag", "in": "query", "schema": SCHEMAS["array"]},
        {"name": "X-Ids", "in": "header", "schema": SCHEMAS["array"]},
    ]
    client(openapi("/items/{id}", parameters=parameters), wire).t.call(
        id=["1", "2"], tag=["a", "b"], x_ids=["v1", "v2"]
    )
    assert wire.last.target == "/items/1,2?tag=a&tag=b"
    assert wire.last.header("X-Ids") == "v1,v2"


def test_values_are_percent_encoded_outside_the_unreserved_set(wire):
    parameters = [
        {"name": "q", "in": "query", "schema": {"type": "string"}},
        {"name": "p", "in": "path", "required": True, "schema": {"type": "string"}},
    ]
    client(openapi("/s/{p}", parameters=parameters), wire).t.call(p="a/b c", q="a b&c=d~e")
    assert wire.last.target == "/s/a%2Fb%20c?q=a%20b%26c%3Dd~e"


def test_allow_reserved_lets_reserved_characters_through(wire):
    # 3.1.1: allowReserved "allows RFC3986's reserved character set, as well as percent-encoded
    # triples, to pass through unchanged" -- except [ ] # which a query cannot hold.
    parameters = [
        {"name": "path", "in": "query", "allowReserved": True, "schema": {"type": "string"}},
        {"name": "plain", "in": "query", "schema": {"type": "string"}},
    ]
    client(openapi("/r", parameters=parameters), wire).t.call(
        path="/a/b:c?d,e%20f#[x]", plain="/a/b:c"
    )
    assert wire.last.query == "path=/a/b:c?d,e%20f%23%5Bx%5D&plain=%2Fa%2Fb%3Ac"


def test_empty_value_only_where_allow_empty_value_says_so(wire):
    parameters = [
        {"name": "flag", "in": "query", "allowEmptyValue": True, "schema": {"type": "string"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    ]
    api = client(openapi("/e", parameters=parameters), wire)
    api.t.call(flag="")
    assert wire.last.target == "/e?flag="
    with pytest.raises(ParameterError, match="does not allow an empty value.*pass None"):
        api.t.call(q="")
    assert len(wire.requests) == 1


def test_a_parameter_described_by_content_carries_json(wire):
    # The 3.1.1 example "A complex parameter using content to define serialization".
    parameter = {
        "in": "query",
        "name": "coordinates",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["lat", "long"],
                    "properties": {"lat": {"type": "number"}, "long": {"type": "number"}},
                }
            }
        },
    }
    client(openapi("/map", parameters=[parameter]), wire).t.call(
        coordinates={"lat": 51.5, "long": -0.12}
    )
    assert wire.last.target == "/map?coordinates=%7B%22lat%22%3A51.5%2C%22long%22%3A-0.12%7D"


def test_deep_object_nests_brackets_and_indexes_arrays(wire):
    parameter = {
        "name": "filter",
        "in": "query",
        "style": "deepObject",
        "explode": True,
        "schema": {"type": "object"},
    }
    client(openapi("/d", parameters=[parameter]), wire).t.call(
        filter={"created": {"gte": 1}, "ids": ["a", "b"], "skip": None}
    )
    assert wire.last.query == (
        "filter%5Bcreated%5D%5Bgte%5D=1&filter%5Bids%5D%5B0%5D=a&filter%5Bids%5D%5B1%5D=b"
    )


def test_a_value_that_has_no_text_form_is_refused_before_sending(wire):
    parameters = [{"name": "ids", "in": "query", "schema": {"type": "array"}}]
    api = client(openapi("/n", parameters=parameters), wire)
    with pytest.raises(ParameterError, match="argument 'ids'.*cannot be sent in a query"):
        api.t.call(ids=[{"nested": 1}])
    with pytest.raises(ParameterError, match="line break"):
        header = [{"name": "X-A", "in": "header", "schema": {"type": "string"}}]
        client(openapi("/h", parameters=header), wire).t.call(x_a="a\r\nInjected: 1")
    assert wire.requests == []
