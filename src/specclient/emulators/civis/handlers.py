"""What the Civis emulator answers to each operation it serves, over :class:`CivisState`.

Handlers are keyed by route (``"GET /users/me"``) exactly as :data:`.subset.OPERATIONS` spells
them, so every civis-python name of a route (``users.list_me`` beside ``users.get_me``) gets
the route's handler. Lists answer with Civis's pagination headers; every reply is completed
with the fields the published schema requires (:func:`complete`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from specclient.emulators.civis.state import CivisState, Invalid
from specclient.emulators.core import EmuRequest, EmuResponse, Routes, paginate_page

__all__ = ["complete", "routes"]

DEFAULT_LIMIT = 50  # Civis's page size when none is asked for


def complete(reply: Any, req: EmuRequest) -> Any:
    """Add the fields the published schema requires and the state model does not keep.

    Civis sends every documented field, and ``null`` for what is unset, even where its spec
    does not say the field is nullable (its own examples show it). So a missing scalar is sent
    as null, a missing list as ``[]``, a missing object with its own required fields filled
    the same way; a field with a ``default`` gets it. Fields the schema does not list are
    left out, as Civis leaves them out. Completed on a copy: the state's own objects stay as
    the state model keeps them.
    """
    success = req.operation.success if req.operation is not None else None
    schema = success.schema if success is not None else None
    if isinstance(reply, EmuResponse) and isinstance(reply.json, dict | list):
        reply.json = _complete(copy.deepcopy(reply.json), schema)
    elif isinstance(reply, dict | list):
        reply = _complete(copy.deepcopy(reply), schema)
    return reply


routes = Routes(finish=complete)


def _empty(status: int) -> EmuResponse:
    """A reply without a body, typed as the document's global ``produces`` types every reply
    (Swagger 2.0 has no per-response media type)."""
    return EmuResponse(status, media_type="application/json")


def _id(req: EmuRequest, name: str = "id") -> int:
    return int(req.path_params[name])


def _body(req: EmuRequest) -> Any:
    return req.json() if req.has_body else None


def _page(req: EmuRequest, items: list[Any]) -> EmuResponse:
    return paginate_page(items, req.query.get("page_num", 1), req.query.get("limit", DEFAULT_LIMIT))


def _ordered(items: list[dict[str, Any]], req: EmuRequest, default: str = "id") -> list[dict]:
    order = req.query.get("order", default)
    key = order if order and items and order in items[0] else default
    descending = req.query.get("order_dir", "asc").lower() == "desc"
    return sorted(
        items, key=lambda item: (item.get(key) is None, item.get(key)), reverse=descending
    )


# -- users -------------------------------------------------------------------------------------
@routes("GET /users/")
def users_list(state: CivisState, req: EmuRequest) -> EmuResponse:
    summaries = [
        {
            "id": u["id"],
            "user": u["username"],
            "name": u["name"],
            "email": u["email"],
            "active": u["active"],
            "primaryGroupId": u["primaryGroupId"],
            "groups": u["groups"],
            "createdAt": u["createdAt"],
        }
        for u in state.users.values()
    ]
    return _page(req, summaries)


@routes("GET /users/me")
def users_me(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return {key: value for key, value in req.principal.items() if key != "active"}


routes.found("GET /users/{id}", "users", "id")


# -- storage hosts (civis-python's get_storage_host_id looks them up by name) ------------------
@routes("GET /storage_hosts/")
def storage_hosts_list(state: CivisState, req: EmuRequest) -> list[dict[str, Any]]:
    return [dict(host) for host in state.storage_hosts]


# -- credentials -------------------------------------------------------------------------------
@routes("GET /credentials/types")
def credential_types(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return {
        "types": [
            "Amazon Web Services S3",
            "Database",
            "Custom",
            "Github user",
            "Salesforce User",
            "Google",
        ]
    }


@routes("GET /credentials/")
def credentials_list(state: CivisState, req: EmuRequest) -> EmuResponse:
    return _page(req, _ordered(state.list_credentials(dict(req.query)), req))


@routes("POST /credentials/")
def credentials_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    if not isinstance(_body(req), Mapping):
        raise Invalid("a JSON object body is required")
    created = state.create_credential(dict(_body(req)), req.principal["username"])
    return EmuResponse(201, json=created)


routes.found("GET /credentials/{id}", "credentials", "id")
routes.found("DELETE /credentials/{id}", "credentials", "id", remove=True, reply=_empty(204))


# -- databases and tables ----------------------------------------------------------------------
routes.listing("GET /databases/", "databases")  # Civis does not paginate this one
routes.found("GET /databases/{id}", "databases", "id")


@routes("GET /databases/{id}/schemas")
def databases_schemas(state: CivisState, req: EmuRequest) -> list[dict[str, Any]]:
    database = state.databases.find(_id(req))
    schemas = sorted({t["schema"] for t in state.list_tables({"database_id": str(database["id"])})})
    if "name" in req.query:
        schemas = [s for s in schemas if req.query["name"] in s]
    return [{"schema": schema} for schema in schemas]


def _table_summary(table: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in table.items() if key != "columns"}


@routes("GET /databases/{id}/schemas/{schema_name}/tables")
def databases_schema_tables(state: CivisState, req: EmuRequest) -> EmuResponse:
    database = state.databases.find(_id(req))
    query = {"database_id": str(database["id"]), "schema": req.path_params["schema_name"]}
    if "name" in req.query:
        query["search"] = req.query["name"]
    tables = [_table_summary(t) for t in state.list_tables(query)]
    return _page(req, _ordered(tables, req))


@routes("GET /tables/")
def tables_list(state: CivisState, req: EmuRequest) -> EmuResponse:
    tables = [_table_summary(t) for t in state.list_tables(dict(req.query))]
    return _page(req, _ordered(tables, req))


routes.found("GET /tables/{id}", "tables", "id")


@routes("GET /tables/{id}/columns")
def tables_columns(state: CivisState, req: EmuRequest) -> EmuResponse:
    return _page(req, list(state.tables.find(_id(req))["columns"]))


# -- scripts -----------------------------------------------------------------------------------
@routes("GET /scripts/")
def scripts_list(state: CivisState, req: EmuRequest) -> EmuResponse:
    summaries = [state.job_wire(job, summary=True) for job in state.jobs.values()]
    if req.query.get("type"):
        kinds = {kind.strip() for kind in req.query["type"].split(",")}
        names = {"container": "JobTypes::ContainerDocker", "sql": "JobTypes::SqlRunner"}
        summaries = [s for s in summaries if any(names.get(kind) == s["type"] for kind in kinds)]
    return _page(req, _ordered(summaries, req))


@routes("GET /scripts/{id}")
def scripts_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return state.job_wire(state.job(_id(req)))


def _kind(req: EmuRequest) -> str | None:
    """``container`` or ``sql`` for a script route, None for a job's: one id space, three views."""
    path = req.operation.path if req.operation is not None else req.path
    return "container" if "/containers" in path else "sql" if "/sql" in path else None


