"""Request bodies on the wire for every media type, from OpenAPI 3.1.1's own examples.

The form-urlencoded expectations are 3.1.1's "Example: URL Encoded Form with JSON Values"
(4.8.15.2.1); the multipart ones follow 4.8.15.3 ("Encoding multipart Media Types") and the
Encoding Object's default ``contentType`` table (4.8.15.1.1): ``text/plain`` for scalars (RFC
7578's default, left unsaid), ``application/json`` for objects, ``application/octet-stream``
for binary, one part per array item.
"""

from __future__ import annotations

import inspect
import io

import pytest
from wire_server import client, openapi, swagger

from specclient._clock import FakeClock
from specclient.errors import ParameterError, TransportError

ADDRESS = {
    "streetAddress": "123 Example Dr.",
    "city": "Somewhere",
    "state": "CA",
    "zip": "99999+1234",
}
UUID = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"


def _body(content, required=True):
    return {"required": required, "content": content}


def _form_spec(media, properties, encoding=None):
    media_object = {"schema": {"type": "object", "properties": properties}}
    if encoding:
        media_object["encoding"] = encoding
    return openapi("/submit", "post", requestBody=_body({media: media_object}))


def _boundary(raw):
    content_type = raw.header("Content-Type")
    assert content_type.startswith("multipart/form-data; boundary=")
    return content_type.split("boundary=", 1)[1]


def _multipart(boundary, *parts):
    out = b""
    for headers, data in parts:
        out += f"--{boundary}\r\n".encode() + "".join(f"{h}\r\n" for h in headers).encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


# -- JSON --------------------------------------------------------------------------------------


def test_json_body_is_compact_json(wire):
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "tags": {"type": "array"}},
    }
    document = openapi("/pets", "post", requestBody=_body({"application/json": {"schema": schema}}))
    client(document, wire).t.call(name="Rex", tags=["a", "b"])
    assert wire.last.header("Content-Type") == "application/json"
    assert wire.last.body == b'{"name":"Rex","tags":["a","b"]}'


# -- application/x-www-form-urlencoded ---------------------------------------------------------


def test_urlencoded_form_with_json_values_matches_the_spec_example(wire):
    properties = {"id": {"type": "string", "format": "uuid"}, "address": {"type": "object"}}
    document = _form_spec("application/x-www-form-urlencoded", properties)
    client(document, wire).t.call(id=UUID, address=ADDRESS)
    assert wire.last.header("Content-Type") == "application/x-www-form-urlencoded"
    assert wire.last.body == (
        b"id=f81d4fae-7dec-11d0-a765-00a0c91e6bf6&address=%7B%22streetAddress%22%3A%22123+Example"
        b"+Dr.%22%2C%22city%22%3A%22Somewhere%22%2C%22state%22%3A%22CA%22%2C%22zip%22%3A%2299999"
        b"%2B1234%22%7D"
    )


def test_urlencoded_property_with_a_json_content_type_is_quoted(wire):
    # "Here is the id parameter (without address) serialized as application/json instead of
    # text/plain, and then encoded per RFC1866: id=%22f81d4fae-7dec-11d0-a765-00a0c91e6bf6%22"
    properties = {"id": {"type": "string", "format": "uuid"}}
    encoding = {"id": {"contentType": "application/json"}}
    client(_form_spec("application/x-www-form-urlencoded", properties, encoding), wire).t.call(
        id=UUID
    )
    assert wire.last.body == b"id=%22f81d4fae-7dec-11d0-a765-00a0c91e6bf6%22"


def test_urlencoded_deep_object_encoding_gives_brackets(wire):
    properties = {"address": {"type": "object"}, "name": {"type": "string"}}
    encoding = {"address": {"style": "deepObject", "explode": True}}
    client(_form_spec("application/x-www-form-urlencoded", properties, encoding), wire).t.call(
        address={"city": "Somewhere", "zip": "99999+1234"}, name="a b"
    )
    assert wire.last.body == b"address%5Bcity%5D=Somewhere&address%5Bzip%5D=99999%2B1234&name=a+b"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ({"style": "form", "explode": False}, b"tags=a,b+c"),
        ({"style": "form", "explode": True}, b"tags=a&tags=b+c"),
        ({"style": "pipeDelimited", "explode": False}, b"tags=a%7Cb+c"),
        (None, b"tags=a&tags=b+c"),  # no Encoding Object: each item a text/plain value
    ],
)
def test_urlencoded_arrays_per_encoding_object(wire, encoding, expected):
    properties = {"tags": {"type": "array", "items": {"type": "string"}}}
    encodings = {"tags": encoding} if encoding else None
    client(_form_spec("application/x-www-form-urlencoded", properties, encodings), wire).t.call(
        tags=["a", "b c"]
    )
    assert wire.last.body == expected


def test_a_file_is_refused_in_a_urlencoded_body(wire):
    properties = {"icon": {}}
    api = client(_form_spec("application/x-www-form-urlencoded", properties), wire)
    with pytest.raises(ParameterError, match="field 'icon': a file cannot go in a form-urlencoded"):
        api.t.call(icon=io.BytesIO(b"png"))
    assert wire.requests == []


