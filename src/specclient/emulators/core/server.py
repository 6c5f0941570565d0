"""Serving an ASGI app with uvicorn on a loopback port, in a background thread or in the foreground.

Two small departures from stock uvicorn, both for the emulators:

- The HTTP protocol puts the connection's asyncio transport in ``scope["state"]`` so the app
  can *really* drop a connection (``transport.abort()``): the client then sees a transport
  error, as with a flaky network, instead of the 500 uvicorn sends when an app fails before
  replying.
- The main loop waits on an event instead of polling every 100 ms, so stopping an emulator
  does not cost a tick; uvicorn's own shutdown adds its fixed 0.1 s grace.
- :class:`ServerLimits` keep a misbehaving client from taking the emulator down: a client
  that stops sending mid-request (or opens a connection and sends nothing) is dropped, and
  the connections served at once stay within what the file-descriptor limit allows, the rest
  answered ``503`` at once instead of waiting in the listen queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.responses import Response
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "TRANSPORT_KEY",
    "ServerLimits",
    "ServerThread",
    "bind_socket",
    "connection_limit",
    "drop_connection",
    "make_server",
]

TRANSPORT_KEY = "specclient.emulator.transport"
_START_TIMEOUT = 10.0


#: Descriptors kept free of connections: the listening socket, the event loop's own, log and
#: temp files handlers open (a streamed upload spools to one), the interpreter's.
FD_RESERVE = 32


@dataclass(frozen=True)
class ServerLimits:
    """What one client may cost an emulator (docs/DECISIONS.md, "Emulator limits").

    Attributes
    ----------
    max_body_bytes : int or None
        Largest request body a route that reads it whole accepts: a larger
        ``Content-Length`` is answered ``413`` before a byte of it is read, a chunked body
        as soon as it passes the limit. Routes that stream (``stream=True``: uploads) see
        the chunks as they arrive and spool them to disk. None: no limit.
    idle_timeout : float
        Seconds a client may send nothing while the server waits for its request (a new
        connection's first request, headers or body): then it is dropped (``408`` when no
        request has started, a closed connection mid-body).
    request_timeout : float
        Seconds for a whole request (headers and body) to arrive, however it trickles.
    max_connections : int or None
        Connections served at once; more are answered ``503`` and closed. None: what the
        process's file-descriptor limit allows (:func:`connection_limit`).
    """

    max_body_bytes: int | None = 100 * 1024 * 1024
    idle_timeout: float = 30.0
    request_timeout: float = 300.0
    max_connections: int | None = None


DEFAULT_LIMITS = ServerLimits()


def _descriptor_limit() -> int | None:
    """The process's soft ``RLIMIT_NOFILE``; None when unlimited or unknown (Windows)."""
    try:
        import resource  # POSIX only
    except ImportError:
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def connection_limit(limits: ServerLimits) -> int:
    """Connections to serve at once: ``max_connections`` within ``RLIMIT_NOFILE`` (less
    :data:`FD_RESERVE`), so accepting never runs out of descriptors and hangs."""
    soft = _descriptor_limit()
    by_fds = 1 << 20 if soft is None else max(1, soft - FD_RESERVE)
    wanted = limits.max_connections
    return by_fds if wanted is None else max(1, min(wanted, by_fds))


_REQUEST_TIMEOUT_REPLY = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 36\r\n\r\nthe request did not arrive in time\r\n"
)