@routes("POST /scripts/containers", "POST /scripts/sql")
def script_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = _body(req)
    if not isinstance(body, Mapping):
        raise Invalid("a JSON object body is required")
    script = state.create_script(_kind(req) or "", dict(body), dict(req.principal))
    return EmuResponse(201, json=state.job_wire(script))


@routes("GET /scripts/containers/{id}", "GET /scripts/sql/{id}")
def script_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return state.job_wire(state.job(_id(req), _kind(req)))


@routes("POST /scripts/containers/{id}/runs", "POST /scripts/sql/{id}/runs", "POST /jobs/{id}/runs")
def runs_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    kind = _kind(req)
    run = state.start_run(_id(req), kind)
    # Civis answers 202 to a script run and 201 to a job run.
    return EmuResponse(201 if kind is None else 202, json=run.wire(state.now(), kind or "job"))


@routes("GET /scripts/containers/{id}/runs", "GET /scripts/sql/{id}/runs", "GET /jobs/{id}/runs")
def runs_list(state: CivisState, req: EmuRequest) -> EmuResponse:
    kind = _kind(req)
    state.job(_id(req), kind)
    now = state.now()
    link = state.file_store.download_url
    runs = reversed(state.runs[_id(req)])
    return _page(req, [run.wire(now, kind or "job", link) for run in runs])


@routes(
    "GET /scripts/containers/{id}/runs/{run_id}",
    "GET /scripts/sql/{id}/runs/{run_id}",
    "GET /jobs/{id}/runs/{run_id}",
)
def runs_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    kind = _kind(req)
    run = state.run(_id(req), _id(req, "run_id"), kind)
    return run.wire(state.now(), kind or "job", state.file_store.download_url)


@routes(
    "DELETE /scripts/containers/{id}/runs/{run_id}",
    "DELETE /scripts/sql/{id}/runs/{run_id}",
    "DELETE /jobs/{id}/runs/{run_id}",
)
def runs_delete(state: CivisState, req: EmuRequest) -> EmuResponse:
    state.cancel_run(_id(req), _id(req, "run_id"), _kind(req))
    return _empty(202)


@routes(
    "GET /scripts/containers/{id}/runs/{run_id}/outputs",
    "GET /scripts/sql/{id}/runs/{run_id}/outputs",
    "GET /jobs/{id}/runs/{run_id}/outputs",
)
def runs_outputs(state: CivisState, req: EmuRequest) -> EmuResponse:
    run = state.run(_id(req), _id(req, "run_id"), _kind(req))
    return _page(req, state.run_outputs(run))


# -- jobs --------------------------------------------------------------------------------------
@routes("GET /jobs/")
def jobs_list(state: CivisState, req: EmuRequest) -> EmuResponse:
    summaries = [state.job_wire(job, summary=True) for job in state.jobs.values()]
    if req.query.get("state"):
        wanted = {s.strip() for s in req.query["state"].split(",")}
        summaries = [s for s in summaries if s["state"] in wanted]
    return _page(req, _ordered(summaries, req))


@routes("GET /jobs/{id}")
def jobs_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    job = state.job(_id(req))
    body = state.job_wire(job)
    now = state.now()
    body["runs"] = [run.wire(now, "job") for run in reversed(state.runs[job["id"]])][:10]
    return body


@routes("GET /jobs/{id}/runs/{run_id}/logs")
def jobs_logs(state: CivisState, req: EmuRequest) -> list[dict[str, Any]]:
    run = state.run(_id(req), _id(req, "run_id"))
    logs = state.run_logs(run)
    limit = int(req.query.get("limit", 250))
    return logs[:limit]


def _complete(value: Any, schema: Mapping[str, Any] | None) -> Any:
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, list):
        items = schema.get("items")
        return [_complete(item, items) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    if properties:  # and nothing it does not document (a script seen through /jobs is a job)
        for name in [name for name in value if name not in properties]:
            del value[name]
    for name in schema.get("required") or ():
        if name not in value:
            prop = properties.get(name)
            value[name] = _unset(prop)
    for name, item in value.items():
        if name in properties:
            value[name] = _complete(item, properties[name])
    return value


def _unset(schema: Mapping[str, Any] | None) -> Any:
    if not isinstance(schema, Mapping):
        return None
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "array":
        return []
    if kind == "object" and "$recursive" not in schema:
        return _complete({}, schema)
    return None
