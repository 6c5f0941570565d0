"""The uSmart emulator: actions, a fake S3 for signed uploads, URQL and DCAT on one origin.

Every host of the real service is served under one origin (``base_url`` reaches it all):

- actions and downloads: ``https://data.usmart.io/org/<org>/...`` -> ``/org/<org>/...``
- URQL data API: ``https://api.usmart.io/org/<org>/...`` -> ``/api/org/<org>/...``
- DCAT catalogue: ``https://discovery.usmart.io/org/<org>/...`` -> ``/discovery/org/<org>/...``
- signed uploads: a pre-signed S3 URL -> ``/storage/uploads/<reference>?X-Amz-...``

The state model is :mod:`.state`, the handlers :mod:`.handlers`, URQL :mod:`.urql`. Uploads
are streamed to disk by an async handler, never held in memory.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.core import EmuError, EmulatorApp, EmuRequest, check_options
from specclient.emulators.usmart.handlers import (
    ACTION_NAMES,
    ANONYMOUS_OK,
    API_PREFIX,
    DISCOVERY_PREFIX,
    routes,
)
from specclient.emulators.usmart.state import PROVIDER, VIEWER, VIEWER_ACTIONS, UsmartState
from specclient.openapi.model import Spec

__all__ = ["CREDENTIALS", "ORG_GUID", "VIEWER_CREDENTIALS", "build"]

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

_OPTIONS = (
    *CREDENTIALS,
    "viewer_keys",
    "pipelines",
    "signed_url_ttl",
    "process_delay",
    "max_upload_bytes",
    "storage_dir",
    "demo_data",
)


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
    check_options("uSmart", options, _OPTIONS)
    app = EmulatorApp(_emulator_spec(), clock=clock, seed=seed, error_body=_error_body)
    credentials = {k: str(options.get(k) or CREDENTIALS[k]) for k in CREDENTIALS}
    viewer_keys = options.get("viewer_keys")
    if viewer_keys is None:
        viewer_keys = {VIEWER_CREDENTIALS["api_key_id"]: VIEWER_CREDENTIALS["api_key_secret"]}
    keys = {credentials["api_key_id"]: (credentials["api_key_secret"], PROVIDER)}
    keys.update({k: (v, VIEWER) for k, v in viewer_keys.items()})
    storage_dir = options.get("storage_dir")
    if storage_dir is not None:
        Path(storage_dir).mkdir(parents=True, exist_ok=True)
    state = UsmartState(
        seed=seed,
        clock=app.clock,
        org_guid=credentials["org_guid"],
        keys=keys,
        pipelines=options.get("pipelines"),
        signed_url_ttl=int(options.get("signed_url_ttl", 900)),
        process_delay=float(options.get("process_delay", 1.0)),
        max_upload_bytes=int(options.get("max_upload_bytes", 5 * 1024**3)),
        root=None if storage_dir is None else Path(storage_dir),
        demo_data=bool(options.get("demo_data", True)),
    )
    app.state = state
    app.credentials = credentials
    app.authenticate = lambda req: _authenticate(state, req)
    routes.serve(app, state)
    return app


@cache
def _emulator_spec() -> Spec:
    """The served model, loaded once per process and shared by every build (emulators/core/
    specs.py says why)."""
    from specclient.openapi import load

    return load(_emulator_document())


@cache
def _emulator_document() -> dict[str, Any]:
    """The bundled spec with the api./discovery. hosts moved under path prefixes."""
    import yaml

    with bundled_spec("usmart").open(encoding="utf-8") as handle:
        doc = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
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


_ERROR_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    429: "TooManyRequests",
}


def _error_body(error: EmuError, req: EmuRequest) -> Any:
    code = error.extra.get("code")
    if code is None:
        code = _ERROR_CODES.get(error.status, "InternalError" if error.status >= 500 else "Error")
    return {"error": code, "message": error.message}


def _authenticate(state: UsmartState, req: EmuRequest) -> str | None:
    """The key pair's role; anonymous callers reach public data only; Viewers no write action."""
    key_id = req.headers.get("api-key-id")
    key_secret = req.headers.get("api-key-secret")
    if key_id is None and key_secret is None and req.qualname in ANONYMOUS_OK:
        return None  # anonymous: handlers serve public data only
    role = state.role_of(key_id, key_secret)
    if role is None:
        what = "missing" if key_id is None or key_secret is None else "not valid"
        raise EmuError(401, f"api-key-id / api-key-secret headers are {what}", code="Unauthorized")
    action = ACTION_NAMES.get(req.qualname or "")
    if role == VIEWER and action is not None and action not in VIEWER_ACTIONS:
        raise EmuError(
            403,
            f"{action} needs the Provider role or higher; this key's owner is a Viewer",
            code="Forbidden",
        )
    return role
