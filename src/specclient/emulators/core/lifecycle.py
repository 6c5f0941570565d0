"""Work that waits, runs, then ends on the emulator clock (Habu question and flow runs, Civis
job runs): its phase is computed from the time, never stored, so moving the clock moves it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Timed"]


@dataclass(kw_only=True)
class Timed:
    """Submitted at ``submitted``; queued ``queue_seconds``, then running ``run_seconds``.

    A platform's run subclasses it and words the :meth:`phase` its own way (``QUEUED`` /
    ``queued``...). ``cancelled_at`` freezes it as cancelled if that came before the end.
    """

    submitted: float
    queue_seconds: float
    run_seconds: float
    cancelled_at: float | None = None

    @property
    def started(self) -> float:
        return self.submitted + self.queue_seconds

    @property
    def finished(self) -> float:
        return self.started + self.run_seconds

    def phase(self, now: float) -> str:
        """``queued``, ``running``, ``done``, or ``cancelled`` (before it was done)."""
        if self.cancelled_at is not None and self.cancelled_at < self.finished:
            return "cancelled"
        if now < self.started:
            return "queued"
        return "running" if now < self.finished else "done"
