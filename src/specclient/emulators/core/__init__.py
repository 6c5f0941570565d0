"""The emulator core: what every platform's emulator is made of, one module per job.

- :mod:`.app` — :class:`EmulatorApp`, the ASGI app: a request passes faults, then auth, then
  validation against the spec, then the handler; replies and errors in the platform's envelope
- :mod:`.messages` — :class:`EmuRequest` (what a handler sees), :class:`EmuResponse`,
  :class:`EmuError`
- :mod:`.routes` — :class:`Routes`, the one way a platform declares its handlers
- :mod:`.collection` — :class:`Collection`, the shared "things with an id" store (ids, 404s)
- :mod:`.pagination` — offset, page-number and cursor pages
- :mod:`.routing` — matching raw paths against the spec's path templates
- :mod:`.validation` — checking a request against its operation (jsonschema)
- :mod:`.auth` — reading credentials off a request; the expired-token reply
- :mod:`.faults` — the fault injector (``emu.faults``)
- :mod:`.clock` — the emulator clock (``emu.clock``)
- :mod:`.server` — uvicorn on a loopback port, in a thread or in the foreground
- :mod:`.running` — ``running()``, ``serve_forever()``, :class:`Emulator`
- :mod:`.generic` — a stateless emulator for any spec

This package imports the OpenAPI model and the error tree of specclient, never its client
stack (``Emulator.client()`` imports ``specclient.connect`` when it is called).

Example
-------
A platform of one's own (``specclient/emulators/pets/__init__.py``, or any importable module
named by its dotted path)::

    from specclient.emulators.core import Collection, EmuError, EmulatorApp, Routes
    from specclient.emulators.core import paginate_offset
    from specclient.openapi import load

    CREDENTIALS = {"api_key": "demo-key"}           # the keyword arguments connect() takes
    routes = Routes()

    @routes("pets.get")                             # qualname = resource.method of the spec
    def get_pet(pets, req):                         # (state, request)
        return pets.get(req.path_params["petId"])   # a missing id answers 404 "Pet 7 not found"

    @routes("pets.list")
    def list_pets(pets, req):
        return paginate_offset(pets.all(), req.query.get("limit", 50), req.query.get("offset", 0))

    @routes.extra("POST", "/oauth/token")           # a route the spec lacks (full wire path)
    def token(pets, req):
        return {"access_token": "t", "expires_in": 3600}

    def authenticate(req):                          # skipped where the spec says security: []
        if req.headers.get("x-key") != req.app.credentials["api_key"]:
            raise EmuError(401, "wrong key")
        return "owner"                              # becomes req.principal

    def build(*, seed, clock, api_key=CREDENTIALS["api_key"]):
        app = EmulatorApp(load("pets.yaml"), clock=clock, seed=seed,
                          error_body=lambda err, req: {"code": err.status, "msg": err.message})
        app.credentials = {"api_key": api_key}
        app.authenticate = authenticate
        routes.serve(app, Collection("Pet", ids=lambda n: str(n)))
        return app

and a test using it::

    with specclient.emulators.running("pets", seed=1) as emu:
        emu.faults.add("pets.get", "503", count=1, retry_after=2)
        client = emu.client()                       # connect(..., clock=emu.clock)
        client.pets.get("7")                        # retried after a 2 s wait on emu.clock
        emu.clock.advance(3600)                     # time passes for the emulator's state

Why Starlette under uvicorn: Starlette's ``Request`` streams request bodies chunk by chunk
(uploads of gigabytes never sit in memory) and parses forms and multipart; uvicorn serves one
app to sync and async clients alike over real TCP, which is what the retry and drop-connection
paths of a client need to meet. The app is plain ASGI, so ``httpx.ASGITransport(app=app)``
also works in-process (except for dropped connections, which need a real socket).
"""

from specclient.emulators.core.app import EmulatorApp, Handler
from specclient.emulators.core.clock import EmulatorClock
from specclient.emulators.core.collection import Collection
from specclient.emulators.core.faults import Fault, FaultInjector, FiredFault
from specclient.emulators.core.generic import build_generic, serve_spec
from specclient.emulators.core.messages import (
    EmuError,
    EmuRequest,
    EmuResponse,
    default_error_body,
)
from specclient.emulators.core.pagination import paginate_cursor, paginate_offset, paginate_page
from specclient.emulators.core.routes import Routes
from specclient.emulators.core.running import (
    PLATFORMS,
    Emulator,
    check_options,
    running,
    running_app,
    serve_forever,
)

__all__ = [
    "PLATFORMS",
    "Collection",
    "EmuError",
    "EmuRequest",
    "EmuResponse",
    "Emulator",
    "EmulatorApp",
    "EmulatorClock",
    "Fault",
    "FaultInjector",
    "FiredFault",
    "Handler",
    "build_generic",
    "check_options",
    "default_error_body",
    "paginate_cursor",
    "paginate_offset",
    "paginate_page",
    "Routes",
    "running",
    "running_app",
    "serve_forever",
    "serve_spec",
]
