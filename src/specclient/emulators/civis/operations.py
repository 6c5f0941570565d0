"""What the Civis emulator answers to each operation it serves, over :class:`CivisState`.

Handlers are keyed by ``(verb, path)`` exactly as :data:`civis_subset.OPERATIONS` spells them
and take one :class:`Call`: the path parameters, the query (strings, as sent), the JSON body and
the signed-in user. They return a JSON-able value, or an :class:`EmuResponse` for lists (Civis's
pagination headers) and empty replies; state errors become Civis's error envelope in
:mod:`specclient.emulators.civis`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from specclient.emulators.civis.state import CivisState, Invalid
from specclient.emulators.core.messages import EmuResponse
from specclient.emulators.core.pagination import paginate_page

__all__ = ["Call", "HANDLERS"]

DEFAULT_LIMIT = 50  # Civis's page size when none is asked for


@dataclass
class Call:
    """One request, as a handler sees it."""

    state: CivisState
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    user: Mapping[str, Any] = field(default_factory=dict)

    def id(self, name: str = "id") -> int:
        return int(self.path[name])


def _page(call: Call, items: list[Any]) -> EmuResponse:
    return paginate_page(
        items, call.query.get("page_num", 1), call.query.get("limit", DEFAULT_LIMIT)
    )


def _ordered(items: list[dict[str, Any]], call: Call, default: str = "id") -> list[dict]:
    order = call.query.get("order", default)
    key = order if order and items and order in items[0] else default
    descending = call.query.get("order_dir", "asc").lower() == "desc"
    return sorted(
        items, key=lambda item: (item.get(key) is None, item.get(key)), reverse=descending
    )


# -- users -------------------------------------------------------------------------------------
def users_list(call: Call) -> EmuResponse:
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
        for u in call.state.users.values()
    ]
    return _page(call, summaries)


def users_me(call: Call) -> dict[str, Any]:
    return {key: value for key, value in call.user.items() if key != "active"}


def users_get(call: Call) -> dict[str, Any]:
    return call.state.get(call.state.users, call.id(), "user")


# -- credentials -------------------------------------------------------------------------------
def credential_types(call: Call) -> dict[str, Any]:
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


def credentials_list(call: Call) -> EmuResponse:
    return _page(call, _ordered(call.state.list_credentials(dict(call.query)), call))


def credentials_post(call: Call) -> EmuResponse:
    if not isinstance(call.body, Mapping):
        raise Invalid("a JSON object body is required")
    created = call.state.create_credential(dict(call.body), call.user["username"])
    return EmuResponse(201, json=created)


def credentials_get(call: Call) -> dict[str, Any]:
    return call.state.get(call.state.credentials, call.id(), "credential")


def credentials_delete(call: Call) -> EmuResponse:
    call.state.get(call.state.credentials, call.id(), "credential")
    del call.state.credentials[call.id()]
    return EmuResponse(204)


# -- databases and tables ----------------------------------------------------------------------
def databases_list(call: Call) -> list[dict[str, Any]]:
    return list(call.state.databases.values())  # Civis does not paginate this one


def databases_get(call: Call) -> dict[str, Any]:
    return call.state.get(call.state.databases, call.id(), "database")


def databases_schemas(call: Call) -> list[dict[str, Any]]:
    database = databases_get(call)
    schemas = sorted(
        {t["schema"] for t in call.state.list_tables({"database_id": str(database["id"])})}
    )
    if "name" in call.query:
        schemas = [s for s in schemas if call.query["name"] in s]
    return [{"schema": schema} for schema in schemas]


def _table_summary(table: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in table.items() if key != "columns"}


def databases_schema_tables(call: Call) -> EmuResponse:
    database = databases_get(call)
    query = {"database_id": str(database["id"]), "schema": call.path["schema_name"]}
    if "name" in call.query:
        query["search"] = call.query["name"]
    tables = [_table_summary(t) for t in call.state.list_tables(query)]
    return _page(call, _ordered(tables, call))


def tables_list(call: Call) -> EmuResponse:
    tables = [_table_summary(t) for t in call.state.list_tables(dict(call.query))]
    return _page(call, _ordered(tables, call))


def tables_get(call: Call) -> dict[str, Any]:
    return call.state.get(call.state.tables, call.id(), "table")


def tables_columns(call: Call) -> EmuResponse:
    return _page(call, list(tables_get(call)["columns"]))


# -- scripts -----------------------------------------------------------------------------------
def scripts_list(call: Call) -> EmuResponse:
    state = call.state
    summaries = [state.job_wire(job, summary=True) for job in state.jobs.values()]
    if call.query.get("type"):
        kinds = {kind.strip() for kind in call.query["type"].split(",")}
        names = {"container": "JobTypes::ContainerDocker", "sql": "JobTypes::SqlRunner"}
        summaries = [s for s in summaries if any(names.get(kind) == s["type"] for kind in kinds)]
    return _page(call, _ordered(summaries, call))


def scripts_get(call: Call) -> dict[str, Any]:
    return call.state.job_wire(call.state.job(call.id()))


def _script_post(kind: str) -> Callable[[Call], EmuResponse]:
    def post(call: Call) -> EmuResponse:
        if not isinstance(call.body, Mapping):
            raise Invalid("a JSON object body is required")
        script = call.state.create_script(kind, dict(call.body), dict(call.user))
        return EmuResponse(201, json=call.state.job_wire(script))

    return post


def _script_get(kind: str) -> Callable[[Call], dict[str, Any]]:
    def get(call: Call) -> dict[str, Any]:
        return call.state.job_wire(call.state.job(call.id(), kind))

    return get


def _runs_post(kind: str | None) -> Callable[[Call], EmuResponse]:
    def post(call: Call) -> EmuResponse:
        run = call.state.start_run(call.id(), kind)
        # Civis answers 202 to a script run and 201 to a job run.
        return EmuResponse(
            201 if kind is None else 202, json=run.wire(call.state.now(), kind or "job")
        )

    return post


def _runs_list(kind: str | None) -> Callable[[Call], EmuResponse]:
    def runs(call: Call) -> EmuResponse:
        call.state.job(call.id(), kind)
        now = call.state.now()
        wires = [run.wire(now, kind or "job") for run in reversed(call.state.runs[call.id()])]
        return _page(call, wires)

    return runs


def _runs_get(kind: str | None) -> Callable[[Call], dict[str, Any]]:
    def get(call: Call) -> dict[str, Any]:
        run = call.state.run(call.id(), call.id("run_id"), kind)
        return run.wire(call.state.now(), kind or "job")

    return get


def _runs_delete(kind: str | None) -> Callable[[Call], EmuResponse]:
    def delete(call: Call) -> EmuResponse:
        call.state.cancel_run(call.id(), call.id("run_id"), kind)
        return EmuResponse(202)

    return delete


def _runs_outputs(kind: str | None) -> Callable[[Call], EmuResponse]:
    def outputs(call: Call) -> EmuResponse:
        run = call.state.run(call.id(), call.id("run_id"), kind)
        return _page(call, call.state.run_outputs(run))

    return outputs


# -- jobs --------------------------------------------------------------------------------------
def jobs_list(call: Call) -> EmuResponse:
    state = call.state
    summaries = [state.job_wire(job, summary=True) for job in state.jobs.values()]
    if call.query.get("state"):
        wanted = {s.strip() for s in call.query["state"].split(",")}
        summaries = [s for s in summaries if s["state"] in wanted]
    return _page(call, _ordered(summaries, call))


def jobs_get(call: Call) -> dict[str, Any]:
    state = call.state
    job = state.job(call.id())
    body = state.job_wire(job)
    now = state.now()
    body["runs"] = [run.wire(now, "job") for run in reversed(state.runs[job["id"]])][:10]
    return body


def jobs_logs(call: Call) -> list[dict[str, Any]]:
    run = call.state.run(call.id(), call.id("run_id"))
    logs = call.state.run_logs(run)
    limit = int(call.query.get("limit", 250))
    return logs[:limit]


HANDLERS: dict[tuple[str, str], Callable[[Call], Any]] = {
    ("get", "/users/"): users_list,
    ("get", "/users/me"): users_me,
    ("get", "/users/{id}"): users_get,
    ("get", "/credentials/types"): credential_types,
    ("get", "/credentials/"): credentials_list,
    ("post", "/credentials/"): credentials_post,
    ("get", "/credentials/{id}"): credentials_get,
    ("delete", "/credentials/{id}"): credentials_delete,
    ("get", "/databases/"): databases_list,
    ("get", "/databases/{id}"): databases_get,
    ("get", "/databases/{id}/schemas"): databases_schemas,
    ("get", "/databases/{id}/schemas/{schema_name}/tables"): databases_schema_tables,
    ("get", "/tables/"): tables_list,
    ("get", "/tables/{id}"): tables_get,
    ("get", "/tables/{id}/columns"): tables_columns,
    ("get", "/scripts/"): scripts_list,
    ("get", "/scripts/{id}"): scripts_get,
    ("post", "/scripts/containers"): _script_post("container"),
    ("get", "/scripts/containers/{id}"): _script_get("container"),
    ("post", "/scripts/containers/{id}/runs"): _runs_post("container"),
    ("get", "/scripts/containers/{id}/runs"): _runs_list("container"),
    ("get", "/scripts/containers/{id}/runs/{run_id}"): _runs_get("container"),
    ("delete", "/scripts/containers/{id}/runs/{run_id}"): _runs_delete("container"),
    ("get", "/scripts/containers/{id}/runs/{run_id}/outputs"): _runs_outputs("container"),
    ("post", "/scripts/sql"): _script_post("sql"),
    ("get", "/scripts/sql/{id}"): _script_get("sql"),
    ("post", "/scripts/sql/{id}/runs"): _runs_post("sql"),
    ("get", "/scripts/sql/{id}/runs"): _runs_list("sql"),
    ("get", "/scripts/sql/{id}/runs/{run_id}"): _runs_get("sql"),
    ("delete", "/scripts/sql/{id}/runs/{run_id}"): _runs_delete("sql"),
    ("get", "/scripts/sql/{id}/runs/{run_id}/outputs"): _runs_outputs("sql"),
    ("get", "/jobs/"): jobs_list,
    ("get", "/jobs/{id}"): jobs_get,
    ("post", "/jobs/{id}/runs"): _runs_post(None),
    ("get", "/jobs/{id}/runs"): _runs_list(None),
    ("get", "/jobs/{id}/runs/{run_id}"): _runs_get(None),
    ("delete", "/jobs/{id}/runs/{run_id}"): _runs_delete(None),
    ("get", "/jobs/{id}/runs/{run_id}/outputs"): _runs_outputs(None),
    ("get", "/jobs/{id}/runs/{run_id}/logs"): jobs_logs,
}
