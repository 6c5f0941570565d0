"""What every ``civis.io`` helper of specclient shares: driving a flow on the client it is
given (sync: the result; async: a coroutine), the lookups, waiting for a run inside a flow,
and the futures handed back for long work."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

from specclient.client import AsyncClient
from specclient.platforms._flows import Call, Flow, Follow, arun, run, spec_caller
from specclient.platforms.civis.client import database_id_flow, default_database_credential_id_flow

__all__ = [
    "CHUNK_SIZE",
    "DELIMITERS",
    "EmptyResultError",
    "call",
    "credential_id_of",
    "database_id_of",
    "drive",
    "future_on",
    "given",
    "random_name",
    "split_schema_tablename",
    "wait_for_run",
]

#: bytes read or written at a time (civis-python's ``CHUNK_SIZE``)
CHUNK_SIZE = 32 * 1024
#: civis-python's delimiter names (a delimiter to what the API calls it)
DELIMITERS = {",": "comma", "\t": "tab", "|": "pipe"}


class EmptyResultError(LookupError):
    """A file or a query has no contents (never uploaded, expired, or no result set)."""


def call(method: str, *args: Any, **kwargs: Any) -> Call:
    """A spec call answering civis-python's way (attribute and item access, snake_case);
    an option given as ``None`` is left out (not sent as ``null``), as civis-python does."""
    given = {name: value for name, value in kwargs.items() if value is not None}
    return Call(method, args, {**given, "return_type": "snake"})


def given(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: a nested object without its ``None`` fields."""
    return {name: value for name, value in fields.items() if value is not None}


def default_client() -> Any:
    from specclient.platforms.civis import APIClient

    return APIClient()


def drive(flow: Flow, client: Any, then: Callable[[Any], Any] | None = None) -> Any:
    """Run ``flow`` on ``client`` (default ``APIClient()``); ``then`` maps its value.

    Sync client: the (mapped) value. Async client: a coroutine giving it.
    """
    client = default_client() if client is None else client
    if isinstance(client, AsyncClient):

        async def awaited() -> Any:
            value = await arun(flow, client, spec_caller(client))
            return value if then is None else then(value)

        return awaited()
    value = run(flow, client, spec_caller(client))
    return value if then is None else then(value)


def database_id_of(client: Any, database: str | int) -> Flow[int]:
    """``client.get_database_id(database)`` inside a flow (remembered per client)."""
    return (yield from database_id_flow(client, database))


def credential_id_of(client: Any, credential_id: int | None) -> Flow[int | None]:
    """``credential_id``, else the user's default database credential."""
    if credential_id:
        return credential_id
    return (yield from default_database_credential_id_flow(client))


def random_name(name: str | None) -> str:
    """civis-python's ``maybe_get_random_name``: a random hex name when none is given."""
    return name or uuid.uuid4().hex


def wait_for_run(poll: Call, job_id: int, run_id: int, polling_interval: float | None) -> Follow:
    """A step waiting for a Civis run as :class:`CivisFuture` does (its states, back-off and
    :class:`CivisJobFailure`); sent the finished run. The first poll is made at once (a short
    query is not kept waiting a whole interval, as civis-python's helpers keep it)."""
    from specclient.openapi.model import Waiter
    from specclient.platforms.civis.futures import FAILED, FINISHED, CivisTracker

    def tracker(
        poll_once: Callable[[], Any], waiter: Waiter, *, cancel: Any = None, clock: Any = None
    ) -> CivisTracker:
        return CivisTracker(
            lambda *ids: poll_once(),
            (job_id, run_id),
            polling_interval,
            None,
            None,
            poll_on_creation=True,
            cancel=cancel,
            restart=None,
            clock=clock,
            progress=None,
        )

    waiter = Waiter(field="state", success=FINISHED, failure=FAILED)
    return Follow(poll=poll, waiter=waiter, tracker=tracker, wait=True)


def future_on(
    client: Any, poller: str, ids: tuple[int, ...], polling_interval: float | None
) -> Any:
    """civis-python's future on a started run: ``CivisFuture(client.<poller>, ids, ...)``, or
    its awaitable twin on an async client; not polled until waited on, as there."""
    from specclient.platforms.civis import futures

    resource, _, method = poller.partition(".")
    future = futures.AsyncCivisFuture if isinstance(client, AsyncClient) else futures.CivisFuture
    return future(
        getattr(getattr(client, resource), method),
        ids,
        polling_interval,
        client=client,
        poll_on_creation=False,
    )


def split_schema_tablename(table: str) -> tuple[str | None, str]:
    """``'schema.table'`` as its two names (civis-python's rule: double quotes protect
    periods, ``'schema."my.table"'``); the schema is ``None`` for a bare table name.

    Raises
    ------
    ValueError
        When ``table`` has more than two parts.
    """
    reader = csv.reader(io.StringIO(str(table)), delimiter=".", doublequote=True, quotechar='"')
    parts = next(reader)
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) != 2:
        raise ValueError(
            f"Cannot parse schema and table. Does '{table}' follow the pattern 'schema.table'?"
        )
    return parts[0], parts[1]
