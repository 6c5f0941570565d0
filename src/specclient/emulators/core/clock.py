"""The emulator's clock: manual by default, or paced to move on its own for standalone use."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["DEFAULT_PACE", "EmulatorClock"]

# A fixed start keeps runs reproducible: the same seed gives the same timestamps in bodies.
DEFAULT_START = 1_700_000_000.0

#: Emulated seconds per real second of a standalone emulator (``specclient emulate``): a Habu
#: run (60 s queued, 600 s running) completes in 11 s, a Civis run in a fraction of one.
DEFAULT_PACE = 60.0


class EmulatorClock:
    """A thread-safe clock shared by an emulator and the clients connected to it.

    It implements :class:`specclient._clock.Clock`, and its :meth:`sleep` advances time instead
    of sleeping, so a client built with ``clock=emu.clock`` waits for retries and polls instantly
    and deterministically while the emulator sees the time pass (runs finish, tokens expire).
    The server thread reads it while the test thread advances it, hence the lock.

    By default time moves only when someone advances it or sleeps on it (``pace=0``). A clock
    with a ``pace`` also moves on its own, ``pace`` emulated seconds per real second, for
    clients that do not share it (another process, another language); :meth:`set_pace`
    changes that at any time and :meth:`freeze` stops it. Advancing works either way.

    Parameters
    ----------
    start : float, optional
        Epoch seconds the clock starts at. By default a manual clock starts at a fixed instant
        (:data:`DEFAULT_START`, so a seed reproduces its timestamps) and a paced one at the
        current time: it stands for a live service, whose clients date their queries by their
        own clocks (Habu's "runs since yesterday").
    pace : float
        Emulated seconds per real second; 0 (the default) keeps the clock manual.
    real : callable, optional
        The real clock the pace is measured on (``time.monotonic``); tests pass their own.
    """

    def __init__(
        self,
        start: float | None = None,
        *,
        pace: float = 0.0,
        real: Callable[[], float] = time.monotonic,
    ) -> None:
        if start is None:
            start = time.time() if pace else DEFAULT_START
        self._lock = threading.Lock()
        self._start = float(start)
        self._now = float(start)
        self._real = real
        self._anchor = real()
        self._pace = self._checked(pace)
        self.sleeps: list[float] = []

    @staticmethod
    def _checked(pace: float) -> float:
        if not pace >= 0:  # also refuses NaN
            raise ValueError(f"pace must be >= 0 emulated seconds per real second, got {pace}")
        return float(pace)

    def _catch_up(self) -> float:
        """Fold the real time passed since the last reading into ``_now`` (lock held)."""
        real = self._real()
        self._now += (real - self._anchor) * self._pace
        self._anchor = real
        return self._now

    @property
    def pace(self) -> float:
        """Emulated seconds per real second (0: the clock moves only when advanced)."""
        return self._pace

    def set_pace(self, pace: float) -> None:
        """Move on its own at ``pace`` emulated seconds per real second from now on (0 stops)."""
        pace = self._checked(pace)
        with self._lock:
            self._catch_up()
            self._pace = pace

    def freeze(self) -> None:
        """Stop moving on its own: time stays where it is until advanced (``set_pace(0)``)."""
        self.set_pace(0.0)

    def time(self) -> float:
        """Epoch seconds now."""
        with self._lock:
            return self._catch_up()

    def now(self) -> datetime:
        """Now as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), UTC)

    def monotonic(self) -> float:
        """Seconds since the clock was created."""
        return self.time() - self._start

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backwards) and return the new epoch time."""
        if seconds < 0:
            raise ValueError(f"cannot advance the clock by a negative amount ({seconds})")
        with self._lock:
            self._now = self._catch_up() + seconds
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance instead of sleeping; the wait is recorded in :attr:`sleeps`."""
        with self._lock:
            self.sleeps.append(seconds)
            self._now = self._catch_up() + max(seconds, 0.0)

    async def asleep(self, seconds: float) -> None:
        """Advance instead of sleeping, then give other tasks a turn as a real sleep would."""
        self.sleep(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        paced = f", pace={self._pace:g}" if self._pace else ""
        return f"EmulatorClock(now={self.now().isoformat()}{paced})"
