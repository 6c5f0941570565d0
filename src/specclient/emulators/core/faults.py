"""The fault injector: make an emulator misbehave on purpose, deterministically.

Faults are checked in the order they were added; at most one fires per request. A fault with
``count`` fires on the next N matching requests, one with ``rate`` on each matching request with
that probability drawn from an RNG seeded by the emulator's seed (so a test that sends the same
requests sees the same faults every run), one with both stops after N firings, and one with
neither fires until removed.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal, get_args

from specclient.errors import ParameterError

__all__ = ["FAULT_KINDS", "Fault", "FaultInjector", "FiredFault"]

FaultKind = Literal[
    "429", "500", "502", "503", "504", "drop_before", "drop_after", "slow", "expired_token"
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
_STATUS_KINDS = {"429", "500", "502", "503", "504"}


@dataclass(frozen=True, slots=True)
class FiredFault:
    """A record of one fault that fired: what, on which request, at what emulator time."""

    kind: str
    target: str
    operation: str | None
    method: str
    path: str
    at: float


class Fault:
    """One registered fault; :meth:`remove` switches it off."""

    def __init__(
        self,
        injector: FaultInjector,
        target: str,
        kind: str,
        count: int | None,
        rate: float | None,
        retry_after: float | None,
        delay: float | None,
    ) -> None:
        self._injector = injector
        self.target = target
        self.kind = kind
        self.remaining = count
        self.rate = rate
        self.retry_after = retry_after
        self.delay = delay
        self.fired = 0

    @property
    def status(self) -> int | None:
        """The HTTP status this fault answers with, for the status kinds."""
        if self.kind in _STATUS_KINDS:
            return int(self.kind)
        if self.kind == "expired_token":
            return 401
        return None

    @property
    def active(self) -> bool:
        return self.remaining is None or self.remaining > 0

    def matches(self, operation: str | None, path: str) -> bool:
        target = self.target
        if target == "*":
            return True
        if "/" in target:
            return fnmatch.fnmatchcase(path, target)
        return operation is not None and fnmatch.fnmatchcase(operation, target)

    def remove(self) -> None:
        """Switch this fault off (removing twice is harmless)."""
        self._injector._discard(self)

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={value!r}"
            for name, value in (
                ("remaining", self.remaining),
                ("rate", self.rate),
                ("retry_after", self.retry_after),
                ("delay", self.delay),
            )
            if value is not None
        )
        return f"Fault({self.target!r}, {self.kind!r}{extra})"


class FaultInjector:
    """Holds the faults of one emulator (``emu.faults``) and records which fired (``fired``).

    Parameters
    ----------
    seed : int
        Seeds the RNG used by ``rate=`` faults.
    clock : object with ``time()``
        Timestamps the :class:`FiredFault` records.
    """

    def __init__(
        self,
        seed: int = 0,
        clock: object | None = None,
        known_targets: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self._known_targets = known_targets
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)
        self._clock = clock
        self.fired: list[FiredFault] = []

    def add(
        self,
        target: str,
        kind: str,
        *,
        count: int | None = None,
        rate: float | None = None,
        retry_after: float | None = None,
        delay: float | None = None,
    ) -> Fault:
        """Register a fault and return its handle.

        Parameters
        ----------
        target : str
            An operation qualname (``"cleanroom_questions.create_run"``, globs allowed:
            ``"cleanrooms.*"``), a path glob (anything with a ``/``: ``"/v1/cleanrooms/*"``)
            matched against the decoded request path, or ``"*"`` for every request.
        kind : str
            One of ``"429"``, ``"500"``, ``"502"``, ``"503"``, ``"504"``, ``"drop_before"``,
            ``"drop_after"``, ``"slow"``, ``"expired_token"``.
        count : int, optional
            Fire on the next ``count`` matching requests only.
        rate : float, optional
            Fire on each matching request with this probability (seeded RNG).
        retry_after : float, optional
            For ``"429"`` and 5xx: send ``Retry-After`` with this many seconds.
        delay : float, optional
            For ``"slow"``: real seconds to hold the reply back (keep it small in tests).

        Returns
        -------
        Fault
            Call ``.remove()`` on it to switch it off.
        """
        where = "faults.add"
        if not isinstance(target, str) or not target:
            raise ParameterError(
                where, f"target must be a non-empty string, got {target!r}", "target"
            )
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ParameterError(
                where,
                f"unknown fault kind {kind!r}; choose one of {', '.join(FAULT_KINDS)}",
                "kind",
            )
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ParameterError(where, f"count must be a positive integer, got {count!r}", "count")
        if rate is not None and not 0.0 <= float(rate) <= 1.0:
            raise ParameterError(where, f"rate must be between 0 and 1, got {rate!r}", "rate")
        if retry_after is not None and retry_after < 0:
            raise ParameterError(
                where, f"retry_after must be >= 0, got {retry_after!r}", "retry_after"
            )
        self._check_target(target)
        if kind == "slow" and (delay is None or delay < 0):
            raise ParameterError(where, "a 'slow' fault needs delay= (seconds, >= 0)", "delay")
        fault = Fault(self, target, kind, count, rate, retry_after, delay)
        with self._lock:
            self._faults.append(fault)
        return fault

    def _check_target(self, target: str) -> None:
        """A plain qualname the app does not have would never fire: say so now."""
        if self._known_targets is None or "/" in target or any(c in target for c in "*?["):
            return
        known = self._known_targets()
        if target not in known:
            resource = target.split(".")[0]
            close = sorted(name for name in known if name.split(".")[0] == resource)
            hint = f"; this resource has: {', '.join(close)}" if close else ""
            raise ParameterError(
                "faults.add", f"no operation or named route {target!r}{hint}", "target"
            )

    def clear(self) -> None:
        """Remove every fault (the record in :attr:`fired` is kept)."""
        with self._lock:
            self._faults.clear()

    @property
    def active(self) -> list[Fault]:
        """The faults that can still fire, in the order they are checked."""
        with self._lock:
            return [fault for fault in self._faults if fault.active]

    def _discard(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def pick(
        self, operation: str | None, method: str, path: str, *, authenticated: bool = True
    ) -> Fault | None:
        """The fault that fires for this request, if any, and record it as fired.

        ``authenticated`` says whether the request carries credentials the server checks;
        ``expired_token`` faults skip those that do not (a token endpoint, a health check),
        so a client can still fetch the new token it needs.
        """
        if not self._faults:  # the common case: no lock, no work
            return None
        with self._lock:
            for fault in self._faults:
                if not fault.active or not fault.matches(operation, path):
                    continue
                if fault.kind == "expired_token" and not authenticated:
                    continue
                # Only requests that match draw from the RNG, so adding a fault for one
                # operation does not change which requests another fault hits.
                if fault.rate is not None and self._rng.random() >= fault.rate:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.fired += 1
                now = self._clock.time() if self._clock is not None else 0.0  # type: ignore[attr-defined]
                self.fired.append(
                    FiredFault(fault.kind, fault.target, operation, method, path, now)
                )
                return fault
        return None

    def __len__(self) -> int:
        return len(self.active)

    def __repr__(self) -> str:
        return f"FaultInjector({self.active!r}, fired={len(self.fired)})"