# -- multipart/form-data -----------------------------------------------------------------------


def test_multipart_without_a_file_part_is_still_multipart(wire):
    properties = {"id": {"type": "string"}, "count": {"type": "integer"}}
    client(_form_spec("multipart/form-data", properties), wire).t.call(id=UUID, count=3)
    boundary = _boundary(wire.last)
    assert wire.last.body == _multipart(
        boundary,
        (['Content-Disposition: form-data; name="id"'], UUID.encode()),
        (['Content-Disposition: form-data; name="count"'], b"3"),
    )
    assert wire.last.header("Content-Length") == str(len(wire.last.body))


def test_multipart_parts_follow_the_encoding_object_example(wire):
    # 3.1.1's Encoding Object example: id text/plain by default, address application/json by
    # default, historyMetadata "application/xml; charset=utf-8", profileImage "image/png, image/jpeg".
    properties = {
        "id": {"type": "string", "format": "uuid"},
        "address": {"type": "object", "properties": {}},
        "historyMetadata": {"type": "object", "properties": {}},
        "profileImage": {},
    }
    encoding = {
        "historyMetadata": {"contentType": "application/xml; charset=utf-8"},
        "profileImage": {"contentType": "image/png, image/jpeg"},
    }
    client(_form_spec("multipart/form-data", properties, encoding), wire).t.call(
        id=UUID,
        address={"city": "Somewhere"},
        history_metadata=b"<history/>",
        profile_image=("me.jpg", b"\xff\xd8jpeg"),
    )
    assert wire.last.body == _multipart(
        _boundary(wire.last),
        (['Content-Disposition: form-data; name="id"'], UUID.encode()),
        (
            ['Content-Disposition: form-data; name="address"', "Content-Type: application/json"],
            b'{"city":"Somewhere"}',
        ),
        (
            [
                'Content-Disposition: form-data; name="historyMetadata"; filename="historyMetadata"',
                "Content-Type: application/xml; charset=utf-8",
            ],
            b"<history/>",
        ),
        (
            [
                'Content-Disposition: form-data; name="profileImage"; filename="me.jpg"',
                "Content-Type: image/jpeg",
            ],
            b"\xff\xd8jpeg",
        ),
    )


def test_multipart_array_of_files_is_one_part_per_file(wire, tmp_path):
    # 3.1.1 "To upload multiple files, a multipart media type MUST be used", with
    # "file: {type: array, items: {}}"; each element takes a section with the same name.
    first = tmp_path / "a.csv"
    first.write_bytes(b"x,y\n1,2\n")
    properties = {"file": {"type": "array", "items": {}}}
    client(_form_spec("multipart/form-data", properties), wire).t.call(
        file=[first, io.BytesIO(b"raw bytes")]
    )
    assert wire.last.body == _multipart(
        _boundary(wire.last),
        (
            [
                'Content-Disposition: form-data; name="file"; filename="a.csv"',
                "Content-Type: text/csv",
            ],
            b"x,y\n1,2\n",
        ),
        (
            [
                'Content-Disposition: form-data; name="file"; filename="file"',
                "Content-Type: application/octet-stream",
            ],
            b"raw bytes",
        ),
    )


def test_multipart_binary_field_takes_a_path_string_and_streams_it(wire, tmp_path):
    data = tmp_path / "big.bin"
    data.write_bytes(bytes(range(256)) * 1024)
    properties = {"upload": {"type": "string", "format": "binary"}, "note": {"type": "string"}}
    client(_form_spec("multipart/form-data", properties), wire).t.call(upload=str(data), note="n")
    assert wire.last.body == _multipart(
        _boundary(wire.last),
        (
            [
                'Content-Disposition: form-data; name="upload"; filename="big.bin"',
                "Content-Type: application/octet-stream",
            ],
            data.read_bytes(),
        ),
        (['Content-Disposition: form-data; name="note"'], b"n"),
    )
    assert wire.last.header("Content-Length") == str(len(wire.last.body))


# -- raw bodies: octet-stream, text, XML, */* --------------------------------------------------


def _raw_spec(*media):
    return openapi("/raw", "put", requestBody=_body({m: {} for m in media}))


@pytest.mark.parametrize(
    "make",
    [lambda p: p.read_bytes(), lambda p: p, lambda p: p.open("rb")],
    ids=["bytes", "path", "file"],
)
def test_octet_stream_from_bytes_path_or_file_has_a_length(wire, tmp_path, make):
    data = tmp_path / "blob"
    data.write_bytes(b"\x00\x01binary\xff")
    client(_raw_spec("application/octet-stream"), wire).t.call(_body=make(data))
    assert wire.last.header("Content-Type") == "application/octet-stream"
    assert wire.last.header("Content-Length") == "9"
    assert wire.last.body == b"\x00\x01binary\xff"


def test_octet_stream_from_an_iterator_is_chunked(wire):
    client(_raw_spec("application/octet-stream"), wire).t.call(_body=iter([b"ab", b"", b"cd"]))
    assert wire.last.header("Transfer-Encoding") == "chunked"
    assert wire.last.body == b"abcd"


