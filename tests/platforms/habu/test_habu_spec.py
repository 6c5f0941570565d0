"""specs/habu.yaml: every published operation has its counterpart, names users rely on exist,
and every fix to LiveRamp's document is listed (in the spec and in the docs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from specclient._resources import bundled_spec
from specclient.openapi import load

ROOT = Path(__file__).resolve().parents[3]
UPSTREAM = ROOT.parent / "shared" / "upstream-specs" / "habu-clean-room-openapi.yml"
VERBS = ("get", "put", "post", "delete", "patch", "head", "options")
# the C parser when PyYAML has it: the two documents are 300 KB each
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict:
    return yaml.load(path.read_text(), Loader=_LOADER)


@pytest.fixture(scope="module")
def document() -> dict:
    return _read(bundled_spec("habu"))


@pytest.fixture(scope="module")
def spec():
    return load(bundled_spec("habu"))


def _operations(doc: dict) -> set[tuple[str, str]]:
    return {
        (verb.upper(), path)
        for path, item in doc["paths"].items()
        for verb in item
        if verb in VERBS
    }


@pytest.mark.skipif(
    not UPSTREAM.exists(),
    reason="../shared/upstream-specs is not checked out "
    "beside the repository; the upstream comparison needs it",
)
def test_every_upstream_operation_has_its_counterpart(document):
    upstream = _operations(_read(UPSTREAM))
    assert len(upstream) == 151
    ours = _operations(document)
    assert upstream - ours == set()
    assert ours - upstream == {("POST", "/oauth/token")}


def test_the_spec_counts_the_published_operations_and_the_token_endpoint(spec):
    assert sum(1 for _ in spec.all_operations()) == 152


def test_every_operation_has_a_readable_name(document):
    for path, item in document["paths"].items():
        for verb, operation in item.items():
            if verb in VERBS:
                assert operation.get("x-resource") and operation.get("x-method"), (verb, path)


@pytest.mark.parametrize(
    "qualname, verb, path",
    [
        ("cleanrooms.list", "get", "/cleanrooms"),
        (
            "cleanroom_questions.create_run",
            "post",
            "/cleanroom-questions/{cleanroomQuestionId}/create-run",
        ),
        (
            "cleanroom_question_runs.get_data",
            "get",
            "/cleanroom-question-runs/{cleanroomQuestionRunId}/data",
        ),
        ("oauth.token", "post", "/oauth/token"),
    ],
)
def test_the_names_users_call_exist(spec, qualname, verb, path):
    operation = spec.operation(qualname)
    assert (operation.verb, operation.path) == (verb, path)


def test_lists_and_run_data_paginate_and_run_data_is_a_table(spec):
    data = spec.operation("cleanroom_question_runs.get_data")
    assert (data.pagination.style, data.pagination.items, data.pagination.total) == (
        "offset",
        "stats",
        "count",
    )
    assert data.records == "stats"
    for qualname in (
        "cleanrooms.list",
        "cleanroom_questions.list",
        "users.list",
        "cleanroom_question_runs.list",
        "cleanroom_flow_runs.list",
        "destinations.list",
        "data_connection_views.list",
    ):
        assert spec.operation(qualname).pagination is not None, qualname
    assert spec.operation("cleanroom_question_runs.list").pagination.default_limit == 100


def test_question_and_flow_runs_have_waiters_that_stop_on_failure(spec):
    run = spec.operation("cleanroom_question_runs.get").waiter
    assert run.success == ("COMPLETED",)
    assert set(run.failure) == {"FAILED", "ERROR", "CANCELLED"}
    assert run.reason_field == "failureReason" and run.delay >= 300
    flow = spec.operation("cleanroom_flow_runs.get").waiter
    assert "CANCELLED" in flow.failure


def test_run_creation_is_marked_not_idempotent_and_may_answer_429(spec):
    for qualname in ("cleanroom_questions.create_run", "cleanroom_flow_runs.create"):
        operation = spec.operation(qualname)
        assert operation.idempotent is False
        assert "429" in {r.status for r in operation.responses}


def test_secrets_are_marked(spec, document):
    assert "saltKey" in spec.operation("cleanroom_question_runs.get").secret_fields
    assert "accessToken" in spec.operation("oauth.token").secret_fields
    schemas = document["components"]["schemas"]
    assert schemas["Credentials"]["properties"]["value"]["x-secret"] is True


def test_the_known_defects_are_fixed(spec, document):
    owners = spec.operation("cleanroom_questions.assign_dataset_owners")
    assert owners.body.schema["type"] == "array"
    assert not [p for p in owners.params if p.location == "query"]
    permissions = spec.operation("cleanroom_questions.configure_permissions")
    assert permissions.body.schema["type"] == "array"
    runs = spec.operation("cleanroom_question_runs.list")
    assert "questionRunStatus" in {p.wire_name for p in runs.params}
    schemas = document["components"]["schemas"]
    assert "organizationId" not in schemas["CleanRoomRequest"]["required"]
    assert {"ENABLE_EXPORT", "ENABLE_OPJA", "CROWD_SIZE"} <= set(
        schemas["CleanRoomParameterRequest"]["properties"]
    )
    assert "dataSetTypeFields" in schemas["QuestionDataType"]["required"]
    download = spec.operation("cleanroom_question_runs.download").success
    assert download.media_type == "application/octet-stream"


def test_every_fix_is_listed_in_the_spec_and_in_the_docs(document):
    fixes = document["info"]["x-fixes"]
    assert len(fixes) >= 12
    docs = (ROOT / "docs" / "platforms" / "habu.md").read_text()
    flattened = " ".join(docs.split())
    for fix in fixes:
        assert " ".join(fix.split()) in flattened, fix[:60]
