"""The uSmart emulator: actions, a fake S3 for signed uploads, URQL and DCAT on one origin.

Every host of the real service is served under one origin (``base_url`` reaches it all):

- actions and downloads: ``https://data.usmart.io/org/<org>/...`` -> ``/org/<org>/...``
- URQL data API: ``https://api.usmart.io/org/<org>/...`` -> ``/api/org/<org>/...``
- DCAT catalogue: ``https://discovery.usmart.io/org/<org>/...`` -> ``/discovery/org/<org>/...``
- signed uploads: a pre-signed S3 URL -> ``/storage/uploads/<reference>?X-Amz-...``

The state model lives in :mod:`specclient.emulators.usmart.state`; URQL in
:mod:`specclient.emulators.usmart.urql`. Uploads are streamed to disk by an async handler,
never held in memory.
"""

from __future__ import annotations

import copy
import hashlib
import os
from functools import cache
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.core import EmuError, EmulatorApp, EmuRequest, EmuResponse
from specclient.emulators.usmart import urql
from specclient.emulators.usmart.state import (
    PROVIDER,
    VIEWER,
    VIEWER_ACTIONS,
    ActionError,
    StorageError,
    UsmartState,
    csv_bytes,
    iter_json_array,
)
from specclient.errors import ParameterError

__all__ = ["CREDENTIALS", "ORG_GUID", "build"]

ORG_GUID = "28ccd497-7acd-4470-bd17-721d5cbbd6ef"
CREDENTIALS: dict[str, str] = {
    "api_key_id": "usmart-demo-key-id",
    "api_key_secret": "usmart-demo-key-secret-7f3a9c",
    "org_guid": ORG_GUID,
}
VIEWER_CREDENTIALS: dict[str, str] = {
    "api_key_id": "usmart-viewer-key-id",
    "api_key_secret": "usmart-viewer-key-secret-51be02",
}

API_PREFIX = "/api"
DISCOVERY_PREFIX = "/discovery"
STORAGE_PREFIX = "/storage"

# Public data can be read without keys, as on the real service.
_ANONYMOUS_OK = frozenset(
    {"datasets.view_discovery", "files.download", "documents.download", "data.urql"}
)
_ACTION_NAMES = {
    "datasets.view": "dataset:view",
    "uploads.generate_put_request": "s3:generatePutRequest",
    "files.create": "file:create",
    "files.update_revision": "file:updateRevision",
    "pipelines.create": "resourceContainer:create",
    "pipelines.process": "resourceContainer:process",
}


