"""What the Habu emulator answers to each operation of ``specs/habu.yaml``, over :class:`HabuState`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from specclient.emulators.core import EmuError, EmuRequest, EmuResponse, Routes, paginate_offset
from specclient.emulators.habu.state import HabuState, require, result_page

__all__ = ["routes"]

routes = Routes()
ROOM = "cleanroomId"


def _deleted(noun: str) -> dict[str, str]:
    """The platform's acknowledgement of a deletion (its ReturnObject)."""
    return {"code": "200", "message": f"{noun} deleted"}


# -- service and auth ------------------------------------------------------------------
@routes("health.get")
def health(state: HabuState, req: EmuRequest) -> Any:
    return {
        "status": "UP",
        "statusCode": 200,
        "description": "Habu emulator",
        "version": "v1.0.0",
    }


@routes("oauth.token")
def token(state: HabuState, req: EmuRequest) -> Any:
    form = req.form()
    if req.principal is None and form.get("grant_type") == "password":
        return state.issue_service_account_token(
            str(form.get("username", "")),
            str(form.get("password", "")),
            str(form.get("client_id", "")),
        )
    if req.principal is None:
        raise EmuError(
            400,
            "Required request header 'Authorization' for method parameter type String is not "
            "present",
        )
    if form.get("grant_type") != "client_credentials":
        raise EmuError(400, "grant_type must be client_credentials")
    client_id, _, secret = str(req.principal).partition("\n")
    return state.issue_token(client_id, secret)


# -- clean rooms -------------------------------------------------------------------------
@routes("cleanrooms.create")
def create_cleanroom(state: HabuState, req: EmuRequest) -> Any:
    return state.create_cleanroom(req.json() or {})


@routes("cleanrooms.list")
def list_cleanrooms(state: HabuState, req: EmuRequest) -> Any:
    rooms = list(state.cleanrooms.values())
    return paginate_offset(rooms, req.query_int("limit", 500), req.query_int("offset", 0))


routes.found("cleanrooms.get", "cleanrooms", ROOM)


@routes("cleanrooms.update")
def update_cleanroom(state: HabuState, req: EmuRequest) -> Any:
    return state.update_cleanroom(req.path_params[ROOM], req.json() or {})


routes.found("cleanrooms.delete", "cleanrooms", ROOM, remove=True, reply=_deleted("Cleanroom"))


@routes("cleanrooms.list_types")
def cleanroom_types(state: HabuState, req: EmuRequest) -> Any:
    return [{"id": name, "name": name, "displayName": name} for name in state._ROOM_TYPES]


@routes("cleanroom_partners.list")
def list_partners(state: HabuState, req: EmuRequest) -> Any:
    room = state.cleanrooms.find(req.path_params[ROOM])
    return list(state.partners.get(room["id"], {}).values())


@routes("users.list")
def list_users(state: HabuState, req: EmuRequest) -> Any:
    return [
        {
            "id": state.organization,
            "email": "api-user@emulator.invalid",
            "name": "API User",
            "roles": ["API Administrator"],
        }
    ]


# -- data connections ----------------------------------------------------------------------
@routes("data_connections.create")
def create_connection(state: HabuState, req: EmuRequest) -> Any:
    return state.create_data_connection(req.json() or {})


routes.listing("data_connections.list", "data_connections")


routes.found("data_connections.get", "data_connections", "dataConnectionId")


routes.found(
    "data_connections.delete",
    "data_connections",
    "dataConnectionId",
    remove=True,
    reply=_deleted("Data connection"),
)


@routes("data_connections.list_field_configurations")
def list_fields(state: HabuState, req: EmuRequest) -> Any:
    conn = state.data_connections.find(req.path_params["dataConnectionId"])
    return state.field_configurations[conn["id"]]


@routes("data_connections.map_field_configurations")
def map_fields(state: HabuState, req: EmuRequest) -> Any:
    return state.map_fields(req.path_params["dataConnectionId"], req.json())


