"""The Civis emulator's state and handlers, without HTTP (served behaviour: tests/platforms/civis)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from specclient._clock import FakeClock
from specclient.emulators.civis.handlers import routes
from specclient.emulators.civis.state import DEMO_API_KEY, CivisState, Invalid, NotFound
from specclient.emulators.civis.subset import OPERATIONS


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def state(clock):
    return CivisState(seed=1, clock=clock)


class Request:
    """What a handler reads of a request, without HTTP: path, query (strings), body, user."""

    def __init__(self, path, params, query, body, user):
        self.path, self.path_params, self.query, self.principal = path, params, query, user
        self.operation = None
        self.has_body = body is not None
        self._body = body

    def json(self):
        return self._body


def call(state, verb, path, body=None, **params):
    query = {k: str(v) for k, v in params.pop("query", {}).items()}
    me = state.user_for_key(DEMO_API_KEY)
    request = Request(path, {k: str(v) for k, v in params.items()}, query, body, me)
    return routes.find(f"{verb.upper()} {path}")(state, request)


def container(state, command="echo hi"):
    return state.create_script(
        "container",
        {
            "name": "job",
            "dockerImageName": "busybox",
            "requiredResources": {"cpu": 256},
            "dockerCommand": command,
        },
        state.user_for_key(DEMO_API_KEY),
    )


def test_every_served_operation_has_a_handler():
    assert set(routes.keys) == {f"{verb.upper()} {path}" for verb, path in OPERATIONS}
    assert len(routes.keys) == len(OPERATIONS)


def test_demo_key_signs_in_the_demo_user_and_others_do_not(state):
    assert state.user_for_key(DEMO_API_KEY)["username"] == "demo-user"
    assert state.user_for_key("wrong") is None


def test_run_moves_from_queued_to_running_to_succeeded_on_the_clock(state, clock):
    script = container(state, "python job.py; sleep 30")
    run = state.start_run(script["id"], "container")
    assert run.state(clock.time()) == "queued"
    clock.advance(state.queue_seconds)
    assert run.state(clock.time()) == "running"
    clock.advance(29.9)
    assert run.state(clock.time()) == "running"
    clock.advance(0.1)
    assert run.state(clock.time()) == "succeeded"
    wire = run.wire(clock.time(), "container")
    assert wire["containerId"] == script["id"] and wire["finishedAt"] and wire["error"] is None


def test_exit_status_in_the_command_fails_the_run_with_civis_error_text(state, clock):
    run = state.start_run(container(state, "exit 3")["id"])
    clock.advance(3600)
    wire = run.wire(clock.time(), "job")
    assert wire["state"] == "failed"
    assert wire["error"] == "Process exited with status 3"


def test_cancelling_a_running_run_freezes_it_cancelled(state, clock):
    script = container(state, "sleep 600")
    run = state.start_run(script["id"])
    clock.advance(10)
    state.cancel_run(script["id"], run.id)
    clock.advance(3600)
    assert run.state(clock.time()) == "cancelled"
    wire = run.wire(clock.time(), "job")
    assert wire["startedAt"] is not None  # it had started before the cancel
    cancelled_at = datetime.fromtimestamp(run.submitted + 10, UTC)
    assert wire["finishedAt"] == cancelled_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_a_run_cancelled_while_queued_never_started(state, clock):
    script = container(state, "sleep 600")
    run = state.start_run(script["id"])
    state.cancel_run(script["id"], run.id)
    clock.advance(3600)
    assert run.wire(clock.time(), "job")["startedAt"] is None


def test_cancelling_a_finished_run_is_not_found_as_on_civis(state, clock):
    script = container(state)
    run = state.start_run(script["id"])
    clock.advance(3600)
    with pytest.raises(NotFound):
        state.cancel_run(script["id"], run.id)


def test_script_runs_are_job_runs_in_one_id_space(state, clock):
    script = container(state)
    posted = call(state, "post", "/scripts/containers/{id}/runs", id=script["id"])
    assert posted.status == 202
    got = call(state, "get", "/jobs/{id}/runs/{run_id}", id=script["id"], run_id=posted.json["id"])
    assert got["id"] == posted.json["id"] and got["state"] == "queued"


def test_sql_run_is_not_found_under_containers(state):
    sql = state.create_script(
        "sql", {"name": "q", "sql": "select 1", "remoteHostId": 1}, state.user_for_key(DEMO_API_KEY)
    )
    with pytest.raises(NotFound):
        call(state, "get", "/scripts/containers/{id}", id=sql["id"])


def test_sql_run_output_appears_only_on_success(state, clock):
    sql = state.create_script(
        "sql", {"name": "q", "sql": "select 1", "remoteHostId": 1}, state.user_for_key(DEMO_API_KEY)
    )
    run = state.start_run(sql["id"], "sql")
    assert run.wire(clock.time(), "sql")["output"] == []
    clock.advance(3600)
    (output,) = run.wire(clock.time(), "sql")["output"]
    assert output["outputName"] == "output.csv"


def test_credential_filters_follow_civis_query_parameters(state):
    aws = call(state, "get", "/credentials/", query={"type": "Amazon Web Services S3"}).json
    assert {c["name"] for c in aws} == {"demo-aws", "shared-cred"}
    default = call(state, "get", "/credentials/", query={"default": "true", "type": "Database"})
    assert [c["owner"] for c in default.json] == ["demo-user"]


def test_created_credential_never_keeps_or_echoes_the_password(state):
    created = call(
        state,
        "post",
        "/credentials/",
        body={"type": "Database", "username": "u", "password": "hunter2-secret", "remoteHostId": 1},
    )
    assert created.status == 201
    assert "hunter2-secret" not in repr(created.json) + repr(state.credentials)


def test_credential_without_password_is_refused(state):
    with pytest.raises(Invalid, match="password is required"):
        call(state, "post", "/credentials/", body={"type": "Database", "username": "u"})


def test_lists_are_paged_with_civis_pagination_headers(state):
    page = call(state, "get", "/tables/", query={"limit": 2, "page_num": 2})
    assert len(page.json) == 2
    assert page.headers["X-Pagination-Total-Entries"] == "4"
    assert page.headers["X-Pagination-Current-Page"] == "2"


def test_tables_are_found_by_exact_schema_and_name(state):
    found = call(
        state,
        "get",
        "/tables/",
        query={"database_id": 1, "schema": "schema.has.periods", "name": "bar"},
    ).json
    assert [(t["schema"], t["name"]) for t in found] == [("schema.has.periods", "bar")]


def test_same_seed_gives_same_tables(clock):
    first = CivisState(seed=5, clock=clock).tables
    second = CivisState(seed=5, clock=clock).tables
    assert [t["rowCount"] for t in first.values()] == [t["rowCount"] for t in second.values()]


# -- served over HTTP ----------------------------------------------------------------------------
@pytest.fixture
def served():
    from specclient.emulators import running

    with running("civis", seed=1) as emu:
        yield emu


def _get(emu, path, **headers):
    import httpx

    return httpx.get(emu.base_url + path, headers=headers)


def test_endpoints_serves_the_bundled_spec_to_a_valid_key(served):
    from specclient.emulators.civis import served_spec

    basic = base64.b64encode(f"{DEMO_API_KEY}:".encode()).decode()
    reply = _get(served, "/endpoints", authorization=f"Basic {basic}")
    assert reply.status_code == 200
    assert reply.json() == served_spec()


def test_bearer_key_is_accepted_too(served):
    reply = _get(served, "/users/me", authorization=f"Bearer {DEMO_API_KEY}")
    assert reply.json()["username"] == "demo-user"


def test_wrong_key_gets_civis_401_with_www_authenticate(served):
    reply = _get(served, "/users/me", authorization="Bearer nope")
    assert reply.status_code == 401
    assert 'error="invalid_token"' in reply.headers["www-authenticate"]
    assert reply.json() == {
        "error": "invalid_token",
        "errorDescription": "The access token is invalid",
        "code": 401,
    }


def test_request_against_the_spec_is_refused_in_civis_envelope(served):
    import httpx

    reply = httpx.post(
        served.base_url + "/scripts/containers",
        headers={"authorization": f"Bearer {DEMO_API_KEY}"},
        json={"name": "x", "dockerImageName": "busybox"},
    )
    assert reply.status_code == 400
    body = reply.json()
    assert body["error"] == "bad_request" and "requiredResources" in body["errorDescription"]


def test_unknown_object_is_civis_404(served):
    reply = _get(served, "/jobs/424242", authorization=f"Bearer {DEMO_API_KEY}")
    assert reply.status_code == 404
    assert reply.json()["errorDescription"] == "The requested job could not be found."


# -- replies against the published response schemas ----------------------------------------------
def _null_allowed(schema):
    """Civis marks nearly every field required and none nullable, yet sends null for what is
    unset (its spec's own examples do): accept null anywhere, check everything else."""
    if isinstance(schema, dict):
        out = {key: _null_allowed(value) for key, value in schema.items()}
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list):
            out["enum"] = [*out["enum"], None]
        return out
    if isinstance(schema, list):
        return [_null_allowed(value) for value in schema]
    return schema


