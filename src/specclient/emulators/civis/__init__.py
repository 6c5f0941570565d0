"""The Civis emulator: serves ``/endpoints`` and keeps state for what civis-python users touch.

It serves ``specs/civis.yaml``, a verbatim subset of Civis's published spec (why a subset: see
:mod:`.subset`), from ``GET /endpoints`` so that ``connect("civis")`` builds its client exactly
as against the real service, and answers every operation of that subset (:mod:`.handlers`)
from :class:`~.state.CivisState`. Authentication is civis-python's: the API key as the HTTP
Basic user name (a ``Bearer`` key works too); a wrong key gets Civis's 401 with a
``WWW-Authenticate`` header. Errors use Civis's envelope
``{"error": ..., "errorDescription": ..., "code": ...}``.

Options for :func:`build` (also ``specclient emulate civis`` / ``running("civis", ...)``):
``api_key`` (the key accepted), ``queue_seconds`` and ``run_seconds`` (how long runs wait and
run on the emulator's clock).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.civis import data_routes as _data_routes  # noqa: F401 (routes)
from specclient.emulators.civis import exports as _exports  # noqa: F401 (routes)
from specclient.emulators.civis import files as _files  # noqa: F401 (routes)
from specclient.emulators.civis.bodies import CivisEmulatorApp
from specclient.emulators.civis.handlers import routes
from specclient.emulators.civis.state import DEMO_API_KEY, CivisState
from specclient.emulators.core import (
    EmuError,
    EmulatorApp,
    EmuRequest,
    EmuResponse,
    check_options,
)
from specclient.emulators.core.auth import basic_credentials, bearer_token
from specclient.openapi.model import Spec

__all__ = ["CREDENTIALS", "build", "served_spec"]

CREDENTIALS = {"api_key": DEMO_API_KEY}

_SLUGS = {
    400: "bad_request",
    401: "invalid_token",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "internal_server_error",
    501: "not_implemented",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def build(
    *,
    seed: int,
    clock: Any,
    api_key: str = DEMO_API_KEY,
    queue_seconds: float = 2.0,
    run_seconds: float = 10.0,
    **options: Any,
) -> EmulatorApp:
    """A Civis emulator app.

    Parameters
    ----------
    seed : int
        Seeds table sizes and request ids.
    clock : EmulatorClock
        Moves runs from ``queued`` to ``running`` to their end.
    api_key : str, optional
        The key accepted for the demo user (default :data:`CREDENTIALS`).
    queue_seconds, run_seconds : float, optional
        Time a run waits, then runs (a container's ``sleep N`` overrides ``run_seconds``;
        ``exit N`` makes it fail).

    Raises
    ------
    ParameterError
        For an unknown option.
    """
    check_options("Civis", options, ("api_key", "queue_seconds", "run_seconds"))
    served_bytes = _served()[1]
    spec = _served_spec()
    # Civis publishes its paths at the root of the API host, whatever the spec's host says.
    # civis-python's snake_case body keys are read as the API reads them (bodies.py)
    app = CivisEmulatorApp(spec, clock=clock, seed=seed, error_body=_error_body, base_path="")
    state = CivisState(
        seed=seed,
        clock=clock,
        api_key=api_key,
        queue_seconds=queue_seconds,
        run_seconds=run_seconds,
    )
    app.state = state
    app.credentials = {"api_key": api_key}
    app.authenticate = lambda req: _authenticate(state, req)
    app.route("GET", "/endpoints", name="endpoints", auth=True)(
        lambda req: EmuResponse(200, served_bytes, media_type="application/json")
    )
    routes.serve(app, state)
    return app


@cache
def _served_spec() -> Spec:
    """The served model with civis-python's names, loaded once per process and shared by every
    build (emulators/core/specs.py says why)."""
    from specclient.openapi import load
    from specclient.openapi.naming import CIVIS_PYTHON

    return load(_served()[0], naming=CIVIS_PYTHON)


@cache
def _served() -> tuple[dict[str, Any], bytes]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 10x faster on this 450 kB file
    document = yaml.load(bundled_spec("civis").read_text(encoding="utf-8"), Loader=loader)
    return document, json.dumps(document).encode()


def served_spec() -> dict[str, Any]:
    """The Swagger 2.0 document ``GET /endpoints`` answers (a copy: safe to change)."""
    return json.loads(_served()[1])


def _error_body(error: EmuError, request: EmuRequest) -> dict[str, Any]:
    return {
        "error": _SLUGS.get(error.status, "error"),
        "errorDescription": error.message,
        "code": error.status,
    }


def _authenticate(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    """civis-python's way: the key as the Basic user name; a Bearer key works too."""
    basic = basic_credentials(req)
    key = bearer_token(req) or (basic[0] if basic else None)
    user = state.user_for_key(key) if key else None
    state.origin = f"http://{req.headers['host']}"  # presigned URLs point where we are
    if user is None:
        raise EmuError(
            401,
            "The access token is invalid",
            headers={
                "WWW-Authenticate": 'Bearer realm="api", error="invalid_token", '
                'error_description="The access token is invalid"'
            },
        )
    return user
