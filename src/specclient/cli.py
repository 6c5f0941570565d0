"""The ``specclient`` command.

::

    specclient <platform> <resource> <method> [ARGS] [--param value ...] [--output table|json|csv]
    specclient emulate <platform> [--port N] [--seed S]
    specclient demo [PLATFORM ...] [--live PLATFORM]

Built on click: it is well kept, already a dependency of the tools around us, and its
``Group.list_commands`` / ``get_command`` hooks let the command tree come from the specs at run
time and lazily, so ``specclient --help`` reads no spec and ``specclient habu --help`` reads
one. Exit status: 0 on success, 1 when the service (or the network, or a credential) fails,
2 for a usage mistake; user errors print one clear line, never a traceback, never a secret.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from . import __version__, _cli_copy
from ._cli_commands import (
    CLIENT,
    MethodCommand,
    PlatformGroup,
    WorkflowCommand,
    pagination_of,
    stderr_is_terminal,
)
from ._cli_download import is_download, stream_download
from .errors import ParameterError, SpecClientError
from .openapi.model import Operation

__all__ = ["main", "cli"]


class _PlatformNames(Sequence[str]):
    """The registry's platform names, read when click asks (a platform registered after
    import is offered too)."""

    def __getitem__(self, index: Any) -> Any:
        from .platforms import names

        return names()[index]

    def __len__(self) -> int:
        from .platforms import names

        return len(names())


PLATFORMS = _PlatformNames()
EXIT_OK, EXIT_API, EXIT_USAGE = 0, 1, 2


def load_platform_spec(platform: str) -> Any:
    """The spec a platform's commands are built from (its declaration says how: uSmart's
    paths carry the organisation GUID ``connect()`` fills, so no command asks for it)."""
    from .platforms import get

    return get(platform).load_command_spec()


def connect(platform: str, *, base_url: str | None = None, creds_path: str | None = None) -> Any:
    """A client for ``platform`` with credentials from the environment or the credentials file."""
    from .platforms import connect as connect_platform

    options: dict[str, Any] = {}
    if base_url:
        options["base_url"] = base_url
    if creds_path:
        options["creds_path"] = creds_path
    return connect_platform(platform, **options)


def _runner(platform: str, operation: Operation) -> Callable[..., Any]:
    """The callback of a method command: connect, call, print."""

    @click.pass_context
    def run(ctx: click.Context, **values: Any) -> None:
        command = ctx.command
        assert isinstance(command, MethodCommand)
        args, kwargs = command.python_arguments(values)
        if values.get("body") is not None:
            kwargs["body"] = values["body"]
        fmt = values.get("output") or ("table" if sys.stdout.isatty() else "json")
        with contextlib.ExitStack() as stack:
            for p in operation.params:
                if p.location == "file" and p.name in kwargs:
                    kwargs[p.name] = stack.enter_context(_open_upload(kwargs[p.name]))
            client = stack.enter_context(
                connect(
                    platform, base_url=values.get("base_url"), creds_path=values.get("creds_path")
                )
            )
            method = client.resource(operation.resource).method(operation.method)
            if values.get("wait"):
                from ._cli_wait import method_future, wait_live

                future = method_future(client, method, args, kwargs)
                result = wait_live(future, show=stderr_is_terminal())
            elif values.get("all_pages"):
                result = list(_with_progress(method(*args, iterator=True, **kwargs), "items"))
            elif is_download(operation):
                sys.stdout.flush()
                stream_download(
                    client, method, args, kwargs, sys.stdout.buffer, show=stderr_is_terminal()
                )
                return
            else:
                result = method(*args, **kwargs)
            from ._cli_output import write

            write(
                result,
                fmt,
                sys.stdout,
                records=_records(operation),
                secret_fields=operation.secret_fields,
            )

    return run


def _resource_classes(platform: str) -> dict[str, type]:
    """The platform's workflow classes, as its declaration names them."""
    from ._cli_commands import CLIENT
    from .platforms import get

    declared = get(platform)
    return (
        {**declared.resources, CLIENT: declared.client}
        if declared.client
        else dict(declared.resources)
    )


def _workflow_runner(platform: str, resource: str, name: str) -> Callable[..., Any]:
    """The callback of a workflow command: connect, call the platform's method, print.

    A run the workflow starts (a future) is waited for with a live status line when asked
    (``--wait``, or the workflow's own ``wait`` left on), and otherwise printed as its id,
    state and link.
    """

    @click.pass_context
    def run(ctx: click.Context, **values: Any) -> None:
        command = ctx.command
        assert isinstance(command, WorkflowCommand)
        args, kwargs = command.python_arguments(values)
        wait = bool(values.get("wait"))
        if command.own_wait:
            # A workflow with a `wait` argument returns its future with wait=False (its
            # blocking form is future.result()); we wait on that future ourselves, when the
            # user asked to or the workflow waits by default, with a line that moves every
            # second.
            wait = kwargs.get("wait", command.waits_by_default) is not False
            kwargs["wait"] = False
        if "progress" in command.signature.parameters and "progress" not in kwargs:
            # a run waited on here gets our status line; work of known size (chunks, pages,
            # bytes) its own progress bar, on a terminal only
            follows_run = command.own_wait or command.returns_future
            kwargs["progress"] = False if follows_run else stderr_is_terminal()
        fmt = values.get("output") or ("table" if sys.stdout.isatty() else "json")
        with connect(
            platform, base_url=values.get("base_url"), creds_path=values.get("creds_path")
        ) as client:
            host = client.resource(resource) if resource != CLIENT else client
            result = getattr(host, name)(*args, **kwargs)
            from ._cli_wait import describe, is_future, wait_live

            if is_future(result):
                result = wait_live(result, show=stderr_is_terminal()) if wait else describe(result)
            from ._cli_output import write, write_file

            if values.get("to_path"):
                write_file(result, values["to_path"])
            else:
                write(result, fmt, sys.stdout, text_is_value=True)

    return run