def test_every_reply_has_the_shape_civis_publishes(served):
    import jsonschema

    from specclient.emulators.core.validation import to_json_schema

    served.clock.advance(0)
    client = served.client()
    s = client.scripts.post_containers(
        required_resources={"cpu": 1, "memory": 2},
        docker_image_name="b",
        name="x",
        docker_command="true",
    )
    run = client.scripts.post_containers_runs(s.id)
    q = client.scripts.post_sql(name="q", sql="select 1", remote_host_id=1, credential_id=101)
    sql_run = client.scripts.post_sql_runs(q.id)
    stored = client.files.post("f.csv")
    client.request(
        "POST",
        stored.upload_url,
        files={"file": ("f.csv", b"a\n")},
        data=stored.upload_fields.json(snake_case=False),
        auth=False,
    )
    cleaning = client.files.post_preprocess_csv(stored.id)
    imported = client.imports.post_files_csv(
        {"file_ids": [stored.id]},
        {"schema": "scratch", "table": "t", "remote_host_id": 1, "credential_id": 101},
        True,
        table_columns=[{"name": "a", "sql_type": "VARCHAR(10)"}],
    )
    client.jobs.post_runs(imported.id)
    sync = client.imports.post(
        "s",
        "Dbsync",
        True,
        source={"remote_host_id": 1, "credential_id": 101},
        destination={"remote_host_id": 2, "credential_id": 101},
    )
    client.imports.post_syncs(sync.id, {"path": "public.orders"}, {"path": "public.orders_copy"})
    sync_run = client.imports.post_runs(sync.id)
    query = client.queries.post(1, "SELECT 1", 10)
    export = client.exports.post_files_csv(
        {"sql": "select * from public.orders", "remote_host_id": 1, "credential_id": 101}, {}
    )
    export_run = client.exports.post_files_csv_runs(export.id)
    parts = client.files.post_multipart("big.csv", 1)
    client.request("PUT", parts.upload_urls[0], content=b"a\n", auth=False)
    client.files.post_multipart_complete(parts.id)
    served.clock.advance(100)
    calls = {
        "databases.get_schemas_tables": (1, "public", "customers"),
        "files.get_preprocess_csv": (cleaning.id,),
        "imports.get_files_csv": (imported.id,),
        "imports.get": (sync.id,),
        "imports.get_files_runs": (sync.id, sync_run.run_id),
        "queries.get": (query.id,),
        "users.list": (),
        "users.get_me": (),
        "users.get": (1,),
        "credentials.list_types": (),
        "credentials.list": (),
        "credentials.get": (101,),
        "databases.list": (),
        "databases.get": (1,),
        "storage_hosts.list": (),
        "databases.list_schemas": (1,),
        "databases.list_schemas_tables": (1, "public"),
        "tables.list": (),
        "tables.get": (106,),
        "tables.list_columns": (106,),
        "scripts.list": (),
        "scripts.get": (s.id,),
        "scripts.get_containers": (s.id,),
        "scripts.list_containers_runs": (s.id,),
        "scripts.get_containers_runs": (s.id, run.id),
        "scripts.list_containers_runs_outputs": (s.id, run.id),
        "scripts.get_sql": (q.id,),
        "scripts.list_sql_runs": (q.id,),
        "scripts.get_sql_runs": (q.id, sql_run.id),
        "scripts.list_sql_runs_outputs": (q.id, sql_run.id),
        "jobs.list": (),
        "jobs.get": (s.id,),
        "jobs.list_runs": (s.id,),
        "jobs.get_runs": (s.id, run.id),
        "jobs.list_runs_outputs": (q.id, sql_run.id),
        "jobs.list_runs_logs": (s.id, run.id),
        "jobs.post_runs": (s.id,),
        "files.get": (stored.id,),
        "exports.get_files_csv": (export.id,),
        "exports.get_files_csv_runs": (export.id, export_run.id),
        "exports.list_files_csv_runs_outputs": (export.id, export_run.id),
    }
    assert set(calls) | {
        "credentials.post",
        "credentials.delete",
        "users.list_me",
        "scripts.post_containers",
        "scripts.post_containers_runs",
        "scripts.delete_containers_runs",
        "scripts.post_sql",
        "scripts.post_sql_runs",
        "scripts.delete_sql_runs",
        "jobs.delete_runs",
        "files.post",
        "files.post_preprocess_csv",
        "imports.post_files_csv",
        "imports.post",
        "imports.post_syncs",
        "imports.post_runs",
        "queries.post",
        "exports.post_files_csv",
        "exports.post_files_csv_runs",
        "files.post_multipart",
        "files.post_multipart_complete",
    } == set(served.app.operations)
    for qualname, args in calls.items():
        operation = served.app.operations[qualname]
        reply = client.call(qualname, *args, return_type="raw").json()
        schema = _null_allowed(to_json_schema(operation.success.schema, request=False))
        problems = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(reply)]
        assert not problems, f"{qualname}: {problems[:3]}"
