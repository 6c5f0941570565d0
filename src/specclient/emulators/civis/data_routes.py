"""The Civis emulator's data operations: a table by name, CSV imports, file preprocessing,
database syncs (``/imports`` of type ``Dbsync``) and queries.

Jobs made here run through ``/jobs/{id}/runs`` like every Civis job (civis-python's
``run_job``), and their runs do what :mod:`.loads` says. A query runs as it is created; its
preview rows show once its run has ended. SQL is answered as :mod:`.warehouse` says, and a
statement it does not understand is a 400 at creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specclient.emulators.civis.handlers import routes
from specclient.emulators.civis.loads import DELIMITERS
from specclient.emulators.civis.state import CivisState, Invalid, NotFound, Run
from specclient.emulators.civis.warehouse import decode_rows
from specclient.emulators.core import EmuError, EmuRequest, EmuResponse

__all__ = ["EXISTING_TABLE_ROWS"]

EXISTING_TABLE_ROWS = ("fail", "truncate", "append", "drop", "upsert")


def _body(req: EmuRequest) -> dict[str, Any]:
    body = req.json() if req.has_body else None
    if not isinstance(body, Mapping):
        raise Invalid("a JSON object body is required")
    return dict(body)


def _id(req: EmuRequest, name: str = "id") -> int:
    return int(req.path_params[name])


def _wire(job: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if not key.startswith("_")}


def _job(state: CivisState, job_id: int, kind: str, noun: str) -> dict[str, Any]:
    job = state.jobs.get(job_id)
    if job is None or job["_kind"] not in kind.split("|"):
        raise NotFound(f"The requested {noun} could not be found.")
    return job


def _choice(body: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> None:
    if body.get(name) is not None and body[name] not in allowed:
        raise Invalid(f"{name} must be one of {list(allowed)}, not {body[name]!r}")


# -- tables by name ----------------------------------------------------------------------------
@routes("GET /databases/{id}/schemas/{schema_name}/tables/{table_name}")
def schema_table(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    database = state.databases.find(_id(req))
    found = state.warehouse.find(
        database["id"], req.path_params["schema_name"], req.path_params["table_name"]
    )
    if found is None:
        raise NotFound("The requested table could not be found.")
    return found


# -- CSV imports and preprocessing -------------------------------------------------------------
@routes("POST /imports/files/csv")
def csv_import_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = _body(req)
    source, destination = body.get("source"), body.get("destination")
    if not isinstance(source, Mapping) or not isinstance(destination, Mapping):
        raise Invalid("source and destination are required")
    if not isinstance(body.get("firstRowIsHeader"), bool):
        raise Invalid("firstRowIsHeader is required")
    for name in ("schema", "table", "remoteHostId", "credentialId"):
        if destination.get(name) in (None, ""):
            raise Invalid(f"destination.{name} is required")
    state.databases.find(destination["remoteHostId"])
    state.credentials.find(destination["credentialId"])
    for file_id in source.get("fileIds") or []:
        state.file_store.record(file_id)
    _choice(body, "columnDelimiter", tuple(DELIMITERS))
    _choice(body, "existingTableRows", EXISTING_TABLE_ROWS)
    _choice(body, "compression", ("gzip", "zip", "none"))
    fields = {
        "source": {"fileIds": list(source.get("fileIds") or []), "storagePath": None},
        "destination": {
            "primaryKeys": [],
            "lastModifiedKeys": [],
            **{k: v for k, v in destination.items() if v is not None},
        },
        "firstRowIsHeader": body["firstRowIsHeader"],
        "columnDelimiter": body.get("columnDelimiter") or "comma",
        "escaped": bool(body.get("escaped")),
        "compression": body.get("compression") or "none",
        "existingTableRows": body.get("existingTableRows") or "fail",
        "maxErrors": body.get("maxErrors"),
        "tableColumns": body.get("tableColumns") or [],
        "loosenTypes": bool(body.get("loosenTypes")),
        "execution": body.get("execution") or "immediate",
        "redshiftDestinationOptions": body.get("redshiftDestinationOptions") or {},
        "myPermissionLevel": "manage",
    }
    job = state.add_job(
        "csv_import", "JobTypes::CsvImport", body, req.principal, category="import", **fields
    )
    return EmuResponse(201, json=_wire(job))


@routes("GET /imports/files/csv/{id}")
def csv_import_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return _wire(_job(state, _id(req), "csv_import", "CSV import"))


@routes("POST /files/preprocess/csv")
def preprocess_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = _body(req)
    if body.get("fileId") is None:
        raise Invalid("fileId is required")
    state.file_store.record(body["fileId"])
    _choice(body, "columnDelimiter", tuple(DELIMITERS))
    fields = {
        "fileId": body["fileId"],
        "inPlace": bool(body.get("inPlace")),
        "detectTableColumns": bool(body.get("detectTableColumns")),
        "forceCharacterSetConversion": bool(body.get("forceCharacterSetConversion")),
        "includeHeader": body.get("includeHeader"),
        "columnDelimiter": body.get("columnDelimiter"),
    }
    job = state.add_job(
        "preprocess", "JobTypes::PreprocessCsv", body, req.principal, category="job", **fields
    )
    return EmuResponse(201, json=_wire(job))


@routes("GET /files/preprocess/csv/{id}")
def preprocess_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return _wire(_job(state, _id(req), "preprocess", "preprocess job"))


# -- imports (the older interface: a job, its syncs, its runs) ---------------------------------
def _host(state: CivisState, side: Any, name: str) -> dict[str, Any] | None:
    if side is None:
        return None
    if not isinstance(side, Mapping) or side.get("remoteHostId") is None:
        raise Invalid(f"{name}.remoteHostId is required")
    database = state.databases.find(side["remoteHostId"])
    return {
        "remoteHostId": database["id"],
        "credentialId": side.get("credentialId"),
        "additionalCredentials": side.get("additionalCredentials") or [],
        "name": database["name"],
    }


@routes("POST /imports/")
def import_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = _body(req)
    if not body.get("name") or not body.get("syncType") or "isOutbound" not in body:
        raise Invalid("name, syncType and isOutbound are required")
    fields = {
        "source": _host(state, body.get("source"), "source"),
        "destination": _host(state, body.get("destination"), "destination"),
        "syncType": body["syncType"],
        "isOutbound": bool(body["isOutbound"]),
        "jobType": "JobTypes::Import",
        "syncs": [],
        "user": None,
        "runningAs": None,
        "myPermissionLevel": "manage",
    }
    # only a Dbsync's runs do something here; other sync types run and succeed as no-ops
    kind = "dbsync" if body["syncType"] == "Dbsync" else "import"
    job = state.add_job(kind, "JobTypes::Import", body, req.principal, category="import", **fields)
    return EmuResponse(201, json=_wire(job))


@routes("GET /imports/{id}")
def import_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return _wire(_job(state, _id(req), "dbsync|import", "import"))


@routes("POST /imports/{id}/syncs")
def import_syncs_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    job = _job(state, _id(req), "dbsync|import", "import")
    body = _body(req)
    source, destination = body.get("source"), body.get("destination")
    if not isinstance(source, Mapping) or not isinstance(destination, Mapping):
        raise Invalid("source and destination are required")
    if job["_kind"] == "dbsync" and not (source.get("path") and destination.get("path")):
        raise Invalid("a Dbsync's source and destination each need a path (schema.table)")
    sync = {
        "id": state.new_id(),
        "source": {"id": None, **dict(source)},
        "destination": dict(destination),
        "advancedOptions": dict(body.get("advancedOptions") or {}),
    }
    job["syncs"].append(sync)
    return EmuResponse(201, json=sync)


@routes("POST /imports/{id}/runs")
def import_runs_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    job = _job(state, _id(req), "dbsync|import", "import")
    run = state.start_run(job["id"])
    return EmuResponse(202, json={"runId": run.id})


@routes("GET /imports/files/{id}/runs/{run_id}")
def import_run_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    job = _job(state, _id(req), "dbsync|import|csv_import", "import")
    run = state.run(job["id"], _id(req, "run_id"))
    return {"importId": job["id"], **run.wire(state.now(), "job")}


# -- queries -----------------------------------------------------------------------------------
@routes("POST /queries/")
def queries_post(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    body = _body(req)
    if body.get("database") is None or not body.get("sql") or body.get("previewRows") is None:
        raise Invalid("database, sql and previewRows are required")
    database = state.databases.find(body["database"])
    state.warehouse.check(body["sql"])
    query_id = state.new_id()
    run = Run(
        id=state.new_id(),
        job_id=query_id,
        submitted=state.now(),
        queue_seconds=state.queue_seconds,
        run_seconds=state.run_seconds,
    )
    query: dict[str, Any] = {
        "id": query_id,
        "database": database["id"],
        "sql": body["sql"],
        "credential": body.get("credential"),
        "hidden": bool(body.get("hidden", True)),
        "archived": False,
        "name": None,
        "author": {k: req.principal.get(k) for k in ("id", "name", "username", "initials")},
        "createdAt": state.iso_now(),
        "updatedAt": state.iso_now(),
        "lastRunId": run.id,
        "scriptId": None,
        "reportId": None,
        "_run": run,
        "_columns": [],
        "_rows": [],
    }
    try:  # a query does its work as it starts, as a run does
        result = state.warehouse.execute(database["id"], body["sql"])
    except EmuError as error:
        run.error = error.message
    else:
        preview = max(int(body["previewRows"]), 0)
        rows: list[list[str]] = []
        for row in decode_rows(result.body):
            if len(rows) >= preview:
                break
            rows.append(row)
        query.update(_columns=result.columns, _rows=rows)
    state.queries[query_id] = query
    return _query_wire(state, query)


@routes("GET /queries/{id}")
def queries_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    query = state.queries.get(_id(req))
    if query is None:
        raise NotFound("The requested query could not be found.")
    return _query_wire(state, query)


def _query_wire(state: CivisState, query: dict[str, Any]) -> dict[str, Any]:
    run: Run = query["_run"]
    wire = run.wire(state.now(), "job")
    done = wire["state"] == "succeeded"
    return {
        **_wire(query),
        "state": wire["state"],
        "startedAt": wire["startedAt"],
        "finishedAt": wire["finishedAt"],
        "error": wire["error"],
        "exception": wire["error"],
        "resultColumns": query["_columns"] if done else None,
        "resultRows": query["_rows"] if done else None,
    }
