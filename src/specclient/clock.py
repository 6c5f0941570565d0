"""Time as a public seam: pass a clock to a client (``clock=``) and its retries, waits and
polls ask it, so tests and emulators never really sleep.

``Clock`` is the protocol; ``SYSTEM_CLOCK`` the real one; ``FakeClock`` a clock you advance.
"""

from ._clock import SYSTEM_CLOCK, Clock, FakeClock, SystemClock

__all__ = ["SYSTEM_CLOCK", "Clock", "FakeClock", "SystemClock"]
