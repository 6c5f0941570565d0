"""The Civis emulator: serves ``/endpoints`` and keeps state for what civis-python users touch.

It serves ``specs/civis.yaml``, a verbatim subset of Civis's published spec (why a subset: see
:mod:`specclient.emulators.civis.subset`), from ``GET /endpoints`` so that ``connect("civis")``
builds its client exactly as against the real service, and answers every operation of that
subset from :class:`~specclient.emulators.civis.state.CivisState`. Authentication is civis-python's:
the API key as the HTTP Basic user name (a ``Bearer`` key works too); a wrong key gets Civis's 401
with a ``WWW-Authenticate`` header. Errors use Civis's envelope
``{"error": ..., "errorDescription": ..., "code": ...}``.

Options for :func:`build` (also ``specclient emulate civis`` / ``running("civis", ...)``):
``api_key`` (the key accepted), ``queue_seconds`` and ``run_seconds`` (how long runs wait and
run on the emulator's clock).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from specclient._resources import bundled_spec
from specclient.emulators.civis.operations import HANDLERS, Call
from specclient.emulators.civis.state import DEMO_API_KEY, CivisState, Invalid, NotFound
from specclient.emulators.core import EmuError, EmulatorApp, EmuRequest, EmuResponse
from specclient.emulators.core.messages import NO_JSON
from specclient.openapi.model import Operation

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


@cache
def _served() -> tuple[dict[str, Any], bytes]:
    import yaml

    path: Path = bundled_spec("civis")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # 10x faster on this 450 kB file
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
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


def _api_key(request: EmuRequest) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            user, _, _password = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user or None
    return None


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
    if options:
        from specclient.errors import ParameterError

        raise ParameterError(
            "emulators.civis.build",
            "unknown option(s): " + ", ".join(sorted(options)),
            sorted(options)[0],
        )
    from specclient.openapi import load
    from specclient.openapi.naming import CIVIS_PYTHON

    document, served_bytes = _served()
    spec = load(document, naming=CIVIS_PYTHON)
    # Civis publishes its paths at the root of the API host, whatever the spec's host says.
    app = EmulatorApp(spec, clock=clock, seed=seed, error_body=_error_body, base_path="")
    state = CivisState(
        seed=seed,
        clock=clock,
        api_key=api_key,
        queue_seconds=queue_seconds,
        run_seconds=run_seconds,
    )
    app.state = state
    app.credentials = {"api_key": api_key}

    def authenticate(request: EmuRequest) -> dict[str, Any]:
        key = _api_key(request)
        user = state.user_for_key(key) if key else None
        if user is None:
            raise EmuError(
                401,
                "The access token is invalid",
                headers={
                    "WWW-Authenticate": 'Bearer realm="api", '
                    'error="invalid_token", '
                    'error_description="The access token is invalid"'
                },
            )
        return user

    app.authenticate = authenticate

    @app.route("GET", "/endpoints", name="endpoints", auth=True)
    def endpoints(request: EmuRequest) -> EmuResponse:
        return EmuResponse(200, served_bytes, media_type="application/json")

    # One route can have two names (civis-python keeps deprecated ``list_*`` aliases such as
    # users.list_me beside users.get_me): every name gets the route's handler.
    for qualname, operation in app.operations.items():
        app.handle(qualname)(_adapt(HANDLERS[(operation.verb, operation.path)], state, operation))
    return app


def _complete(value: Any, schema: Mapping[str, Any] | None, now: float) -> Any:
    """Add the fields the published schema requires and the state model does not keep.

    Civis sends every documented field, and ``null`` for what is unset, even where its spec
    does not say the field is nullable (its own examples show it). So a missing scalar is sent
    as null, a missing list as ``[]``, a missing object with its own required fields filled
    the same way; a field with a ``default`` gets it. Fields the schema does not list are
    left out, as Civis leaves them out.
    """
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, list):
        items = schema.get("items")
        return [_complete(item, items, now) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    if properties:  # and nothing it does not document (a script seen through /jobs is a job)
        for name in [name for name in value if name not in properties]:
            del value[name]
    for name in schema.get("required") or ():
        if name not in value:
            prop = properties.get(name)
            value[name] = _unset(prop, now)
    for name, item in value.items():
        if name in properties:
            value[name] = _complete(item, properties[name], now)
    return value


def _unset(schema: Mapping[str, Any] | None, now: float) -> Any:
    if not isinstance(schema, Mapping):
        return None
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "array":
        return []
    if kind == "object" and "$recursive" not in schema:
        return _complete({}, schema, now)
    return None


def _adapt(handler: Any, state: CivisState, operation: Operation) -> Any:
    success = operation.success
    schema = success.schema if success is not None else None

    def answer(request: EmuRequest) -> Any:
        body = request.json() if request.has_body else None
        call = Call(
            state,
            dict(request.path_params),
            dict(request.query.items()),
            body,
            request.principal or {},
        )
        try:
            reply = handler(call)
        except NotFound as problem:
            raise EmuError(404, str(problem)) from None
        except Invalid as problem:
            raise EmuError(400, str(problem)) from None
        # Completed on a copy: the state's own objects stay as the state model keeps them.
        if isinstance(reply, EmuResponse) and reply.json is not NO_JSON:
            reply.json = _complete(copy.deepcopy(reply.json), schema, state.now())
        elif isinstance(reply, dict | list):
            reply = _complete(copy.deepcopy(reply), schema, state.now())
        return reply

    answer.__name__ = getattr(handler, "__name__", "civis_handler")
    return answer