@pytest.mark.parametrize(
    ("media", "value", "expected"),
    [
        ("text/plain", "héllo", "héllo".encode()),
        ("application/xml", "<a>1</a>", b"<a>1</a>"),
        ("text/csv", b"a,b\n", b"a,b\n"),
    ],
)
def test_text_and_xml_bodies_go_as_given(wire, media, value, expected):
    client(_raw_spec(media), wire).t.call(_body=value)
    assert wire.last.header("Content-Type") == media
    assert wire.last.body == expected


@pytest.mark.parametrize(
    ("value", "content_type", "expected"),
    [
        (b"\x01\x02", "application/octet-stream", b"\x01\x02"),
        ("plain", "text/plain; charset=utf-8", b"plain"),
        ({"kind": "Pod"}, "application/json", b'{"kind":"Pod"}'),
        (io.BytesIO(b"from a file"), "application/octet-stream", b"from a file"),
        (iter([b"from ", "an iterator"]), "application/octet-stream", b"from an iterator"),
    ],
    ids=["bytes", "str", "mapping", "file", "iterator"],
)
def test_wildcard_body(wire, value, content_type, expected):
    client(_raw_spec("*/*"), wire).t.call(_body=value)
    assert wire.last.header("Content-Type") == content_type
    assert wire.last.body == expected


def test_a_mapping_for_xml_is_refused_not_sent_as_a_repr(wire):
    api = client(_raw_spec("application/xml"), wire)
    with pytest.raises(ParameterError, match="application/xml body must be bytes, str"):
        api.t.call(_body={"a": 1})
    assert wire.requests == []


# -- several media types -----------------------------------------------------------------------


def _several():
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    content = {
        "application/xml": {"schema": schema},
        "application/json": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": schema},
    }
    return openapi("/pets", "post", requestBody=_body(content))


def test_json_first_unless_the_caller_chooses(wire):
    api = client(_several(), wire)
    api.t.call(name="Rex")
    assert (wire.last.header("Content-Type"), wire.last.body) == (
        "application/json",
        b'{"name":"Rex"}',
    )
    api.t.call(name="Rex Jr", _content_type="application/x-www-form-urlencoded")
    assert wire.last.body == b"name=Rex+Jr"
    api.t.call(_body="<pet><name>Rex</name></pet>", _content_type="application/xml")
    assert wire.last.header("Content-Type") == "application/xml"
    assert wire.last.body == b"<pet><name>Rex</name></pet>"


def test_a_media_type_the_operation_does_not_take_is_refused(wire):
    with pytest.raises(ParameterError, match="accepts: application/xml, application/json"):
        client(_several(), wire).t.call(name="x", _content_type="text/csv")
    assert wire.requests == []


@pytest.mark.parametrize("how", ["path", "file"])
def test_a_retry_sends_the_whole_file_again(wire, tmp_path, how):
    data = tmp_path / "f"
    data.write_bytes(b"payload")
    api = client(_raw_spec("application/octet-stream"), wire, max_retries=1, clock=FakeClock())
    wire.statuses.append(503)  # PUT is idempotent: retried
    api.t.call(_body=data if how == "path" else data.open("rb"))
    assert [r.body for r in wire.requests] == [b"payload", b"payload"]


def test_a_one_shot_iterator_is_never_resent_empty(wire):
    api = client(_raw_spec("application/octet-stream"), wire, max_retries=1, clock=FakeClock())
    wire.statuses.append(503)
    with pytest.raises(TransportError, match="one-shot"):
        api.t.call(_body=iter([b"once"]))
    assert [r.body for r in wire.requests] == [b"once"]


def test_a_swagger_2_xml_only_body_is_passed_whole(wire):
    body = {"name": "body", "in": "body", "required": True, "schema": {"type": "object"}}
    document = swagger("/orders", "post", parameters=[body], consumes=["application/xml"])
    api = client(document, wire)
    # no keyword fields: they could only be sent as a repr; the XML goes whole
    assert list(inspect.signature(api.t.call).parameters) == [
        "return_type",
        "timeout",
        "headers",
        "body",
    ]
    api.t.call(body="<order/>")
    assert (wire.last.header("Content-Type"), wire.last.body) == ("application/xml", b"<order/>")


def test_a_missing_file_is_a_parameter_error_before_sending(wire, tmp_path):
    properties = {"upload": {"type": "string", "format": "binary"}}
    with pytest.raises(ParameterError, match="field 'upload': no such file"):
        client(_form_spec("multipart/form-data", properties), wire).t.call(upload="nope.bin")
    with pytest.raises(ParameterError, match="the body file does not exist"):
        client(_raw_spec("application/octet-stream"), wire).t.call(_body=tmp_path / "nope")
    assert wire.requests == []


def test_a_text_mode_file_is_sent_as_utf8_without_a_guessed_length(wire, tmp_path):
    data = tmp_path / "notes.txt"
    data.write_text("héllo wörld", encoding="utf-8")
    with data.open(encoding="utf-8") as handle:
        client(_raw_spec("text/plain"), wire).t.call(_body=handle)
    assert wire.last.header("Content-Length") is None
    assert wire.last.body == "héllo wörld".encode()
