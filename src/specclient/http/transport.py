"""Sending requests: one pooled httpx client, timeouts, retries and redacted logging.

:class:`Sender` and :class:`AsyncSender` differ only in how they drive one retry loop
(:meth:`_SenderBase._attempt_loop`, written once, without I/O): they send, close and sleep with
``await`` or without. What to retry, how long to wait, what to log and which error to raise
live in :class:`_Attempts`.

The final response is returned whatever its status: turning statuses into ``APIError``
subclasses is the client's job. Transport failures that outlast the retry policy become
:class:`specclient.errors.TimeoutError`, :class:`~specclient.errors.ConnectionError` or
:class:`~specclient.errors.TransportError`, naming the method and the redacted URL.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from specclient._clock import SYSTEM_CLOCK, Clock
from specclient._version import __version__
from specclient.errors import (
    ConnectionError,
    ParameterError,
    ResponseTooLargeError,
    TimeoutError,
    TransportError,
)
from specclient.http.redact import redact_body, redact_text_urls, redact_url
from specclient.http.retry import GRANT_EXTENSION, RetryPolicy

__all__ = [
    "Sender",
    "AsyncSender",
    "DEFAULT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RequestSource",
    "transport_error",
]

logger = logging.getLogger("specclient.http")


class _Default:
    """Marker for "use the sender's setting": ``None`` is a real value (no timeout)."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()

RequestSource = httpx.Request | Callable[[], httpx.Request]
#: sent on every request that names no other (``headers=`` or a platform's ``user_agent``):
#: API operators see which client calls them, and which version, in their logs
USER_AGENT = f"specclient/{__version__}"
_NO_AUTH = httpx.Auth()  # the base class sends the request untouched

_TIMEOUT_WHAT = {
    httpx.ConnectTimeout: "connecting timed out",
    httpx.ReadTimeout: "the server did not answer in time",
    httpx.WriteTimeout: "sending the request timed out",
    httpx.PoolTimeout: "no free connection in the pool in time",
}


_ONE_SHOT_HINT = (
    "the request body is a one-shot stream and cannot be sent again; pass a function that "
    "builds the request to send() so each attempt gets a fresh body"
)


def transport_error(
    exc: Exception, request: httpx.Request | None, attempts: int = 1, note: str = ""
) -> TransportError:
    """The specclient error for an httpx failure, naming the method and the redacted URL."""
    failed = _request_of(exc) or request
    method = failed.method if failed is not None else ""
    url = str(failed.url) if failed is not None else ""
    detail = redact_text_urls(str(exc)) or type(exc).__name__
    detail += f" (not retried: {note})" if note else ""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(exc, httpx.TimeoutException):
        what = _TIMEOUT_WHAT.get(type(exc), "timed out")
        return TimeoutError(f"{what}{tries}: {detail}", method=method, url=url)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return ConnectionError(
            f"connection failed{tries}: {type(exc).__name__}: {detail}", method=method, url=url
        )
    if isinstance(exc, httpx.StreamConsumed):
        return TransportError(_ONE_SHOT_HINT, method=method, url=url)
    return TransportError(f"{type(exc).__name__}: {detail}", method=method, url=url)


def _replayable(request: httpx.Request) -> bool:
    """Whether sending this same Request again sends the same body.

    Bytes, str, JSON and form bodies are held in memory. A body from an iterator or a file is
    read once: re-sending it would send nothing (or raise), so such a request is not retried
    unless it came from a factory.
    """
    if isinstance(request.stream, httpx.ByteStream):
        return True
    try:
        request.content  # noqa: B018 - read already, so httpx buffered it
    except httpx.RequestNotRead:
        return type(request.stream).__name__ == "MultipartStream"  # httpx seeks files back
    return True


def _request_of(exc: Exception) -> httpx.Request | None:
    try:
        return exc.request  # type: ignore[attr-defined,no-any-return]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when unset
        return None


_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def _env_proxies() -> bool:
    return any(os.environ.get(name) for name in _PROXY_VARIABLES)


