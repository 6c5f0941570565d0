"""Python names: the general rule, base-path prefixes, safe identifiers, duplicates."""

from __future__ import annotations

import pytest

from specclient.errors import SpecWarning
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
    with pytest.warns(SpecWarning, match="both map to rooms.delete_invites") as caught:
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
    assert len(caught) == 1 and caught[0].filename == __file__


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


def test_a_date_version_prefix_shared_by_every_path_is_skipped():
    # Twilio-style: without this, every operation sat under one resource called n_2010_04_01.
    assert _names(
        {
            "/2010-04-01/Accounts.json": {"get": {"responses": OK}},
            "/2010-04-01/Calls/{Sid}.json": {"parameters": _p("Sid"), "get": {"responses": OK}},
        }
    ) == {"accounts": ["list"], "calls": ["get"]}


def _op(op_id, *tags):
    op = {"operationId": op_id, "responses": OK}
    if tags:
        op["tags"] = list(tags)
    return op


def test_operation_id_mode_uses_groups_then_tags_then_the_path():
    paths = {
        "/repos/{owner}/issues": {
            "parameters": _p("owner"),
            "post": _op("issues/create"),
            "get": _op("issues/list-for-repo"),
        },
        "/pet": {"post": _op("addPet", "pet")},
        "/store/inventory": {"get": _op("getInventory")},
        "/misc": {"get": {"responses": OK}},
    }
    assert _names(paths, "operation_id") == {
        "issues": ["create", "list_for_repo"],
        "pet": ["add_pet"],
        "store": ["get_inventory"],
        "misc": ["list"],
    }
    # The path rule, on demand.
    assert _names(paths, "path")["repos"] == ["post_issues", "list_issues"]


def test_auto_uses_operation_ids_when_every_one_is_grouped():
    paths = {
        "/repos/{owner}/issues": {"parameters": _p("owner"), "post": _op("issues/create")},
        "/repos/{owner}": {"parameters": _p("owner"), "get": _op("repos/get")},
    }
    assert _names(paths) == {"issues": ["create"], "repos": ["get"]}


def test_auto_uses_tags_when_the_path_rule_would_put_most_under_one_resource():
    paths = {}
    for thing in ["Call", "Address", "Queue", "Recording", "Message", "Key"]:
        collection = f"/2010-04-01/Accounts/{{AccountSid}}/{thing}s"
        paths[collection + ".json"] = {
            "parameters": _p("AccountSid"),
            "get": _op(f"List{thing}", f"Api20100401{thing}"),
            "post": _op(f"Create{thing}", f"Api20100401{thing}"),
        }
    names = _names(paths)
    assert names["call"] == ["list_call", "create_call"]
    assert sorted(names) == ["address", "call", "key", "message", "queue", "recording"]
    # Without tags on every operation the path rule stays.
    del paths["/2010-04-01/Accounts/{AccountSid}/Keys.json"]["get"]["tags"]
    assert list(_names(paths)) == ["accounts"]


def test_unknown_naming_mode_is_a_spec_error():
    from specclient.errors import SpecError

    with pytest.raises(SpecError, match="'auto', 'path', 'operation_id'"):
        _names({}, "by_magic")
