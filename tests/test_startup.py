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


# What a client that has not started a run, sent a request, logged or failed does not use: the
# run futures with their polling and threads, the workflow steps and drivers, the helpers of
# error messages and lookups, logging (the secret-masking filters go onto the loggers once
# logging is imported), hashlib's OpenSSL (files are keyed with the built-in BLAKE2) and random
# (drawn at the first backoff).
NOT_BEFORE_A_RUN = (
    "concurrent.futures",
    "specclient.futures",
    "specclient.polling",
    "specclient.platforms.civis.futures",
    "specclient.platforms._flows",
    "difflib",
    "csv",
    "logging",
    "hashlib",
    "_hashlib",
    "random",
    "tempfile",
    "shutil",
)
# ... and, once the model is cached, what only a first parse or a first call needs: YAML (with
# datetime), the argument checks' number and date types (and math), JSON (a reply, a parse),
# dataclasses (the model and declarations are written-out records; pprint and copy would
# bring it), and pathlib and urllib.parse with ipaddress (paths are os.path strings, a plain
# base URL is checked without urlsplit).
NOT_ON_A_WARM_START = (
    "yaml",
    "datetime",
    "numbers",
    "math",
    "json",
    "dataclasses",
    "pprint",
    "copy",
    "pathlib",
    "urllib.parse",
    "ipaddress",
    "threading",  # the locks come from _thread
    "typing",  # annotations are postponed; typing's names are imported for the type checker only
    "specclient._grants",  # the OAuth2 grants and token caches: not for an API key
    "weakref",
)


def test_connect_and_signature_import_only_what_they_use(tmp_path):
    code = f"""
import inspect, sys
import specclient
c = specclient.connect("civis", spec={str(ROOT / "specs" / "civis.yaml")!r}, api_key="k")
inspect.signature(c.tables.list)
loaded = sorted(sys.modules)
import json  # only now: json itself is on the list
print(json.dumps({{"loaded": loaded}}))
"""
    cold = set(_child(code, tmp_path)["loaded"])
    warm = set(_child(code, tmp_path)["loaded"])
    assert sorted(cold & set(NOT_BEFORE_A_RUN)) == []
    assert sorted(warm & set(NOT_BEFORE_A_RUN + NOT_ON_A_WARM_START)) == []
    # the names stay where users import them from, loaded on first use
    code = """
import json, sys
from specclient.platforms.civis import CivisFuture, CivisJobFailure
print(json.dumps({"loaded": [CivisFuture.__module__, CivisJobFailure.__module__,
                             "specclient.platforms.civis.futures" in sys.modules]}))
"""
    assert _child(code, tmp_path)["loaded"] == [
        "specclient.platforms.civis",
        "specclient.platforms.civis",
        True,
    ]


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


def test_the_log_filters_arrive_with_logging_after_a_start_without_it(tmp_path):
    """connect() no longer loads logging; whoever imports it later still gets the credential
    masked, because the filters go onto the loggers as logging's module code finishes."""
    code = f"""
import json, sys
import specclient
c = specclient.connect("civis", spec={str(ROOT / "specs" / "civis.yaml")!r}, api_key="k-77")
before = "logging" in sys.modules
import io, logging
stream = io.StringIO()
handler = logging.StreamHandler(stream)
for name in ("specclient.http", "httpx"):
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.debug("sent Basic %s", "ay03Nzo=")  # base64 of 'k-77:', Civis's credential
print(json.dumps({{"before": before, "logged": stream.getvalue().splitlines()}}))
"""
    assert _child(code, tmp_path) == {
        "before": False,
        "logged": ["sent Basic ***", "sent Basic ***"],
    }


def test_pprint_imported_after_a_warm_start_lays_out_civis_responses(tmp_path):
    """pprint is not loaded by connect(); a user who imports it later still gets
    civis-python's layout (registered as pprint's module code finishes)."""
    code = f"""
import json, sys
import specclient
c = specclient.connect("civis", spec={str(ROOT / "specs" / "civis.yaml")!r}, api_key="k")
from specclient.platforms.civis import CivisResponse
before = "pprint" in sys.modules
import pprint
shown = pprint.pformat(CivisResponse({{"id": 1, "name": "x" * 70, "state": "running"}}))
print(json.dumps({{"before": before, "shown": shown.splitlines()}}))
"""
    _child(code, tmp_path)  # cold: fills the cache
    result = _child(code, tmp_path)
    assert result["before"] is False
    assert result["shown"] == [
        "Response({'id': 1,",
        "          'name': '" + "x" * 70 + "',",
        "          'state': 'running'})",
    ]


# Base URLs as people write them, and ones that are not: the check without urlsplit (what a
# start-up uses) must give exactly urlsplit's answer wherever it answers at all.
BASE_URLS = [
    "https://api.civisanalytics.com",
    "https://api.civisanalytics.com/",
    "HTTPS://API.example.COM/v1",
    "http://127.0.0.1:8080/v1",
    "http://localhost:0",
    "http://localhost:65535/x/y",
    "http://localhost:65536",
    "http://localhost:99999/v1",
    "http://h:/v1",
    "http://h:8a/v1",
    "https://h/v1?x=1",
    "https://h/v1#frag",
    "https://user:pw@h/v1",
    "https://[::1]:8080/v1",
    "https://h/a b",
    "https://h/v1\n",
    " https://h/v1",
    "https://",
    "https:///v1",
    "ftp://h/v1",
    "127.0.0.1:8080/v1",
    "h/v1",
    "https://bücher.example/v1",
    "https://h.example/ü",
]


def _outcome(check, url):
    from specclient.errors import ParameterError

    try:
        return ("ok", check(url))
    except ParameterError as exc:
        return ("error", str(exc))


def test_a_plain_base_url_is_taken_as_urlsplit_would_take_it():
    from specclient.options import _check_with_urlsplit, check_base_url, is_plain_base_url

    plain = [url for url in BASE_URLS if is_plain_base_url(url)]
    assert plain == [
        "https://api.civisanalytics.com",
        "https://api.civisanalytics.com/",
        "HTTPS://API.example.COM/v1",
        "http://127.0.0.1:8080/v1",
        "http://localhost:0",
        "http://localhost:65535/x/y",
        "https://h.example/ü",
    ]
    for url in BASE_URLS:
        by_urlsplit = _outcome(lambda u: _check_with_urlsplit(u, "Client"), url)
        assert _outcome(check_base_url, url) == by_urlsplit, url
    assert _outcome(check_base_url, "http://localhost:99999/v1")[0] == "error"
