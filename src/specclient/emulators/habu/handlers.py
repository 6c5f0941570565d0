"""The Habu (LiveRamp Clean Room) emulator: the state model of :mod:`.habu_state` behind the
routes of ``specs/habu.yaml``, on the shared emulator core.

What it mimics from the platform (``docs/platforms/habu.md`` lists what it does not):

- ``POST /v1/oauth/token`` with Basic client auth, camelCase reply, 12 h tokens, at most
  2 tokens per 24 h (``token_cap=None`` turns the cap off);
- every other call needs ``Authorization: Bearer <accessToken>``; ``/v1/health`` does not;
- errors in the spec's envelope ``{"code": "<status>", "message": ...}``, except 401 (the
  Spring application style, ``code`` an int) and unknown paths (Spring Boot's default body);
- create-run and flow-run creation limited to 20 per rolling hour, 429 with no ``Retry-After``;
- runs QUEUED -> RUNNING -> COMPLETED or FAILED (``failureReason``) on the emulator clock;
- results of any size, computed page by page from the seed.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable, Iterator
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.core import EmuError, EmulatorApp, EmulatorClock, EmuRequest, EmuResponse
from specclient.emulators.habu.state import HabuError, HabuState, iso, result_page

__all__ = ["CREDENTIALS", "build"]

#: The demo API client the emulator accepts, as ``connect("habu", ...)`` keyword arguments.
CREDENTIALS: dict[str, str] = {
    "client_id": "habu-emulator-client",
    "client_secret": "habu-emulator-secret-7f3a9c",
    "organization": "6f1c2a8e-3b4d-4e5f-9a6b-7c8d9e0f1a2b",
}

_STATE_OPTIONS = (
    "token_lifetime",
    "token_cap",
    "token_cap_status",
    "run_create_limit",
    "queue_seconds",
    "run_seconds",
    "result_rows",
    "failure_rate",
    "max_data_limit",
)


def _error_body(error: EmuError, req: EmuRequest) -> Any:
    if error.status == 401:
        # the application's own style for auth failures: code is an int here
        return {
            "status": "UNAUTHORIZED",
            "code": 401,
            "timestamp": req.clock.now().strftime("%d-%m-%Y %H:%M:%S"),
            "message": error.message,
            "details": f"uri={req.path}",
        }
    if error.status == 404 and req.operation is None and req.qualname is None:
        return {
            "timestamp": iso(req.clock.time()),
            "status": 404,
            "error": "Not Found",
            "path": req.path,
        }
    return {"code": str(error.status), "message": error.message}


def _int(req: EmuRequest, name: str, default: int) -> int:
    value = req.query.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise EmuError(400, f"{name} must be an integer, got {value!r}") from None


def build(*, seed: int = 0, clock: EmulatorClock | None = None, **options: Any) -> EmulatorApp:
    """A Habu emulator app.

    Parameters
    ----------
    seed : int
        Makes ids, failures and result rows reproducible.
    clock : EmulatorClock, optional
    client_id, client_secret, organization : str, optional
        The credentials it accepts (default :data:`CREDENTIALS`).
    token_lifetime, token_cap, token_cap_status, run_create_limit, queue_seconds, run_seconds,
    result_rows, failure_rate, max_data_limit
        See :class:`~specclient.emulators.habu.state.HabuState`.
    """
    unknown = sorted(set(options) - set(_STATE_OPTIONS) - set(CREDENTIALS))
    if unknown:
        from specclient.errors import ParameterError

        raise ParameterError(
            "emulators.habu.build",
            f"unknown option {unknown[0]!r}; options "
            f"are: {', '.join(sorted((*_STATE_OPTIONS, *CREDENTIALS)))}",
            unknown[0],
        )
    clock = clock or EmulatorClock()
    credentials = {k: str(options.get(k) or v) for k, v in CREDENTIALS.items()}
    state = HabuState(
        seed=seed,
        clock=clock,
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        organization=credentials["organization"],
        **{k: options[k] for k in _STATE_OPTIONS if k in options},
    )
    app = EmulatorApp(bundled_spec("habu"), clock=clock, seed=seed, error_body=_error_body)
    app.state = state
    app.credentials = credentials
    app.authenticate = functools.partial(_authenticate, state)
    _register(app, state)
    return app


def _authenticate(state: HabuState, req: EmuRequest) -> str:
    if req.qualname == "oauth.token":
        header = req.headers.get("authorization")
        if not header:
            raise EmuError(
                400,
                "Required request header 'Authorization' for method parameter "
                "type String is not present",
            )
        scheme, _, value = header.partition(" ")
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise EmuError(401, "Bad credentials") from None
        if scheme.lower() != "basic":
            raise EmuError(401, "Bad credentials")
        return f"{client_id}\n{secret}"
    header = req.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        token = ""
    try:
        return state.check_bearer(token.strip())
    except HabuError as exc:
        raise EmuError(exc.status, exc.message) from None


def _register(app: EmulatorApp, state: HabuState) -> None:
    def on(qualname: str, *, validate: bool = True) -> Callable[[Callable[[EmuRequest], Any]], Any]:
        """Register a handler; the state's HabuError becomes the platform's error reply."""

        def register(fn: Callable[[EmuRequest], Any]) -> Any:
            @functools.wraps(fn)
            def handler(req: EmuRequest) -> Any:
                try:
                    return fn(req)
                except HabuError as exc:
                    raise EmuError(exc.status, exc.message, headers=exc.headers) from None

            return app.handle(qualname, validate=validate)(handler)

        return register

    p = "cleanroomId"

    # -- service and auth ------------------------------------------------------------------
    @on("health.get")
    def health(req: EmuRequest) -> Any:
        return {
            "status": "UP",
            "statusCode": 200,
            "description": "Habu emulator",
            "version": "v1.0.0",
        }

    @on("oauth.token")
    def token(req: EmuRequest) -> Any:
        if req.form().get("grant_type") != "client_credentials":
            raise EmuError(400, "grant_type must be client_credentials")
        client_id, _, secret = str(req.principal).partition("\n")
        return state.issue_token(client_id, secret)

    # -- clean rooms -------------------------------------------------------------------------
    @on("cleanrooms.create")
    def create_cleanroom(req: EmuRequest) -> Any:
        return state.create_cleanroom(req.json() or {})

    @on("cleanrooms.list")
    def list_cleanrooms(req: EmuRequest) -> Any:
        rooms = list(state.cleanrooms.values())
        offset = _int(req, "offset", 0)
        return rooms[offset : offset + _int(req, "limit", 500)]

    @on("cleanrooms.get")
    def get_cleanroom(req: EmuRequest) -> Any:
        return state.cleanroom(req.path_params[p])

    @on("cleanrooms.update")
    def update_cleanroom(req: EmuRequest) -> Any:
        return state.update_cleanroom(req.path_params[p], req.json() or {})

    @on("cleanrooms.delete")
    def delete_cleanroom(req: EmuRequest) -> Any:
        state.delete_cleanroom(req.path_params[p])
        return {"code": "200", "message": "Cleanroom deleted"}

    @on("cleanrooms.list_types")
    def cleanroom_types(req: EmuRequest) -> Any:
        return [{"id": name, "name": name, "displayName": name} for name in state._ROOM_TYPES]

    @on("cleanroom_partners.list")
    def list_partners(req: EmuRequest) -> Any:
        state.cleanroom(req.path_params[p])
        return list(state.partners.get(req.path_params[p], {}).values())

    @on("users.list")
    def list_users(req: EmuRequest) -> Any:
        return [
            {
                "id": state.organization,
                "email": "api-user@emulator.invalid",
                "name": "API User",
                "roles": ["API Administrator"],
            }
        ]

    # -- data connections ----------------------------------------------------------------------
    @on("data_connections.create")
    def create_connection(req: EmuRequest) -> Any:
        return state.create_data_connection(req.json() or {})

    @on("data_connections.list")
    def list_connections(req: EmuRequest) -> Any:
        return list(state.data_connections.values())

    @on("data_connections.get")
    def get_connection(req: EmuRequest) -> Any:
        return state.data_connection(req.path_params["dataConnectionId"])

    @on("data_connections.delete")
    def delete_connection(req: EmuRequest) -> Any:
        conn = state.data_connection(req.path_params["dataConnectionId"])
        del state.data_connections[conn["id"]]
        return {"code": "200", "message": "Data connection deleted"}

    @on("data_connections.list_field_configurations")
    def list_fields(req: EmuRequest) -> Any:
        conn = state.data_connection(req.path_params["dataConnectionId"])
        return state.field_configurations[conn["id"]]

    @on("data_connections.map_field_configurations")
    def map_fields(req: EmuRequest) -> Any:
        return state.map_fields(req.path_params["dataConnectionId"], req.json())

    @on("data_sources.list")
    def list_sources(req: EmuRequest) -> Any:
        return [
            {
                "id": "2b0d7f4e-0000-4000-8000-000000000001",
                "name": "client_aws_s3",
                "displayName": "Client AWS S3",
            }
        ]

    @on("identifier_types.list")
    def identifier_types(req: EmuRequest) -> Any:
        return [
            {"id": str(k), "name": n, "displayName": n}
            for k, n in enumerate(("Hashed Emails", "RampID", "Mobile Device Identifier"))
        ]

    # -- clean-room datasets -------------------------------------------------------------------
    @on("cleanroom_datasets.configure")
    def configure_dataset(req: EmuRequest) -> Any:
        return state.configure_dataset(
            req.path_params[p], req.query.get("dataConnectionId"), req.json()
        )

    @on("cleanroom_datasets.list")
    def list_datasets(req: EmuRequest) -> Any:
        room = state.cleanroom(req.path_params[p])
        return [d for d in state.datasets.values() if d["cleanRoomId"] == room["id"]]

    @on("cleanroom_datasets.get")
    def get_dataset(req: EmuRequest) -> Any:
        return state.dataset(req.path_params[p], req.path_params["datasetId"])

    @on("cleanroom_datasets.update")
    def update_dataset(req: EmuRequest) -> Any:
        dataset = state.dataset(req.path_params[p], req.path_params["datasetId"])
        body = req.json() or {}
        dataset.update({k: v for k, v in body.items() if k not in ("id", "cleanRoomId")})
        return dataset

    # -- questions ----------------------------------------------------------------------------
    @on("questions.create")
    def create_question(req: EmuRequest) -> Any:
        return state.create_question(req.json() or {}, req.query.get("cleanRoomID"))

    @on("questions.get")
    def get_question(req: EmuRequest) -> Any:
        return state.question(req.path_params["questionID"])

    @on("questions.delete")
    def delete_question(req: EmuRequest) -> Any:
        question = state.question(req.path_params["questionID"])
        del state.questions[question["id"]]
        return {"code": "200", "message": "Question deleted"}

    @on("questions.update")
    def update_question(req: EmuRequest) -> Any:
        question = state.question(req.path_params["questionID"])
        body = req.json() or {}
        if "questionDetails" in body:
            question["questionDetails"] = body["questionDetails"]
            question["version"] += 1
        return {"success": True, "message": "Question updated successfully", "question": question}

    # -- organization credentials: values are stored, never sent back -------------------------
    @on("organization_credentials.create")
    def create_credential(req: EmuRequest) -> Any:
        body = req.json() or {}
        for key in ("name", "credentialSourceName", "credentials"):
            if not body.get(key):
                raise EmuError(400, f"Field '{key}' is required")
        cred_id = state.new_id()
        state.credentials[cred_id] = {**body, "id": cred_id, "managedCredential": False}
        return _masked(state.credentials[cred_id])

    @on("organization_credentials.list")
    def list_credentials(req: EmuRequest) -> Any:
        return [_masked(c) for c in state.credentials.values()]

    @on("organization_credentials.get")
    def get_credential(req: EmuRequest) -> Any:
        return _masked(_credential(state, req))

    @on("organization_credentials.delete")
    def delete_credential(req: EmuRequest) -> Any:
        del state.credentials[_credential(state, req)["id"]]
        return {"code": "200", "message": "Organization credential deleted"}

    # -- run schedules ----------------------------------------------------------------------------
    @on("cleanroom_question_run_schedules.create")
    def create_schedule(req: EmuRequest) -> Any:
        crq = state.crq(req.path_params["cleanroomQuestionId"])
        body = req.json() or {}
        if not body.get("name"):
            raise EmuError(400, "Field 'name' is required")
        schedule_id = state.new_id()
        state.schedules[schedule_id] = {
            "id": schedule_id,
            "crqId": crq["id"],
            "name": body["name"],
            "description": body.get("description") or "",
            "ownerId": state.organization,
            "startDateTime": body.get("startSchedule"),
            "endDateTime": body.get("endSchedule"),
            "active": True,
            "repeatFrequency": body.get("repeatFrequency"),
        }
        return {"id": schedule_id}

    @on("cleanroom_question_run_schedules.list")
    def list_schedules(req: EmuRequest) -> Any:
        crq = state.crq(req.path_params["cleanroomQuestionId"])
        return [_public(v) for v in state.schedules.values() if v["crqId"] == crq["id"]]

    @on("cleanroom_question_run_schedules.get")
    def get_schedule(req: EmuRequest) -> Any:
        return _public(_schedule(state, req))

    @on("cleanroom_question_run_schedules.delete")
    def delete_schedule(req: EmuRequest) -> Any:
        del state.schedules[_schedule(state, req)["id"]]
        return {"success": True}

    # -- clean-room questions -----------------------------------------------------------------
    @on("cleanroom_questions.add")
    def add_question(req: EmuRequest) -> Any:
        editable = (req.query.get("isEditable") or "true").lower() != "false"
        return state.attach_question(req.path_params[p], req.query.get("questionId"), editable)

    @on("cleanroom_questions.list")
    def list_crqs(req: EmuRequest) -> Any:
        room = state.cleanroom(req.path_params[p])
        crqs = [
            state.crq_wire(c)
            for c, v in state.cleanroom_questions.items()
            if v["cleanroomId"] == room["id"]
        ]
        offset = _int(req, "offset", 0)
        return crqs[offset : offset + _int(req, "limit", 500)]

    @on("cleanroom_questions.get")
    def get_crq(req: EmuRequest) -> Any:
        return state.crq_wire(req.path_params["cleanroomQuestionId"])

    @on("cleanroom_questions.delete")
    def delete_crq(req: EmuRequest) -> Any:
        crq = state.crq(req.path_params["cleanroomQuestionId"])
        del state.cleanroom_questions[crq["id"]]
        return {"code": "200", "message": "Cleanroom question deleted"}

    # not validated against the spec: the published document's query-parameter form is
    # accepted too (the state model checks either form)
    @on("cleanroom_questions.assign_dataset_owners", validate=False)
    def assign_owners(req: EmuRequest) -> Any:
        body = req.json()
        if body is None:
            # the published document's form: the request as a query parameter
            raw = req.query.get("AssignCleanroomQuestionDatasetRequests")
            body = _json_or_400(raw) if raw else None
        return state.assign_owners(req.path_params["cleanroomQuestionId"], body)

    @on("cleanroom_questions.assign_datasets")
    def assign_datasets(req: EmuRequest) -> Any:
        return state.assign_datasets(req.path_params["cleanroomQuestionId"], req.json())

    @on("cleanroom_questions.list_datasets")
    def list_crq_datasets(req: EmuRequest) -> Any:
        crq = state.crq(req.path_params["cleanroomQuestionId"])
        return state.crq_datasets(crq["id"])

    @on("cleanroom_questions.create_run")
    def create_run(req: EmuRequest) -> Any:
        return state.create_run(req.path_params["cleanroomQuestionId"], req.json())

    # -- question runs ------------------------------------------------------------------------
    @on("cleanroom_question_runs.list")
    def list_runs(req: EmuRequest) -> Any:
        status = req.query.get("questionRunStatus") or req.query.get("status")
        return state.list_runs(
            req.path_params["cleanroomQuestionId"],
            status,
            req.query.get("startDate"),
            req.query.get("endDate"),
            _int(req, "limit", 30),
            _int(req, "offset", 0),
        )

    @on("cleanroom_question_runs.get")
    def get_run(req: EmuRequest) -> Any:
        return state.run(req.path_params["cleanroomQuestionRunId"]).wire(state.now)

    @on("cleanroom_question_runs.update_status")
    def update_run_status(req: EmuRequest) -> Any:
        run = state.run(req.path_params["cleanroomQuestionRunId"])
        body = req.json() or {}
        if body.get("id") != run.id or not body.get("status"):
            raise EmuError(400, "Body needs the run's 'id' and a 'status'")
        run.reported_status = str(body["status"])
        return {"code": "200", "message": "Run status updated"}

    @on("cleanroom_question_runs.delete")
    def delete_run(req: EmuRequest) -> Any:
        state.run(req.path_params["cleanroomQuestionRunId"]).deleted = True
        return {"success": True}

    @on("cleanroom_question_runs.get_data")
    def run_data(req: EmuRequest) -> Any:
        return state.run_data(
            req.path_params["cleanroomQuestionRunId"],
            _int(req, "limit", 500),
            _int(req, "offset", 0),
        )

    @on("cleanroom_question_runs.get_data_count")
    def run_data_count(req: EmuRequest) -> Any:
        run = state.run(req.path_params["cleanroomQuestionRunId"])
        return run.rows if run.status(state.now) == "COMPLETED" else 0

    @on("cleanroom_question_runs.download")
    def download(req: EmuRequest) -> Any:
        run = state.run(req.path_params["cleanroomQuestionRunId"])
        if run.status(state.now) != "COMPLETED":
            raise EmuError(400, f"Cleanroom question run {run.id} is not COMPLETED")
        if not req.path_params["fileName"].endswith(".csv"):
            raise EmuError(404, f"No output file {req.path_params['fileName']!r}")
        return EmuResponse(200, body=_csv_chunks(state, run), media_type="text/csv")

    @on("cleanroom_question_runs.get_partition_parameters")
    def partition_parameters(req: EmuRequest) -> Any:
        state.run(req.path_params["cleanroomQuestionRunId"])
        return []

    # -- flows --------------------------------------------------------------------------------
    @on("cleanroom_flows.create")
    def create_flow(req: EmuRequest) -> Any:
        return state.create_flow(req.path_params[p], req.json() or {})

    @on("cleanroom_flows.get")
    def get_flow(req: EmuRequest) -> Any:
        flow = state.flow(req.path_params[p], req.path_params["cleanroomFlowId"])
        return {
            "cleanRoomFlow": {
                "ID": flow["ID"],
                "displayID": flow["displayID"],
                "cleanRoomID": flow["cleanroomId"],
                "flowID": flow["ID"],
                "status": "ACTIVE",
                "flowVersion": flow["version"],
                "ownerOrganizationID": state.organization,
                "runCount": sum(1 for r in state.flow_runs.values() if r.flow_id == flow["ID"]),
            }
        }

    @on("cleanroom_flow_runs.create")
    def create_flow_run(req: EmuRequest) -> Any:
        return state.create_flow_run(
            req.path_params[p], req.path_params["cleanroomFlowId"], req.json() or {}
        )

    @on("cleanroom_flow_runs.list")
    def list_flow_runs(req: EmuRequest) -> Any:
        flow = state.flow(req.path_params[p], req.path_params["cleanroomFlowId"])
        search = req.query.get("search")
        runs = [
            r.wire(state.now)
            for r in sorted(state.flow_runs.values(), key=lambda r: r.submitted, reverse=True)
            if r.flow_id == flow["ID"] and (not search or search in r.name)
        ]
        offset = _int(req, "offset", 0)
        return {
            "cleanRoomFlowRuns": runs[offset : offset + _int(req, "limit", 30)],
            "count": len(runs),
        }

    @on("cleanroom_flow_runs.get")
    def get_flow_run(req: EmuRequest) -> Any:
        return state.flow_run(req.path_params[p], req.path_params["cleanroomFlowRunId"]).wire(
            state.now
        )

    @on("cleanroom_flow_runs.get_status")
    def flow_run_status(req: EmuRequest) -> Any:
        run = state.flow_run(req.path_params[p], req.path_params["cleanroomFlowRunId"])
        return {"status": run.status(state.now)}

    @on("cleanroom_flow_runs.list_output_nodes")
    def output_nodes(req: EmuRequest) -> Any:
        return state.flow_output_nodes(req.path_params[p], req.path_params["cleanroomFlowRunId"])

    @on("cleanroom_flow_runs.get_report")
    def flow_report(req: EmuRequest) -> Any:
        return state.flow_report(
            req.path_params[p],
            req.path_params["cleanroomFlowRunId"],
            req.query.get("node"),
            _int(req, "limit", 500),
            _int(req, "offset", 0),
        )


def _masked(credential: dict[str, Any]) -> dict[str, Any]:
    """A credential as the API shows it: names of the secret parts, never their values."""
    return {
        **credential,
        "credentials": [
            {"name": c.get("name"), "value": "********"}
            for c in credential.get("credentials") or []
        ],
    }


def _credential(state: HabuState, req: EmuRequest) -> dict[str, Any]:
    cred_id = state.require_uuid(
        req.path_params["organizationCredentialId"], "organizationCredentialId"
    )
    found = state.credentials.get(cred_id)
    if found is None:
        raise EmuError(404, f"Organization credential {cred_id} not found")
    return found


def _schedule(state: HabuState, req: EmuRequest) -> dict[str, Any]:
    crq = state.crq(req.path_params["cleanroomQuestionId"])
    found = state.schedules.get(req.path_params["cleanroomQuestionRunScheduleId"])
    if found is None or found["crqId"] != crq["id"]:
        raise EmuError(404, "Cleanroom question run schedule not found")
    return found


def _public(schedule: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schedule.items() if k != "crqId"}


def _json_or_400(raw: str) -> Any:
    import json

    try:
        return json.loads(raw)
    except ValueError:
        raise EmuError(400, "AssignCleanroomQuestionDatasetRequests is not valid JSON") from None


def _csv_chunks(state: HabuState, run: Any, rows_per_chunk: int = 10_000) -> Iterator[bytes]:
    """The result as CSV, produced a chunk at a time so a large file is never held whole."""
    names = [c["fieldName"] for c in run.columns]
    yield (",".join(names) + "\n").encode()
    for offset in range(0, run.rows, rows_per_chunk):
        rows = result_page(state.seed, run.id, run.columns, offset, rows_per_chunk, run.rows)
        yield "".join(",".join(r[n] for n in names) + "\n" for r in rows).encode()
