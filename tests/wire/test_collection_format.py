"""Swagger 2.0 ``collectionFormat`` on the wire, from the 2.0 specification's own text:

    csv - comma separated values foo,bar.
    ssv - space separated values foo bar.
    tsv - tab separated values foo\\tbar.
    pipes - pipe separated values foo|bar.
    multi - corresponds to multiple parameter instances instead of multiple values for a
            single instance foo=bar&foo=baz. This is valid only for parameters in "query" or
            "formData".
    Default value is csv.

In a query the separators are percent-encoded like any character outside RFC 3986's
unreserved set (space ``%20``, tab ``%09``, pipe ``%7C``); the comma of ``csv`` is a delimiter
and stays as it is.
"""

from __future__ import annotations

import pytest
from wire_server import client, swagger


def _array(name, where, fmt=None, **extra):
    parameter = {"name": name, "in": where, "type": "array", "items": {"type": "string"}, **extra}
    if fmt is not None:
        parameter["collectionFormat"] = fmt
    return parameter


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (None, "p=foo,bar"),  # "Default value is csv."
        ("csv", "p=foo,bar"),
        ("ssv", "p=foo%20bar"),
        ("tsv", "p=foo%09bar"),
        ("pipes", "p=foo%7Cbar"),
    ],
)
def test_query_collection_formats(wire, fmt, expected):
    client(swagger("/q", parameters=[_array("p", "query", fmt)]), wire).t.call(p=["foo", "bar"])
    assert wire.last.target == "/q?" + expected


def test_multi_repeats_the_parameter(wire):
    client(swagger("/q", parameters=[_array("foo", "query", "multi")]), wire).t.call(
        foo=["bar", "baz"]
    )
    assert wire.last.target == "/q?foo=bar&foo=baz"


def test_path_and_header_arrays_default_to_csv(wire):
    parameters = [
        _array("ids", "path", required=True),
        _array("X-Tags", "header"),
        _array("X-Piped", "header", "pipes"),
    ]
    client(swagger("/items/{ids}", parameters=parameters), wire).t.call(
        ids=["foo", "bar"], x_tags=["foo", "bar"], x_piped=["foo", "bar"]
    )
    assert wire.last.target == "/items/foo,bar"
    assert wire.last.header("X-Tags") == "foo,bar"
    assert wire.last.header("X-Piped") == "foo|bar"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (None, b"tags=foo,bar&n=1"),
        ("multi", b"tags=foo&tags=bar&n=1"),
        ("ssv", b"tags=foo+bar&n=1"),
    ],
)
def test_form_data_collection_formats(wire, fmt, expected):
    parameters = [
        _array("tags", "formData", fmt),
        {"name": "n", "in": "formData", "type": "integer"},
    ]
    document = swagger(
        "/f", "post", parameters=parameters, consumes=["application/x-www-form-urlencoded"]
    )
    client(document, wire).t.call(tags=["foo", "bar"], n=1)
    assert wire.last.header("Content-Type") == "application/x-www-form-urlencoded"
    assert wire.last.body == expected
