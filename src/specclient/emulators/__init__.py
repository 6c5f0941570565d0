"""Local emulators of the platforms, and the core they share (:mod:`.core`).

>>> with specclient.emulators.running("habu", seed=1) as emu:   # doctest: +SKIP
...     emu.client().cleanrooms.list()

The emulators serve HTTP with starlette under uvicorn, which a client-only install does not
carry: they come with the ``emulators`` extra (``pip install "specclient[emulators]"``).
"""

from specclient.emulators._extra import require_extra

require_extra()

from specclient.emulators import core  # noqa: E402  (after the check that names the extra)
from specclient.emulators.core import *  # noqa: E402, F403  (the public names are core's)

__all__ = list(core.__all__)
