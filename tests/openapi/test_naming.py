"""Python names: the general rule, base-path prefixes, safe identifiers, duplicates."""

from __future__ import annotations

import pytest

from specclient.openapi import load
from specclient.openapi.naming import NamingRules, python_name

OK = {"200": {"description": "ok"}}


def _names(paths, rules=None):
    doc = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    spec = load(doc, cache=False, naming=rules)
    return {r: list(spec.operations(r)) for r in spec.resource_names()}


def _p(*names):
    return [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("pageNum", "page_num"),
        ("PageNum", "page_num"),
        ("from", "from_"),
        ("import", "import_"),
        ("X-Request-Id", "x_request_id"),
        ("$filter", "filter"),
        ("tags[]", "tags"),
        ("_id", "id"),
        ("__v", "v"),
        ("2fa", "n_2fa"),
        ("HTTPStatus", "http_status"),
        ("cleanroom-questions", "cleanroom_questions"),
        ("dataset:view", "dataset_view"),
    ],
)
def test_python_name(raw, expected):
    assert python_name(raw) == expected
    assert python_name(raw).isidentifier()


def test_civis_rule_for_verbs_segments_and_consecutive_parameters():
    names = _names(
        {
            "/scripts": {"get": {"responses": OK}, "post": {"responses": OK}},
            "/scripts/{id}": {
                "parameters": _p("id"),
                "get": {"responses": OK},
                "delete": {"responses": OK},
            },
            "/scripts/{id}/runs": {"parameters": _p("id"), "get": {"responses": OK}},
            "/scripts/{id}/runs/{run_id}": {
                "parameters": _p("id", "run_id"),
                "get": {"responses": OK},
            },
            "/scripts/{id}/{version}": {
                "parameters": _p("id", "version"),
                "put": {"responses": OK},
            },
            "/scripts/{id}/{a}/{b}": {"parameters": _p("id", "a", "b"), "put": {"responses": OK}},
            "/remote-hosts/{id}:cancel": {"parameters": _p("id"), "post": {"responses": OK}},
        }
    )
    assert names == {
        "scripts": ["list", "post", "get", "delete", "list_runs", "get_runs", "put_id", "put_id_a"],
        "remote_hosts": ["post_cancel"],
    }


def test_common_base_path_prefix_is_skipped_but_not_a_real_resource():
    assert _names(
        {
            "/api/v2/users": {"get": {"responses": OK}},
            "/api/v2/users/{id}": {"parameters": _p("id"), "get": {"responses": OK}},
            "/api/v2/groups": {"get": {"responses": OK}},
        }
    ) == {"users": ["list", "get"], "groups": ["list"]}
    # /pets is common to every path, but it is the resource, not a base path.
    assert _names(
        {
            "/pets": {"get": {"responses": OK}},
            "/pets/{id}": {"parameters": _p("id"), "get": {"responses": OK}},
        }
    ) == {"pets": ["list", "get"]}
    # A prefix is only skipped when it is shared by all paths.
    assert _names({"/v1/a": {"get": {"responses": OK}}, "/b": {"get": {"responses": OK}}}) == {
        "v1": ["list_a"],
        "b": ["list"],
    }
    # The rule can be turned off.
    assert _names({"/v1/a": {"get": {"responses": OK}}}, NamingRules(strip_base_path=False)) == {
        "v1": ["list_a"]
    }


def test_root_and_leading_parameter_paths():
    assert _names(
        {
            "/": {"get": {"responses": OK}},
            "/{tenant}/users": {"parameters": _p("tenant"), "get": {"responses": OK}},
        }
    ) == {"root": ["list"], "users": ["list"]}


def test_x_resource_and_x_method_each_win_alone():
    assert _names(
        {
            "/a/{id}": {
                "parameters": _p("id"),
                "get": {"x-method": "fetchOne", "responses": OK},
                "put": {"x-resource": "things", "responses": OK},
            },
        }
    ) == {"a": ["fetch_one"], "things": ["put"]}


def test_colliding_automatic_names_fall_back_to_operation_id():
    names = _names(
        {
            "/rooms/{id}/invites": {
                "parameters": _p("id"),
                "delete": {"operationId": "deleteAllInvites", "responses": OK},
            },
            "/rooms/{id}/invites/{inviteId}": {
                "parameters": _p("id", "inviteId"),
                "delete": {"operationId": "deleteInvite", "responses": OK},
            },
        }
    )
    assert names == {"rooms": ["delete_invites", "delete_invite"]}


def test_duplicate_argument_names_are_disambiguated_by_location():
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a/{id}": {
                "post": {
                    "parameters": _p("id")
                    + [
                        {"name": "ID", "in": "query", "schema": {"type": "string"}},
                        {"name": "timeout", "in": "query", "schema": {"type": "integer"}},
                        {"name": "id", "in": "header", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "string"},
                                        "body": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": OK,
                }
            }
        },
    }
    op = load(doc, cache=False).operation("a.post")
    assert [(p.name, p.wire_name, p.location) for p in op.params] == [
        ("id", "id", "path"),
        ("id_query", "ID", "query"),
        ("timeout", "timeout", "query"),
        ("id_header", "id", "header"),
        ("id_body", "id", "body"),
        ("body", "body", "body"),
    ]


def test_rules_as_data_skip_exclude_and_infer_pagination():
    rules = NamingRules(
        excluded_resources=frozenset({"flags"}),
        skip_summary_containing="old",
        infer_page_pagination=("limit", "page_num"),
    )
    q = [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("limit", "pageNum")]
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/flags": {"get": {"responses": OK}},
            "/items": {
                "get": {"parameters": q, "responses": OK},
                "post": {"summary": "OLD way", "responses": OK},
            },
        },
    }
    spec = load(doc, cache=False, naming=rules)
    assert spec.resource_names() == ("items",)
    assert list(spec.operations("items")) == ["list"]
    pagination = spec.operation("items.list").pagination
    assert (pagination.style, pagination.limit_param, pagination.page_param, pagination.start) == (
        "page",
        "limit",
        "page_num",
        1,
    )


def test_rules_fingerprint_is_stable_across_hash_seeds():
    import subprocess
    import sys

    code = "from specclient.openapi import CIVIS_PYTHON as r; print(r.fingerprint())"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": ":".join(sys.path)},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1