class _TLSOnDemand:
    """Pools by scheme: plain HTTP now, TLS on the first ``https`` request.

    httpx builds a verifying SSL context (loading the CA bundle: 50-90 ms here) whenever a
    client is created. Emulators, local services and tests speak plain HTTP and never need it;
    real services get exactly httpx's default TLS transport, built when first used.
    """

    def __init__(self, plain: Any, tls: Callable[[], Any]) -> None:
        self._plain = plain
        self._make_tls = tls
        self._tls: Any = None
        self._lock = threading.Lock()

    def _pool(self, request: httpx.Request) -> Any:
        if request.url.scheme != "https":
            return self._plain
        if self._tls is None:
            with self._lock:
                if self._tls is None:
                    self._tls = self._make_tls()
        return self._tls


class _SyncTLSOnDemand(_TLSOnDemand, httpx.BaseTransport):
    def __init__(self) -> None:
        # verify=False only skips loading CA certificates: this pool never carries https.
        super().__init__(httpx.HTTPTransport(verify=False), httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._pool(request).handle_request(request)

    def close(self) -> None:
        self._plain.close()
        if self._tls is not None:
            self._tls.close()


class _AsyncTLSOnDemand(_TLSOnDemand, httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        super().__init__(httpx.AsyncHTTPTransport(verify=False), httpx.AsyncHTTPTransport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._pool(request).handle_async_request(request)

    async def aclose(self) -> None:
        await self._plain.aclose()
        if self._tls is not None:
            await self._tls.aclose()


def _default_transport(kind: type) -> Any:
    """Our lazy-TLS transport, unless proxies come from the environment (httpx then needs
    to build its own transports to honour them)."""
    return None if _env_proxies() else kind()


# What an attempt may fail with and still be judged by the retry policy.
_SEND_ERRORS = (httpx.RequestError, httpx.StreamConsumed)


@dataclass(frozen=True)
class _Retry:
    """Between two attempts: close the reply being retried (if any), then wait ``delay`` s."""

    delay: float
    discard: httpx.Response | None


#: Default largest reply body read into memory, decompressed (a 1 MB gzip reply can expand to
#: gigabytes). Streamed replies (``stream=True``) are the caller's to read.
DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024


class _BodyBudget:
    """What one attempt's reply may cost while it is read: bytes (after decompression) and
    time (a whole-reply deadline: httpx's timeouts are per read, so a server sending a byte
    every half second would hold a call forever). No I/O: both drivers feed it chunks."""

    def __init__(self, limit: int | None, seconds: float | None) -> None:
        self.limit = limit
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.size = 0
        self.chunks: list[bytes] = []

    def before_reading(self, response: httpx.Response) -> None:
        declared = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
        limit = self.limit
        if limit is not None and declared.isdigit() and not encoded and int(declared) > limit:
            raise self._too_large(response, f"it declares {int(declared)} bytes")

    def take(self, response: httpx.Response, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            raise self._too_large(response, "it is larger once decompressed")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise httpx.ReadTimeout(
                f"the reply was still arriving after the call's timeout of {self.seconds:g} s",
                request=response.request,
            )
        self.chunks.append(chunk)

    def finish(self, response: httpx.Response) -> None:
        # What httpx's own read() leaves behind, so .content, .text and .json() work.
        response._content = b"".join(self.chunks)  # noqa: SLF001

    def _too_large(self, response: httpx.Response, why: str) -> ResponseTooLargeError:
        request = response.request
        return ResponseTooLargeError(
            f"the reply to {request.method} {redact_url(request.url)} exceeds the limit of "
            f"{self.limit} bytes ({why}); raise max_response_bytes= on the client, or stream "
            "it (client.request(..., stream=True))",
            limit=self.limit or 0,
        )


def _call_seconds(timeout: dict[str, Any]) -> float | None:
    """The whole-reply deadline of an attempt: its read timeout, as a total."""
    value = timeout.get("read")
    return float(value) if isinstance(value, int | float) else None


class _Attempts:
    """The retry bookkeeping of one ``send()``: decide, log, give up. No I/O, no sleeping."""

    def __init__(
        self,
        policy: RetryPolicy,
        clock: Clock,
        source: RequestSource,
        idempotent: bool | None,
        secret_fields: frozenset[str],
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.source = source
        self.idempotent = idempotent
        self.secret_fields = secret_fields
        self.attempt = 0  # attempts made so far
        self.started = 0.0
        self.blocked = ""  # why a retry the policy wanted could not be made

    def next_request(self) -> httpx.Request:
        """The request for the next attempt; a factory is called again to rebuild the body."""
        self.attempt += 1
        self.started = time.perf_counter()
        if isinstance(self.source, httpx.Request):
            return self.source
        request = self.source()
        if not isinstance(request, httpx.Request):
            raise ParameterError(
                "send", f"the request factory returned {type(request).__name__}, not httpx.Request"
            )
        return request

    def after_response(self, request: httpx.Request, response: httpx.Response) -> float | None:
        delay = self.policy.delay_for(
            self.attempt,
            verb=request.method,
            idempotent=self.idempotent,
            response=response,
            now=self.clock.time(),
        )
        delay = self._if_repeatable(request, delay)
        if logger.isEnabledFor(logging.DEBUG):
            outcome = str(response.status_code)
            give_up = response.status_code in self.policy.retry_statuses
            self._log(response.request, outcome, delay, give_up)
        return delay

    def after_error(self, request: httpx.Request, exc: Exception) -> float | None:
        delay = None
        if isinstance(exc, httpx.TransportError):
            verb, idempotent = request.method, self.idempotent
            failed = _request_of(exc)
            grant = failed.extensions.get(GRANT_EXTENSION) if failed is not None else None
            if failed is not None and grant is not None:  # the token request failed
                verb, idempotent = failed.method, grant["idempotent"]
            delay = self.policy.delay_for(
                self.attempt, verb=verb, idempotent=idempotent, error=exc, now=self.clock.time()
            )
            delay = self._if_repeatable(request, delay)
            lost = grant["lost_reply"] if grant is not None else None
            if delay is None and lost and not self.policy.may_resend(verb, idempotent, error=exc):
                self.blocked = lost
        if logger.isEnabledFor(logging.DEBUG):
            self._log(_request_of(exc) or request, type(exc).__name__, delay, True)
        return delay

    def _if_repeatable(self, request: httpx.Request, delay: float | None) -> float | None:
        if delay is None or not isinstance(self.source, httpx.Request) or _replayable(request):
            return delay
        self.blocked = _ONE_SHOT_HINT
        return None

    def failure(self, request: httpx.Request, exc: Exception) -> TransportError:
        return transport_error(exc, request, self.attempt, self.blocked)

    def _log(self, request: httpx.Request, outcome: str, delay: float | None, failed: bool) -> None:
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        if delay is not None:
            then = f"; retrying in {delay:.2f} s"
        elif self.blocked:
            then = f"; not retried: {self.blocked}"
        elif failed:
            then = f"; giving up after {self.attempt} attempt{'s' if self.attempt > 1 else ''}"
        else:
            then = ""
        body = _body_excerpt(request, self.secret_fields)
        logger.debug(
            "%s %s -> %s in %.0f ms (attempt %d/%d)%s%s",
            request.method,
            redact_url(request.url, self.secret_fields),
            outcome,
            elapsed_ms,
            self.attempt,
            self.policy.max_retries + 1,
            then,
            f" body={body}" if body else "",
        )


def _body_excerpt(request: httpx.Request, secret_fields: frozenset[str]) -> str:
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed upload: never buffered just to log it
        return ""
    return redact_body(content, request.headers.get("Content-Type"), secret_fields, limit=300)


class _SenderBase:
    """Settings shared by both senders: headers, timeout, auth choice."""

    def __init__(
        self,
        *,
        auth: httpx.Auth | None = None,
        timeout: float | httpx.Timeout | None = 30.0,
        retry: RetryPolicy | None = None,
        http: Any = None,  # an httpx client or transport of the sender's kind (_HTTP_TYPES)
        headers: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
        follow_redirects: bool = False,
        max_response_bytes: int | None = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        client_type, transport_type = self._HTTP_TYPES
        if max_response_bytes is not None and (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes <= 0
        ):
            raise ParameterError(
                type(self).__name__,
                f"max_response_bytes must be a positive whole number or None, not "
                f"{max_response_bytes!r}",
                "max_response_bytes",
            )
        self.max_response_bytes = max_response_bytes
        if http is not None and not isinstance(http, client_type | transport_type):
            raise ParameterError(
                type(self).__name__,
                f"http= must be an httpx.{client_type.__name__} or "
                f"httpx.{transport_type.__name__}, not {type(http).__name__}",
            )
        self._http = http
        self._client: Any = http if isinstance(http, client_type) else None
        if isinstance(auth, tuple) and len(auth) == 2:  # httpx's ("user", "password") form
            auth = httpx.BasicAuth(*auth)
        if auth is not None and not isinstance(auth, httpx.Auth):
            raise ParameterError(
                type(self).__name__,
                f"auth= must be an httpx.Auth or a (username, password) pair, "
                f"not {type(auth).__name__}",
            )
        self.auth = auth
        self.timeout = httpx.Timeout(timeout)
        self.retry = retry if retry is not None else RetryPolicy()
        self.headers = dict(headers or {})
        self.clock = clock
        self.follow_redirects = follow_redirects
        self._lock = threading.Lock()
        self._owns_client = False

    #: (the httpx client class, the transport base class) this sender works with
    _HTTP_TYPES: tuple[type, type] = (httpx.Client, httpx.BaseTransport)
    _LAZY_TLS: type = object

    def _client_on_demand(self) -> Any:
        """The httpx client, created on first use (building an SSL context is slow)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._HTTP_TYPES[0](
                        transport=self._http or _default_transport(self._LAZY_TLS),
                        timeout=self.timeout,
                        follow_redirects=self.follow_redirects,
                    )
                    self._owns_client = True
        return self._client

    def _attempt_loop(
        self,
        source: RequestSource,
        idempotent: bool | None,
        timeout: Any,
        secret_fields: frozenset[str],
    ) -> Generator[Any, httpx.Response | Exception, httpx.Response]:  # yields Request, _Retry
        """The retry loop without I/O, driven by :meth:`Sender.send` and :meth:`AsyncSender.send`.

        Yields each attempt's request and is sent what came of it: the response, or the
        transport error. When another attempt follows, it then yields a :class:`_Retry` (close
        the discarded reply, wait) before the next request. Returns the final response; raises
        the specclient error when a transport failure is not retried.
        """
        attempts = _Attempts(self.retry, self.clock, source, idempotent, secret_fields)
        while True:
            current = self._prepare(attempts.next_request(), timeout)
            outcome = yield current
            if isinstance(outcome, httpx.Response):
                delay = attempts.after_response(current, outcome)
                if delay is None:
                    return outcome
                yield _Retry(delay, outcome)
            else:
                assert isinstance(outcome, Exception)
                delay = attempts.after_error(current, outcome)
                if delay is None:
                    raise attempts.failure(current, outcome) from outcome
                yield _Retry(delay, None)

    def _how(self, auth: bool | httpx.Auth) -> dict[str, Any]:
        """httpx's ``send`` options for every attempt of one call: always streamed, so the
        drivers read the body themselves within its budget (or leave it to the caller)."""
        return {
            "auth": self._auth_for(auth),
            "stream": True,
            "follow_redirects": self.follow_redirects,
        }

    def _budget(self, request: httpx.Request, stream: bool) -> _BodyBudget | None:
        """The budget for reading an attempt's reply; None when the caller reads it."""
        if stream:
            return None
        return _BodyBudget(self.max_response_bytes, _call_seconds(request.extensions["timeout"]))

    def _prepare(self, request: httpx.Request, timeout: Any) -> httpx.Request:
        for name, value in self.headers.items():
            if name not in request.headers:
                request.headers[name] = value
        if "User-Agent" not in request.headers:
            request.headers["User-Agent"] = USER_AGENT
        if timeout is not DEFAULT:
            request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
        elif "timeout" not in request.extensions:
            request.extensions["timeout"] = self.timeout.as_dict()
        return request

    def _auth_for(self, auth: bool | httpx.Auth) -> Any:
        if auth is True:
            return self.auth if self.auth is not None else httpx.USE_CLIENT_DEFAULT
        if auth is False or auth is None:
            return _NO_AUTH
        return auth


def _read_within(response: Any, budget: _BodyBudget) -> None:
    """Read a reply's body chunk by chunk within ``budget``; close it if that fails."""
    try:
        budget.before_reading(response)
        for chunk in response.iter_bytes():
            budget.take(response, chunk)
    except BaseException:
        response.close()
        raise
    budget.finish(response)
    response.close()


async def _aread_within(response: Any, budget: _BodyBudget) -> None:
    """:func:`_read_within` for an async reply."""
    try:
        budget.before_reading(response)
        async for chunk in response.aiter_bytes():
            budget.take(response, chunk)
    except BaseException:
        await response.aclose()
        raise
    budget.finish(response)
    await response.aclose()


def _detached(response: httpx.Response, stream: bool) -> httpx.Response:
    """A read reply with its body held by the reply alone.

    httpx links a reply and its stream both ways (``Response.stream`` is a bound stream that
    points back at the response): a cycle, freed only when the cyclic garbage collector runs.
    A page of rows is megabytes, and a dozen such pages were found alive long after use,
    growing a streaming fetch's memory with its length; a plain stream of the content breaks
    the cycle, so each reply is freed as soon as nothing refers to it.
    """
    if not stream:
        response.stream = httpx.ByteStream(response.content)
    return response


class Sender(_SenderBase):
    """Send requests with retries over one pooled :class:`httpx.Client`.

    Parameters
    ----------
    auth : httpx.Auth, optional
        Applied to every request unless ``send(auth=False)`` or another auth is given.
    timeout : float, httpx.Timeout or None
        Default timeout in seconds (None: wait forever); ``send(timeout=...)`` overrides it.
    retry : RetryPolicy, optional
        Defaults to ``RetryPolicy()``.
    http : httpx.Client or httpx.BaseTransport, optional
        A client to use as is (never closed here), or a transport (MockTransport, an
        emulator's) to build the client on.
    headers : mapping, optional
        Sent with every request unless the request sets them itself.
    clock : Clock
        Where retry waits sleep; a FakeClock makes them instant.
    follow_redirects : bool
        Passed to httpx.
    max_response_bytes : int or None
        Largest reply body read into memory, counted after decompression
        (``DEFAULT_MAX_RESPONSE_BYTES``, 256 MiB); a larger one raises
        ``ResponseTooLargeError``. None: no limit. Streamed replies are not counted.

    Notes
    -----
    The timeout is also a deadline for the whole reply of each attempt: its body must have
    arrived within the read timeout in total, not per read (a server trickling a byte at a
    time cannot hold a call), and a late reply counts as a read timeout for retries.
    """

    _HTTP_TYPES = (httpx.Client, httpx.BaseTransport)
    _LAZY_TLS = _SyncTLSOnDemand

    @property
    def client(self) -> httpx.Client:
        """The httpx client, created on first use."""
        return self._client_on_demand()  # type: ignore[no-any-return]

    def send(
        self,
        request: RequestSource,
        *,
        idempotent: bool | None = None,
        timeout: float | httpx.Timeout | None | object = DEFAULT,
        auth: bool | httpx.Auth = True,
        stream: bool = False,
        secret_fields: frozenset[str] = frozenset(),
    ) -> httpx.Response:
        """Send ``request``, retrying as the policy allows; return the final response.

        Parameters
        ----------
        request : httpx.Request or callable returning one
            A callable is called for every attempt, so a streamed body is rebuilt.
        idempotent : bool, optional
            True allows retrying a POST/PATCH after an ambiguous failure; None decides
            from the verb.
        timeout : float, httpx.Timeout or None, optional
            For this request only; by default the request's own or the sender's.
        auth : bool or httpx.Auth
            True: the sender's auth; False: none (signed URLs, health checks).
        stream : bool
            Return without reading the body (the caller must close the response).
        secret_fields : frozenset of str
            Body and query names to redact in logs, in addition to secret-looking ones.

        Raises
        ------
        specclient.errors.TimeoutError, ConnectionError, TransportError
            The transport failed and the policy gave up.
        """
        loop = self._attempt_loop(request, idempotent, timeout, secret_fields)
        how = self._how(auth)
        try:
            for attempt in loop:
                budget = self._budget(attempt, stream)
                try:
                    outcome: httpx.Response | Exception = self.client.send(attempt, **how)
                    if budget is not None:
                        _read_within(outcome, budget)
                except _SEND_ERRORS as exc:
                    outcome = exc
                retry = loop.send(outcome)
                if retry.discard is not None:
                    retry.discard.close()
                self.clock.sleep(retry.delay)
        except StopIteration as done:
            return _detached(done.value, stream)
        raise AssertionError("the retry loop ends by returning or raising")

    def close(self) -> None:
        """Close the httpx client if this sender created it (a client passed in is left open)."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None
            self._owns_client = False

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncSender(_SenderBase):
    """:class:`Sender` over :class:`httpx.AsyncClient`; waits with ``await clock.asleep``."""

    _HTTP_TYPES = (httpx.AsyncClient, httpx.AsyncBaseTransport)
    _LAZY_TLS = _AsyncTLSOnDemand
    _loop: weakref.ref[Any] | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The httpx async client, created on first use, for the running event loop.

        Its pooled connections belong to the loop that opened them. When that loop has been
        closed (``asyncio.run`` twice), a new client is made for the new one; using one
        client from two live loops at once is refused with a clear error rather than
        httpx's ``RuntimeError``.
        """
        import asyncio

        loop = asyncio.get_running_loop()
        owner = self._loop() if self._loop is not None else None
        if self._client is not None and self._owns_client and owner is not loop:
            if owner is not None and not owner.is_closed():
                raise TransportError(
                    "this AsyncClient is in use on another event loop that is still running; "
                    "make one AsyncClient per event loop (or per thread)"
                )
            self._client = None  # the old loop is gone, and its sockets with it
            self._owns_client = False
        client = self._client_on_demand()
        self._loop = weakref.ref(loop)
        return client  # type: ignore[no-any-return]

    async def send(
        self,
        request: RequestSource,
        *,
        idempotent: bool | None = None,
        timeout: float | httpx.Timeout | None | object = DEFAULT,
        auth: bool | httpx.Auth = True,
        stream: bool = False,
        secret_fields: frozenset[str] = frozenset(),
    ) -> httpx.Response:
        """Send ``request`` with retries; see :meth:`Sender.send`."""
        loop = self._attempt_loop(request, idempotent, timeout, secret_fields)
        how = self._how(auth)
        try:
            for attempt in loop:
                budget = self._budget(attempt, stream)
                try:
                    outcome: httpx.Response | Exception = await self.client.send(attempt, **how)
                    if budget is not None:
                        await _aread_within(outcome, budget)
                except _SEND_ERRORS as exc:
                    outcome = exc
                retry = loop.send(outcome)
                if retry.discard is not None:
                    await retry.discard.aclose()
                await self.clock.asleep(retry.delay)
        except StopIteration as done:
            return _detached(done.value, stream)
        raise AssertionError("the retry loop ends by returning or raising")

    async def aclose(self) -> None:
        """Close the httpx client if this sender created it."""
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
            self._owns_client = False

    async def __aenter__(self) -> AsyncSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
