"""Running an emulator: build a platform's app, serve it, hand out clients."""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from specclient import catalog
from specclient.emulators.core.app import EmulatorApp
from specclient.emulators.core.clock import DEFAULT_PACE, EmulatorClock
from specclient.emulators.core.faults import FaultInjector
from specclient.emulators.core.server import (
    ServerLimits,
    ServerThread,
    bind_socket,
    make_server,
)
from specclient.errors import ParameterError, SpecClientError

__all__ = ["PLATFORMS", "Emulator", "check_options", "running", "running_app", "serve_forever"]

#: the bundled platforms (the one list is :mod:`specclient.catalog`, which also knows the
#: emulators of platforms registered later)
PLATFORMS: tuple[str, ...] = catalog.bundled()


def check_options(platform: str, options: Mapping[str, Any], known: Iterable[str]) -> None:
    """Refuse an option a platform's ``build`` does not take, naming the ones it does."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ParameterError(
            f'running("{platform.lower()}")',
            f"unknown {platform} emulator option {unknown[0]!r}; options: "
            + ", ".join(sorted(known)),
            unknown[0],
        )


class Emulator:
    """A running emulator: where it is, what it accepts, and its knobs.

    Attributes
    ----------
    base_url : str
        ``http://127.0.0.1:<port>`` plus the spec's base path; pass it to ``connect``.
    credentials : dict
        Keyword arguments for ``specclient.connect(platform, ...)``.
    clock : EmulatorClock
    faults : FaultInjector
    state : object
        The platform's state model.
    app : EmulatorApp
    platform : str or None
    port : int
    """

    def __init__(
        self,
        app: EmulatorApp,
        server: ServerThread,
        *,
        platform: str | None = None,
        credentials: Mapping[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.platform = platform
        self.port = server.port
        self.origin = f"http://{_url_host(server.host)}:{server.port}"
        self.base_url = self.origin + app.base_path
        self.credentials = dict(credentials or {})
        self._server = server
        self._clients: list[Any] = []

    @property
    def clock(self) -> EmulatorClock:
        return self.app.clock

    @property
    def faults(self) -> FaultInjector:
        return self.app.faults

    @property
    def state(self) -> Any:
        return self.app.state

    def _options(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "clock": self.clock,
            **self.credentials,
        }
        options.update(overrides)
        return options

    def client(self, **overrides: Any) -> Any:
        """A connected client: ``specclient.connect(platform, base_url=..., clock=emu.clock,
        **credentials, **overrides)`` (``Client(app.spec, ...)`` for an app without platform).
        Closed when the emulator stops."""
        import specclient

        options = self._options(overrides)
        if self.platform is None:
            client = specclient.Client(self.app.spec, **options)
        else:
            client = specclient.connect(self.platform, **options)
        self._clients.append(client)
        return client

    def async_client(self, **overrides: Any) -> Any:
        """Like :meth:`client` with ``specclient.connect_async`` (close it yourself: ``async with``)."""
        import specclient

        options = self._options(overrides)
        if self.platform is None:
            return specclient.AsyncClient(self.app.spec, **options)
        return specclient.connect_async(self.platform, **options)

    def close(self) -> None:
        """Close the clients made by :meth:`client` and stop the server."""
        clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(Exception):
                client.close()
        self._server.stop()

    def __repr__(self) -> str:
        return f"Emulator({self.platform or 'custom'!r}, base_url={self.base_url!r})"


def _url_host(host: str) -> str:
    """The host to put in a URL: a wildcard bind address is reached through loopback."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{host}]" if ":" in host else host


def _platform_module(platform: str) -> Any:
    """The emulator the catalogue names for ``platform``, or any importable module path with a
    dot in it (``build()`` and ``CREDENTIALS``)."""
    found = catalog.entry(platform)
    if "." in platform:
        name = platform
    elif found is not None and found.emulator:
        name = found.emulator
    else:
        name = f"specclient.emulators.{platform}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as problem:
        if problem.name not in (name, *_parents(name)):
            raise  # the module exists but one of its imports is missing: show that
        raise ParameterError(
            "specclient.emulators.running",
            f"unknown platform {platform!r}; choose one of {', '.join(catalog.names())} "
            "(or give an importable module path that has build() and CREDENTIALS)",
            "platform",
        ) from None
    if not callable(getattr(module, "build", None)):
        raise ParameterError(
            "specclient.emulators.running",
            f"{name} has no build(*, seed, clock, **options)",
            "platform",
        )
    return module


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _build(
    platform: str, seed: int, options: Mapping[str, Any], clock: EmulatorClock | None = None
) -> tuple[EmulatorApp, dict[str, Any]]:
    module = _platform_module(platform)
    clock = clock if clock is not None else EmulatorClock()
    app = module.build(seed=seed, clock=clock, **options)
    if not isinstance(app, EmulatorApp):
        raise SpecClientError(
            f"{module.__name__}.build() returned {type(app).__name__}, not an EmulatorApp"
        )
    defaults = dict(getattr(module, "CREDENTIALS", {}) or {})
    credentials = dict(app.credentials) or {
        **defaults,
        **{key: value for key, value in options.items() if key in defaults},
    }
    app.credentials = credentials
    return app, credentials


