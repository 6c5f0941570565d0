"""``specclient copy SOURCE DEST``: :func:`specclient.copy` with the two tables spelled as
URIs (:mod:`specclient.transfer.uris`), each platform's client made from its environment
variables or credentials file, as every other command makes it."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Mapping
from typing import Any

import click

__all__ = ["copy_command"]


@click.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option("--source-base-url", default=None, help="Base URL of the source's platform.")
@click.option("--dest-base-url", default=None, help="Base URL of the destination's platform.")
@click.option("--creds-path", default=None, help="Credentials file for both platforms.")
@click.option("--copy-id", default=None, help="Name the copy's checkpoint (default: derived).")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Rows copied on stderr (default: when stderr is a terminal).",
)
def copy_command(
    source: str,
    destination: str,
    source_base_url: str | None,
    dest_base_url: str | None,
    creds_path: str | None,
    copy_id: str | None,
    progress: bool | None,
) -> None:
    """Copy every row of SOURCE to DESTINATION, exactly once: run again after a failure, it
    resumes where the destination stands.

    \b
    specclient copy habu:run/<run_id> clicdata:data/<rec_id>?mode=append
    specclient copy clicdata:data/<rec_id> file:sales.parquet
    specclient copy usmart:data/<resource_guid>?limit=100 -
    specclient copy file:in.csv usmart:dataset/<guid>/file/counts.csv

    The result (copy id, rows written, rows already there, destination) is printed as JSON,
    on stderr when the rows themselves go to standard output (DESTINATION "-").
    """
    from .cli import connect
    from .transfer import copy
    from .transfer.uris import parse

    read, write = parse(source, "source"), parse(destination, "destination")
    with contextlib.ExitStack() as stack:

        def client_for(platform: str | None, base_url: str | None) -> Any:
            if platform is None:
                return None
            return stack.enter_context(connect(platform, base_url=base_url, creds_path=creds_path))

        described = read.make(client_for(read.platform, source_base_url))
        target = write.make(client_for(write.platform, dest_base_url))
        result = copy(described, target, progress=progress, copy_id=copy_id)
    summary = {
        "copy_id": result.copy_id,
        "rows": result.rows,
        "resumed": result.resumed,
        "destination": _plain(result.destination),
    }
    click.echo(json.dumps(summary, default=str), err=destination == "-")
    if destination == "-":
        sys.stdout.flush()


def _plain(value: Any) -> Any:
    """A destination's answer as JSON: a Response's fields, a path as text."""
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)
