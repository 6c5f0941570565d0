"""Real-world input: every operation of LiveRamp's published document is callable.

Each of the 151 operations is called with placeholder values for its required arguments; the
request must leave with the operation's verb and a path matching its template, with every
path value percent-encoded in its own segment.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

import specclient
from specclient.errors import SpecWarning
from specclient.openapi.model import schema_types

UPSTREAM_COLLISION = r"both map to cleanrooms\.delete_invitations"

SPEC = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "upstream-specs"
    / "habu-clean-room-openapi.yml"
)
pytestmark = pytest.mark.skipif(
    not SPEC.exists(), reason=f"LiveRamp's spec not found at {SPEC} (../shared is absent)"
)

PLACEHOLDERS = {"integer": 7, "number": 1.5, "boolean": True, "array": [], "object": {}}


def placeholder(param) -> object:
    enum = param.schema.get("enum")
    if enum:
        return enum[0]
    for kind in schema_types(param.schema):
        if kind in PLACEHOLDERS:
            return PLACEHOLDERS[kind]
    return "v a/l"  # a string that needs encoding


def template_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^{}]+\}", path)
    return re.compile("^/v1" + "[^/]+".join(re.escape(p) for p in parts) + "$")


def test_every_published_operation_sends_its_verb_and_path(tmp_path, monkeypatch):
    monkeypatch.setenv("SPECCLIENT_CACHE_DIR", str(tmp_path))
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    # LiveRamp's published document maps two DELETE routes to one name: both stay reachable,
    # and the loader says so once.
    with pytest.warns(SpecWarning, match=UPSTREAM_COLLISION):
        client = specclient.Client.from_spec(
            SPEC, http=httpx.MockTransport(answer), auth=specclient.auth.Bearer("t")
        )
    operations = list(client.spec.all_operations())
    assert len(operations) == 151
    for operation in operations:
        method = client.resource(operation.resource).method(operation.method)
        kwargs = {p.name: placeholder(p) for p in operation.params if p.required}
        extra = {}
        body = operation.body
        if body is not None and body.required and not any(f.required for f in body.fields):
            # A required body is never sent empty by accident: an empty one is asked for.
            extra["_body"] = {}
        before = len(sent)
        method(**kwargs, **extra)
        assert len(sent) == before + 1, operation.qualname
        request = sent[-1]
        assert request.method == operation.verb.upper(), operation.qualname
        raw_path = request.url.raw_path.decode().split("?")[0]
        assert template_regex(operation.path).match(raw_path), (operation.qualname, raw_path)
        if any(
            p.location == "path" and isinstance(kwargs.get(p.name), str) for p in operation.params
        ):
            assert "v%20a%2Fl" in raw_path, (operation.qualname, raw_path)
