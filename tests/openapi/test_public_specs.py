"""Public API descriptions nobody here wrote (tests/fixtures/public-specs/, sources and
licences in its README): every operation loads, is reachable as ``client.<resource>.<method>``,
and a sample of plain-shaped operations leaves with its verb and path on a loopback server.

Parameter and body serialisation in all its styles is tested by the conformance suite; the
sample here sticks to path/query scalars and JSON bodies.
"""

from __future__ import annotations

import gzip
import inspect
import json
import re
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

import specclient
from specclient.openapi import load
from specclient.openapi.model import schema_types

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "public-specs"
VERBS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# (id, file, operations, names a user would look for)
SPECS = [
    (
        "oai-petstore-multi-file",
        "oai-examples/v2.0/yaml/petstore-separate/spec/swagger.yaml",
        4,
        ["pets.list", "pets.post", "pets.get", "pets.delete"],
    ),
    ("oai-uber", "oai-examples/v2.0/json/uber.json", 5, ["products.list", "me.list"]),
    (
        "oai-petstore-expanded",
        "oai-examples/v3.0/petstore-expanded.json",
        4,
        ["pets.list", "pets.get"],
    ),
    ("oai-uspto", "oai-examples/v3.0/uspto.json", 3, ["root.list", "records.post"]),
    ("oai-links", "oai-examples/v3.0/link-example.json", 6, ["users.get"]),
    ("oai-callbacks", "oai-examples/v3.0/callback-example.json", 1, ["streams.post"]),
    ("oai-webhooks-only", "oai-examples/v3.1/webhook-example.json", 0, []),
    (
        "swagger-petstore",
        "swagger-petstore/openapi.yaml",
        19,
        ["pet.post", "pet.get", "pet.update_pet_with_form", "store.list_inventory"],
    ),
    (
        "twilio",
        "twilio/twilio_api_v2010.json.gz",
        197,
        ["account.list_account", "call.create_call", "message.fetch_message"],
    ),
    (
        "slack",
        "slack/slack_web_openapi_v2_without_examples.json.gz",
        174,
        ["chat.post_message", "conversations.list", "users.info"],
    ),
]


def _materialise(relative: str, tmp_path: Path) -> Path:
    """The description as a user has it: a file (gzip fixtures are stored compressed)."""
    path = FIXTURES / relative
    if path.suffix != ".gz":
        return path
    plain = tmp_path / path.stem
    plain.write_bytes(gzip.decompress(path.read_bytes()))
    return plain


def _published(path: Path) -> set[tuple[str, str]]:
    raw = path.read_bytes()
    document = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    return {
        (p, verb)
        for p, item in (document.get("paths") or {}).items()
        for verb in item
        if verb in VERBS
    }


@pytest.fixture(params=SPECS, ids=[s[0] for s in SPECS])
def public(request, tmp_path):
    name, relative, count, names = request.param
    return _materialise(relative, tmp_path), count, names


def test_every_operation_is_in_the_model_once(public):
    path, count, names = public
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # collisions are worked around, and said once
        spec = load(path)
    ours = [(op.path, op.verb) for op in spec.all_operations()]
    assert len(ours) == len(set(ours)) == count
    assert set(ours) == _published(path)
    qualnames = {op.qualname for op in spec.all_operations()}
    assert set(names) <= qualnames


def test_every_operation_is_reachable_from_the_client(public):
    # Twilio has a resource called "call" and Slack one called "auth": a resource named like a
    # client helper is still client.<name>.
    path, count, _ = public
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = specclient.Client.from_spec(path, base_url="http://127.0.0.1:9")
    reached = 0
    for resource in client._spec.resource_names():
        assert resource in dir(client)
        for method in client._spec.method_names(resource):
            assert method in dir(getattr(client, resource))
            bound = getattr(getattr(client, resource), method)
            assert bound.operation.qualname == f"{resource}.{method}"
            inspect.signature(bound)
            reached += 1
    assert reached == count


# -- on the wire -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen.append((self.command, self.path))
            body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


