"""The emulator app: an ASGI app that serves every operation of a spec.

A request passes the fault injector, then the app's ``authenticate`` hook, then validation
against the spec, then the handler; whatever goes wrong is answered in the platform's error
envelope. Sync handlers run one at a time on the server's event-loop thread while holding
``app.lock``; take the same lock in a test thread to read or change ``app.state``
consistently. Async handlers run on the loop without the lock (use them for streamed uploads:
``stream=True``). How a platform uses it: docs/CONTRACTS.md, "Emulators".
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import threading
import uuid
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from specclient.emulators.core.auth import expired_token_error
from specclient.emulators.core.clock import EmulatorClock
from specclient.emulators.core.encoding import dump_json
from specclient.emulators.core.faults import Fault, FaultInjector
from specclient.emulators.core.messages import (
    NO_JSON,
    EmuError,
    EmuRequest,
    EmuResponse,
    default_error_body,
)
from specclient.emulators.core.routing import (
    Route,
    Router,
    base_path_of,
    compile_route,
    split_raw_path,
)
from specclient.emulators.core.server import DEFAULT_LIMITS, ServerLimits, drop_connection
from specclient.emulators.core.specs import shared_spec, shared_validator
from specclient.emulators.core.validation import OperationValidator, RequestInvalid
from specclient.errors import ParameterError
from specclient.openapi.model import Operation, Spec

__all__ = ["CLOCK_PATH", "EmulatorApp", "Handler", "clock_control"]

#: Below ``base_url``: GET reads the emulator's clock, POST ``{"advance": s}``, ``{"pace": p}``
#: or ``{"freeze": true}`` moves, paces or stops it (docs/CONTRACTS.md, "Emulators").
CLOCK_PATH = "/_emulator/clock"

logger = logging.getLogger("specclient.emulators")

Handler = Callable[[EmuRequest], Any]
ErrorBody = Callable[[EmuError, EmuRequest], Any]


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class _Target:
    """What a route leads to: a spec operation (handler may be missing) or an extra route."""

    __slots__ = (
        "name",
        "operation",
        "handler",
        "is_async",
        "auth",
        "stream",
        "validate",
        "default_status",
    )

    def __init__(self, name: str | None, operation: Operation | None, *, auth: bool) -> None:
        self.name = name
        self.operation = operation
        self.handler: Handler | None = None
        self.is_async = False
        self.auth = auth
        self.stream = False
        self.validate = True
        self.default_status = 200
        success = operation.success if operation is not None else None
        if success is not None and success.status.isdigit():
            self.default_status = int(success.status)

    def bind(self, fn: Handler, *, stream: bool, validate: bool) -> None:
        self.handler = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        self.stream = stream
        self.validate = validate


# ---------------------------------------------------------------------------------------------
# the app
# ---------------------------------------------------------------------------------------------
class EmulatorApp:
    """An ASGI app that serves every operation of ``spec``.

    Parameters
    ----------
    spec : Spec, or a path / dict for :func:`specclient.openapi.load`
    clock : EmulatorClock, optional
        Shared with connected clients; a new one when omitted.
    seed : int
        Seeds fault rates, request ids and anything the platform draws from :attr:`rng`.
    error_body : callable ``(EmuError, EmuRequest) -> JSON-able``, optional
        The platform's error envelope; every error (404, 405, 501, validation, faults, auth)
        is rendered through it.
    validate : bool
        Check requests against the spec before handlers run.
    validation_status : int
        The status of a failed check (400 unless the platform answers otherwise).
    check_responses : bool
        For emulator authors' tests: check every JSON success reply of a spec operation
        against the spec's response schema; a mismatch answers 500 naming the field.
    base_path : str, optional
        Prefix for every spec path; defaults to the path of the spec's first server URL
        (``https://api.habu.com/v1/`` -> ``/v1``). Operations with their own ``servers``
        use the path of theirs.

    Attributes
    ----------
    authenticate : callable ``(EmuRequest) -> principal``, or None
        Called before validation for operations whose security is not ``()``; raise
        ``EmuError(401 | 403, ...)`` to refuse. May be async.
    expired_token_error : callable ``(EmuRequest) -> EmuError``
        What the ``"expired_token"`` fault answers.
    state : object
        The platform's state model (a dict until the platform sets its own).
    credentials : dict
        The ``connect()`` keyword arguments this emulator accepts (set by ``build``).
    faults : FaultInjector
    rng : random.Random
        Seeded; for platforms' own deterministic choices (ids, failures).
    lock : threading.RLock
        Held while sync handlers run.
    limits : ServerLimits
        Largest body read whole, slow-client timeouts, connections at once; set before
        serving (``running(..., limits=...)``).
    """

    def __init__(
        self,
        spec: Spec | str | Path | Mapping[str, Any],
        *,
        clock: EmulatorClock | None = None,
        seed: int = 0,
        error_body: ErrorBody | None = None,
        validate: bool = True,
        validation_status: int = 400,
        base_path: str | None = None,
        check_responses: bool = False,
    ) -> None:
        # one Spec per unchanged file in a process, shared with every other app built from it
        spec = shared_spec(spec)
        self.spec: Spec = spec
        self.clock = clock if clock is not None else EmulatorClock()
        self.seed = seed
        self.error_body: ErrorBody = error_body or default_error_body
        self.validate = validate
        self.validation_status = validation_status
        self.check_responses = check_responses
        self.base_path = (
            base_path_of(base_path)
            if base_path is not None
            else (base_path_of(spec.servers[0]) if spec.servers else "")
        )
        self.authenticate: Callable[[EmuRequest], Any] | None = None
        self.expired_token_error: Callable[[EmuRequest], EmuError] = expired_token_error
        self.state: Any = {}
        self.credentials: dict[str, Any] = {}
        self.limits: ServerLimits = DEFAULT_LIMITS
        self.faults = FaultInjector(seed, self.clock, known_targets=self._fault_targets)
        self.rng = random.Random(seed)
        self._ids = random.Random(f"request-ids:{seed}")
        self.lock = threading.RLock()
        self.request_id_header: str | None = "X-Request-Id"
        self._draft = "2020-12" if spec.openapi_version.startswith("3.1") else "4"
        self._targets: dict[str, _Target] = {}
        self._route_names: set[str] = set()
        self._spec_router = Router()
        self._extra_router = Router()
        for operation in spec.all_operations():
            target = _Target(operation.qualname, operation, auth=operation.security != ())
            self._targets[operation.qualname] = target
            prefix = base_path_of(operation.servers[0]) if operation.servers else self.base_path
            self._spec_router.add(compile_route(operation.verb, prefix + operation.path, target))
        for verb in ("GET", "POST"):  # the clock of a standalone emulator, from any process
            self.route(verb, self.base_path + CLOCK_PATH, name="emulator.clock")(clock_control)

    # -- registration -----------------------------------------------------------------------
    @property
    def operations(self) -> dict[str, Operation]:
        """Every spec operation by qualname."""
        return {name: t.operation for name, t in self._targets.items() if t.operation}

    @property
    def unhandled(self) -> list[str]:
        """Qualnames of operations that still answer 501."""
        return sorted(name for name, target in self._targets.items() if target.handler is None)

    def handle(
        self, qualname: str, *, stream: bool = False, validate: bool = True
    ) -> Callable[[Handler], Handler]:
        """Decorator: ``fn(req) -> dict | list | EmuResponse | None`` answers ``qualname``.

        Parameters
        ----------
        qualname : str
            ``"resource.method"`` of a spec operation (a typo raises at once).
        stream : bool
            Do not read the body before the handler; it iterates ``req.stream()``.
        validate : bool
            Check requests against the spec first (default).
        """
        target = self._targets.get(qualname)
        if target is None:
            close = ", ".join(
                n for n in sorted(self._targets) if n.split(".")[0] == qualname.split(".")[0]
            )
            hint = f"; this resource has: {close}" if close else ""
            raise ParameterError(
                "EmulatorApp.handle", f"the spec has no operation {qualname!r}{hint}", "qualname"
            )

        def register(fn: Handler) -> Handler:
            target.bind(fn, stream=stream, validate=validate)
            return fn

        return register

    def route(
        self,
        verb: str,
        path: str,
        *,
        name: str | None = None,
        auth: bool = False,
        stream: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorator for a route the spec does not have (a token endpoint, a signed upload URL).

        ``path`` is the full path on the wire (the base path is *not* added) and may hold
        ``{param}`` segments and a trailing ``{rest:path}``. ``name`` makes it a fault target;
        ``auth=True`` runs :attr:`authenticate` first. Checked before the spec's routes.
        """
        if not path.startswith("/"):
            raise ParameterError(
                "EmulatorApp.route", f"path must start with '/', got {path!r}", "path"
            )
        target = _Target(name, None, auth=auth)

        def register(fn: Handler) -> Handler:
            target.bind(fn, stream=stream, validate=False)
            if name:
                self._route_names.add(name)
            self._extra_router.add(compile_route(verb, path, target))
            return fn

        return register

    def _fault_targets(self) -> set[str]:
        return set(self._targets) | self._route_names

    def _validator(self, operation: Operation) -> OperationValidator:
        return shared_validator(self.spec, operation, self._draft)

    # -- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        await self._serve(scope, receive, send)

    def _resolve(
        self, method: str, segments: list[str]
    ) -> tuple[Route | None, dict[str, str], set[str]]:
        route, params, allowed = self._extra_router.resolve(method, segments)
        if route is None:
            route, params, more = self._spec_router.resolve(method, segments)
            allowed |= more
        if route is None and method == "HEAD":
            route, params, _ = self._resolve("GET", segments)
        return route, params, allowed

    async def _serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        raw = Request(scope, receive)
        method = scope["method"].upper()
        raw_path = scope.get("raw_path")
        path_text = raw_path.decode("latin-1") if raw_path else scope.get("path", "/")
        segments = split_raw_path(path_text.split("?", 1)[0])
        route, params, allowed = self._resolve(method, segments)
        target: _Target | None = route.target if route is not None else None
        qualname = target.name if target is not None else None
        request_id = str(uuid.UUID(int=self._ids.getrandbits(128), version=4))
        req = EmuRequest(
            self, raw, target.operation if target else None, qualname, params, request_id
        )
        fault = self.faults.pick(
            qualname,
            method,
            req.path,
            authenticated=target is not None and target.auth,
        )
        try:
            if fault is not None and fault.kind == "drop_before":
                await drop_connection(scope, "drop_before")
                return
            try:
                if fault is not None and fault.status is not None:
                    raise self._fault_error(fault, req)
                result = await self._run(target, req, allowed)
                if self.check_responses and target is not None and target.operation is not None:
                    self._check_response(target.operation, result)
                response = self._render(result, target, req)
            except EmuError as error:
                response = self._render_error(error, req)
            except RequestInvalid as problem:
                response = self._render_error(self._invalid(problem), req)
            except ClientDisconnect:  # the client left (or was dropped as too slow)
                return
            except Exception as error:  # a handler bug: say where, in the envelope, and log it
                logger.exception("emulator handler for %s failed", qualname or req.path)
                message = (
                    f"emulator error in {qualname or req.path}: {type(error).__name__}: {error}"
                )
                response = self._render_error(EmuError(500, message), req)
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay or 0.0)
            if fault is not None and fault.kind == "drop_after":
                await drop_connection(scope, "drop_after", send, response)
                return
            await response(scope, receive, send)
        finally:
            if req._form is not None:
                await req._form.close()

    def _check_response(self, operation: Operation, result: Any) -> None:
        if isinstance(result, EmuResponse):
            if result.json is NO_JSON or not 200 <= result.status < 300:
                return
            result = result.json
        elif isinstance(result, bytes | bytearray | Response) or result is None:
            return
        try:
            self._validator(operation).check_response(result)
        except RequestInvalid as problem:
            raise EmuError(
                500, f"emulator reply for {operation.qualname} breaks the spec: {problem.message}"
            ) from None

    def _invalid(self, problem: RequestInvalid) -> EmuError:
        extra: dict[str, Any] = {"field": problem.field} if problem.field else {}
        return EmuError(problem.status or self.validation_status, problem.message, **extra)

    def _fault_error(self, fault: Fault, req: EmuRequest) -> EmuError:
        if fault.kind == "expired_token":
            return self.expired_token_error(req)
        status = fault.status or 500
        headers = {}
        if fault.retry_after is not None:
            seconds = fault.retry_after
            headers["Retry-After"] = (
                str(int(seconds)) if float(seconds).is_integer() else str(seconds)
            )
        return EmuError(status, HTTPStatus(status).phrase, headers=headers)

    async def _run(self, target: _Target | None, req: EmuRequest, allowed: set[str]) -> Any:
        if target is None:
            if allowed:
                verbs = ", ".join(sorted(v.upper() for v in allowed))
                raise EmuError(
                    405,
                    f"method {req.method} is not allowed on {req.path}",
                    headers={"Allow": verbs},
                )
            raise EmuError(404, f"no operation matches {req.method} {req.path}")
        if target.auth and self.authenticate is not None:
            req.principal = await _maybe_await(self.authenticate(req))
        operation = target.operation
        validator = (
            self._validator(operation)
            if operation is not None and self.validate and target.validate
            else None
        )
        if validator is not None:
            validator.check_params(req.path_params, req.query, req.headers)
            validator.check_content_type(req.headers.get("content-type"), req.has_body)
            validator.check_missing_body(req.has_body)
        if not target.stream:
            body = await req.load()
            content_type = req.headers.get("content-type", "")
            if validator is not None and body and validator.body_kind == "json":
                req._json = validator.parse_json(body)
                validator.check_json(req._json)
            if body and content_type.split(";")[0].strip().lower() in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await req._load_form()
                if validator is not None:
                    validator.check_form(form)
        if target.handler is None:
            assert operation is not None
            raise EmuError(
                501,
                f"operation {operation.qualname} ({operation.verb.upper()} {operation.path}) "
                "is not implemented by this emulator",
                operation=operation.qualname,
            )
        if target.is_async:
            return await target.handler(req)
        with self.lock:
            result = target.handler(req)
        return await _maybe_await(result)

    # -- rendering --------------------------------------------------------------------------
    def _headers(self, extra: Mapping[str, str], req: EmuRequest) -> dict[str, str]:
        headers = dict(extra)
        if self.request_id_header:
            headers.setdefault(self.request_id_header, req.request_id)
        return headers

    def _render(self, result: Any, target: _Target | None, req: EmuRequest) -> Response:
        default_status = target.default_status if target is not None else 200
        if isinstance(result, Response):
            return result
        if isinstance(result, EmuResponse):
            status, headers, media_type = result.status, result.headers, result.media_type
            if result.json is not NO_JSON:
                content: Any = dump_json(result.json)
                media_type = media_type or "application/json"
            else:
                content = result.body
        else:
            status, headers, media_type = default_status, {}, None
            if result is None:
                content = b""
            elif isinstance(result, bytes | bytearray):
                content = bytes(result)
            else:
                content = dump_json(result)
                media_type = "application/json"
        headers = self._headers(headers, req)
        if isinstance(content, AsyncIterable) or (
            isinstance(content, Iterable) and not isinstance(content, bytes | bytearray | str)
        ):
            return StreamingResponse(
                content,
                status_code=status,
                headers=headers,
                media_type=media_type or "application/octet-stream",
            )
        if content is None:
            content = b""
        if isinstance(content, str):
            media_type = media_type or "text/plain; charset=utf-8"
            content = content.encode()
        elif content and media_type is None:
            media_type = "application/octet-stream"
        return Response(content, status_code=status, headers=headers, media_type=media_type)

    def _render_error(self, error: EmuError, req: EmuRequest) -> Response:
        try:
            body = self.error_body(error, req)
            content = body if isinstance(body, bytes) else dump_json(body)
        except Exception:  # a broken envelope must not hide the error it was rendering
            logger.exception("error_body failed for %s %s", error.status, error.message)
            content = dump_json(default_error_body(error, req))
        return Response(
            content,
            status_code=error.status,
            headers=self._headers(error.headers, req),
            media_type="application/json",
        )

    def __repr__(self) -> str:
        return (
            f"EmulatorApp({self.spec.title or self.spec.source!r}, {len(self._targets)} operations)"
        )


def clock_control(req: EmuRequest) -> dict[str, Any]:
    """Read, advance, pace or freeze the emulator's clock over HTTP (see :data:`CLOCK_PATH`)."""
    clock = req.app.clock
    body = req.json() if req.method == "POST" and req.has_body else {}
    if not isinstance(body, dict) or set(body) - {"advance", "pace", "freeze"}:
        raise EmuError(400, 'send a JSON object with "advance", "pace" and/or "freeze"')
    try:
        if body.get("freeze"):
            clock.freeze()
        if "pace" in body:
            clock.set_pace(float(body["pace"]))
        if "advance" in body:
            clock.advance(float(body["advance"]))
    except (TypeError, ValueError) as problem:
        raise EmuError(400, f"clock: {problem}") from None
    now = clock.time()
    return {"time": now, "now": datetime.fromtimestamp(now, UTC).isoformat(), "pace": clock.pace}
