"""Workflows written once for the sync and the async client.

A workflow is a generator that *yields* what it needs done (a :class:`Call` of a spec method, a
raw :class:`Request`, a :class:`Sleep`, a :class:`Wait` on a waiter, a :class:`Fan` of
independent calls) and is sent the result, or has the error thrown into it. :func:`run` does each
step with a sync client, :func:`arun` awaits each on an async one; the logic (paging, retries,
exactly-once checks) exists once. Same idea as httpx's auth flows.

How a :class:`Call` names its method is the platform's business: the drivers are given a
``call(step)`` that resolves and calls it (returning an awaitable on the async client).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import SpecClientError

if TYPE_CHECKING:
    from ..openapi.model import Waiter

__all__ = ["Call", "Request", "Sleep", "Wait", "Fan", "Flow", "run", "arun", "workflow", "drive"]

Flow = Generator[Any, Any, Any]


@dataclass(frozen=True)
class Call:
    """Call the spec method ``method`` with ``args`` and ``kwargs``; sent its result."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """``client.request(verb, path, **options)``, for what the spec methods do not fit."""

    verb: str
    path: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sleep:
    """Sleep on the client's clock (so tests and emulators do not really wait)."""

    seconds: float


@dataclass(frozen=True)
class Wait:
    """Poll ``call`` until ``waiter`` says done (``wait_for`` / ``await_for`` with ``options``);
    sent the final result, or thrown the :class:`~specclient.errors.WaiterError`."""

    call: Call
    waiter: Waiter
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fan:
    """Make the independent ``calls`` with up to ``workers`` in flight; ``each`` is given every
    result in the order of ``calls``, and the step is sent ``None``.

    Sync: one call at a time when ``workers`` is 1, else a thread pool with a bounded window of
    ``2 x workers`` calls submitted ahead. Async: ``asyncio.gather`` over ``workers`` calls at a
    time.
    """

    calls: Sequence[Call]
    workers: int
    each: Callable[[Any], None]


def _step(step: Any, client: Any, call: Callable[[Call], Any]) -> Any:
    if isinstance(step, Call):
        return call(step)
    if isinstance(step, Request):
        return client.request(step.verb, step.path, **step.options)
    if isinstance(step, Sleep):
        client.clock.sleep(step.seconds)
        return None
    if isinstance(step, Wait):
        from ..polling import wait_for

        return wait_for(lambda: call(step.call), step.waiter, clock=client.clock, **step.options)
    if isinstance(step, Fan):
        _fan(step, call)
        return None
    raise TypeError(f"a flow yielded {step!r}, which is not a step")


def _fan(step: Fan, call: Callable[[Call], Any]) -> None:
    if step.workers == 1:
        for one in step.calls:
            step.each(call(one))
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=step.workers) as pool:
        # a bounded window, in order: at most 2 x workers results are held at a time
        window: deque[Any] = deque()
        for one in step.calls:
            window.append(pool.submit(call, one))
            if len(window) >= 2 * step.workers:
                step.each(window.popleft().result())
        while window:
            step.each(window.popleft().result())


async def _astep(step: Any, client: Any, call: Callable[[Call], Any]) -> Any:
    if isinstance(step, Call):
        return await call(step)
    if isinstance(step, Request):
        return await client.request(step.verb, step.path, **step.options)
    if isinstance(step, Sleep):
        await client.clock.asleep(step.seconds)
        return None
    if isinstance(step, Wait):
        from ..polling import await_for

        return await await_for(
            lambda: call(step.call), step.waiter, clock=client.clock, **step.options
        )
    if isinstance(step, Fan):
        import asyncio

        for start in range(0, len(step.calls), step.workers):
            batch = step.calls[start : start + step.workers]
            for result in await asyncio.gather(*(call(one) for one in batch)):
                step.each(result)
        return None
    raise TypeError(f"a flow yielded {step!r}, which is not a step")


def run(flow: Flow, client: Any, call: Callable[[Call], Any]) -> Any:
    """Run a flow on a sync client: each step's result (or error) goes back into it.

    Only :class:`~specclient.errors.SpecClientError` is thrown into the flow; anything else
    (a bug, ``KeyboardInterrupt``) propagates from here.
    """
    try:
        step = next(flow)
        while True:
            try:
                outcome = _step(step, client, call)
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as done:
        return done.value


async def arun(flow: Flow, client: Any, call: Callable[[Call], Any]) -> Any:
    """Run a flow on an async client: the same as :func:`run`, awaiting each step."""
    try:
        step = next(flow)
        while True:
            try:
                outcome = await _astep(step, client, call)
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as done:
        return done.value


# -- one definition, two clients -------------------------------------------------------------------

_RETURNS = "__workflow_returns__"
_F = TypeVar("_F", bound=Callable[..., Any])


def workflow(returns: str = "Any") -> Callable[[_F], _F]:
    """Mark a flow method (a generator with the workflow's public signature and docstring) as
    a workflow both clients offer; ``returns`` is what the workflow returns once run (the
    flow's own annotation must stay ``Any``: it is a generator)."""

    def mark(flow: _F) -> _F:
        setattr(flow, _RETURNS, returns)
        return flow

    return mark


def drive(cls: type) -> type:
    """Class decorator: one method per :func:`workflow` of ``cls``'s bases, which runs the flow
    with ``cls._run`` — a plain method on a sync class, an ``async def`` on an async one (when
    ``_run`` is a coroutine function). Signature and docstring are the flow's, so the sync and
    async clients cannot drift apart."""
    import functools
    import inspect

    asynchronous = inspect.iscoroutinefunction(cls._run)  # type: ignore[attr-defined]
    for name in dir(cls):
        flow = getattr(cls, name, None)
        if flow is None or not hasattr(flow, _RETURNS) or name in vars(cls):
            continue
        method = _async_driver(flow) if asynchronous else _sync_driver(flow)
        functools.update_wrapper(method, flow)
        del method.__wrapped__  # type: ignore[attr-defined]  # the signature below is the truth
        del method.__dict__[_RETURNS]  # a driven method is not a flow: subclasses keep it
        signature = inspect.signature(flow)
        method.__signature__ = signature.replace(  # type: ignore[attr-defined]
            return_annotation=getattr(flow, _RETURNS)
        )
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    return cls


def _sync_driver(flow: Callable[..., Flow]) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self._run(flow(self, *args, **kwargs))

    return method


def _async_driver(flow: Callable[..., Flow]) -> Callable[..., Any]:
    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._run(flow(self, *args, **kwargs))

    return method
