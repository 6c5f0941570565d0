"""The ClicData emulator: the state of :mod:`.clicdata_state` served from ``specs/clicdata.yaml``.

A request without ``api_version`` gets the legacy bare shapes (``{count, data}``,
``{data, has_more_data}``, a bare integer RecId, ``{success: true}``, text for refreshes and
images); a request with it gets ``{success, result, pagination}``. Errors are
``{success: false, error: {code, description}}``; a credential that lacks a scope gets that
body with HTTP 200 on the versioned API, as activepieces' fixtures show.

Options of :func:`build` (all also on ``specclient emulate clicdata``): the credentials
(``client_id``, ``client_secret``, ``api_key``, ``username``, ``password``), ``page_size``
(legacy rows per page, default 1000), ``max_page_size`` (10000), ``insert_cap`` (rows per insert
call, 500; 0 = none), ``token_lifetime`` (seconds, 3600), ``scopes`` (granted to every
credential), ``require_version`` (answer ``APIVersionRequired`` without ``api_version``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.clicdata.state import (
    ALL_SCOPES,
    REFRESH_MODES,
    VERSIONED_REFRESH_MODES,
    ClicDataError,
    ClicDataState,
    _iso,
)
from specclient.emulators.core import EmuError, EmulatorApp, EmulatorClock, EmuRequest, EmuResponse

__all__ = ["CREDENTIALS", "SECRETS", "build"]

#: What ``connect("clicdata")`` needs by default (OAuth client credentials).
CREDENTIALS = {"client_id": "clicdata-demo-client", "client_secret": "clicdata-demo-secret-4f1e9a"}
#: The other credentials the emulator accepts by default; secrets, for the cassette checks.
DEFAULT_API_KEY = "clicdata-demo-apikey-7c2d5b"
DEFAULT_USERNAME = "demo@clicdata.example"
DEFAULT_PASSWORD = "demo-password-3a8e"
SECRETS = (CREDENTIALS["client_secret"], DEFAULT_API_KEY, DEFAULT_PASSWORD)

SUPPORTED_VERSIONS = ("2021.08", "2022.01", "2025.3")
_VERSION = re.compile(r"^\d{4}\.\d{1,2}$")

# Which scope each resource needs (the platform notes' suggestion): reading vs writing.
_SCOPES: dict[str, tuple[str, str]] = {
    "data": ("data_read", "data_write"),
    "tables": ("table_read", "table_write"),
    "account": ("account_read", "account_read"),
}


def _error_body(error: EmuError, req: EmuRequest) -> Any:
    code = error.extra.get("code") or (
        "validation" if error.extra.get("field") else str(error.status)
    )
    return {"success": False, "error": {"code": str(code), "description": error.message}}


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


def _int_query(req: EmuRequest, name: str, default: int, minimum: int = 1) -> int:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EmuError(
            400, f"{name} must be a whole number, not {raw!r}", code="InvalidParameter"
        ) from None
    if value < minimum:
        raise EmuError(400, f"{name} must be at least {minimum}", code="InvalidParameter")
    return value


def _page(
    req: EmuRequest,
    state: ClicDataState,
    rows_in: Callable[[int, int], list[dict[str, Any]]],
    total: int,
) -> Any:
    """One page of rows in the style the request asked for."""
    page = _int_query(req, "page", 1)
    if _versioned(req):
        size = _int_query(req, "page_size", state.page_size)
        if size > state.max_page_size:
            raise EmuError(
                400, f"page_size must be at most {state.max_page_size}", code="InvalidParameter"
            )
    else:
        size = state.page_size  # the legacy API has no page size parameter
    start = (page - 1) * size
    rows = rows_in(start, min(start + size, total)) if start < total else []
    last_page = max(1, -(-total // size))
    has_more = start + size < total
    pagination = {
        "result_count": len(rows),
        "result_total_count": total,
        "current_page": page,
        "page_size": size,
        "has_more_results": has_more,
        "last_page": last_page,
    }
    return _ok(req, rows, {"data": rows, "has_more_data": has_more}, pagination)


def _body(req: EmuRequest) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict):
        raise EmuError(400, "the request body must be a JSON object", code="InvalidBody")
    return body


def _rows_field(req: EmuRequest, state: ClicDataState) -> list[Any]:
    rows = _body(req).get("data")
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


def build(
    *,
    seed: int = 0,
    clock: EmulatorClock | None = None,
    client_id: str = CREDENTIALS["client_id"],
    client_secret: str = CREDENTIALS["client_secret"],
    api_key: str = DEFAULT_API_KEY,
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    page_size: int = 1000,
    max_page_size: int = 10_000,
    insert_cap: int | None = 500,
    token_lifetime: float = 3600.0,
    scopes: Iterable[str] = ALL_SCOPES,
    require_version: bool = False,
) -> EmulatorApp:
    """A ClicData emulator app (see the module docstring for the options)."""
    clock = clock if clock is not None else EmulatorClock()
    app = EmulatorApp(bundled_spec("clicdata"), clock=clock, seed=seed, error_body=_error_body)
    state = ClicDataState(
        seed=seed,
        now=clock.time,
        client_id=client_id,
        client_secret=client_secret,
        api_key=api_key,
        email=username,
        password=password,
        page_size=int(page_size),
        max_page_size=int(max_page_size),
        insert_cap=int(insert_cap or 0) or None,
        token_lifetime=float(token_lifetime),
        scopes=scopes,
        require_version=require_version,
    )
    app.state = state
    app.credentials = {"client_id": client_id, "client_secret": client_secret}

    def authenticate(req: EmuRequest) -> frozenset[str]:
        version = req.query.get("api_version")
        if version is not None and not _VERSION.match(version):
            raise EmuError(
                400,
                f"api_version {version!r} is not a version (YYYY.M or YYYY.MM)",
                code="InvalidVersion",
                headers={"api-supported-versions": ", ".join(SUPPORTED_VERSIONS)},
            )
        if version is None and state.require_version:
            raise EmuError(
                400,
                "api_version is required",
                code="APIVersionRequired",
                headers={"api-supported-versions": ", ".join(SUPPORTED_VERSIONS)},
            )
        try:
            scopes_held = state.authorise(req.headers)
        except ClicDataError as error:
            raise EmuError(error.status, error.description, code=error.code) from None
        resource = (req.qualname or "").partition(".")[0]
        needed = _SCOPES.get(resource)
        if needed is not None:
            scope = needed[0] if req.method == "GET" else needed[1]
            if scope not in scopes_held:
                if _versioned(req):
                    # activepieces' fixture: the refusal comes as HTTP 200 with success false.
                    raise EmuError(200, "Missing scope", code="unauthorized")
                raise EmuError(403, f"Missing scope {scope}", code="forbidden")
        return scopes_held

    app.authenticate = authenticate
    app.expired_token_error = lambda req: EmuError(
        401, "The access token has expired", code="token_expired"
    )

    def handle(qualname: str, *, validate: bool = True) -> Callable[[Callable[..., Any]], Any]:
        """Register a handler that turns the state's ClicDataError into the error envelope."""

        def register(fn: Callable[[EmuRequest], Any]) -> Any:
            def run(req: EmuRequest) -> Any:
                try:
                    return fn(req)
                except ClicDataError as error:
                    raise EmuError(error.status, error.description, code=error.code) from None

            app.handle(qualname, validate=validate)(run)
            return fn

        return register

    # -- auth ---------------------------------------------------------------------------------
    @handle("oauth.token", validate=False)
    def token(req: EmuRequest) -> Any:
        form = req.form() if req.has_body else {}
        grant = form.get("grant_type")
        if grant != "client_credentials":
            raise EmuError(400, f"unsupported grant_type {grant!r}", code="unsupported_grant_type")
        if req.headers.get("authorization"):
            raise EmuError(
                400, "send client_id and client_secret in the form body", code="invalid_request"
            )
        client_id, secret = form.get("client_id"), form.get("client_secret")
        return state.issue_token(
            client_id if isinstance(client_id, str) else None,
            secret if isinstance(secret, str) else None,
        )

    # -- data sets ----------------------------------------------------------------------------
    @handle("data.list")
    def data_list(req: EmuRequest) -> Any:
        items = [t.describe() for t in state.tables.values()]
        if req.query.get("name"):
            items = [t for t in items if t["name"] == req.query["name"]]
        return _ok(req, items, {"count": len(items), "data": items})

    @handle("data.create")
    def data_create(req: EmuRequest) -> Any:
        body = _body(req)
        table = state.add_table(
            body.get("name"),
            body.get("columns") or [],
            description=str(body.get("description") or ""),
            history=bool(body.get("history_enabled", False)),
        )
        return _ok(req, {"id": table.rec_id}, table.rec_id)

    @handle("data.rows", validate=False)
    def data_rows(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        return _page(req, state, table.rows, table.row_count)

    @handle("data.versions")
    def data_versions(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        if not table.history_enabled:
            raise EmuError(
                400,
                f"Data History is not enabled on data set {table.rec_id}",
                code="HistoryDisabled",
            )
        versions = [v.describe() for v in table.versions]
        return _ok(req, versions, {"versions": versions})

    @handle("data.version_rows", validate=False)
    def data_version_rows(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        wanted = req.path_params["version"]
        version = next((v for v in table.versions if str(v.number) == wanted), None)
        if version is None:
            raise EmuError(404, f"data set {table.rec_id} has no version {wanted}", code="NotFound")
        return _page(req, state, lambda a, b: table.rows(a, b, version.columns), version.row_count)

    @handle("data.insert", validate=False)
    def data_insert(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        rows = _rows_field(req, state)
        added = table.append(rows)
        table.updated = state.now()
        return _ok(req, {"rows_inserted": added, "rows_found": len(rows)}, {"success": True})

    @handle("data.append_rows", validate=False)
    def data_append_rows(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        added = table.append(table.cells_to_records(_rows_field(req, state)))
        table.updated = state.now()
        return _ok(req, {"rows_inserted": added}, {"success": True})

    @handle("data.append_positional_rows", validate=False)
    def data_append_positional(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        added = table.append(table.positional_to_records(_rows_field(req, state)))
        table.updated = state.now()
        return _ok(req, {"rows_inserted": added}, {"success": True})

    @handle("data.delete_rows")
    def data_delete_rows(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        body = _body(req)
        deleted = table.delete(body.get("find") or [], body.get("multiplerows", "all"))
        return _ok(req, {"rows_deleted": deleted}, {"success": True, "rows_deleted": deleted})

    @handle("data.update_rows")
    def data_update_rows(req: EmuRequest) -> Any:
        table = state.table(req.path_params["rec_id"])
        body = _body(req)
        updated = table.update(
            body.get("find") or [], body.get("set") or [], body.get("multiplerows", "all")
        )
        return _ok(req, {"rows_updated": updated}, {"success": True, "rows_updated": updated})

    def refresh_handler(mode: str) -> Callable[[EmuRequest], Any]:
        def refresh(req: EmuRequest) -> Any:
            table = state.table(req.path_params["rec_id"])
            table.refresh(mode, state.now())
            return _refresh_reply(req, table, mode)

        return refresh

    for mode in REFRESH_MODES:
        handle(f"data.refresh_{mode}")(refresh_handler(mode))

    # -- versioned tables ---------------------------------------------------------------------
    def versioned_only(req: EmuRequest) -> None:
        if not _versioned(req):
            raise EmuError(
                400,
                "this endpoint needs api_version",
                code="APIVersionRequired",
                headers={"api-supported-versions": ", ".join(SUPPORTED_VERSIONS)},
            )

    @handle("tables.list")
    def tables_list(req: EmuRequest) -> Any:
        versioned_only(req)
        items = [
            {"id": t.rec_id, "name": t.name, "description": t.description}
            for t in state.tables.values()
        ]
        return _page(req, state, lambda a, b: items[a:b], len(items))

    @handle("tables.refresh")
    def tables_refresh(req: EmuRequest) -> Any:
        versioned_only(req)
        table = state.table(req.path_params["id"])
        mode = VERSIONED_REFRESH_MODES[_body(req)["mode"]]
        table.refresh(mode, state.now())
        return _refresh_reply(req, table, mode)

    # -- account and profile ------------------------------------------------------------------
    @handle("account.get")
    def account_get(req: EmuRequest) -> Any:
        usage = {
            "data_sets": len(state.tables),
            "data_rows": sum(t.row_count for t in state.tables.values()),
            "users": len(state.users),
            "dashboards": len(state.dashboards),
        }
        account = {**state.account, "usage": usage}
        return _ok(req, account, account)

    @handle("account.activity_users")
    def activity_users(req: EmuRequest) -> Any:
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

    @handle("account.activity_dashboards")
    def activity_dashboards(req: EmuRequest) -> Any:
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

    @handle("profile.get")
    def profile(req: EmuRequest) -> Any:
        user = next(u for u in state.users.values() if u["email_address"] == state.email)
        out = {k: user[k] for k in ("email_address", "first_name", "last_name", "last_login_date")}
        return _ok(req, out, out)

    # -- dashboards ---------------------------------------------------------------------------
    @handle("dashboards.list")
    def dashboards_list(req: EmuRequest) -> Any:
        thumbnails = req.query.get("includethumbnail", "").lower() == "true"
        items = [
            _describe_dashboard(d, thumbnails)
            for d in state.dashboards.values()
            if not req.query.get("name") or d["name"] == req.query["name"]
        ]
        return _ok(req, items, {"dashboards": items})

    @handle("dashboards.thumbnail")
    def dashboard_thumbnail(req: EmuRequest) -> Any:
        return _image_reply(req, state.dashboard(req.path_params["id"])["_thumbnail"])

    @handle("dashboards.snapshot")
    def dashboard_snapshot(req: EmuRequest) -> Any:
        return _image_reply(req, state.dashboard(req.path_params["id"])["_snapshot"])

    # -- schedules ----------------------------------------------------------------------------
    @handle("schedules.list")
    def schedules_list(req: EmuRequest) -> Any:
        items = [state.describe_schedule(s) for s in state.schedules.values()]
        return _ok(req, items, {"schedules": items})

    @handle("schedules.get")
    def schedules_get(req: EmuRequest) -> Any:
        item = state.describe_schedule(state.schedule(req.path_params["id"]))
        return _ok(req, item, {"schedules": [item]})

    @handle("schedules.trigger")
    def schedules_trigger(req: EmuRequest) -> Any:
        run = state.trigger(req.path_params["id"])
        return _ok(req, run, {"success": True, **run})

    # -- teams --------------------------------------------------------------------------------
    def describe_team(team: Mapping[str, Any]) -> dict[str, Any]:
        return {**team, "users": list(team["users"]), "parameters": dict(team["parameters"])}

    @handle("teams.list")
    def teams_list(req: EmuRequest) -> Any:
        items = [describe_team(t) for t in state.teams.values()]
        return _ok(req, items, {"teams": items})

    @handle("teams.create")
    def teams_create(req: EmuRequest) -> Any:
        body = _body(req)
        if any(t["name"] == body["name"] for t in state.teams.values()):
            raise EmuError(
                409, f"a team named {body['name']!r} already exists", code="DuplicateName"
            )
        team_id = state.next_id()
        state.teams[team_id] = {
            "id": team_id,
            "name": body["name"],
            "description": body.get("description", ""),
            "users": [],
            "parameters": {},
        }
        return _ok(req, describe_team(state.teams[team_id]), {"success": True, "id": team_id})

    @handle("teams.update")
    def teams_update(req: EmuRequest) -> Any:
        team = state.team(req.path_params["id"])
        team.update({k: v for k, v in _body(req).items() if k in ("name", "description")})
        return _ok(req, describe_team(team), {"success": True})

    @handle("teams.delete")
    def teams_delete(req: EmuRequest) -> Any:
        team = state.team(req.path_params["id"])
        del state.teams[team["id"]]
        return _ok(req, {"id": team["id"]}, {"success": True})

    @handle("teams.add_user")
    def teams_add_user(req: EmuRequest) -> Any:
        team = state.team(req.path_params["id"])
        user = state.user(_body(req)["user_id"])
        if user["id"] not in team["users"]:
            team["users"].append(user["id"])
        return _ok(req, describe_team(team), {"success": True})

    @handle("teams.remove_user")
    def teams_remove_user(req: EmuRequest) -> Any:
        team = state.team(req.path_params["id"])
        user_id = int(_body(req)["user_id"])
        if user_id not in team["users"]:
            raise EmuError(404, f"user {user_id} is not in team {team['id']}", code="NotFound")
        team["users"].remove(user_id)
        return _ok(req, describe_team(team), {"success": True})

    @handle("teams.set_parameter")
    def teams_set_parameter(req: EmuRequest) -> Any:
        team = state.team(req.path_params["id"])
        body = _body(req)
        team["parameters"][body["name"]] = body["value"]
        return _ok(req, describe_team(team), {"success": True})

    @handle("teams.remove_parameter")
    def teams_remove_parameter(req: EmuRequest) -> Any:
        team = state.team(req.path_params["id"])
        name = _body(req)["name"]
        if team["parameters"].pop(name, None) is None:
            raise EmuError(404, f"team {team['id']} has no parameter {name!r}", code="NotFound")
        return _ok(req, describe_team(team), {"success": True})

    # -- users --------------------------------------------------------------------------------
    @handle("users.list")
    def users_list(req: EmuRequest) -> Any:
        items = [dict(u) for u in state.users.values()]
        return _ok(req, items, {"users": items})

    @handle("users.create")
    def users_create(req: EmuRequest) -> Any:
        body = _body(req)
        user = state.add_user(
            body["email_address"],
            body.get("first_name", ""),
            body.get("last_name", ""),
            body.get("role", "viewer"),
        )
        return _ok(req, dict(user), {"success": True, "id": user["id"]})

    @handle("users.get")
    def users_get(req: EmuRequest) -> Any:
        user = dict(state.user(req.path_params["id"]))
        return _ok(req, user, user)

    @handle("users.update")
    def users_update(req: EmuRequest) -> Any:
        user = state.user(req.path_params["id"])
        user.update(
            {k: v for k, v in _body(req).items() if k in ("first_name", "last_name", "role")}
        )
        return _ok(req, dict(user), {"success": True})

    @handle("users.delete")
    def users_delete(req: EmuRequest) -> Any:
        user = state.user(req.path_params["id"])
        del state.users[user["id"]]
        state.passwords.pop(user["id"], None)
        for team in state.teams.values():
            if user["id"] in team["users"]:
                team["users"].remove(user["id"])
        return _ok(req, {"id": user["id"]}, {"success": True})

    @handle("users.set_password")
    def users_set_password(req: EmuRequest) -> Any:
        state.set_password(req.path_params["id"], _body(req).get("password"))
        return _ok(req, {"id": int(req.path_params["id"])}, {"success": True})

    return app
