"""Serving an ASGI app with uvicorn on a loopback port, in a background thread or in the foreground.

Two small departures from stock uvicorn, both for the emulators:

- The HTTP protocol puts the connection's asyncio transport in ``scope["state"]`` so the app
  can *really* drop a connection (``transport.abort()``): the client then sees a transport
  error, as with a flaky network, instead of the 500 uvicorn sends when an app fails before
  replying.
- The main loop waits on an event instead of polling every 100 ms, so stopping an emulator
  does not cost a tick; uvicorn's own shutdown adds its fixed 0.1 s grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.responses import Response
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["TRANSPORT_KEY", "ServerThread", "bind_socket", "drop_connection", "make_server"]

TRANSPORT_KEY = "specclient.emulator.transport"
_START_TIMEOUT = 10.0


class _DroppableH11Protocol(H11Protocol):
    """h11 protocol whose requests can reach their own transport (see module docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # app_state is copied into every request's scope["state"]; a per-connection copy
        # carries this connection's transport without touching other connections.
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


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
    config = uvicorn.Config(
        app,
        lifespan="off",
        http=_DroppableH11Protocol,
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
