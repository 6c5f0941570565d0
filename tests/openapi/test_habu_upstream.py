"""LiveRamp's published Habu spec loads with every one of its operations in the model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from specclient.errors import SpecWarning
from specclient.openapi import load

SPEC = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "upstream-specs"
    / "habu-clean-room-openapi.yml"
)

pytestmark = pytest.mark.skipif(
    not SPEC.exists(), reason=f"Habu upstream spec not found at {SPEC} (../shared is absent)"
)

VERBS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def habu():
    # The published document maps two DELETE routes to one name: both stay reachable, and the
    # loader says so once.
    with pytest.warns(SpecWarning, match=r"both map to cleanrooms\.delete_invitations"):
        return load(SPEC, cache=False)


def test_every_published_operation_is_in_the_model(habu):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(SPEC.read_bytes(), Loader=loader)
    published = {
        (path, verb) for path, item in document["paths"].items() for verb in item if verb in VERBS
    }
    assert len(published) == 151
    ours = [(op.path, op.verb) for op in habu.all_operations()]
    assert len(ours) == len(set(ours)) == 151
    assert set(ours) == published


def test_habu_security_and_server(habu):
    spec = habu
    assert spec.servers == ("https://api.habu.com/v1",)
    assert spec.security_schemes["application"].token_url == "https://api.habu.com/v1/oauth/token"
    run = spec.operation("cleanroom_question_runs.get")
    assert [p.wire_name for p in run.params if p.location == "path"] == ["cleanroomQuestionRunId"]
