"""What the ClicData emulator answers to each operation of ``specs/clicdata.yaml``.

A request without ``api_version`` gets the legacy bare shapes (``{count, data}``,
``{data, has_more_data}``, a bare integer RecId, ``{success: true}``, text for refreshes and
images); a request with it gets ``{success, result, pagination}``. Errors are
``{success: false, error: {code, description}}``; a credential that lacks a scope gets that
body with HTTP 200 on the versioned API, as activepieces' fixtures show.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from specclient.emulators.clicdata.state import (
    REFRESH_MODES,
    VERSIONED_REFRESH_MODES,
    ClicDataState,
    _iso,
)
from specclient.emulators.core import EmuError, EmuRequest, EmuResponse, Routes
from specclient.emulators.core.auth import basic_credentials

__all__ = ["SUPPORTED_VERSIONS", "routes"]

SUPPORTED_VERSIONS = ("2021.08", "2022.01", "2025.3")


def _versioned(req: EmuRequest) -> bool:
    return "api_version" in req.query


def _ok(
    req: EmuRequest, result: Any, legacy: Any, pagination: Mapping[str, Any] | None = None
) -> Any:
    if not _versioned(req):
        return legacy
    body: dict[str, Any] = {"success": True, "result": result}
    if pagination is not None:
        body["pagination"] = dict(pagination)
    return body


def _page(
    req: EmuRequest,
    state: ClicDataState,
    rows_in: Callable[[int, int], list[dict[str, Any]]],
    total: int,
    encoded: Callable[[int, int], bytes] | None = None,
) -> Any:
    """One page of rows in the style the request asked for; with ``encoded`` (the rows'
    JSON bytes), the reply is put together from those bytes instead of encoding the rows."""
    page = req.query_int("page", 1, minimum=1)
    if _versioned(req):
        size = req.query_int("page_size", state.page_size, minimum=1)
        if size > state.max_page_size:
            raise EmuError(
                400, f"page_size must be at most {state.max_page_size}", code="InvalidParameter"
            )
    else:
        size = state.page_size  # the legacy API has no page size parameter
    start = (page - 1) * size
    stop = min(start + size, total) if start < total else start
    has_more = start + size < total
    pagination = {
        "result_count": stop - start,
        "result_total_count": total,
        "current_page": page,
        "page_size": size,
        "has_more_results": has_more,
        "last_page": max(1, -(-total // size)),
    }
    if encoded is None:
        rows = rows_in(start, stop) if start < stop else []
        return _ok(req, rows, {"data": rows, "has_more_data": has_more}, pagination)
    rows_json = encoded(start, stop) if start < stop else b"[]"
    if _versioned(req):  # the keys in _ok's order
        body = b'{"success":true,"result":%b,"pagination":%b}' % (
            rows_json,
            orjson.dumps(pagination),
        )
    else:
        body = b'{"data":%b,"has_more_data":%b}' % (rows_json, orjson.dumps(has_more))
    return EmuResponse(200, body=body, media_type="application/json")


def _body(req: EmuRequest) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict):
        raise EmuError(400, "the request body must be a JSON object", code="InvalidBody")
    return body


def _rows_field(req: EmuRequest, state: ClicDataState) -> list[Any]:
    # The row inserts carry the big bodies: decoded with orjson (4x json's speed), so the
    # emulator is not what an append benchmark measures.
    try:
        body = orjson.loads(req.body() or b"null")
    except orjson.JSONDecodeError as problem:
        raise EmuError(400, f"request body is not valid JSON: {problem}", field="body") from None
    if not isinstance(body, dict):
        raise EmuError(400, "the request body must be a JSON object", code="InvalidBody")
    rows = body.get("data")
    if not isinstance(rows, list):
        raise EmuError(400, "'data' must be a list of rows", code="InvalidBody")
    if state.insert_cap and len(rows) > state.insert_cap:
        raise EmuError(
            400, f"at most {state.insert_cap} rows per call, got {len(rows)}", code="TooManyRows"
        )
    return rows


def _refresh_reply(req: EmuRequest, table: Any, mode: str) -> Any:
    if _versioned(req):
        return {
            "success": True,
            "result": {
                "id": table.rec_id,
                "mode": mode,
                "last_data_update_date": _iso(table.updated),
            },
        }
    return EmuResponse(
        200, body=f"Refresh ({mode}) of data set {table.rec_id} completed", media_type="text/plain"
    )


def _image_reply(req: EmuRequest, image: bytes) -> Any:
    text = base64.b64encode(image).decode("ascii")
    if _versioned(req):
        return {"success": True, "result": text}
    return EmuResponse(200, body=text, media_type="text/plain")


def _describe_dashboard(board: Mapping[str, Any], thumbnail: bool) -> dict[str, Any]:
    out = {k: v for k, v in board.items() if not k.startswith("_")}
    if thumbnail:
        out["thumbnail"] = base64.b64encode(board["_thumbnail"]).decode("ascii")
    return out


routes = Routes()

FORM = "application/x-www-form-urlencoded"


# -- auth ---------------------------------------------------------------------------------
@routes("oauth.token", validate=False)
def token(state: ClicDataState, req: EmuRequest) -> Any:
    """RFC 6749 §4.4: a form body; the client authenticates in it or with HTTP Basic.

    Every public client sends the form; none sends JSON, and RFC 6749 §3.2 makes the token
    endpoint a form endpoint, so another body is the RFC's ``invalid_request`` (400) in the
    error envelope. Basic client authentication is what RFC 6749 §2.3.1 says a server MUST
    support, and no source says ClicData refuses it (issue 16); using both ways at once is
    refused, as §2.3 says a client MUST NOT.
    """
    form: Mapping[str, Any] = {}
    if req.has_body:
        kind = req.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != FORM:
            raise EmuError(
                400,
                f"the token request must be {FORM} (RFC 6749 section 4.4.2), not {kind or 'untyped'}",
                code="invalid_request",
            )
        form = req.form()
    grant = form.get("grant_type")
    if grant != "client_credentials":
        raise EmuError(400, f"unsupported grant_type {grant!r}", code="unsupported_grant_type")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    basic = basic_credentials(req)
    if basic is not None:
        if secret is not None or (client_id is not None and client_id != basic[0]):
            raise EmuError(
                400,
                "authenticate the client once: in the Basic header or in the form body",
                code="invalid_request",
            )
        client_id, secret = basic
    return state.issue_token(
        client_id if isinstance(client_id, str) else None,
        secret if isinstance(secret, str) else None,
    )


# -- data sets ----------------------------------------------------------------------------
@routes("data.list")
def data_list(state: ClicDataState, req: EmuRequest) -> Any:
    items = [t.describe() for t in state.tables.values()]
    if req.query.get("name"):
        items = [t for t in items if t["name"] == req.query["name"]]
    return _ok(req, items, {"count": len(items), "data": items})


@routes("data.create")
def data_create(state: ClicDataState, req: EmuRequest) -> Any:
    body = _body(req)
    table = state.add_table(
        body.get("name"),
        body.get("columns") or [],
        description=str(body.get("description") or ""),
        history=bool(body.get("history_enabled", False)),
    )
    return _ok(req, {"id": table.rec_id}, table.rec_id)


@routes("data.rows", validate=False)
def data_rows(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    return _page(req, state, table.rows, table.row_count, table.encoded_rows)


@routes("data.versions")
def data_versions(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    if not table.history_enabled:
        raise EmuError(
            400,
            f"Data History is not enabled on data set {table.rec_id}",
            code="HistoryDisabled",
        )
    versions = [v.describe() for v in table.versions]
    return _ok(req, versions, {"versions": versions})


@routes("data.version_rows", validate=False)
def data_version_rows(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    wanted = req.path_params["version"]
    version = next((v for v in table.versions if str(v.number) == wanted), None)
    if version is None:
        raise EmuError(404, f"data set {table.rec_id} has no version {wanted}", code="NotFound")
    return _page(req, state, lambda a, b: table.rows(a, b, version.columns), version.row_count)


@routes("data.insert", validate=False)
def data_insert(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    rows = _rows_field(req, state)
    added = table.append(rows)
    table.updated = state.now()
    return _ok(req, {"rows_inserted": added, "rows_found": len(rows)}, {"success": True})


@routes("data.append_rows", "tables.append_rows", validate=False)
def data_append_rows(state: ClicDataState, req: EmuRequest) -> Any:
    # POST /table/{id} (a public client's row insert, issue 16) is the same append
    table = state.tables.find(req.path_params.get("rec_id") or req.path_params["id"])
    added = table.append(table.cells_to_records(_rows_field(req, state)))
    table.updated = state.now()
    return _ok(req, {"rows_inserted": added}, {"success": True})


@routes("data.append_positional_rows", validate=False)
def data_append_positional(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    added = table.append(table.positional_to_records(_rows_field(req, state)))
    table.updated = state.now()
    return _ok(req, {"rows_inserted": added}, {"success": True})


@routes("data.delete_rows")
def data_delete_rows(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    body = _body(req)
    deleted = table.delete(body.get("find") or [], body.get("multiplerows", "all"))
    return _ok(req, {"rows_deleted": deleted}, {"success": True, "rows_deleted": deleted})


@routes("data.update_rows")
def data_update_rows(state: ClicDataState, req: EmuRequest) -> Any:
    table = state.tables.find(req.path_params["rec_id"])
    body = _body(req)
    updated = table.update(
        body.get("find") or [], body.get("set") or [], body.get("multiplerows", "all")
    )
    return _ok(req, {"rows_updated": updated}, {"success": True, "rows_updated": updated})


@routes(*(f"data.refresh_{mode}" for mode in REFRESH_MODES))
def data_refresh(state: ClicDataState, req: EmuRequest) -> Any:
    mode = (req.qualname or "").removeprefix("data.refresh_")
    table = state.tables.find(req.path_params["rec_id"])
    table.refresh(mode, state.now())
    return _refresh_reply(req, table, mode)


# -- versioned tables ---------------------------------------------------------------------
def _versioned_only(req: EmuRequest) -> None:
    if not _versioned(req):
        raise EmuError(
            400,
            "this endpoint needs api_version",
            code="APIVersionRequired",
            headers={"api-supported-versions": ", ".join(SUPPORTED_VERSIONS)},
        )


@routes("tables.list")
def tables_list(state: ClicDataState, req: EmuRequest) -> Any:
    _versioned_only(req)
    items = [
        {"id": t.rec_id, "name": t.name, "description": t.description}
        for t in state.tables.values()
    ]
    return _page(req, state, lambda a, b: items[a:b], len(items))


@routes("tables.refresh")
def tables_refresh(state: ClicDataState, req: EmuRequest) -> Any:
    _versioned_only(req)
    table = state.tables.find(req.path_params["id"])
    mode = VERSIONED_REFRESH_MODES[_body(req)["mode"]]
    table.refresh(mode, state.now())
    return _refresh_reply(req, table, mode)


# -- account and profile ------------------------------------------------------------------
@routes("account.get")
def account_get(state: ClicDataState, req: EmuRequest) -> Any:
    usage = {
        "data_sets": len(state.tables),
        "data_rows": sum(t.row_count for t in state.tables.values()),
        "users": len(state.users),
        "dashboards": len(state.dashboards),
    }
    account = {**state.account, "usage": usage}
    return _ok(req, account, account)


@routes("account.activity_users")
def activity_users(state: ClicDataState, req: EmuRequest) -> Any:
    items = [
        {
            "user_id": u["id"],
            "email_address": u["email_address"],
            "last_login_date": u["last_login_date"],
            "logins": u["logins"],
        }
        for u in state.users.values()
    ]
    return _ok(req, items, {"users": items})


@routes("account.activity_dashboards")
def activity_dashboards(state: ClicDataState, req: EmuRequest) -> Any:
    items = [
        {
            "dashboard_id": d["id"],
            "name": d["name"],
            "views": d["views"],
            "last_view_date": d["creation_date"],
        }
        for d in state.dashboards.values()
    ]
    return _ok(req, items, {"dashboards": items})


@routes("profile.get")
def profile(state: ClicDataState, req: EmuRequest) -> Any:
    user = next(u for u in state.users.values() if u["email_address"] == state.email)
    out = {k: user[k] for k in ("email_address", "first_name", "last_name", "last_login_date")}
    return _ok(req, out, out)


# -- dashboards ---------------------------------------------------------------------------
@routes("dashboards.list")
def dashboards_list(state: ClicDataState, req: EmuRequest) -> Any:
    thumbnails = req.query.get("includethumbnail", "").lower() == "true"
    items = [
        _describe_dashboard(d, thumbnails)
        for d in state.dashboards.values()
        if not req.query.get("name") or d["name"] == req.query["name"]
    ]
    return _ok(req, items, {"dashboards": items})


@routes("dashboards.thumbnail")
def dashboard_thumbnail(state: ClicDataState, req: EmuRequest) -> Any:
    return _image_reply(req, state.dashboards.find(req.path_params["id"])["_thumbnail"])


@routes("dashboards.snapshot")
def dashboard_snapshot(state: ClicDataState, req: EmuRequest) -> Any:
    return _image_reply(req, state.dashboards.find(req.path_params["id"])["_snapshot"])


# -- schedules ----------------------------------------------------------------------------
@routes("schedules.list")
def schedules_list(state: ClicDataState, req: EmuRequest) -> Any:
    items = [state.describe_schedule(s) for s in state.schedules.values()]
    return _ok(req, items, {"schedules": items})


@routes("schedules.get")
def schedules_get(state: ClicDataState, req: EmuRequest) -> Any:
    item = state.describe_schedule(state.schedules.find(req.path_params["id"]))
    return _ok(req, item, {"schedules": [item]})


@routes("schedules.trigger")
def schedules_trigger(state: ClicDataState, req: EmuRequest) -> Any:
    run = state.trigger(req.path_params["id"])
    return _ok(req, run, {"success": True, **run})


# -- teams --------------------------------------------------------------------------------
def _describe_team(team: Mapping[str, Any]) -> dict[str, Any]:
    return {**team, "users": list(team["users"]), "parameters": dict(team["parameters"])}


@routes("teams.list")
def teams_list(state: ClicDataState, req: EmuRequest) -> Any:
    items = [_describe_team(t) for t in state.teams.values()]
    return _ok(req, items, {"teams": items})


@routes("teams.create")
def teams_create(state: ClicDataState, req: EmuRequest) -> Any:
    body = _body(req)
    if any(t["name"] == body["name"] for t in state.teams.values()):
        raise EmuError(409, f"a team named {body['name']!r} already exists", code="DuplicateName")
    team_id = state.next_id()
    state.teams[team_id] = {
        "id": team_id,
        "name": body["name"],
        "description": body.get("description", ""),
        "users": [],
        "parameters": {},
    }
    return _ok(req, _describe_team(state.teams[team_id]), {"success": True, "id": team_id})


@routes("teams.update")
def teams_update(state: ClicDataState, req: EmuRequest) -> Any:
    team = state.teams.find(req.path_params["id"])
    team.update({k: v for k, v in _body(req).items() if k in ("name", "description")})
    return _ok(req, _describe_team(team), {"success": True})


@routes("teams.delete")
def teams_delete(state: ClicDataState, req: EmuRequest) -> Any:
    team = state.teams.find(req.path_params["id"])
    del state.teams[team["id"]]
    return _ok(req, {"id": team["id"]}, {"success": True})


@routes("teams.add_user")
def teams_add_user(state: ClicDataState, req: EmuRequest) -> Any:
    team = state.teams.find(req.path_params["id"])
    user = state.users.find(_body(req)["user_id"])
    if user["id"] not in team["users"]:
        team["users"].append(user["id"])
    return _ok(req, _describe_team(team), {"success": True})


@routes("teams.remove_user")
def teams_remove_user(state: ClicDataState, req: EmuRequest) -> Any:
    team = state.teams.find(req.path_params["id"])
    user_id = int(_body(req)["user_id"])
    if user_id not in team["users"]:
        raise EmuError(404, f"user {user_id} is not in team {team['id']}", code="NotFound")
    team["users"].remove(user_id)
    return _ok(req, _describe_team(team), {"success": True})


@routes("teams.set_parameter")
def teams_set_parameter(state: ClicDataState, req: EmuRequest) -> Any:
    team = state.teams.find(req.path_params["id"])
    body = _body(req)
    team["parameters"][body["name"]] = body["value"]
    return _ok(req, _describe_team(team), {"success": True})


@routes("teams.remove_parameter")
def teams_remove_parameter(state: ClicDataState, req: EmuRequest) -> Any:
    team = state.teams.find(req.path_params["id"])
    name = _body(req)["name"]
    if team["parameters"].pop(name, None) is None:
        raise EmuError(404, f"team {team['id']} has no parameter {name!r}", code="NotFound")
    return _ok(req, _describe_team(team), {"success": True})


# -- users --------------------------------------------------------------------------------
@routes("users.list")
def users_list(state: ClicDataState, req: EmuRequest) -> Any:
    items = [dict(u) for u in state.users.values()]
    return _ok(req, items, {"users": items})


@routes("users.create")
def users_create(state: ClicDataState, req: EmuRequest) -> Any:
    body = _body(req)
    user = state.add_user(
        body["email_address"],
        body.get("first_name", ""),
        body.get("last_name", ""),
        body.get("role", "viewer"),
    )
    return _ok(req, dict(user), {"success": True, "id": user["id"]})


@routes("users.get")
def users_get(state: ClicDataState, req: EmuRequest) -> Any:
    user = dict(state.users.find(req.path_params["id"]))
    return _ok(req, user, user)


@routes("users.update")
def users_update(state: ClicDataState, req: EmuRequest) -> Any:
    user = state.users.find(req.path_params["id"])
    user.update({k: v for k, v in _body(req).items() if k in ("first_name", "last_name", "role")})
    return _ok(req, dict(user), {"success": True})


@routes("users.delete")
def users_delete(state: ClicDataState, req: EmuRequest) -> Any:
    user = state.users.find(req.path_params["id"])
    del state.users[user["id"]]
    state.passwords.pop(user["id"], None)
    for team in state.teams.values():
        if user["id"] in team["users"]:
            team["users"].remove(user["id"])
    return _ok(req, {"id": user["id"]}, {"success": True})


@routes("users.set_password")
def users_set_password(state: ClicDataState, req: EmuRequest) -> Any:
    state.set_password(req.path_params["id"], _body(req).get("password"))
    return _ok(req, {"id": int(req.path_params["id"])}, {"success": True})
