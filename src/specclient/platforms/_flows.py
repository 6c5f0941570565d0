"""Workflows written once for the sync and the async client.

A workflow is a generator that *yields* what it needs done (a :class:`Call` of a spec method, a
raw :class:`Request`, a :class:`Sleep`, a :class:`Wait` on a waiter, a :class:`Follow` of a
started run (a future on it), a :class:`Fan` of
independent calls, an :class:`Upload` of a streamed body, a :class:`Download` of a streamed
reply) and is sent the result, or has the error thrown into it. :func:`run` does each step with
a sync client, :func:`arun` awaits each on an async one; the logic (paging, retries, exactly-once
checks) exists once. Same idea as httpx's auth flows.

How a :class:`Call` names its method is the platform's business: the drivers are given a
``call(step)`` that resolves and calls it (returning an awaitable on the async client);
:func:`spec_caller` is the usual one (``"resource.method"`` is the spec's own operation).

:class:`workflow` turns one flow into the method of both twins: decorated once on a
:class:`Workflows` mixin, it is a plain method on a sync resource or client and a coroutine
method on an async one, with the same name, docstring and signature, so the twins cannot drift.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ConnectionError, SpecClientError
from ._workflow import Flow, Workflows, spec_caller, workflow

if TYPE_CHECKING:
    from ..futures import RunTracker
    from ..openapi.model import Waiter

__all__ = [
    "BodyCutOff",
    "Call",
    "Request",
    "Sleep",
    "Wait",
    "Fan",
    "Upload",
    "Download",
    "Follow",
    "Streamed",
    "Flow",
    "run",
    "arun",
    "spec_caller",
    "workflow",
    "Workflows",
]


@dataclass(frozen=True)
class Call:
    """Call the spec method ``method`` with ``args`` and ``kwargs``; sent its result."""

    method: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """``client.request(verb, path, **options)``, for what the spec methods do not fit.

    ``on_sent``, when given, is called once the ``content`` (bytes) has been written and the
    sender waits on the server (once per attempt): when to start making the next body
    (:mod:`specclient.platforms._announced`).
    """

    verb: str
    path: str
    options: Mapping[str, Any] = field(default_factory=dict)
    on_sent: Callable[[], None] | None = None


@dataclass(frozen=True)
class Sleep:
    """Sleep on the client's clock (so tests and emulators do not really wait)."""

    seconds: float


@dataclass(frozen=True)
class Wait:
    """Poll ``call`` until ``waiter`` says done (``wait_for`` / ``await_for`` with ``options``);
    sent the final result, or thrown the :class:`~specclient.errors.WaiterError`.

    ``pick``, when given, turns each poll's reply into what the waiter reads (the one pipeline
    in a dataset's view); an error it raises ends the wait.
    """

    call: Call
    waiter: Waiter
    options: Mapping[str, Any] = field(default_factory=dict)
    pick: Callable[[Any], Any] | None = None


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


@dataclass(frozen=True)
class Follow:
    """Follow a run the flow has started: sent a future on it, or with ``wait`` its outcome.

    The driver builds ``tracker(poll, waiter, cancel=..., clock=<the client's>, **options)``
    (a :class:`~specclient.futures.RunTracker` or a platform's subclass), where ``poll`` makes
    the ``poll`` call and hands its reply through ``pick``, and ``cancel`` (when given) makes
    the ``cancel`` call -- plain calls on a sync client, coroutines on an async one. The step
    is sent ``future(tracker, **extras)`` (a :class:`~specclient.futures.RunFuture`) on a sync
    client and ``async_future(tracker, **extras)`` (default
    :class:`~specclient.futures.AsyncRunFuture`) on an async one: started, not waited for.

    With ``wait``, the blocking form: the step is sent the run's outcome, which is
    ``future.result(timeout)`` on a sync client and the same wait, awaited, on an async one
    (:class:`~specclient.errors.RunFailed` or :class:`~specclient.errors.RunTimeoutError` are
    thrown into the flow).
    """

    poll: Call
    waiter: Waiter
    options: Mapping[str, Any] = field(default_factory=dict)
    pick: Callable[[Any], Any] | None = None
    cancel: Call | None = None
    tracker: Callable[..., RunTracker] | None = None
    future: Callable[..., Any] | None = None
    async_future: Callable[..., Any] | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    wait: bool = False
    timeout: float | None = None


def _tracker(step: Follow, client: Any, poll: Callable[[], Any], cancel: Any) -> RunTracker:
    from ..futures import RunTracker

    make = step.tracker or RunTracker
    options = {"clock": client._clock, **step.options}
    return make(poll, step.waiter, cancel=cancel, **options)


def _follow(step: Follow, client: Any, call: Callable[[Call], Any]) -> Any:
    from ..futures import RunFuture

    pick = step.pick or _same
    cancel = None if step.cancel is None else (lambda: call(step.cancel))  # type: ignore[arg-type]
    tracker = _tracker(step, client, lambda: pick(call(step.poll)), cancel)
    future = (step.future or RunFuture)(tracker, **step.extras)
    return future.result(step.timeout) if step.wait else future


async def _afollow(step: Follow, client: Any, call: Callable[[Call], Any]) -> Any:
    from ..futures import AsyncRunFuture
    from ..polling import adrive

    pick = step.pick or _same

    async def poll() -> Any:
        return pick(await call(step.poll))

    async def cancel() -> Any:
        return await call(step.cancel)  # type: ignore[arg-type]

    tracker = _tracker(step, client, poll, None if step.cancel is None else cancel)
    if step.wait:
        # what awaiting the future does, with the timeout read on the client's clock (an
        # asyncio timeout would count real seconds, which an emulator's clock skips)
        return await adrive(_settle(tracker, step.timeout), tracker.clock)
    return (step.async_future or AsyncRunFuture)(tracker, **step.extras)


