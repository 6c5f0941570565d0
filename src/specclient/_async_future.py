"""The awaitable twin of :class:`specclient.futures.RunFuture` (in its own module so that
sync users never import asyncio; ``specclient.futures.AsyncRunFuture`` is the public name)."""

from __future__ import annotations

import asyncio
from typing import Any

from .futures import Ending, RunTracker, _RunView
from .polling import adrive

__all__ = ["AsyncRunFuture"]


class AsyncRunFuture(_RunView, asyncio.Future):  # type: ignore[type-arg]
    """The awaitable twin of :class:`RunFuture`: an :class:`asyncio.Future` polled by a task.

    ``await future``, ``asyncio.wait``, ``asyncio.gather`` and ``asyncio.as_completed`` work.
    Made inside a running event loop; polling starts at once in a task of that loop.
    ``cancel()`` has asyncio's meaning: stop waiting (the run goes on; awaiting tasks that are
    cancelled cancel the futures they await, as with any asyncio future).
    ``await future.cancel_run()`` asks the platform to stop the run.
    """

    def __init__(self, tracker: RunTracker) -> None:
        super().__init__()
        self._tracker = tracker
        self._follower = asyncio.get_running_loop().create_task(
            self._follow(), name=f"specclient-{tracker.label}"
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._tracker.label} state={self.state or 'unknown'}>"

    async def _follow(self) -> None:
        try:
            verdict = await adrive(self._tracker.steps(), self._tracker.clock)
        except Exception as error:
            self._end(("exception", error))
        else:
            ending = self._tracker.ending(verdict)
            if ending is not None:
                self._end(ending)

    def _end(self, ending: Ending) -> None:
        self._tracker.finish()
        if self.done():
            return
        kind, value = ending
        if kind == "result":
            self.set_result(value)
        elif kind == "exception":
            self.set_exception(value)
        else:
            super().cancel()

    def _run_error(self) -> BaseException | None:
        return self.exception()

    def cancel(self, msg: Any = None) -> bool:
        """Stop waiting for the run (it goes on); see :meth:`cancel_run`."""
        self._tracker.finish()
        if self._follower is not asyncio.current_task():
            self._follower.cancel()
        return super().cancel(msg)

    async def cancel_run(self) -> bool:
        """Ask the platform to cancel the run; ``True`` when it is cancelled (as the sync
        future's ``cancel()``)."""
        if self.cancelled():
            return True
        if self.done():
            return False
        if not await adrive(self._tracker.cancel_steps(), self._tracker.clock):
            return False
        self.cancel()
        return True


AsyncRunFuture.__module__ = "specclient.futures"  # its public home
