"""Emulator core: an ASGI app built from a spec, served on a loopback port.

Platform emulators (``specclient.emulators.habu`` ...) are a state model plus handlers on top
of :class:`EmulatorApp`; this module does everything they share: routing every operation of the
spec (colon paths, percent-encoded segments, the server URL's base path), checking requests
against the spec before a handler runs, the auth hook, the error envelope, pagination helpers,
a manual clock, a fault injector, and serving.

Why Starlette under uvicorn: Starlette's ``Request`` streams request bodies chunk by chunk (uploads
of gigabytes never sit in memory) and parses forms and multipart; uvicorn serves one app to sync
and async clients alike (``httpx.Client``, ``httpx.AsyncClient``, ``requests``) over real TCP,
which is what the retry and drop-connection paths of a client need to meet; both are well kept.
The app is plain ASGI, so ``httpx.ASGITransport(app=app)`` also works in-process (except for
dropped connections, which need a real socket).

Sync handlers run one at a time on the server's event-loop thread while holding ``app.lock``;
take the same lock in a test thread to read or change ``app.state`` consistently. Async handlers
run on the loop without the lock (use them for streamed uploads: ``stream=True``).

Example
-------
A platform module (``specclient/emulators/pets.py``; a user's own can live anywhere and be
named by its dotted path)::

    from specclient.emulators import EmuError, EmulatorApp, paginate_offset
    from specclient.openapi import load

    CREDENTIALS = {"api_key": "demo-key"}           # the keyword arguments connect() takes

    def build(*, seed, clock, api_key=CREDENTIALS["api_key"], **options):
        app = EmulatorApp(load("pets.yaml"), clock=clock, seed=seed,
                          error_body=lambda err, req: {"code": err.status, "msg": err.message})
        app.state = pets = {}

        def authenticate(req):                      # skipped where the spec says security: []
            if req.headers.get("x-key") != api_key:
                raise EmuError(401, "wrong key")
            return "owner"                          # becomes req.principal

        app.authenticate = authenticate

        @app.handle("pets.get")                     # qualname = resource.method of the spec
        def get_pet(req):
            pet = pets.get(req.path_params["petId"])
            if pet is None:
                raise EmuError(404, "no such pet")  # rendered through error_body
            return pet                              # dict/list -> JSON, spec's success status

        @app.handle("pets.list")
        def list_pets(req):
            return paginate_offset(list(pets.values()), req.query.get("limit", 50),
                                   req.query.get("offset", 0))

        @app.route("POST", "/oauth/token")          # a route the spec lacks (full wire path)
        def token(req):
            return {"access_token": "t", "expires_in": 3600}

        return app

and a test using it::

    with specclient.emulators.running("pets", seed=1) as emu:
        emu.faults.add("pets.get", "503", count=1, retry_after=2)
        client = emu.client()                       # connect(..., clock=emu.clock)
        client.pets.get("7")                        # retried after a 2 s wait on emu.clock
        emu.clock.advance(3600)                     # time passes for the emulator's state

Platform modules expose ``build(*, seed, clock, **options) -> EmulatorApp`` and
``CREDENTIALS``; ``running("habu")`` builds one, serves it and yields an :class:`Emulator`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import json as _json
import logging
import random
import sys
import threading
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import Any, TextIO

from starlette.datastructures import FormData, Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from specclient.emulators._clock import EmulatorClock
from specclient.emulators._faults import Fault, FaultInjector
from specclient.emulators._messages import NO_JSON, EmuError, EmuResponse
from specclient.emulators._routing import Route, Router, base_path_of, compile_route, split_raw_path
from specclient.emulators._server import TRANSPORT_KEY, ServerThread, bind_socket, make_server
from specclient.emulators._synth import example_for
from specclient.emulators._validate import OperationValidator, RequestInvalid
from specclient.errors import ParameterError, SpecClientError
from specclient.openapi.model import Operation, Spec

__all__ = [
    "EmuError",
    "EmuRequest",
    "EmuResponse",
    "Emulator",
    "EmulatorApp",
    "EmulatorClock",
    "PLATFORMS",
    "build_generic",
    "default_error_body",
    "running",
    "running_app",
    "serve_forever",
    "serve_spec",
]

logger = logging.getLogger("specclient.emulators")

PLATFORMS: tuple[str, ...] = ("habu", "usmart", "clicdata", "civis")

Handler = Callable[["EmuRequest"], Any]
ErrorBody = Callable[[EmuError, "EmuRequest"], Any]


# ---------------------------------------------------------------------------------------------
# requests
# ---------------------------------------------------------------------------------------------
class EmuRequest:
    """What a handler sees of one request.

    Attributes
    ----------
    app : EmulatorApp
    operation : Operation or None
        The spec operation (None for extra routes and unmatched paths).
    qualname : str or None
        ``"resource.method"``, or an extra route's ``name``.
    method : str
        Upper-case HTTP verb.
    path : str
        Decoded request path.
    path_params : dict
        Decoded path parameters by their wire names.
    query : starlette QueryParams
        Multi-dict: ``query["limit"]``, ``query.getlist("id")``.
    headers : starlette Headers
        Case-insensitive.
    principal : object
        What ``app.authenticate`` returned (None when the operation needs no auth).
    clock : EmulatorClock
    request_id : str
        Also sent back as the ``X-Request-Id`` header.
    """

    __slots__ = (
        "app",
        "raw",
        "operation",
        "qualname",
        "method",
        "path",
        "path_params",
        "principal",
        "clock",
        "request_id",
        "streamed",
        "_body",
        "_json",
        "_form",
    )

    def __init__(
        self,
        app: EmulatorApp,
        raw: Request,
        operation: Operation | None,
        qualname: str | None,
        path_params: dict[str, str],
        request_id: str,
    ) -> None:
        self.app = app
        self.raw = raw
        self.operation = operation
        self.qualname = qualname
        self.method: str = raw.method
        self.path: str = raw.scope.get("path", "")
        self.path_params = path_params
        self.principal: Any = None
        self.clock = app.clock
        self.request_id = request_id
        self.streamed = False
        self._body: bytes | None = None
        self._json: Any = NO_JSON
        self._form: FormData | None = None

    @property
    def query(self) -> QueryParams:
        return self.raw.query_params  # parsed on first use, then cached by starlette

    @property
    def headers(self) -> Headers:
        return self.raw.headers

    @property
    def has_body(self) -> bool:
        """Whether the client sent a body (judged from the headers, so streaming stays lazy)."""
        if self._body is not None:
            return bool(self._body)
        length = self.headers.get("content-length")
        if length is not None:
            return length.strip() not in ("", "0")
        return "chunked" in self.headers.get("transfer-encoding", "").lower()

    async def load(self) -> bytes:
        """Read the whole body (async handlers of ``stream=True`` routes may call this)."""
        if self._body is None:
            self._body = await self.raw.body()
        return self._body

    async def _load_form(self) -> FormData:
        if self._form is None:
            await self.load()
            self._form = await self.raw.form()
        return self._form

    def body(self) -> bytes:
        """The raw body bytes."""
        if self._body is None:
            raise RuntimeError(
                f"the body of {self.qualname or self.path} is streamed (stream=True): "
                "iterate req.stream() or `await req.load()` first"
            )
        return self._body

    def json(self) -> Any:
        """The body decoded as JSON (400 in the platform's envelope if it is not JSON)."""
        if self._json is NO_JSON:
            raw = self.body()
            if not raw:
                self._json = None
            else:
                try:
                    self._json = _json.loads(raw)
                except ValueError as problem:
                    raise EmuError(
                        400, f"request body is not valid JSON: {problem}", field="body"
                    ) from None
        return self._json

    def form(self) -> FormData:
        """The form or multipart fields (multi-dict; files are starlette ``UploadFile``)."""
        if self._form is None:
            raise RuntimeError(
                f"{self.qualname or self.path}: the form was not parsed; the request's "
                "Content-Type is not a form, or the route streams its body"
            )
        return self._form

    async def stream(self) -> AsyncIterator[bytes]:
        """The body chunk by chunk as it arrives (one chunk if it was already read)."""
        if self._body is not None:
            if self._body:
                yield self._body
            return
        async for chunk in self.raw.stream():
            if chunk:
                yield chunk

    def __repr__(self) -> str:
        return f"EmuRequest({self.method} {self.path} -> {self.qualname})"


def default_error_body(error: EmuError, request: EmuRequest) -> Any:
    """The envelope used when a platform gives none: ``{status, error, message, **extra}``."""
    try:
        phrase = HTTPStatus(error.status).phrase
    except ValueError:
        phrase = "Error"
    return {"status": error.status, "error": phrase, "message": error.message, **error.extra}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dump_json(value: Any) -> bytes:
    return _json.dumps(
        value, separators=(",", ":"), ensure_ascii=False, default=_json_default
    ).encode()


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
        if not isinstance(spec, Spec):
            from specclient.openapi import load  # the loader is only needed for this convenience

            spec = load(spec)
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
        self.expired_token_error: Callable[[EmuRequest], EmuError] = _expired_token_error
        self.state: Any = {}
        self.credentials: dict[str, Any] = {}
        self.faults = FaultInjector(seed, self.clock, known_targets=self._fault_targets)
        self.rng = random.Random(seed)
        self._ids = random.Random(f"request-ids:{seed}")
        self.lock = threading.RLock()
        self.request_id_header: str | None = "X-Request-Id"
        self._validators: dict[str, OperationValidator] = {}
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
        validator = self._validators.get(operation.qualname)
        if validator is None:
            validator = OperationValidator(operation, self._draft)
            self._validators[operation.qualname] = validator
        return validator

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
                await _drop_connection(scope, "drop_before")
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
            except Exception as error:  # a handler bug: say where, in the envelope, and log it
                logger.exception("emulator handler for %s failed", qualname or req.path)
                message = (
                    f"emulator error in {qualname or req.path}: {type(error).__name__}: {error}"
                )
                response = self._render_error(EmuError(500, message), req)
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.delay or 0.0)
            if fault is not None and fault.kind == "drop_after":
                await _drop_connection(scope, "drop_after", send, response)
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
                content: Any = _dump_json(result.json)
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
                content = _dump_json(result)
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
            content = body if isinstance(body, bytes) else _dump_json(body)
        except Exception:  # a broken envelope must not hide the error it was rendering
            logger.exception("error_body failed for %s %s", error.status, error.message)
            content = _dump_json(default_error_body(error, req))
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


