"""The emulator core: what every platform's emulator is made of, one module per job.

- :mod:`.app` — :class:`EmulatorApp`, the ASGI app: a request passes faults, then auth, then
  validation against the spec, then the handler; replies and errors in the platform's envelope
- :mod:`.messages` — :class:`EmuRequest` (what a handler sees), :class:`EmuResponse`,
  :class:`EmuError`
- :mod:`.routes` — :class:`Routes`, the one way a platform declares its handlers
- :mod:`.collection` — :class:`Collection`, the shared "things with an id" store (ids, 404s)
- :mod:`.lifecycle` — :class:`~.lifecycle.Timed`, work that waits, runs and ends on the clock
- :mod:`.pagination` — offset, page-number and cursor pages
- :mod:`.routing` — matching raw paths against the spec's path templates
- :mod:`.validation` — checking a request against its operation (jsonschema)
- :mod:`.specs` — the served spec and its validators, loaded once per process and shared
- :mod:`.auth` — reading credentials off a request; the expired-token reply
- :mod:`.faults` — the fault injector (``emu.faults``)
- :mod:`.clock` — the emulator clock (``emu.clock``): manual, or paced when standalone
- :mod:`.server` — uvicorn on a loopback port, in a thread or in the foreground
- :mod:`.running` — ``running()``, ``serve_forever()``, :class:`Emulator`
- :mod:`.generic` — a stateless emulator for any spec
- :mod:`.crud` — :class:`~.crud.SpecRecords`, records read from the spec for the operations a
  platform does not model by hand (no operation answers 501)

This package imports the OpenAPI model and the error tree of specclient, never its client
stack (``Emulator.client()`` imports ``specclient.connect`` when it is called). How to write a
platform's emulator: docs/CONTRACTS.md, "Emulators".
"""

from specclient.emulators.core.app import EmulatorApp
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
from specclient.emulators.core.server import ServerLimits

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
    "ServerLimits",
]