@routes("data_sources.list")
def list_sources(state: HabuState, req: EmuRequest) -> Any:
    return [
        {
            "id": "2b0d7f4e-0000-4000-8000-000000000001",
            "name": "client_aws_s3",
            "displayName": "Client AWS S3",
        }
    ]


@routes("identifier_types.list")
def identifier_types(state: HabuState, req: EmuRequest) -> Any:
    return [
        {"id": str(k), "name": n, "displayName": n}
        for k, n in enumerate(("Hashed Emails", "RampID", "Mobile Device Identifier"))
    ]


# -- clean-room datasets -------------------------------------------------------------------
@routes("cleanroom_datasets.configure")
def configure_dataset(state: HabuState, req: EmuRequest) -> Any:
    return state.configure_dataset(
        req.path_params[ROOM], req.query.get("dataConnectionId"), req.json()
    )


@routes("cleanroom_datasets.list")
def list_datasets(state: HabuState, req: EmuRequest) -> Any:
    room = state.cleanrooms.find(req.path_params[ROOM])
    return state.datasets.where(cleanRoomId=room["id"])


@routes("cleanroom_datasets.get")
def get_dataset(state: HabuState, req: EmuRequest) -> Any:
    return state.dataset(req.path_params[ROOM], req.path_params["datasetId"])


@routes("cleanroom_datasets.update")
def update_dataset(state: HabuState, req: EmuRequest) -> Any:
    dataset = state.dataset(req.path_params[ROOM], req.path_params["datasetId"])
    body = req.json() or {}
    dataset.update({k: v for k, v in body.items() if k not in ("id", "cleanRoomId")})
    return dataset


# -- questions ----------------------------------------------------------------------------
@routes("questions.create")
def create_question(state: HabuState, req: EmuRequest) -> Any:
    return state.create_question(req.json() or {}, req.query.get("cleanRoomID"))


routes.found("questions.get", "questions", "questionID")


routes.found("questions.delete", "questions", "questionID", remove=True, reply=_deleted("Question"))


@routes("questions.update")
def update_question(state: HabuState, req: EmuRequest) -> Any:
    question = state.questions.find(req.path_params["questionID"])
    body = req.json() or {}
    if "questionDetails" in body:
        question["questionDetails"] = body["questionDetails"]
        question["version"] += 1
    return {"success": True, "message": "Question updated successfully", "question": question}


# -- organization credentials: values are stored, never sent back -------------------------
@routes("organization_credentials.create")
def create_credential(state: HabuState, req: EmuRequest) -> Any:
    body = req.json() or {}
    require(body, "name", "credentials")  # what OrganizationCredentialDetail requires
    cred_id = state.new_id()
    state.credentials[cred_id] = {**body, "id": cred_id, "managedCredential": False}
    return _masked(state.credentials[cred_id])


@routes("organization_credentials.list")
def list_credentials(state: HabuState, req: EmuRequest) -> Any:
    return [_masked(c) for c in state.credentials.values()]


@routes("organization_credentials.get")
def get_credential(state: HabuState, req: EmuRequest) -> Any:
    return _masked(state.credentials.find(req.path_params["organizationCredentialId"]))


routes.found(
    "organization_credentials.delete",
    "credentials",
    "organizationCredentialId",
    remove=True,
    reply=_deleted("Organization credential"),
)


# -- run schedules ----------------------------------------------------------------------------
@routes("cleanroom_question_run_schedules.create")
def create_schedule(state: HabuState, req: EmuRequest) -> Any:
    crq = state.cleanroom_questions.find(req.path_params["cleanroomQuestionId"])
    body = req.json() or {}
    require(body, "name")
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


@routes("cleanroom_question_run_schedules.list")
def list_schedules(state: HabuState, req: EmuRequest) -> Any:
    crq = state.cleanroom_questions.find(req.path_params["cleanroomQuestionId"])
    return [_public(v) for v in state.schedules.where(crqId=crq["id"])]


@routes("cleanroom_question_run_schedules.get")
def get_schedule(state: HabuState, req: EmuRequest) -> Any:
    return _public(_schedule(state, req))


