"""The Civis client classes: civis-python's ``APIClient`` helpers and run workflows on top of
the engine's :class:`~specclient.client.Client`. Built by :func:`specclient.platforms.civis.connect`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from specclient.client import AsyncClient, Client
from specclient.platforms._lost import may_have_happened
from specclient.platforms._workflow import Flow, Workflows, spec_caller, workflow
from specclient.platforms.civis import lookup as by_name
from specclient.platforms.civis.responses import AsyncCivisResource, CivisResource

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:  # the futures (and their polling, threads) load when a run is started
    from typing import Any

    from specclient.futures import RunProgress
    from specclient.platforms._flows import Call
    from specclient.platforms.civis.async_futures import AsyncCivisFuture
    from specclient.platforms.civis.futures import CivisFuture

__all__ = [
    "CivisClient",
    "AsyncCivisClient",
    "CivisJobs",
    "CivisScripts",
    "AsyncCivisJobs",
    "AsyncCivisScripts",
    "RESOURCE_CLASSES",
    "ASYNC_RESOURCE_CLASSES",
    "database_id_flow",
    "default_database_credential_id_flow",
]


# -- workflows on resources ------------------------------------------------------------------------
class _Runs:
    """Starting runs: the same on both clients, only the future's kind and the awaiting differ.

    ``_future`` builds the future for a started ``run``: a :class:`CivisFuture` here, an
    :class:`AsyncCivisFuture` on the async client (whose methods return coroutines).
    """

    _future_name = "CivisFuture"  # a name: the async one is imported only when first used
    method: Callable[[str], Any]
    _client: Any

    def _start_lost(self, job_id: int, kind: str) -> Any:
        """Around the request starting a run: a lost reply says the run may have started and
        which call lists the runs (a run start is not idempotent: it is never repeated)."""
        resource = "jobs" if kind == "" else "scripts"
        what = {"": "job", "containers_": "container script", "sql_": "SQL script"}[kind]
        check = f"client.{resource}.list_{kind}runs({job_id})"
        return may_have_happened(f"starting a run of {what} {job_id}", check)

    def _future(
        self,
        run: Any,
        job_id: int,
        kind: str,
        polling_interval: float | None,
        max_retries: int = 0,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> Any:
        from specclient.platforms.civis import futures as run_futures

        restart = {"restart": self.method("post_runs")} if kind == "" else {}
        future_cls = getattr(run_futures, self._future_name)
        return future_cls(
            self.method(f"get_{kind}runs"),
            (job_id, run["id"]),
            polling_interval,
            client=self._client,
            max_retries=max_retries,
            cancel=self.method(f"delete_{kind}runs"),
            progress=progress,
            **restart,
        )


class CivisJobs(_Runs, CivisResource):
    """``client.jobs``: the spec's methods plus :meth:`run`."""

    def run(
        self,
        id: int,
        *,
        polling_interval: float | None = None,
        max_retries: int = 0,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> CivisFuture:
        """Start a run of job ``id`` and return a future on it (``civis.utils.run_job``).

        ``max_retries`` re-runs a failed job up to that many times (only for jobs that are
        safe to run twice). ``progress``: a callable given each state change (a
        :class:`~specclient.futures.RunProgress`), or ``True`` for a status line on stderr.
        """
        with self._start_lost(id, ""):
            run = self.method("post_runs")(id)
        return self._future(run, id, "", polling_interval, max_retries, progress)  # type: ignore[no-any-return]


class CivisScripts(_Runs, CivisResource):
    """``client.scripts``: the spec's methods plus :meth:`run_containers` and :meth:`run_sql`."""

    def run_containers(
        self,
        id: int,
        *,
        polling_interval: float | None = None,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> CivisFuture:
        """Start a run of container script ``id``; the future polls ``get_containers_runs``."""
        with self._start_lost(id, "containers_"):
            run = self.method("post_containers_runs")(id)
        return self._future(run, id, "containers_", polling_interval, progress=progress)  # type: ignore[no-any-return]

    def run_sql(
        self,
        id: int,
        *,
        polling_interval: float | None = None,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> CivisFuture:
        """Start a run of SQL script ``id``; the future polls ``get_sql_runs``."""
        with self._start_lost(id, "sql_"):
            run = self.method("post_sql_runs")(id)
        return self._future(run, id, "sql_", polling_interval, progress=progress)  # type: ignore[no-any-return]


class AsyncCivisJobs(_Runs, AsyncCivisResource):
    """``client.jobs`` on the async client: ``await client.jobs.run(id)`` gives an
    :class:`AsyncCivisFuture`."""

    _future_name = "AsyncCivisFuture"

    async def run(
        self,
        id: int,
        *,
        polling_interval: float | None = None,
        max_retries: int = 0,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> AsyncCivisFuture:
        """Async :meth:`CivisJobs.run`."""
        with self._start_lost(id, ""):
            run = await self.method("post_runs")(id)
        return self._future(run, id, "", polling_interval, max_retries, progress)  # type: ignore[no-any-return]


class AsyncCivisScripts(_Runs, AsyncCivisResource):
    """``client.scripts`` on the async client: runs give :class:`AsyncCivisFuture` objects."""

    _future_name = "AsyncCivisFuture"

    async def run_containers(
        self,
        id: int,
        *,
        polling_interval: float | None = None,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> AsyncCivisFuture:
        """Async :meth:`CivisScripts.run_containers`."""
        with self._start_lost(id, "containers_"):
            run = await self.method("post_containers_runs")(id)
        return self._future(run, id, "containers_", polling_interval, progress=progress)  # type: ignore[no-any-return]

    async def run_sql(
        self,
        id: int,
        *,
        polling_interval: float | None = None,
        progress: bool | Callable[[RunProgress], Any] | None = None,
    ) -> AsyncCivisFuture:
        """Async :meth:`CivisScripts.run_sql`."""
        with self._start_lost(id, "sql_"):
            run = await self.method("post_sql_runs")(id)
        return self._future(run, id, "sql_", polling_interval, progress=progress)  # type: ignore[no-any-return]


# key None: every other resource, so each spec method answers civis-python's way
RESOURCE_CLASSES: dict[str | None, type] = {
    "jobs": CivisJobs,
    "scripts": CivisScripts,
    None: CivisResource,
}
ASYNC_RESOURCE_CLASSES: dict[str | None, type] = {
    "jobs": AsyncCivisJobs,
    "scripts": AsyncCivisScripts,
    None: AsyncCivisResource,
}


# -- the helpers, once --------------------------------------------------------------------------
class _CivisHelpers(Workflows):
    """civis-python's ``APIClient`` helpers as flows (:mod:`specclient.platforms._flows`), so
    the sync and the async client have the same ones from one definition.

    Lookups by name are remembered per client, as civis-python's ``lru_cache`` does, so a
    loop calling ``get_table_id`` asks the API once per distinct argument.
    """

    spec: Any
    _lookups: dict[tuple[Any, ...], Any]

    def _remembered(self, key: tuple[Any, ...], lookup: Callable[[], Flow]) -> Flow:
        if key not in self._lookups:
            self._lookups[key] = yield from lookup()  # only successes are kept
        return self._lookups[key]

    @workflow
    def get_database_id(self, database: str | int) -> Flow[int]:
        """Return the database ID for a given database name.

        Parameters
        ----------
        database : str or int
            If an integer ID is given, passes through. If a str is given the database ID
            corresponding to that database name is returned.

        Returns
        -------
        database_id : int

        Raises
        ------
        ValueError
            If the database can't be found.
        """
        return (yield from database_id_flow(self, database))

    @workflow
    def get_database_credential_id(
        self, username: str | int, database_name: str | int
    ) -> Flow[int]:
        """Return the credential ID for a given username in a given database.

        Deprecated in civis-python 2.4 (no reliable way exists); prefer
        :attr:`default_database_credential_id`.

        Parameters
        ----------
        username : str or int
            An integer passes through; a str is the credential's username.
        database_name : str or int
            The database's name or ID.

        Returns
        -------
        database_credential_id : int

        Raises
        ------
        ValueError
            If the credential can't be found.
        """
        warnings.warn(by_name.DB_CREDENTIAL_DEPRECATED, FutureWarning, stacklevel=4)
        if isinstance(username, int):
            return username

        def lookup() -> Flow:
            creds = yield _snake("credentials.list", type="Database")
            return by_name.pick_database_credential(creds, username, database_name)

        key = ("database_credential", username, database_name)
        return (yield from self._remembered(key, lookup))

    @workflow
    def get_aws_credential_id(self, cred_name: str | int, owner: str | None = None) -> Flow[int]:
        """Find an AWS credential ID.

        Parameters
        ----------
        cred_name : str or int
            An integer passes through; a str is the credential's name.
        owner : str, optional
            The credential's owner. Without it, several credentials of one name are narrowed
            to those you own; if still several, the first is returned (with a warning logged).

        Returns
        -------
        aws_credential_id : int

        Raises
        ------
        ValueError
            If the AWS credential can't be found.
        """
        if isinstance(cred_name, int):
            return cred_name

        def lookup() -> Flow:
            creds = yield _snake("credentials.list", type=by_name.AWS)
            candidates = by_name.aws_candidates(creds, cred_name, owner)
            mine = len(candidates) > 1 and owner is None
            me = (yield from self._username_flow()) if mine else None
            return by_name.pick_aws(candidates, cred_name, owner, me)

        return (yield from self._remembered(("aws_credential", cred_name, owner), lookup))

    @workflow
    def get_table_id(self, table: str, database: str | int) -> Flow[int]:
        """Return the table ID for a given database and table name.

        Parameters
        ----------
        table : str
            ``schema.tablename``; either part may be double-quoted to hold dots.
        database : str or int
            The name or ID of the database.

        Returns
        -------
        table_id : int
            The ID of the table (exact match only).

        Raises
        ------
        ValueError
            If no table matches.
        """

        def lookup() -> Flow:
            database_id = yield from database_id_flow(self, database)
            query = by_name.table_query(database_id, table)
            return by_name.pick_table((yield _snake("tables.list", **query)), table, database)

        return (yield from self._remembered(("table", table, database), lookup))

    @workflow
    def get_storage_host_id(self, storage_host: str | int) -> Flow[int]:
        """Return the storage host ID for a given storage host name.

        Parameters
        ----------
        storage_host : str or int
            An integer passes through; a str is looked up in ``storage_hosts.list()``.

        Returns
        -------
        storage_host_id : int

        Raises
        ------
        ValueError
            If the storage host can't be found.
        """
        if isinstance(storage_host, int):
            return storage_host

        def lookup() -> Flow:
            host = by_name.find_one((yield _snake("storage_hosts.list")), name=storage_host)
            if not host:
                raise ValueError(f"Storage Host {storage_host} not found.")
            return host["id"]

        return (yield from self._remembered(("storage_host", storage_host), lookup))

    @workflow
    def get_username(self) -> Flow[str]:
        """The current user's username (civis-python's ``client.username``)."""
        return (yield from self._username_flow())

    @workflow
    def get_default_database_credential_id(self) -> Flow[int | None]:
        """The current user's default database credential ID (``None`` if there is none);
        civis-python's ``client.default_database_credential_id``."""
        return (yield from default_database_credential_id_flow(self))

    def _username_flow(self) -> Flow:
        return (yield from self._remembered(("username",), lambda: self._me_flow("username")))

    def _me_flow(self, field: str) -> Flow:
        # one rule for both clients: get_me, or list_me on specs from before the naming fix
        me = yield _snake(f"users.{by_name.me_method(self.spec)}")
        return me[field]


# -- the lookups as flows: other flows (civis.io) yield from them, on either client -----------
def database_id_flow(client: _CivisHelpers, database: str | int) -> Flow[int]:
    """``client.get_database_id(database)`` as a flow (:mod:`specclient.platforms._flows`):
    ``yield from`` it inside another flow, which then runs on a sync or an async client alike;
    remembered per client, as the method's answer is."""
    if isinstance(database, int):
        return database

    def lookup() -> Flow[int]:
        return by_name.pick_database((yield _snake("databases.list")), database)

    return (yield from client._remembered(("database", database), lookup))


def default_database_credential_id_flow(client: _CivisHelpers) -> Flow[int | None]:
    """``client.get_default_database_credential_id()`` as a flow (as
    :func:`database_id_flow`)."""

    def lookup() -> Flow:
        # remote_host_id=None as civis-python sends it: no filter on the host.
        creds = yield _snake("credentials.list", default=True, type="Database")
        return by_name.first_id(creds)

    return (yield from client._remembered(("default_database_credential",), lookup))


def _snake(qualname: str, **kwargs: Any) -> Call:
    from specclient.platforms._flows import Call  # the steps load with the first helper call

    return Call(qualname, (), {**kwargs, "return_type": "snake"})


# -- the clients -----------------------------------------------------------------------------------
class CivisClient(_CivisHelpers, Client):
    """A client for Civis Platform with civis-python's ``APIClient`` helpers."""

    def __init__(self, spec: Any, **options: Any) -> None:
        super().__init__(spec, **options)
        self._lookups: dict[tuple[Any, ...], Any] = {}
        #: the answer of the latest spec call (civis-python's ``client.last_response``)
        self.last_response: Any = None

    def __getstate__(self) -> Any:
        raise RuntimeError("The Civis client can't be pickled.")

    @property
    def username(self) -> str:
        """The current user's username."""
        return self.get_username()  # type: ignore[no-any-return]

    @property
    def default_database_credential_id(self) -> int | None:
        """The current user's default database credential ID (``None`` if there is none)."""
        return self.get_default_database_credential_id()  # type: ignore[no-any-return]

    @property
    def feature_flags(self) -> tuple[str, ...]:
        """Deprecated civis-python property: the names of your enabled feature flags."""
        warnings.warn(
            "feature_flags is deprecated (as in civis-python 2.6+); use "
            "client.users.get_me()['feature_flags'].",
            FutureWarning,
            stacklevel=2,
        )
        from specclient.platforms._flows import run

        flags = run(
            self._remembered(("feature_flags",), lambda: self._me_flow("feature_flags")),
            self,
            spec_caller(self),
        )
        return tuple(name for name, enabled in flags.items() if enabled)

    @property
    def default_credential(self) -> int | None:
        """Deprecated civis-python alias: the current user's default credential ID."""
        warnings.warn(
            "default_credential is deprecated (as in civis-python 2.4+); use "
            "default_database_credential_id.",
            FutureWarning,
            stacklevel=2,
        )
        creds = self.credentials.list(default=True, return_type="snake")
        return creds[0]["id"] if len(creds) > 0 else None


class AsyncCivisClient(_CivisHelpers, AsyncClient):
    """The async Civis client: the spec's methods and the same helpers, awaitable.

    ``await client.get_database_id("redshift-general")``; the properties of the sync client
    are methods here (``await client.get_username()``,
    ``await client.get_default_database_credential_id()``). Runs started through
    ``jobs.run`` / ``scripts.run_containers`` / ``scripts.run_sql`` give
    :class:`AsyncCivisFuture` objects.
    """

    def __init__(self, spec: Any, **options: Any) -> None:
        super().__init__(spec, **options)
        self._lookups: dict[tuple[Any, ...], Any] = {}
        self.last_response: Any = None