def _expired_token_error(req: EmuRequest) -> EmuError:
    return EmuError(
        401,
        "The access token expired",
        headers={
            "WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token expired"'
        },
    )


async def _drop_connection(
    scope: dict[str, Any], kind: str, send: Any = None, response: Response | None = None
) -> None:
    """Really drop the TCP connection, so the client sees a transport error.

    ``drop_after`` first sends the status line and headers announcing a body that never comes
    (at least one byte, so even an empty reply is visibly cut short).
    """
    transport = (scope.get("state") or {}).get(TRANSPORT_KEY)
    if transport is None:  # in-process ASGI transport: no socket to drop
        raise ConnectionResetError(f"emulator fault {kind}: connection dropped")
    if send is not None and response is not None:
        length = int(response.headers.get("content-length") or 1 << 20)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(b"content-length", str(max(length, 1)).encode())],
            }
        )
    transport.abort()
    # Let the protocol notice the lost connection before we return, so uvicorn neither
    # writes a 500 nor logs "returned without completing response".
    for _ in range(3):
        await asyncio.sleep(0)


# ---------------------------------------------------------------------------------------------
# serving
# ---------------------------------------------------------------------------------------------
class Emulator:
    """A running emulator: where it is, what it accepts, and its knobs.

    Attributes
    ----------
    base_url : str
        ``http://127.0.0.1:<port>`` plus the spec's base path; pass it to ``connect``.
    credentials : dict
        Keyword arguments for ``specclient.connect(platform, ...)``.
    clock : EmulatorClock
    faults : FaultInjector
    state : object
        The platform's state model.
    app : EmulatorApp
    platform : str or None
    port : int
    """

    def __init__(
        self,
        app: EmulatorApp,
        server: ServerThread,
        *,
        platform: str | None = None,
        credentials: Mapping[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.platform = platform
        self.port = server.port
        self.origin = f"http://{_url_host(server.host)}:{server.port}"
        self.base_url = self.origin + app.base_path
        self.credentials = dict(credentials or {})
        self._server = server
        self._clients: list[Any] = []

    @property
    def clock(self) -> EmulatorClock:
        return self.app.clock

    @property
    def faults(self) -> FaultInjector:
        return self.app.faults

    @property
    def state(self) -> Any:
        return self.app.state

    def _options(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "clock": self.clock,
            **self.credentials,
        }
        options.update(overrides)
        return options

    def client(self, **overrides: Any) -> Any:
        """A connected client: ``specclient.connect(platform, base_url=..., clock=emu.clock,
        **credentials, **overrides)`` (``Client(app.spec, ...)`` for an app without platform).
        Closed when the emulator stops."""
        import specclient

        options = self._options(overrides)
        if self.platform is None:
            client = specclient.Client(self.app.spec, **options)
        else:
            client = specclient.connect(self.platform, **options)
        self._clients.append(client)
        return client

    def async_client(self, **overrides: Any) -> Any:
        """Like :meth:`client` with ``specclient.connect_async`` (close it yourself: ``async with``)."""
        import specclient

        options = self._options(overrides)
        if self.platform is None:
            return specclient.AsyncClient(self.app.spec, **options)
        return specclient.connect_async(self.platform, **options)

    def close(self) -> None:
        """Close the clients made by :meth:`client` and stop the server."""
        clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(Exception):
                client.close()
        self._server.stop()

    def __repr__(self) -> str:
        return f"Emulator({self.platform or 'custom'!r}, base_url={self.base_url!r})"


def _url_host(host: str) -> str:
    """The host to put in a URL: a wildcard bind address is reached through loopback."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{host}]" if ":" in host else host


def _platform_module(platform: str) -> Any:
    """``specclient.emulators.<platform>``, or any importable module path with a dot in it."""
    name = platform if "." in platform else f"specclient.emulators.{platform}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as problem:
        if problem.name not in (name, *_parents(name)):
            raise  # the module exists but one of its imports is missing: show that
        raise ParameterError(
            "specclient.emulators.running",
            f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)} "
            "(or give an importable module path that has build() and CREDENTIALS)",
            "platform",
        ) from None
    if not callable(getattr(module, "build", None)):
        raise ParameterError(
            "specclient.emulators.running",
            f"{name} has no build(*, seed, clock, **options)",
            "platform",
        )
    return module


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _build(
    platform: str, seed: int, options: Mapping[str, Any], clock: EmulatorClock | None = None
) -> tuple[EmulatorApp, dict[str, Any]]:
    module = _platform_module(platform)
    clock = clock if clock is not None else EmulatorClock()
    app = module.build(seed=seed, clock=clock, **options)
    if not isinstance(app, EmulatorApp):
        raise SpecClientError(
            f"{module.__name__}.build() returned {type(app).__name__}, not an EmulatorApp"
        )
    defaults = dict(getattr(module, "CREDENTIALS", {}) or {})
    credentials = dict(app.credentials) or {
        **defaults,
        **{key: value for key, value in options.items() if key in defaults},
    }
    app.credentials = credentials
    return app, credentials


@contextlib.contextmanager
def running_app(
    app: EmulatorApp,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    platform: str | None = None,
    credentials: Mapping[str, Any] | None = None,
) -> Iterator[Emulator]:
    """Serve an app built by hand on a loopback port for the duration of the block.

    Yields
    ------
    Emulator
        Stopped on exit, also after an exception.
    """
    server = ServerThread(app, host=host, port=port).start()
    emulator = Emulator(
        app,
        server,
        platform=platform,
        credentials=credentials if credentials is not None else app.credentials,
    )
    try:
        yield emulator
    finally:
        emulator.close()


@contextlib.contextmanager
def running(
    platform: str,
    *,
    seed: int = 0,
    port: int = 0,
    host: str = "127.0.0.1",
    clock: EmulatorClock | None = None,
    **options: Any,
) -> Iterator[Emulator]:
    """Build a platform's emulator, serve it on a loopback port, stop it on exit.

    Parameters
    ----------
    platform : str
        ``"habu"``, ``"usmart"``, ``"clicdata"``, ``"civis"`` (or a module path with ``build``).
    seed : int
        Makes ids, failures and fault rates reproducible.
    port : int
        0 picks any free port.
    host : str
        Loopback by default.
    clock : EmulatorClock, optional
        Share one clock between several emulators; a new one by default.
    **options
        Passed to the platform's ``build`` (credentials, limits...).

    Examples
    --------
    >>> with running("habu", seed=1) as emu:              # doctest: +SKIP
    ...     client = emu.client()
    ...     client.cleanrooms.list()
    ...     emu.clock.advance(3600)
    """
    app, credentials = _build(platform, seed, options, clock)
    with running_app(app, port=port, host=host, platform=platform, credentials=credentials) as emu:
        yield emu


def build_generic(
    spec: Spec | str | Path | Mapping[str, Any],
    *,
    seed: int = 0,
    clock: EmulatorClock | None = None,
) -> EmulatorApp:
    """A stateless emulator for any spec: every operation answers its success status with an
    example body made from the response schema (``example``/``default``/enums where given).
    Requests are still checked against the spec; no auth is asked for."""
    app = EmulatorApp(spec, clock=clock, seed=seed)
    for qualname, operation in app.operations.items():
        app.handle(qualname)(_generic_handler(operation))
    return app


def _generic_handler(operation: Operation) -> Handler:
    shape = operation.success

    def answer(req: EmuRequest) -> Any:
        if shape is None or shape.schema is None:
            return None
        body = example_for(shape.schema, now=req.clock.time())
        # Echo path parameters into same-named fields, so GET /pets/7 returns id 7.
        if isinstance(body, dict):
            for name, value in req.path_params.items():
                if name in body:
                    body[name] = value
        media_type = shape.media_type or "application/json"
        if "json" not in media_type:
            return EmuResponse(
                int(shape.status) if shape.status.isdigit() else 200,
                body="" if body is None else str(body),
                media_type=media_type,
            )
        return body

    return answer


@contextlib.contextmanager
def serve_spec(
    spec: Spec | str | Path | Mapping[str, Any],
    *,
    seed: int = 0,
    port: int = 0,
    host: str = "127.0.0.1",
) -> Iterator[Emulator]:
    """Serve :func:`build_generic` for ``spec`` on a loopback port for the block's duration."""
    with running_app(build_generic(spec, seed=seed), port=port, host=host) as emu:
        yield emu


def serve_forever(
    platform: str,
    *,
    port: int = 0,
    seed: int = 0,
    host: str = "127.0.0.1",
    out: TextIO | None = None,
    **options: Any,
) -> None:
    """Serve a platform's emulator in the foreground until SIGINT/SIGTERM.

    The first line on ``out`` (stdout) is one JSON object
    ``{"platform", "base_url", "credentials"}``, flushed before serving, so a parent process
    can read where to connect. The port is bound before the line is printed; connections
    made right after reading it wait in the listen queue.
    """
    app, credentials = _build(platform, seed, options)
    sock = bind_socket(host, port)
    try:
        base_url = f"http://{_url_host(host)}:{sock.getsockname()[1]}{app.base_path}"
        stream = out if out is not None else sys.stdout
        stream.write(
            _json.dumps({"platform": platform, "base_url": base_url, "credentials": credentials})
            + "\n"
        )
        stream.flush()
        # uvicorn installs SIGINT/SIGTERM handlers when run from the main thread, shuts down
        # gracefully, then re-raises the signal: SIGINT arrives here as KeyboardInterrupt.
        with contextlib.suppress(KeyboardInterrupt):
            make_server(app).run(sockets=[sock])
    finally:
        sock.close()
