"""Local emulators of the platforms, and the core they share (see :mod:`.core`).

>>> with specclient.emulators.running("habu", seed=1) as emu:   # doctest: +SKIP
...     emu.client().cleanrooms.list()
"""

from specclient.emulators._faults import Fault, FaultInjector, FiredFault
from specclient.emulators._pagination import paginate_cursor, paginate_offset, paginate_page
from specclient.emulators.core import (
    PLATFORMS,
    EmuError,
    Emulator,
    EmulatorApp,
    EmulatorClock,
    EmuRequest,
    EmuResponse,
    build_generic,
    default_error_body,
    running,
    running_app,
    serve_forever,
    serve_spec,
)

__all__ = [
    "PLATFORMS",
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
    "default_error_body",
    "paginate_cursor",
    "paginate_offset",
    "paginate_page",
    "running",
    "running_app",
    "serve_forever",
    "serve_spec",
]