@routes("cleanroom_question_run_schedules.delete")
def delete_schedule(state: HabuState, req: EmuRequest) -> Any:
    del state.schedules[_schedule(state, req)["id"]]
    return {"success": True}


# -- clean-room questions -----------------------------------------------------------------
@routes("cleanroom_questions.add")
def add_question(state: HabuState, req: EmuRequest) -> Any:
    editable = (req.query.get("isEditable") or "true").lower() != "false"
    return state.attach_question(req.path_params[ROOM], req.query.get("questionId"), editable)


@routes("cleanroom_questions.list")
def list_crqs(state: HabuState, req: EmuRequest) -> Any:
    room = state.cleanrooms.find(req.path_params[ROOM])
    crqs = [
        state.crq_wire(c["id"]) for c in state.cleanroom_questions.where(cleanroomId=room["id"])
    ]
    return paginate_offset(crqs, req.query_int("limit", 500), req.query_int("offset", 0))


@routes("cleanroom_questions.get")
def get_crq(state: HabuState, req: EmuRequest) -> Any:
    return state.crq_wire(req.path_params["cleanroomQuestionId"])


routes.found(
    "cleanroom_questions.delete",
    "cleanroom_questions",
    "cleanroomQuestionId",
    remove=True,
    reply=_deleted("Cleanroom question"),
)


# not validated against the spec: the published document's query-parameter form is
# accepted too (the state model checks either form)
@routes("cleanroom_questions.assign_dataset_owners", validate=False)
def assign_owners(state: HabuState, req: EmuRequest) -> Any:
    body = req.json()
    if body is None:
        # the published document's form: the request as a query parameter
        raw = req.query.get("AssignCleanroomQuestionDatasetRequests")
        body = _json_or_400(raw) if raw else None
    return state.assign_owners(req.path_params["cleanroomQuestionId"], body)


@routes("cleanroom_questions.assign_datasets")
def assign_datasets(state: HabuState, req: EmuRequest) -> Any:
    return state.assign_datasets(req.path_params["cleanroomQuestionId"], req.json())


@routes("cleanroom_questions.list_datasets")
def list_crq_datasets(state: HabuState, req: EmuRequest) -> Any:
    crq = state.cleanroom_questions.find(req.path_params["cleanroomQuestionId"])
    return state.crq_datasets(crq["id"])


@routes("cleanroom_questions.create_run")
def create_run(state: HabuState, req: EmuRequest) -> Any:
    return state.create_run(req.path_params["cleanroomQuestionId"], req.json())


# -- question runs ------------------------------------------------------------------------
@routes("cleanroom_question_runs.list")
def list_runs(state: HabuState, req: EmuRequest) -> Any:
    status = req.query.get("questionRunStatus") or req.query.get("status")
    return state.list_runs(
        req.path_params["cleanroomQuestionId"],
        status,
        req.query.get("startDate"),
        req.query.get("endDate"),
        req.query_int("limit", 30),
        req.query_int("offset", 0),
    )


@routes("cleanroom_question_runs.get")
def get_run(state: HabuState, req: EmuRequest) -> Any:
    return state.run(req.path_params["cleanroomQuestionRunId"]).wire(state.now)


@routes("cleanroom_question_runs.update_status")
def update_run_status(state: HabuState, req: EmuRequest) -> Any:
    run = state.run(req.path_params["cleanroomQuestionRunId"])
    body = req.json() or {}
    if body.get("id") != run.id or not body.get("status"):
        raise EmuError(400, "Body needs the run's 'id' and a 'status'")
    run.reported_status = str(body["status"])
    return {"code": "200", "message": "Run status updated"}


@routes("cleanroom_question_runs.delete")
def delete_run(state: HabuState, req: EmuRequest) -> Any:
    state.run(req.path_params["cleanroomQuestionRunId"]).deleted = True
    return {"success": True}


@routes("cleanroom_question_runs.get_data")
def run_data(state: HabuState, req: EmuRequest) -> Any:
    return state.run_data(
        req.path_params["cleanroomQuestionRunId"],
        req.query_int("limit", 500),
        req.query_int("offset", 0),
    )