SCALARS = {"string": "abc", "integer": 7, "number": 1.5, "boolean": True}


def _value(param):
    enum = param.schema.get("enum")
    if enum:
        return enum[0]
    for kind in schema_types(param.schema) or ("string",):
        if kind in SCALARS:
            return SCALARS[kind]
        if kind == "array":
            return []
        if kind == "object":
            return {}
    return "abc"


def _plain(op) -> bool:
    """Path/query scalars and, if any, a JSON body, sent to the base URL: shapes every
    client gets right (an operation with its own server could leave loopback)."""
    if op.servers or op.verb not in ("get", "post", "put", "patch", "delete"):
        return False
    if op.body is not None and "json" not in op.body.media_type:
        return False
    return all(
        p.location in ("path", "body")
        or (p.location == "query" and schema_types(p.schema)[:1] in (("string",), ("integer",)))
        for p in op.params
        if p.required
    )


def _expected_path(op, values) -> str:
    by_wire = {p.wire_name: values[p.name] for p in op.params if p.location == "path"}
    return re.sub(r"\{([^{}]+)\}", lambda m: str(by_wire[m.group(1)]), op.path)


def test_a_sample_of_plain_operations_goes_out_with_its_verb_and_path(public, server):
    path, count, _ = public
    base, seen = server
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = specclient.Client.from_spec(path, base_url=base + "/base", max_retries=0)
    plain = [op for op in client._spec.all_operations() if _plain(op)]
    sample = plain if len(plain) <= 20 else plain[:: len(plain) // 20]
    for op in sample:
        values = {p.name: _value(p) for p in op.params if p.required}
        extra = {}
        if op.body is not None and op.body.required and not op.body.fields:
            extra["_body"] = {}
        before = len(seen)
        client._call(op.qualname, **values, **extra)
        assert len(seen) == before + 1, op.qualname
        verb, sent = seen[-1]
        assert verb == op.verb.upper(), op.qualname
        assert sent.split("?")[0] == "/base" + _expected_path(op, values), op.qualname
    client._close()
    # Twilio's operations each name their own server (routing them is item 5's, tested
    # there); every other description here but the webhook-only one has calls to check.
    assert len(sample) >= min(len(plain), 20)
    assert sample or not count or all(op.servers for op in client._spec.all_operations())


STRIPE = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
STRIPE_FILE = STRIPE / "stripe-spec3-2022-04-12.json.gz"


@pytest.mark.skipif(not STRIPE_FILE.exists(), reason=f"{STRIPE_FILE} is absent")
def test_stripe_builds_every_operation_with_schemas_shared_not_copied(tmp_path):
    # 561 schemas, most in one cycle through "expandable" fields: expanded per operation
    # this took minutes and a 316 MiB cache; the suite's run time is the bound here.
    path = tmp_path / "stripe.json"
    path.write_bytes(gzip.decompress(STRIPE_FILE.read_bytes()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = load(path)
    operations = list(spec.all_operations())
    assert len(operations) == len({(op.path, op.verb) for op in operations}) == 417
    created = spec.operation("customers.post").success.schema  # the customer schema
    listed = spec.operation("customers.list").success.schema["properties"]["data"]["items"]
    assert created is listed  # one expansion, shared by every operation that returns it
    # A link back into the cycle is a marker naming the schema, not another copy of it.
    subscriptions = created["properties"]["subscriptions"]["properties"]["data"]
    assert subscriptions["items"] == {"$recursive": "subscription"}


def test_operation_id_naming_gives_petstore_the_names_its_authors_chose():
    path = FIXTURES / "swagger-petstore" / "openapi.yaml"
    spec = load(path, naming="operation_id")
    names = {op.qualname for op in spec.all_operations()}
    assert {
        "pet.add_pet",
        "pet.update_pet",
        "pet.find_pets_by_status",
        "pet.get_pet_by_id",
        "pet.upload_file",
        "store.get_inventory",
        "store.place_order",
        "user.login_user",
    } <= names
    assert len(names) == 19 and not spec.warnings
