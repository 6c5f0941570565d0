"""The emulator's clock: time that moves only when someone advances it or sleeps on it."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

__all__ = ["EmulatorClock"]

# A fixed start keeps runs reproducible: the same seed gives the same timestamps in bodies.
DEFAULT_START = 1_700_000_000.0


class EmulatorClock:
    """A thread-safe manual clock shared by an emulator and the clients connected to it.

    It implements :class:`specclient._clock.Clock`, and its :meth:`sleep` advances time instead
    of sleeping, so a client built with ``clock=emu.clock`` waits for retries and polls instantly
    and deterministically while the emulator sees the time pass (runs finish, tokens expire).
    The server thread reads it while the test thread advances it, hence the lock.

    Parameters
    ----------
    start : float
        Epoch seconds the clock starts at.
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._lock = threading.Lock()
        self._start = float(start)
        self._now = float(start)
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Epoch seconds now."""
        with self._lock:
            return self._now

    def now(self) -> datetime:
        """Now as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), UTC)

    def monotonic(self) -> float:
        """Seconds since the clock was created."""
        with self._lock:
            return self._now - self._start

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backwards) and return the new epoch time."""
        if seconds < 0:
            raise ValueError(f"cannot advance the clock by a negative amount ({seconds})")
        with self._lock:
            self._now += seconds
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance instead of sleeping; the wait is recorded in :attr:`sleeps`."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    async def asleep(self, seconds: float) -> None:
        """Advance instead of sleeping, then give other tasks a turn as a real sleep would."""
        self.sleep(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"EmulatorClock(now={self.now().isoformat()})"