@routes("cleanroom_question_runs.get_data_count")
def run_data_count(state: HabuState, req: EmuRequest) -> Any:
    run = state.run(req.path_params["cleanroomQuestionRunId"])
    return run.rows if run.status(state.now) == "COMPLETED" else 0


@routes("cleanroom_question_runs.download")
def download(state: HabuState, req: EmuRequest) -> Any:
    run = state.run(req.path_params["cleanroomQuestionRunId"])
    if run.status(state.now) != "COMPLETED":
        raise EmuError(400, f"Cleanroom question run {run.id} is not COMPLETED")
    if not req.path_params["fileName"].endswith(".csv"):
        raise EmuError(404, f"No output file {req.path_params['fileName']!r}")
    return EmuResponse(200, body=_csv_chunks(state, run), media_type="text/csv")


@routes("cleanroom_question_runs.get_partition_parameters")
def partition_parameters(state: HabuState, req: EmuRequest) -> Any:
    state.run(req.path_params["cleanroomQuestionRunId"])
    return []


# -- flows --------------------------------------------------------------------------------
@routes("cleanroom_flows.create")
def create_flow(state: HabuState, req: EmuRequest) -> Any:
    return state.create_flow(req.path_params[ROOM], req.json() or {})


@routes("cleanroom_flows.get")
def get_flow(state: HabuState, req: EmuRequest) -> Any:
    flow = state.flow(req.path_params[ROOM], req.path_params["cleanroomFlowId"])
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


@routes("cleanroom_flow_runs.create")
def create_flow_run(state: HabuState, req: EmuRequest) -> Any:
    return state.create_flow_run(
        req.path_params[ROOM], req.path_params["cleanroomFlowId"], req.json() or {}
    )


@routes("cleanroom_flow_runs.list")
def list_flow_runs(state: HabuState, req: EmuRequest) -> Any:
    flow = state.flow(req.path_params[ROOM], req.path_params["cleanroomFlowId"])
    search = req.query.get("search")
    runs = [
        r.wire(state.now)
        for r in sorted(state.flow_runs.values(), key=lambda r: r.submitted, reverse=True)
        if r.flow_id == flow["ID"] and (not search or search in r.name)
    ]
    offset = req.query_int("offset", 0)
    return {
        "cleanRoomFlowRuns": runs[offset : offset + req.query_int("limit", 30)],
        "count": len(runs),
    }


@routes("cleanroom_flow_runs.get")
def get_flow_run(state: HabuState, req: EmuRequest) -> Any:
    return state.flow_run(req.path_params[ROOM], req.path_params["cleanroomFlowRunId"]).wire(
        state.now
    )


@routes("cleanroom_flow_runs.get_status")
def flow_run_status(state: HabuState, req: EmuRequest) -> Any:
    run = state.flow_run(req.path_params[ROOM], req.path_params["cleanroomFlowRunId"])
    return {"status": run.status(state.now)}


@routes("cleanroom_flow_runs.list_output_nodes")
def output_nodes(state: HabuState, req: EmuRequest) -> Any:
    return state.flow_output_nodes(req.path_params[ROOM], req.path_params["cleanroomFlowRunId"])


@routes("cleanroom_flow_runs.get_report")
def flow_report(state: HabuState, req: EmuRequest) -> Any:
    return state.flow_report(
        req.path_params[ROOM],
        req.path_params["cleanroomFlowRunId"],
        req.query.get("node"),
        req.query_int("limit", 500),
        req.query_int("offset", 0),
    )


def _masked(credential: dict[str, Any]) -> dict[str, Any]:
    """A credential as the API shows it: names of the secret parts, never their values."""
    return {
        **credential,
        "credentials": [
            {**({"name": c["name"]} if "name" in c else {}), "value": "********"}
            for c in credential.get("credentials") or []
        ],
    }


def _schedule(state: HabuState, req: EmuRequest) -> dict[str, Any]:
    crq = state.cleanroom_questions.find(req.path_params["cleanroomQuestionId"])
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
