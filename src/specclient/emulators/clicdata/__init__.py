"""The ClicData emulator: :class:`~.state.ClicDataState` behind the routes of
``specs/clicdata.yaml`` (:mod:`.handlers`), on the shared emulator core.

A request without ``api_version`` gets the legacy bare shapes; a request with it gets
``{success, result, pagination}``. Errors are ``{success: false, error: {code, description}}``;
a credential that lacks a scope gets that body with HTTP 200 on the versioned API, as
activepieces' fixtures show.

Options of :func:`build` (all also on ``specclient emulate clicdata``): the credentials
(``client_id``, ``client_secret``, ``api_key``, ``username``, ``password``), ``page_size``
(legacy rows per page, default 1000), ``max_page_size`` (10000), ``insert_cap`` (rows per insert
call, 500; 0 = none), ``token_lifetime`` (seconds, 3600), ``scopes`` (granted to every
credential), ``require_version`` (answer ``APIVersionRequired`` without ``api_version``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.clicdata.handlers import SUPPORTED_VERSIONS, routes
from specclient.emulators.clicdata.state import ALL_SCOPES, ClicDataState
from specclient.emulators.core import EmuError, EmulatorApp, EmulatorClock, EmuRequest

__all__ = [
    "CREDENTIALS",
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "SECRETS",
    "build",
]

#: What ``connect("clicdata")`` needs by default (OAuth client credentials).
CREDENTIALS = {"client_id": "clicdata-demo-client", "client_secret": "clicdata-demo-secret-4f1e9a"}
#: The other credentials the emulator accepts by default; secrets, for the cassette checks.
DEFAULT_API_KEY = "clicdata-demo-apikey-7c2d5b"
DEFAULT_USERNAME = "demo@clicdata.example"
DEFAULT_PASSWORD = "demo-password-3a8e"
SECRETS = (CREDENTIALS["client_secret"], DEFAULT_API_KEY, DEFAULT_PASSWORD)

_VERSION = re.compile(r"^\d{4}\.\d{1,2}$")

# Which scope each resource needs (the platform notes' suggestion): reading vs writing.
_SCOPES: dict[str, tuple[str, str]] = {
    "data": ("data_read", "data_write"),
    "tables": ("table_read", "table_write"),
    "account": ("account_read", "account_read"),
}


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
    app.authenticate = lambda req: _authenticate(state, req)
    app.expired_token_error = lambda req: EmuError(
        401, "The access token has expired", code="token_expired"
    )
    routes.serve(app, state)
    return app


def _error_body(error: EmuError, req: EmuRequest) -> Any:
    code = error.extra.get("code") or (
        "validation" if error.extra.get("field") else str(error.status)
    )
    return {"success": False, "error": {"code": str(code), "description": error.message}}


def _authenticate(state: ClicDataState, req: EmuRequest) -> frozenset[str]:
    """The API version first (as the platform answers it), then the credential, then its scope."""
    version = req.query.get("api_version")
    supported = {"api-supported-versions": ", ".join(SUPPORTED_VERSIONS)}
    if version is not None and not _VERSION.match(version):
        raise EmuError(
            400,
            f"api_version {version!r} is not a version (YYYY.M or YYYY.MM)",
            code="InvalidVersion",
            headers=supported,
        )
    if version is None and state.require_version:
        raise EmuError(400, "api_version is required", code="APIVersionRequired", headers=supported)
    scopes_held = state.authorise(req.headers)
    needed = _SCOPES.get((req.qualname or "").partition(".")[0])
    if needed is not None:
        scope = needed[0] if req.method == "GET" else needed[1]
        if scope not in scopes_held:
            if version is not None:
                # activepieces' fixture: the refusal comes as HTTP 200 with success false.
                raise EmuError(200, "Missing scope", code="unauthorized")
            raise EmuError(403, f"Missing scope {scope}", code="forbidden")
    return scopes_held
