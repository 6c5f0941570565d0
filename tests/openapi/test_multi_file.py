"""$refs to other files beside a file description; remote ones only when asked for."""

from __future__ import annotations

import inspect

import pytest

import specclient
from specclient.errors import SpecError
from specclient.openapi import load

MAIN = """\
openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets/{id}:
    $ref: paths/pet.yaml
"""

PET_PATH = """\
parameters:
  - $ref: '../common.yaml#/parameters/Id'
get:
  responses:
    '200':
      description: one pet
      content:
        application/json:
          schema: {$ref: '../schemas/pet.yaml'}
"""

COMMON = """\
parameters:
  Id: {name: id, in: path, required: true, schema: {$ref: '#/schemas/Id'}}
schemas:
  Id: {type: integer}
"""

PET = """\
type: object
properties:
  name: {type: string}
  owner: {$ref: 'owner.yaml'}
"""

OWNER = """\
type: object
properties:
  pets: {type: array, items: {$ref: 'pet.yaml'}}
"""


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "openapi.yaml"


@pytest.fixture
def pets(tmp_path):
    return _write(
        tmp_path,
        {
            "openapi.yaml": MAIN,
            "paths/pet.yaml": PET_PATH,
            "common.yaml": COMMON,
            "schemas/pet.yaml": PET,
            "schemas/owner.yaml": OWNER,
        },
    )


def test_refs_to_files_load_relative_to_the_file_that_holds_them(pets):
    op = load(pets, cache=False).operation("pets.get")
    (param,) = op.params
    assert (param.wire_name, param.location, dict(param.schema)) == (
        "id",
        "path",
        {"type": "integer"},
    )
    schema = op.success.schema
    assert schema["properties"]["name"] == {"type": "string"}
    # pet.yaml and owner.yaml refer to each other: the cycle is cut, nothing loops.
    assert schema["properties"]["owner"] == {"$recursive": "owner"}


def test_a_changed_referenced_file_is_not_served_from_the_cache(pets):
    first = load(pets).operation("pets.get")
    assert first.success.schema["properties"]["name"] == {"type": "string"}
    (pets.parent / "schemas" / "pet.yaml").write_text(PET.replace("type: string", "type: integer"))
    again = load(pets).operation("pets.get")
    assert again.success.schema["properties"]["name"] == {"type": "integer"}


def test_a_missing_referenced_file_names_the_ref_and_where_it_sits(pets):
    (pets.parent / "common.yaml").unlink()
    with pytest.raises(SpecError) as caught:
        load(pets, cache=False)
    assert "../common.yaml#/parameters/Id" in str(caught.value)
    assert caught.value.pointer == "#/parameters/0"
    assert str(caught.value).endswith("paths/pet.yaml")


def test_a_remote_ref_is_not_fetched_unless_asked(tmp_path):
    main = tmp_path / "openapi.yaml"
    main.write_text(
        MAIN.replace("$ref: paths/pet.yaml", "$ref: 'https://example.invalid/pet.yaml'")
    )
    with pytest.raises(SpecError) as caught:
        load(main, cache=False)
    assert "remote_refs=True" in str(caught.value)
    assert caught.value.pointer == "#/paths/~1pets~1{id}"


def test_a_remote_ref_is_fetched_when_asked(tmp_path, monkeypatch):
    from specclient.openapi import _document

    fetched = []

    def fake_fetch(url):
        fetched.append(url)
        return (
            PET_PATH.replace(
                "$ref: '../common.yaml#/parameters/Id'",
                "{name: id, in: path, required: true, schema: {type: string}}",
            )
            .replace("{$ref: '../schemas/pet.yaml'}", "{type: object}")
            .encode()
        )

    monkeypatch.setattr(_document, "fetch", fake_fetch)
    main = tmp_path / "openapi.yaml"
    main.write_text(
        MAIN.replace("$ref: paths/pet.yaml", "$ref: 'https://example.invalid/pet.yaml'")
    )
    op = load(main, cache=False, remote_refs=True).operation("pets.get")
    assert fetched == ["https://example.invalid/pet.yaml"]
    assert [p.wire_name for p in op.params] == ["id"]


def test_a_relative_ref_in_a_document_without_a_location_says_so():
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "other.yaml#/R"}}}}},
    }
    with pytest.raises(SpecError) as caught:
        load(doc, cache=False)
    assert caught.value.pointer == "#/paths/~1a/get/responses/200"
    assert "load the description from its file" in str(caught.value)


def test_a_yaml_alias_holding_an_external_ref_is_rewritten_once(tmp_path):
    main = _write(
        tmp_path,
        {
            "openapi.yaml": (
                "openapi: 3.0.3\n"
                "info: {title: t, version: '1'}\n"
                "paths:\n"
                "  /a:\n"
                "    get:\n"
                "      responses:\n"
                "        '200': &ok\n"
                "          description: ok\n"
                "          content: {application/json: {schema: {$ref: 'thing.yaml'}}}\n"
                "  /b:\n"
                "    get:\n"
                "      responses: {'200': *ok}\n"
            ),
            "thing.yaml": (
                "type: object\n"
                "properties:\n"
                "  n: &leaf {$ref: '#/definitions/Leaf'}\n"
                "  m: *leaf\n"
                "definitions:\n"
                "  Leaf: {type: integer}\n"
            ),
        },
    )
    spec = load(main, cache=False)
    for name in ("a.list", "b.list"):
        properties = spec.operation(name).success.schema["properties"]
        assert properties == {"n": {"type": "integer"}, "m": {"type": "integer"}}


@pytest.fixture
def served(tmp_path):
    """A loopback server for a directory of description files."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            requested.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    _write(
        tmp_path,
        {
            "openapi.yaml": MAIN,
            "paths/pet.yaml": PET_PATH,
            "common.yaml": COMMON,
            "schemas/pet.yaml": PET,
            "schemas/owner.yaml": OWNER,
        },
    )
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requested
    httpd.shutdown()
    httpd.server_close()


def test_a_fetched_description_fetches_the_files_beside_it_only_when_asked(served):
    base, requested = served
    with pytest.raises(SpecError, match="remote_refs=True"):
        load(f"{base}/openapi.yaml", cache=False)
    assert requested == ["/openapi.yaml"]  # nothing else was fetched
    op = load(f"{base}/openapi.yaml", cache=False, remote_refs=True).operation("pets.get")
    assert [p.wire_name for p in op.params] == ["id"]
    assert op.success.schema["properties"]["name"] == {"type": "string"}
    assert sorted(requested[2:]) == [
        "/common.yaml",
        "/paths/pet.yaml",
        "/schemas/owner.yaml",
        "/schemas/pet.yaml",
    ]
    # The same choice as a client option.
    client = specclient.Client.from_spec(f"{base}/openapi.yaml", remote_refs=True, cache=False)
    assert "id" in inspect.signature(client.pets.get).parameters