class _DroppableH11Protocol(H11Protocol):
    """h11 protocol whose requests can reach their own transport (see module docstring), and
    which drops a client that is too slow to send its request (:class:`ServerLimits`)."""

    limits: ServerLimits = DEFAULT_LIMITS
    _watchdog: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # app_state is copied into every request's scope["state"]; a per-connection copy
        # carries this connection's transport without touching other connections.
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}
        now = self.loop.time()
        # waiting for a request from the moment of connecting: a silent new connection is
        # as slow a client as one that stops halfway (uvicorn times out only idle keep-alives)
        self._request_started: float | None = now
        self._last_byte = now
        self._arm_watchdog()

    def data_received(self, data: bytes) -> None:
        now = self.loop.time()
        self._last_byte = now
        if self._request_started is None:
            self._request_started = now
        super().data_received(data)
        if not self._receiving():
            self._request_started = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        super().connection_lost(exc)

    def _receiving(self) -> bool:
        """Whether the server is waiting for bytes of a request (headers or body)."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            return True
        started = self.cycle is not None
        return state is h11.IDLE and (not started or bool(self.conn.trailing_data[0]))

    def _arm_watchdog(self) -> None:
        period = min(self.limits.idle_timeout, self.limits.request_timeout, 1.0) / 2
        self._watchdog = self.loop.call_later(max(period, 0.01), self._watch)

    def _watch(self) -> None:
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if self.flow.read_paused or not self._receiving():  # the server is the slow one
            self._last_byte = now
            if not self._receiving():
                self._request_started = None
        elif self._request_started is None:
            self._request_started = now
        started = self._request_started
        idle = now - self._last_byte > self.limits.idle_timeout
        late = started is not None and now - started > self.limits.request_timeout
        if started is not None and (idle or late):
            self._drop_slow_client()
            return
        self._arm_watchdog()

    def _drop_slow_client(self) -> None:
        if self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE:
            self.transport.write(_REQUEST_TIMEOUT_REPLY)  # no request yet: say why
            self.transport.close()
        else:  # mid-body, the app owns the reply: it sees a disconnect
            self.transport.abort()


class _Server(uvicorn.Server):
    """uvicorn's server, woken by an event to stop instead of polling."""

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            # on_tick refreshes uvicorn's default headers once a second
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            counter = (counter + 10) % 864000
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own shutdown sleeps a fixed 0.1 s and then polls every 0.1 s; emulators
        # start and stop once per test, so poll finely and stop as soon as connections close.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        state = self.server_state
        while (state.connections or state.tasks) and not self.force_exit:
            if loop.time() > deadline:
                break
            await asyncio.sleep(0.002)
        for task in list(state.tasks):
            task.cancel(msg="emulator stopped")
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()

    def request_stop(self) -> None:
        """Ask the server to stop; safe from any thread."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            # the loop may close between the check and the call
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; port 0 lets the OS pick a free one (read it back from the socket)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and accepted sockets inherit it. Without it, Nagle holds back each reply's body
    # behind its headers until the client's delayed ACK: ~40 ms per request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def make_server(app: Any, *, log_level: str = "warning") -> _Server:
    limits = getattr(app, "limits", None) or DEFAULT_LIMITS
    protocol = type("_LimitedH11Protocol", (_DroppableH11Protocol,), {"limits": limits})
    config = uvicorn.Config(
        app,
        lifespan="off",
        http=protocol,
        # beyond this many connections uvicorn answers 503 and closes at once, instead of
        # accept() failing for want of descriptors while clients wait in the listen queue
        limit_concurrency=connection_limit(limits),
        loop="asyncio",
        log_config=None,  # never reconfigure the host program's logging
        log_level=log_level,
        access_log=False,
        server_header=False,
        date_header=True,
        timeout_graceful_shutdown=2,
        # uvicorn's 5 s default closes idle keep-alive connections mid-test; a client that
        # reuses one at that instant sees a spurious transport error no fault asked for.
        timeout_keep_alive=60,
    )
    return _Server(config)


class ServerThread:
    """Serve ``app`` on ``host:port`` from a daemon thread; :meth:`start` returns once listening.

    Parameters
    ----------
    app : ASGI application
    host : str
        Loopback by default: the emulators are for this machine only.
    port : int
        0 picks any free port; :attr:`port` tells which.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> ServerThread:
        sock = bind_socket(self.host, self.requested_port)
        self.port = sock.getsockname()[1]
        server = make_server(self.app)
        self._server = server

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as error:  # reported to the starting thread
                self._error = error
            finally:
                sock.close()

        thread = threading.Thread(target=run, name=f"specclient-emulator:{self.port}", daemon=True)
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        # uvicorn has no "started" callback; the flag flips within milliseconds.
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"emulator server on {self.host}:{self.port} did not start: {self._error!r}"
                )
            time.sleep(0.001)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and join the thread (idempotent)."""
        if self._server is not None:
            self._server.request_stop()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():  # a handler is stuck: stop waiting for it
                assert self._server is not None
                self._server.force_exit = True
                self._server.request_stop()
                self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


async def drop_connection(
    scope: dict[str, Any], kind: str, send: Any = None, response: Response | None = None
) -> None:
    """Really drop the TCP connection, so the client sees a transport error.

    ``drop_after`` first sends the status line and headers announcing a body that never comes
    (at least one byte, so even an empty reply is visibly cut short).
    """
    transport = (scope.get("state") or {}).get(TRANSPORT_KEY)
    if transport is None:  # in-process ASGI transport: no socket to drop
        raise ConnectionResetError(f"emulator fault {kind}: connection dropped")
    if send is not None and response is not None:
        length = int(response.headers.get("content-length") or 1 << 20)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(b"content-length", str(max(length, 1)).encode())],
            }
        )
    transport.abort()
    # Let the protocol notice the lost connection before we return, so uvicorn neither
    # writes a 500 nor logs "returned without completing response".
    for _ in range(3):
        await asyncio.sleep(0)