@contextlib.contextmanager
def running_app(
    app: EmulatorApp,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    platform: str | None = None,
    credentials: Mapping[str, Any] | None = None,
    limits: ServerLimits | None = None,
) -> Iterator[Emulator]:
    """Serve an app built by hand on a loopback port for the duration of the block
    (``limits``: what one client may cost it; ``app.limits`` when not given).

    Yields
    ------
    Emulator
        Stopped on exit, also after an exception.
    """
    if limits is not None:
        app.limits = limits
    server = ServerThread(app, host=host, port=port).start()
    emulator = Emulator(
        app,
        server,
        platform=platform,
        credentials=credentials if credentials is not None else app.credentials,
    )
    try:
        yield emulator
    finally:
        emulator.close()


@contextlib.contextmanager
def running(
    platform: str,
    *,
    seed: int = 0,
    port: int = 0,
    host: str = "127.0.0.1",
    clock: EmulatorClock | None = None,
    pace: float = 0.0,
    limits: ServerLimits | None = None,
    **options: Any,
) -> Iterator[Emulator]:
    """Build a platform's emulator, serve it on a loopback port, stop it on exit.

    Parameters
    ----------
    platform : str
        ``"habu"``, ``"usmart"``, ``"clicdata"``, ``"civis"`` (or a module path with ``build``).
    seed : int
        Makes ids, failures and fault rates reproducible.
    port : int
        0 picks any free port.
    host : str
        Loopback by default.
    clock : EmulatorClock, optional
        Share one clock between several emulators; a new one by default.
    pace : float
        Emulated seconds per real second the clock moves on its own. 0 (the default) keeps
        it manual, as tests want: ``emu.client()`` advances it by sleeping on it, a test with
        ``emu.clock.advance()``. Give a pace (e.g. :data:`DEFAULT_PACE`) when the emulator is
        used by a client that does not share the clock.
    limits : ServerLimits, optional
        Largest request body read whole, slow-client timeouts, connections served at once
        (:class:`~specclient.emulators.core.server.ServerLimits`; its defaults otherwise).
    **options
        Passed to the platform's ``build`` (credentials, limits...).

    Examples
    --------
    >>> with running("habu", seed=1) as emu:              # doctest: +SKIP
    ...     client = emu.client()
    ...     client.cleanrooms.list()
    ...     emu.clock.advance(3600)
    """
    if clock is None:
        clock = EmulatorClock(pace=pace)
    elif pace:
        clock.set_pace(pace)
    app, credentials = _build(platform, seed, options, clock)
    with running_app(
        app, port=port, host=host, platform=platform, credentials=credentials, limits=limits
    ) as emu:
        yield emu


def serve_forever(
    platform: str,
    *,
    port: int = 0,
    seed: int = 0,
    host: str = "127.0.0.1",
    out: TextIO | None = None,
    pace: float = DEFAULT_PACE,
    announce: Mapping[str, Any] | None = None,
    limits: ServerLimits | None = None,
    **options: Any,
) -> None:
    """Serve a platform's emulator in the foreground until SIGINT/SIGTERM.

    The first line on ``out`` (stdout) is one JSON object
    ``{"platform", "base_url", "credentials"}`` (plus the ``announce`` items), flushed before
    serving, so a parent process can read where to connect. The port is bound before the line is printed; connections
    made right after reading it wait in the listen queue.

    Its clients live in other processes and sleep in real time, so the clock moves on its
    own, ``pace`` emulated seconds per real second (:data:`DEFAULT_PACE`: a Habu run
    completes in seconds); 0 keeps it still. ``GET``/``POST <base_url>/_emulator/clock``
    reads, advances, paces or freezes it.
    """
    app, credentials = _build(platform, seed, options, EmulatorClock(pace=pace))
    if limits is not None:
        app.limits = limits
    sock = bind_socket(host, port)
    try:
        base_url = f"http://{_url_host(host)}:{sock.getsockname()[1]}{app.base_path}"
        stream = out if out is not None else sys.stdout
        stream.write(
            json.dumps(
                {
                    "platform": platform,
                    "base_url": base_url,
                    "credentials": credentials,
                    **(announce or {}),
                }
            )
            + "\n"
        )
        stream.flush()
        # uvicorn installs SIGINT/SIGTERM handlers when run from the main thread, shuts down
        # gracefully, then re-raises the signal: SIGINT arrives here as KeyboardInterrupt.
        with contextlib.suppress(KeyboardInterrupt):
            make_server(app).run(sockets=[sock])
    finally:
        sock.close()