@cache
def _emulator_document() -> dict[str, Any]:
    """The bundled spec with the api./discovery. hosts moved under path prefixes."""
    import yaml

    with bundled_spec("usmart").open(encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    doc = copy.deepcopy(doc)
    doc["servers"] = [{"url": "/"}]
    prefixes = {
        "https://api.usmart.io": API_PREFIX,
        "https://discovery.usmart.io": DISCOVERY_PREFIX,
    }
    for item in doc["paths"].values():
        holders = [item, *(op for op in item.values() if isinstance(op, dict))]
        for holder in holders:
            for server in holder.get("servers", []):
                server["url"] = prefixes.get(server["url"].rstrip("/"), server["url"])
    return doc


def _error_body(error: EmuError, req: EmuRequest) -> Any:
    code = error.extra.get("code")
    if code is None:
        code = {
            400: "BadRequest",
            401: "Unauthorized",
            403: "Forbidden",
            404: "NotFound",
            405: "MethodNotAllowed",
            409: "Conflict",
            429: "TooManyRequests",
        }.get(error.status, "InternalError" if error.status >= 500 else "Error")
    return {"error": code, "message": error.message}


def build(*, seed: int = 0, clock: Any = None, **options: Any) -> EmulatorApp:
    """A uSmart emulator.

    Parameters
    ----------
    seed : int
        Makes GUIDs and demo data repeatable.
    clock : EmulatorClock
        Signed-URL expiry and pipeline processing run on it.
    **options
        ``api_key_id``, ``api_key_secret``, ``org_guid`` (the accepted credentials; fixed demo
        ones by default), ``viewer_keys`` (``{id: secret}`` with the Viewer role),
        ``pipelines``, ``signed_url_ttl`` (s), ``process_delay`` (s of emulator time),
        ``max_upload_bytes``, ``storage_dir``, ``demo_data``.
    """
    known = {
        "api_key_id",
        "api_key_secret",
        "org_guid",
        "viewer_keys",
        "pipelines",
        "signed_url_ttl",
        "process_delay",
        "max_upload_bytes",
        "storage_dir",
        "demo_data",
    }
    unknown = sorted(set(options) - known)
    if unknown:
        raise ParameterError(
            'running("usmart")',
            f"unknown uSmart emulator option {unknown[0]!r}; options: {', '.join(sorted(known))}",
            unknown[0],
        )
    app = EmulatorApp(_emulator_document(), clock=clock, seed=seed, error_body=_error_body)
    credentials = {k: str(options.get(k) or CREDENTIALS[k]) for k in CREDENTIALS}
    viewer_keys = options.get("viewer_keys")
    if viewer_keys is None:
        viewer_keys = {VIEWER_CREDENTIALS["api_key_id"]: VIEWER_CREDENTIALS["api_key_secret"]}
    keys = {credentials["api_key_id"]: (credentials["api_key_secret"], PROVIDER)}
    keys.update({k: (v, VIEWER) for k, v in viewer_keys.items()})
    storage_dir = options.get("storage_dir")
    state = UsmartState(
        seed=seed,
        clock=app.clock,
        org_guid=credentials["org_guid"],
        keys=keys,
        pipelines=options.get("pipelines"),
        signed_url_ttl=int(options.get("signed_url_ttl", 900)),
        process_delay=float(options.get("process_delay", 1.0)),
        max_upload_bytes=int(options.get("max_upload_bytes", 5 * 1024**3)),
        root=None if storage_dir is None else _as_path(storage_dir),
        demo_data=bool(options.get("demo_data", True)),
    )
    app.state = state
    app.credentials = credentials
    app.authenticate = _authenticator(state)
    _wire_actions(app, state)
    _wire_reads(app, state)
    _wire_storage(app, state)
    return app


def _as_path(value: Any) -> Any:
    from pathlib import Path

    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _authenticator(state: UsmartState) -> Any:
    def authenticate(req: EmuRequest) -> str | None:
        key_id = req.headers.get("api-key-id")
        key_secret = req.headers.get("api-key-secret")
        if key_id is None and key_secret is None and req.qualname in _ANONYMOUS_OK:
            return None  # anonymous: handlers serve public data only
        role = state.role_of(key_id, key_secret)
        if role is None:
            what = "missing" if key_id is None or key_secret is None else "not valid"
            raise EmuError(
                401, f"api-key-id / api-key-secret headers are {what}", code="Unauthorized"
            )
        if (
            role == VIEWER
            and req.qualname in _ACTION_NAMES
            and _ACTION_NAMES[req.qualname] not in VIEWER_ACTIONS
        ):
            raise EmuError(
                403,
                f"{_ACTION_NAMES[req.qualname]} needs the Provider role or "
                "higher; this key's owner is a Viewer",
                code="Forbidden",
            )
        return role

    return authenticate


def _check_org(state: UsmartState, req: EmuRequest) -> None:
    org = req.path_params.get("orgGuid")
    if org != state.org_guid:
        raise EmuError(404, f"no organisation {org!r}", code="NotFound")


def _action(state: UsmartState, fn: Any) -> Any:
    def handler(req: EmuRequest) -> Any:
        _check_org(state, req)
        body = req.json()
        if not isinstance(body, dict):
            raise EmuError(400, "the body must be a JSON object", code="BadRequest")
        try:
            result = fn(body, req)
        except ActionError as exc:
            raise EmuError(exc.status, exc.message, code=exc.code) from None
        state.action_log.append((req.qualname or "", body))
        return result

    return handler


def _origin(req: EmuRequest) -> str:
    return str(req.raw.base_url).rstrip("/")


def _wire_actions(app: EmulatorApp, state: UsmartState) -> None:
    app.handle("datasets.view")(_action(state, lambda b, r: state.dataset_view(b)))
    app.handle("uploads.generate_put_request")(
        _action(state, lambda b, r: state.generate_put_request(b, _origin(r) + STORAGE_PREFIX))
    )
    app.handle("files.create")(_action(state, lambda b, r: state.file_create(b)))
    app.handle("files.update_revision")(_action(state, lambda b, r: state.file_update_revision(b)))
    app.handle("pipelines.create")(_action(state, lambda b, r: state.container_create(b)))
    app.handle("pipelines.process")(_action(state, lambda b, r: state.container_process(b)))


def _visible(state: UsmartState, req: EmuRequest, guid: str) -> None:
    """Anonymous callers see public datasets only; others look like they do not exist."""
    if req.principal is None and not state.is_public_resource(guid):
        raise EmuError(404, f"no public resource {guid!r}", code="NotFound")


def _wire_reads(app: EmulatorApp, state: UsmartState) -> None:
    @app.handle("datasets.view_discovery")
    def view_discovery(req: EmuRequest) -> Any:
        _check_org(state, req)
        try:
            ds = state.dataset(req.query.get("datasetGUID"))
        except ActionError as exc:
            raise EmuError(exc.status, exc.message, code=exc.code) from None
        if ds.access_level != "public" and req.principal is None:
            raise EmuError(404, "no public dataset with that GUID", code="NotFound")
        return state.dataset_view({"datasetGUID": ds.guid})["result"]

    @app.handle("files.download")
    def download(req: EmuRequest) -> Any:
        _check_org(state, req)
        guid = req.query.get("resourceGUID", "")
        try:
            data_file, blob = state.file_blob(guid)
        except ActionError as exc:
            raise EmuError(exc.status, exc.message, code=exc.code) from None
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

    @app.handle("documents.download")
    def document(req: EmuRequest) -> Any:
        raise EmuError(404, "no additional documentation in this emulator", code="NotFound")

    @app.handle("data.urql")
    def data(req: EmuRequest) -> Any:
        _check_org(state, req)
        guid = req.path_params["resourceGuid"]
        try:
            rows = state.rows(guid, req.path_params["revision"])
        except ActionError as exc:
            raise EmuError(exc.status, exc.message, code=exc.code) from None
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

    def catalogue(req: EmuRequest, private: bool) -> Any:
        _check_org(state, req)
        origin = _origin(req)
        return state.dcat(
            private=private,
            catalogue_url=origin + req.path,
            data_base=origin,
            api_base=origin + API_PREFIX,
        )

    app.handle("catalog.public")(lambda req: catalogue(req, False))
    app.handle("catalog.private")(lambda req: catalogue(req, True))

    @app.route("GET", DISCOVERY_PREFIX + "/org/{orgGuid}/dcat/public", name="catalog.public_alias")
    def public_alias(req: EmuRequest) -> Any:
        return catalogue(req, False)


def _file_chunks(path: Any, size: int = 1 << 20) -> Any:
    with open(path, "rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def _wire_storage(app: EmulatorApp, state: UsmartState) -> None:
    @app.route("PUT", STORAGE_PREFIX + "/uploads/{guid}", name="storage.put", stream=True)
    async def put(req: EmuRequest) -> Any:
        reference = f"uploads/{req.path_params['guid']}"
        length_header = req.headers.get("content-length")
        state.storage_requests.append(
            {"reference": reference, "headers": sorted(k.lower() for k in req.headers)}
        )
        try:
            length = int(length_header) if length_header is not None else None
            with app.lock:
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
                with app.lock:
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