def _records(operation: Operation) -> str | None:
    if operation.records:
        return operation.records
    pagination = pagination_of(operation)
    if pagination is not None and pagination.items:
        return pagination.items
    return None


@contextlib.contextmanager
def _open_upload(path: str) -> Iterator[Any]:
    """The file to upload, read through a progress bar when stderr is a terminal."""
    import os

    if path == "-":
        yield sys.stdin.buffer
        return
    with open(path, "rb") as handle:
        if not stderr_is_terminal():
            yield handle
            return
        from tqdm import tqdm

        with tqdm.wrapattr(
            handle,
            "read",
            total=os.path.getsize(path),
            desc="upload",
            unit="B",
            unit_scale=True,
            leave=False,
        ) as wrapped:
            yield wrapped


def _with_progress(items: Any, what: str) -> Iterator[Any]:
    """Iterate, counting on stderr when it is a terminal (silent in pipes and CI logs)."""
    if not stderr_is_terminal():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=what, unit=" " + what, leave=False)


class SpecclientCLI(click.Group):
    """The root: one group per platform (built lazily), plus ``emulate`` and ``demo``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*PLATFORMS, *sorted(self.commands)]  # the registry's names

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in PLATFORMS:
            return PlatformGroup(
                cmd_name,
                load_platform_spec,
                _runner,
                resource_classes=_resource_classes,
                make_workflow_runner=_workflow_runner,
            )
        return self.commands.get(cmd_name)


@click.group(
    cls=SpecclientCLI,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Credentials come from each platform's environment variables or its credentials "
    "file (--creds-path). Exit status: 0 success, 1 the service, network or credentials "
    "failed, 2 usage mistake.",
)
@click.version_option(__version__, prog_name="specclient")
def cli() -> None:
    """API clients for Habu, uSmart, ClicData and Civis, built from their specs.

    \b
    specclient habu cleanrooms list --output table
    specclient emulate habu --port 8080
    specclient demo
    """


@cli.command()
@click.argument("platform", type=click.Choice(PLATFORMS))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the emulator's data.")
@click.option(
    "--pace",
    type=click.FloatRange(min=0),
    default=None,
    help="Emulated seconds per real second its clock moves on its own "
    "(default 60: a Habu run completes in seconds); 0 keeps it still.",
)
def emulate(platform: str, port: int, seed: int, pace: float | None) -> None:
    """Serve PLATFORM's local emulator until stopped (Ctrl-C).

    The first line printed is one JSON object with the base URL and the credentials the
    emulator accepts; pass them to specclient.connect(). Its clock moves on its own;
    GET or POST <base_url>/_emulator/clock reads it, advances it ({"advance": seconds}),
    paces it ({"pace": p}) or freezes it ({"freeze": true}).
    """
    from .emulators import serve_forever
    from .emulators.core.clock import DEFAULT_PACE

    pace = DEFAULT_PACE if pace is None else pace
    announce = {"settings": paced_settings(platform, pace)}
    serve_forever(platform, port=port, seed=seed, pace=pace, announce=announce)


def paced_settings(platform: str, pace: float) -> dict[str, Any]:
    """``connect()`` settings for a client of an emulator whose clock runs ``pace`` times
    real time: a poll interval the platform sets in emulated minutes (Habu's 300 s) divided
    by the pace, so a separate client waits seconds, not minutes, between polls."""
    from .platforms import get

    found: dict[str, Any] = {}
    for setting in get(platform).settings:
        if setting.name == "poll_interval" and pace > 0:
            found["poll_interval"] = float(setting.default) / pace
    return found


@cli.command()
@click.argument("platforms", nargs=-1, type=click.Choice(PLATFORMS))
@click.option(
    "--live",
    type=click.Choice(PLATFORMS),
    default=None,
    help="Run PLATFORM's workflow against the real service with your credentials.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the emulators' data.")
def demo(platforms: tuple[str, ...], live: str | None, seed: int) -> None:
    """Run each platform's end-to-end workflow on its local emulator (no credentials needed).

    With no PLATFORMS, runs all four. With --live, runs one against the real service.
    """
    from ._demo import run_demo, run_live

    ok = (
        run_live(live, click.echo)
        if live
        else run_demo(platforms or PLATFORMS, click.echo, seed=seed)
    )
    if not ok:
        raise SystemExit(EXIT_API)


cli.add_command(_cli_copy.copy_command)  # specclient copy SOURCE DEST


def _error(message: str) -> None:
    # Errors of our own are redacted already; a library's message may quote a URL whose query
    # holds a key or a signature, so every line goes through the URL redaction once more.
    from .http.redact import redact_text_urls

    click.echo(f"error: {redact_text_urls(message)}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``specclient`` script; returns the exit status."""
    try:
        result = cli.main(args=argv, prog_name="specclient", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # click >= 8.2: help, then usage status
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return EXIT_USAGE
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        _error("aborted")
        return EXIT_API
    except ParameterError as exc:  # a TypeError: the arguments were wrong, nothing was sent
        _error(str(exc))
        return EXIT_USAGE
    except SpecClientError as exc:  # the service, the network or the credentials said no
        _error(str(exc))
        return EXIT_API
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:
        # Not a user error: a bug in specclient or a library. One line by default; the
        # traceback when SPECCLIENT_DEBUG is set, for the bug report.
        if os.environ.get("SPECCLIENT_DEBUG"):
            raise
        _error(f"unexpected {type(exc).__name__}: {exc} (set SPECCLIENT_DEBUG=1 for details)")
        return EXIT_API
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_API
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
