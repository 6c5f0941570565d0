"""Hostile or broken input is refused with a SpecError quickly, never a hang or a crash.

No timed assertions: each input here would hang, exhaust memory or overflow the stack if the
bound it tests were missing, so the suite's own run time is the check.
"""

from __future__ import annotations

import pytest

from specclient.errors import SpecError
from specclient.openapi import _document, load

HEAD = b'openapi: 3.0.0\ninfo: {title: t, version: "1"}\n'

# The classic "billion laughs": 639 bytes that expand to 10**9 strings.
BILLION_LAUGHS = (
    HEAD
    + b"""paths: {}
x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
x-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
x-i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
)


def test_yaml_alias_bomb_is_refused():
    with pytest.raises(SpecError, match="YAML aliases expand the document"):
        load(BILLION_LAUGHS, cache=False)


def test_yaml_alias_that_contains_itself_is_refused():
    doc = HEAD + b"paths: {}\nx-loop: &loop {again: *loop}\n"
    with pytest.raises(SpecError, match="refers to a node that contains it"):
        load(doc, cache=False)


def test_modest_yaml_aliases_still_load():
    doc = HEAD + (
        b"paths:\n  /a: &item\n    get: {responses: {'200': {description: ok}}}\n  /b: *item\n"
    )
    spec = load(doc, cache=False)
    assert {op.path for op in spec.all_operations()} == {"/a", "/b"}


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_nesting_thousands_deep_is_refused(kind):
    depth = 100_000
    if kind == "json":
        doc = b'{"openapi": "3.0.0", "paths": {}, "x-deep": ' + b"[" * depth + b"]" * depth + b"}"
    else:
        doc = HEAD + b"paths: {}\nx-deep: " + b"[" * depth + b"]" * depth + b"\n"
    with pytest.raises(SpecError) as caught:
        load(doc, cache=False)
    assert "nest" in str(caught.value) or "depth" in str(caught.value)


def test_schema_nested_too_deep_for_the_model_is_refused_not_crashed():
    # 600 levels of inline schema as a mapping: no recursive reader of the model (pickle,
    # expansion, codegen) could follow them.
    schema: dict = {"type": "string"}
    for _ in range(600):
        schema = {"type": "object", "properties": {"x": schema}}
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": schema}},
                        }
                    }
                }
            }
        },
    }
    with pytest.raises(SpecError, match="nested too deeply"):
        load(doc, cache=False).operations("a")


def test_a_document_larger_than_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as fh:
        fh.truncate(_document.MAX_DOCUMENT_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(SpecError, match="more than the"):
        load(path, cache=False)
    with pytest.raises(SpecError, match="more than the"):
        load(b" " * (_document.MAX_DOCUMENT_BYTES + 1), cache=False)


def test_a_download_is_cut_off_at_the_limit(monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Endless(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            self.send_response(200)
            self.end_headers()  # no Content-Length: the size is only known by reading
            try:
                for _ in range(10_000):
                    self.wfile.write(b"x" * 4096)
            except OSError:
                pass  # the client hung up, as it should

        def log_message(self, *args):
            pass

    monkeypatch.setattr(_document, "MAX_DOCUMENT_BYTES", 100_000)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(SpecError, match="more than the 100,000"):
            load(f"http://127.0.0.1:{httpd.server_address[1]}/spec.json", cache=False)
    finally:
        httpd.shutdown()
        httpd.server_close()
