"""The steps of a copy, and its two drivers: one copy flow, run on sync or async clients.

A copy touches two clients (the source's and the destination's), so its flow yields steps
that say which client does them: :class:`On` wraps any step of
:mod:`specclient.platforms._flows` with the client it belongs to; :class:`Invoke` calls a
public method of a client (a plain call on a sync client, awaited on an async one);
:class:`Pull` takes the next batch from a source's iterator (sync or async). :func:`run` and
:func:`arun` are the drivers; the copy's logic (type checks, resume, exactly once) is written
once in the flow.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError, SpecClientError

__all__ = ["On", "Invoke", "Pull", "settle", "run", "arun"]

CopyFlow = Generator[Any, Any, Any]


@dataclass(frozen=True)
class On:
    """Do ``step`` (a :mod:`~specclient.platforms._flows` step) with ``client``."""

    client: Any
    step: Any


@dataclass(frozen=True)
class Invoke:
    """Call ``function()``; its result, awaited when it is awaitable (an async client's method,
    an async future)."""

    function: Callable[[], Any]


@dataclass(frozen=True)
class Pull:
    """The next item of ``iterator`` (sync or async), or ``None`` once it is exhausted."""

    iterator: Any


def settle(future: Any) -> Invoke:
    """Wait for a run's future (a ``concurrent.futures.Future``: its ``result()``; an
    awaitable one: awaited by the async driver); the step is sent its result."""
    import concurrent.futures

    if isinstance(future, concurrent.futures.Future):
        return Invoke(future.result)
    return Invoke(lambda: future)


def _sync_only(value: Any) -> Any:
    if inspect.isawaitable(value) or hasattr(value, "__anext__"):
        if inspect.iscoroutine(value):
            value.close()  # never awaited: no "coroutine was never awaited" warning
        raise ParameterError(
            "copy",
            "an async client (or async future) was given to specclient.copy; "
            "use specclient.copy_async with async clients",
            "source",
        )
    return value


def _do(step: Any) -> Any:
    if isinstance(step, On):
        from ..platforms._flows import _step, spec_caller

        return _step(step.step, step.client, spec_caller(step.client))
    if isinstance(step, Invoke):
        return _sync_only(step.function())
    if isinstance(step, Pull):
        return next(_sync_only(step.iterator), None)
    raise TypeError(f"a copy flow yielded {step!r}, which is not a step")


async def _ado(step: Any) -> Any:
    if isinstance(step, On):
        from ..platforms._flows import _astep, spec_caller

        return await _astep(step.step, step.client, spec_caller(step.client))
    if isinstance(step, Invoke):
        value = step.function()
        return await value if inspect.isawaitable(value) else value
    if isinstance(step, Pull):
        iterator = step.iterator
        if hasattr(iterator, "__anext__"):
            return await anext(iterator, None)
        return next(iterator, None)
    raise TypeError(f"a copy flow yielded {step!r}, which is not a step")


def run(flow: CopyFlow) -> Any:
    """Run a copy flow with sync clients (as :func:`specclient.platforms._flows.run`)."""
    try:
        step = next(flow)
        while True:
            try:
                outcome = _do(step)
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as done:
        return done.value


async def arun(flow: CopyFlow) -> Any:
    """Run a copy flow with async clients: :func:`run`, awaiting each step."""
    try:
        step = next(flow)
        while True:
            try:
                outcome = await _ado(step)
            except SpecClientError as exc:
                step = flow.throw(exc)
            else:
                step = flow.send(outcome)
    except StopIteration as done:
        return done.value
