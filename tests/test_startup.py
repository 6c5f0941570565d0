"""Start-up stays light: building credentials and a Civis client imports neither httpx nor
asyncio, and the credentials are still ``httpx.Auth`` objects once httpx is there.

Each check runs in a fresh interpreter: in this test process httpx is long imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(code: str, tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["SPECCLIENT_CACHE_DIR"] = str(tmp_path / "cache")
    env["HOME"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_connect_and_signature_import_neither_httpx_nor_asyncio(tmp_path):
    code = f"""
import inspect, json, sys
import specclient
c = specclient.connect("civis", spec={str(ROOT / "specs" / "civis.yaml")!r}, api_key="k")
params = list(inspect.signature(c.tables.list).parameters)
print(json.dumps({{"loaded": [m for m in ("httpx", "asyncio") if m in sys.modules],
                   "params": params}}))
"""
    for _ in ("cold", "warm"):
        result = _child(code, tmp_path)
        assert result["loaded"] == []
        assert "database_id" in result["params"]


def test_credentials_become_httpx_auth_when_httpx_is_imported(tmp_path):
    code = """
import json, sys
import importlib.util
from specclient.auth import APIKey, Bearer, Basic, OAuth2ClientCredentials
key = APIKey("s3cret", header="X-Key")
before = "httpx" in sys.modules
assert importlib.util.find_spec("httpx") is not None  # a probe, not an import
import httpx
sent = []
def handler(request):
    sent.append(request.headers.get("X-Key"))
    return httpx.Response(200)
with httpx.Client(auth=key, transport=httpx.MockTransport(handler)) as client:
    client.get("http://api.test/")
print(json.dumps({
    "before": before,
    "auth": [isinstance(a, httpx.Auth) for a in (key, Bearer("t"), Basic("u", "p"))],
    "oauth": issubclass(OAuth2ClientCredentials, httpx.Auth),
    "sent": sent,
}))
"""
    result = _child(code, tmp_path)
    assert result == {
        "before": False,
        "auth": [True, True, True],
        "oauth": True,
        "sent": ["s3cret"],
    }
