"""What the uSmart emulator answers: its actions, downloads, URQL, DCAT and a fake S3 for the
signed uploads, all on one origin (see :mod:`specclient.emulators.usmart`)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from specclient.emulators.core import EmuError, EmuRequest, EmuResponse, Routes
from specclient.emulators.usmart import urql
from specclient.emulators.usmart.state import (
    StorageError,
    UsmartState,
    csv_bytes,
    iter_json_array,
)

__all__ = ["ACTION_NAMES", "ANONYMOUS_OK", "API_PREFIX", "DISCOVERY_PREFIX", "routes"]

API_PREFIX = "/api"
DISCOVERY_PREFIX = "/discovery"
STORAGE_PREFIX = "/storage"

# Public data can be read without keys, as on the real service.
ANONYMOUS_OK = frozenset(
    {"datasets.view_discovery", "files.download", "documents.download", "data.urql"}
)
ACTION_NAMES = {
    "datasets.view": "dataset:view",
    "uploads.generate_put_request": "s3:generatePutRequest",
    "files.create": "file:create",
    "files.update_revision": "file:updateRevision",
    "pipelines.create": "resourceContainer:create",
    "pipelines.process": "resourceContainer:process",
}

# What each action does with its JSON body.
_ACTIONS: dict[str, Any] = {
    "datasets.view": lambda state, body, req: state.dataset_view(body),
    "uploads.generate_put_request": lambda state, body, req: state.generate_put_request(
        body, _origin(req) + STORAGE_PREFIX
    ),
    "files.create": lambda state, body, req: state.file_create(body),
    "files.update_revision": lambda state, body, req: state.file_update_revision(body),
    "pipelines.create": lambda state, body, req: state.container_create(body),
    "pipelines.process": lambda state, body, req: state.container_process(body),
}

routes = Routes()


def _check_org(state: UsmartState, req: EmuRequest) -> None:
    org = req.path_params.get("orgGuid")
    if org != state.org_guid:
        raise EmuError(404, f"no organisation {org!r}", code="NotFound")


def _origin(req: EmuRequest) -> str:
    return str(req.raw.base_url).rstrip("/")


def _visible(state: UsmartState, req: EmuRequest, guid: str) -> None:
    """Anonymous callers see public datasets only; others look like they do not exist."""
    if req.principal is None and not state.is_public_resource(guid):
        raise EmuError(404, f"no public resource {guid!r}", code="NotFound")


@routes(*_ACTIONS)
def action(state: UsmartState, req: EmuRequest) -> Any:
    """Every write action: a JSON object in, the state's answer out, logged once applied."""
    _check_org(state, req)
    body = req.json()
    if not isinstance(body, dict):
        raise EmuError(400, "the body must be a JSON object", code="BadRequest")
    result = _ACTIONS[req.qualname or ""](state, body, req)
    state.action_log.append((req.qualname or "", body))
    return result


@routes("datasets.view_discovery")
def view_discovery(state: UsmartState, req: EmuRequest) -> Any:
    _check_org(state, req)
    ds = state.dataset(req.query.get("datasetGUID"))
    if ds.access_level != "public" and req.principal is None:
        raise EmuError(404, "no public dataset with that GUID", code="NotFound")
    return state.dataset_view({"datasetGUID": ds.guid})["result"]


@routes("files.download")
def download(state: UsmartState, req: EmuRequest) -> Any:
    _check_org(state, req)
    guid = req.query.get("resourceGUID", "")
    data_file, blob = state.file_blob(guid)
    _visible(state, req, guid)
    return EmuResponse(
        200,
        body=_file_chunks(blob.path),
        media_type=data_file.media_type,
        headers={
            "Content-Length": str(blob.size),
            "Content-Disposition": f'attachment; filename="{data_file.file_name}"',
        },
    )


@routes("documents.download")
def document(state: UsmartState, req: EmuRequest) -> Any:
    raise EmuError(404, "no additional documentation in this emulator", code="NotFound")


@routes("data.urql")
def data(state: UsmartState, req: EmuRequest) -> Any:
    _check_org(state, req)
    guid = req.path_params["resourceGuid"]
    rows = state.rows(guid, req.path_params["revision"])
    _visible(state, req, guid)
    raw_query = req.raw.scope.get("query_string", b"").decode("latin-1")
    try:
        query = urql.parse(raw_query)
        selected = urql.run(query, rows)
        if query.format == "csv":
            return EmuResponse(200, body=csv_bytes(list(selected)), media_type="text/csv")
    except urql.URQLError as exc:
        raise EmuError(400, str(exc), code="BadQuery") from None
    return EmuResponse(200, body=iter_json_array(selected), media_type="application/json")


def _catalogue(state: UsmartState, req: EmuRequest, private: bool) -> Any:
    _check_org(state, req)
    origin = _origin(req)
    return state.dcat(
        private=private,
        catalogue_url=origin + req.path,
        data_base=origin,
        api_base=origin + API_PREFIX,
    )


@routes("catalog.public", "catalog.private")
def catalogue(state: UsmartState, req: EmuRequest) -> Any:
    return _catalogue(state, req, private=req.qualname == "catalog.private")


@routes.extra("GET", DISCOVERY_PREFIX + "/org/{orgGuid}/dcat/public", name="catalog.public_alias")
def public_alias(state: UsmartState, req: EmuRequest) -> Any:
    return _catalogue(state, req, private=False)


def _file_chunks(path: Any, size: int = 1 << 20) -> Any:
    with open(path, "rb") as handle:
        while chunk := handle.read(size):
            yield chunk


@routes.extra("PUT", STORAGE_PREFIX + "/uploads/{guid}", name="storage.put", stream=True)
async def put(state: UsmartState, req: EmuRequest) -> Any:
    reference = f"uploads/{req.path_params['guid']}"
    length_header = req.headers.get("content-length")
    state.storage_requests.append(
        {"reference": reference, "headers": sorted(k.lower() for k in req.headers)}
    )
    try:
        length = int(length_header) if length_header is not None else None
        with req.app.lock:
            upload = state.check_put(
                reference, dict(req.query), req.headers.get("content-type"), length
            )
        assert length is not None
        partial = (
            state.root / "blobs" / f"{hashlib.sha256(reference.encode()).hexdigest()}"
            f".part{os.getpid()}-{req.request_id}"
        )
        digest = hashlib.sha256()
        size = 0
        try:
            with partial.open("wb") as out:
                async for chunk in req.stream():
                    size += len(chunk)
                    digest.update(chunk)
                    out.write(chunk)
            with req.app.lock:
                state.store_put(upload, partial, size, digest.hexdigest(), length)
        finally:
            partial.unlink(missing_ok=True)
    except StorageError as exc:
        return EmuResponse(
            exc.status,
            body=exc.xml(f"/{reference}", req.request_id),
            media_type="application/xml",
        )
    etag = f'"{digest.hexdigest()[:32]}"'
    return EmuResponse(200, body=b"", headers={"ETag": etag})