def _settle(tracker: RunTracker, timeout: float | None) -> Generator[Any, Any, Any]:
    """Poll until the run ends; its result, or its error raised (a blocking wait)."""
    deadline = None if timeout is None else tracker.clock.monotonic() + timeout
    try:
        verdict = yield from tracker.steps(deadline)
    finally:
        tracker.finish()
    ending = tracker.ending(verdict)
    if ending is None:
        raise tracker.timed_out(timeout)
    kind, value = ending
    if kind == "exception":
        raise value
    if kind == "cancelled":
        from concurrent.futures import CancelledError

        raise CancelledError(f"{tracker.label} was cancelled")
    return value


class Streamed(Protocol):
    """A request body read afresh from its first byte on every iteration, sync or async."""

    def __iter__(self) -> Iterator[bytes]: ...
    def __aiter__(self) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class Upload:
    """``client.request(verb, url, content=body, **options)`` streaming ``body``; sent the reply.

    Its own step because httpx takes any iterable as a *sync* body, which an ``AsyncClient``
    refuses to send: the async driver hands httpx the body's async iteration instead. ``body``
    restarts at byte 0 on every iteration, so the sender may retry the request.
    """

    verb: str
    url: str
    body: Streamed
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    """Send ``request`` with ``stream=True`` and hand each chunk of the reply (``chunk_size``
    bytes) to ``each`` until it returns true; the reply is closed either way.

    An error status raises the :class:`~specclient.errors.APIError` (body read for the excerpt)
    before any chunk is handed over. Sent ``True`` when ``each`` stopped the reading, ``False``
    when the body ended first. Its own step because a streamed body is iterated differently on
    each client (``iter_bytes`` / ``aiter_bytes``); the parsing in ``each`` is written once.
    """

    request: Request
    chunk_size: int
    each: Callable[[bytes], bool]


class _AsyncOnly:
    """``body`` as an async iterable only, so that httpx streams it on an ``AsyncClient``."""

    def __init__(self, body: Streamed) -> None:
        self._body = body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._body.__aiter__()


def _read(step: Download, response: Any) -> bool:
    from ..response import raise_for_status

    raise_for_status(response)
    with _broken_body(response):
        return any(step.each(chunk) for chunk in response.iter_bytes(step.chunk_size))


async def _aread(step: Download, response: Any) -> bool:
    from ..response import raise_for_status

    if response.status_code >= 400:
        await response.aread()  # the error's excerpt needs the body
    raise_for_status(response)
    with _broken_body(response):
        async for chunk in response.aiter_bytes(step.chunk_size):
            if step.each(chunk):
                return True
    return False


class BodyCutOff(ConnectionError):
    """A :class:`Download`'s reply broke off part-way: its status came, not all its body.

    The sender retries a send that failed; this failure comes after the sender has handed the
    reply over, so the flow decides (civis.io downloads again from where its output started).
    """


@contextmanager
def _broken_body(response: Any) -> Iterator[None]:
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        from ..http.redact import redact_text_urls

        request = response.request
        detail = redact_text_urls(str(exc)) or type(exc).__name__
        raise BodyCutOff(
            f"the reply broke off part-way: {type(exc).__name__}: {detail}",
            method=request.method,
            url=str(request.url),
        ) from None


def _request_options(step: Request, *, asynchronous: bool) -> Mapping[str, Any]:
    if step.on_sent is None:
        return step.options
    from ._announced import announcing

    return announcing(step.options, step.on_sent, asynchronous=asynchronous)


def _step(step: Any, client: Any, call: Callable[[Call], Any]) -> Any:
    if isinstance(step, Call):
        return call(step)
    if isinstance(step, Request):
        return client._request(step.verb, step.path, **_request_options(step, asynchronous=False))
    if isinstance(step, Sleep):
        client._clock.sleep(step.seconds)
        return None
    if isinstance(step, Wait):
        from ..polling import wait_for

        pick = step.pick or _same
        return wait_for(
            lambda: pick(call(step.call)), step.waiter, clock=client._clock, **step.options
        )
    if isinstance(step, Follow):
        return _follow(step, client, call)
    if isinstance(step, Fan):
        _fan(step, call)
        return None
    if isinstance(step, Upload):
        return client._request(step.verb, step.url, content=step.body, **step.options)
    if isinstance(step, Download):
        request = step.request
        response = client._request(request.verb, request.path, **request.options, stream=True)
        try:
            return _read(step, response)
        finally:
            response.close()
    raise TypeError(f"a flow yielded {step!r}, which is not a step")


def _same(value: Any) -> Any:
    return value


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
        options = _request_options(step, asynchronous=True)
        return await client._request(step.verb, step.path, **options)
    if isinstance(step, Sleep):
        await client._clock.asleep(step.seconds)
        return None
    if isinstance(step, Wait):
        from ..polling import await_for

        pick = step.pick or _same

        async def fetch() -> Any:
            return pick(await call(step.call))

        return await await_for(fetch, step.waiter, clock=client._clock, **step.options)
    if isinstance(step, Follow):
        return await _afollow(step, client, call)
    if isinstance(step, Fan):
        import asyncio

        for start in range(0, len(step.calls), step.workers):
            batch = step.calls[start : start + step.workers]
            for result in await asyncio.gather(*(call(one) for one in batch)):
                step.each(result)
        return None
    if isinstance(step, Upload):
        content = _AsyncOnly(step.body)
        return await client._request(step.verb, step.url, content=content, **step.options)
    if isinstance(step, Download):
        request = step.request
        response = await client._request(request.verb, request.path, **request.options, stream=True)
        try:
            return await _aread(step, response)
        finally:
            await response.aclose()
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
