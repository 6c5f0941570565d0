"""Civis's CSV exports (``/exports/files/csv``): a job unloading the result of a SQL
statement to Civis files, as a SQL script's run does, with its settings at the top level of
the job (``includeHeader``, ``compression``, ``columnDelimiter``, ``forceMultifile``,
``maxFileSize``) and the statement under ``source``. A run writes its file (or, with
``forceMultifile``, the manifest of its part files) as a ``File`` run output."""

from __future__ import annotations

from typing import Any

from specclient.emulators.civis.data_routes import _body, _choice, _id, _job, _wire
from specclient.emulators.civis.handlers import _page, routes
from specclient.emulators.civis.loads import EFFECTS, run_sql
from specclient.emulators.civis.state import CivisState, Invalid, Run
from specclient.emulators.core import EmuRequest, EmuResponse

__all__: list[str] = []

_SETTINGS = ("includeHeader", "compression", "columnDelimiter", "forceMultifile", "maxFileSize")


@routes("POST /exports/files/csv")
def export_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = _body(req)
    source, destination = body.get("source"), body.get("destination")
    if not isinstance(source, dict) or not isinstance(destination, dict):
        raise Invalid("source and destination are required")
    for name in ("sql", "remoteHostId", "credentialId"):
        if source.get(name) in (None, ""):
            raise Invalid(f"source.{name} is required")
    state.databases.find(source["remoteHostId"])
    state.credentials.find(source["credentialId"])
    state.warehouse.check(source["sql"])
    _choice(body, "compression", ("gzip", "zip", "none"))
    _choice(body, "columnDelimiter", ("comma", "tab", "pipe"))
    fields = {
        "source": {k: source[k] for k in ("sql", "remoteHostId", "credentialId")},
        "destination": {"filenamePrefix": destination.get("filenamePrefix"), "storagePath": None},
        "includeHeader": body.get("includeHeader", True),
        "compression": body.get("compression") or "gzip",
        "columnDelimiter": body.get("columnDelimiter") or "comma",
        "forceMultifile": bool(body.get("forceMultifile")),
        "maxFileSize": body.get("maxFileSize"),
    }
    job = state.add_job(
        "csv_export", "JobTypes::CsvExport", body, req.principal, category="export", **fields
    )
    return EmuResponse(201, json=_wire(job))


@routes("GET /exports/files/csv/{id}")
def export_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return _wire(_job(state, _id(req), "csv_export", "CSV export"))


@routes("POST /exports/files/csv/{id}/runs")
def export_run_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    _job(state, _id(req), "csv_export", "CSV export")
    run = state.start_run(_id(req))
    return EmuResponse(202, json=_run_wire(state, run))


@routes("GET /exports/files/csv/{id}/runs/{run_id}")
def export_run_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    _job(state, _id(req), "csv_export", "CSV export")
    return _run_wire(state, state.run(_id(req), _id(req, "run_id")))


@routes("GET /exports/files/csv/{id}/runs/{run_id}/outputs")
def export_run_outputs(state: CivisState, req: EmuRequest) -> EmuResponse:
    _job(state, _id(req), "csv_export", "CSV export")
    return _page(req, state.run_outputs(state.run(_id(req), _id(req, "run_id"))))


def _run_wire(state: CivisState, run: Run) -> dict[str, Any]:
    return {**run.wire(state.now(), "job"), "outputCachedOn": None}


def run_export(state: CivisState, job: dict[str, Any], run: Run) -> None:
    """A run of a CSV export: a SQL run of its statement with its settings as ``csvSettings``."""
    settings = {name: job[name] for name in _SETTINGS if job.get(name) is not None}
    settings["filenamePrefix"] = job["destination"].get("filenamePrefix")
    source = job["source"]
    as_sql = {**job, "sql": source["sql"], "remoteHostId": source["remoteHostId"]}
    run_sql(state, {**as_sql, "csvSettings": settings}, run)


EFFECTS["csv_export"] = run_export
