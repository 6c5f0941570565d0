"""Where a spec can come from: paths, URLs (over loopback), bytes, dicts; YAML or JSON."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from specclient import errors
from specclient.errors import SpecWarning
from specclient.openapi import Spec, load

YAML = b"""\
openapi: 3.0.0
info: {title: Y, version: '1'}
paths:
  /items:
    get:
      responses:
        200:
          description: ok
"""


@pytest.fixture
def server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.startswith("/spec.yaml"):
                self.send_response(200)
                self.send_header("Content-Type", "application/yaml")
                self.end_headers()
                self.wfile.write(YAML)
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_yaml_path_str_and_pathlib(tmp_path):
    path = tmp_path / "api.yaml"
    path.write_bytes(YAML)
    for source in (path, str(path)):
        spec = load(source, cache=False)
        assert spec.source == str(path)
        # YAML reads the unquoted 200 as an integer; the model keeps status codes as text.
        assert spec.operation("items.list").success.status == "200"


def test_json_bytes_and_dict_agree(tmp_path):
    doc = {
        "swagger": "2.0",
        "info": {"title": "J", "version": "1"},
        "paths": {"/x": {"post": {"responses": {"201": {"description": "ok"}}}}},
    }
    from_bytes = load(json.dumps(doc).encode(), cache=False)
    from_dict = load(doc, cache=False)
    assert from_bytes.operation("x.post") == from_dict.operation("x.post")


def test_url_is_fetched(server):
    spec = load(f"{server}/spec.yaml?api_key=s3cret")
    assert spec.title == "Y"
    assert "s3cret" not in (spec.source or "") and "spec.yaml" in spec.source


def test_url_http_error_is_a_spec_error_without_secrets(server):
    with pytest.raises(errors.SpecError) as caught:
        load(f"{server}/missing.yaml?token=s3cret")
    assert "404" in str(caught.value) and "s3cret" not in str(caught.value)


def test_unreachable_url_is_a_connection_error():
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(errors.ConnectionError):
        load(f"http://127.0.0.1:{port}/spec.yaml")


def test_a_loaded_spec_passes_through():
    spec = load(YAML, cache=False)
    assert isinstance(spec, Spec) and load(spec) is spec


def test_upstream_specs_are_readable_as_paths():
    shared = Path(__file__).resolve().parents[2] / ".." / "shared" / "upstream-specs"
    if not shared.exists():
        pytest.skip("../shared is absent")
    with pytest.warns(SpecWarning, match=r"both map to cleanrooms\.delete_invitations"):
        spec = load(shared / "habu-clean-room-openapi.yml", cache=False)
    assert spec.openapi_version == "3.0.0"


def test_yaml_scalars_are_read_as_yaml_12():
    raw = b"""\
openapi: 3.0.0
info: {title: t, version: 2024-01-01}
paths:
  /switch:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                on: {type: string, enum: [yes, no], default: 2020-01-01}
                enabled: {type: boolean, default: true}
      responses:
        200: {description: ok}
"""
    spec = load(raw, cache=False)
    assert spec.version == "2024-01-01"
    on, enabled = spec.operation("switch.post").body.fields
    assert (on.wire_name, on.schema["enum"], on.default) == ("on", ["yes", "no"], "2020-01-01")
    assert enabled.default is True


def test_importing_the_engine_loads_neither_yaml_nor_httpx(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, specclient.openapi; "
        "print(sorted(m for m in ('yaml', 'httpx', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": ":".join(sys.path)},
    )
    assert out.stdout.strip() == "[]"
