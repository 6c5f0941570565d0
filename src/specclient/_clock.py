"""Time as a seam: retries, waiters and emulators ask a clock, so tests never really sleep."""

from __future__ import annotations

import time

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Protocol
else:

    class _Structural(type):
        """``isinstance(x, Clock)`` for anything with a clock's methods, as a
        ``runtime_checkable`` protocol answers it, without loading typing."""

        def __instancecheck__(cls, instance: object) -> bool:
            methods = ("monotonic", "time", "sleep", "asleep")
            return all(hasattr(instance, name) for name in methods)

    class Protocol(metaclass=_Structural):
        pass


class Clock(Protocol):
    """What a clock offers (a protocol: ``isinstance`` checks the methods at run time)."""

    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        import asyncio  # here, not at the top: asyncio costs ~25 ms of every client's start-up

        await asyncio.sleep(max(seconds, 0))


class FakeClock:
    """A clock that moves only when slept on or advanced; records every sleep."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._start = start
        # Elapsed time is kept apart from the wall time: added to 1.7e9, a sleep under
        # ~0.2 µs would be lost to rounding and a wait for such a remainder would never end.
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def time(self) -> float:
        return self._start + self._elapsed

    def advance(self, seconds: float) -> None:
        self._elapsed += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(seconds, 0))

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
