"""Civis Platform: the client civis-python builds, from the spec Civis serves at ``/endpoints``.

``connect("civis")`` fetches the spec like civis-python (cached on disk, see
:mod:`specclient.platforms.civis_endpoints`), builds a client with civis-python's names
(:data:`specclient.spec.naming.CIVIS_PYTHON`), and adds what civis-python's ``APIClient`` adds
on top of the spec: the ID helpers (``get_database_id`` ...), ``username``,
``default_database_credential_id``, and futures for job and script runs
(:class:`~specclient.platforms.civis_futures.CivisFuture`).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from specclient._clock import Clock
from specclient.client import AsyncClient, AsyncMethod, AsyncResource, Client, Method, Resource
from specclient.errors import AuthError, ParameterError
from specclient.platforms.civis_endpoints import DEFAULT_TTL, load_endpoints
from specclient.platforms.civis_futures import CivisFuture, CivisJobFailure
from specclient.response import Response, ResponseList, camel_to_snake

__all__ = [
    "PLATFORM",
    "DEFAULT_BASE_URL",
    "CivisClient",
    "AsyncCivisClient",
    "CivisFuture",
    "CivisJobFailure",
    "CivisResponse",
    "APIClient",
    "connect",
    "connect_async",
    "run_job",
    "split_schema_tablename",
    "find",
    "find_one",
    "demo",
]

PLATFORM = "civis"
DEFAULT_BASE_URL = "https://api.civisanalytics.com"
ENV_API_KEY = "CIVIS_API_KEY"
ENV_BASE_URL = "CIVIS_API_ENDPOINT"  # civis-python's variable for another deployment
ENV_CREDENTIALS_FILE = "CIVIS_CREDENTIALS_FILE"
FILE_KEYS = ("api_key", ENV_API_KEY)
DEFAULT_RETRY_TOTAL = 6  # civis-python's retry_total default

_log = logging.getLogger(__name__)
_AWS = "Amazon Web Services S3"


# -- civis-python's small utilities ----------------------------------------------------------------
def _value(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def find(
    object_list: Iterable[Any], filter_func: Callable[[Any], Any] | None = None, **kwargs: Any
) -> list[Any]:
    """Filter responses as ``civis.find`` does: by a function, or by field values.

    A value that is a function is called on the field; ``True``/``False`` match by identity;
    anything else by equality. Objects lacking a field never match.
    """
    items = list(object_list)
    if filter_func is not None:
        return [item for item in items if filter_func(item)]

    def matches(item: Any) -> bool:
        for key, wanted in kwargs.items():
            present = key in item if isinstance(item, Mapping) else hasattr(item, key)
            if not present:
                return False
            value = _value(item, key)
            if callable(wanted):
                if not wanted(value):
                    return False
            elif wanted is True or wanted is False:
                if value is not wanted:
                    return False
            elif value != wanted:
                return False
        return True

    return [item for item in items if matches(item)]


def find_one(
    object_list: Iterable[Any], filter_func: Callable[[Any], Any] | None = None, **kwargs: Any
) -> Any:
    """The first object :func:`find` keeps, or ``None``."""
    found = find(object_list, filter_func, **kwargs)
    return found[0] if found else None


def split_schema_tablename(table: str) -> tuple[str | None, str]:
    """Split ``schema.table`` as ``civis.io.split_schema_tablename``: double quotes protect dots.

    Raises
    ------
    ValueError
        If the name has more than two parts.
    """
    reader = csv.reader(io.StringIO(str(table)), delimiter=".", quotechar='"', doublequote=True)
    parts = next(reader, [])
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError(
        f"Cannot parse schema and table. Does {table!r} follow the pattern 'schema.table'?"
    )


# -- civis-python's Response.json() ---------------------------------------------------------------
def _snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel_to_snake(str(key)): _snake_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake_keys(item) for item in value]
    return value


class CivisResponse(Response):
    """A :class:`~specclient.response.Response` whose ``json()`` is civis-python 2.10's.

    civis-python's ``Response.json()`` returns snake_case keys (nested too) unless asked
    ``json(snake_case=False)``; the engine's returns the payload as sent. Code written for
    civis-python indexes ``.json()`` with snake_case names, so Civis clients answer its way.
    """

    __slots__ = ()

    def json(self, snake_case: bool = True) -> Any:
        return _snake_keys(self._payload) if snake_case else self._payload


class CivisResponseList(ResponseList):
    """A list of :class:`CivisResponse` with civis-python's ``json(snake_case=True)``."""

    def json(self, snake_case: bool = True) -> Any:
        return _snake_keys(self._payload) if snake_case else self._payload


def _as_civis(result: Any) -> Any:
    # Re-classing keeps the engine's decoding in one place; the layouts are identical.
    if type(result) is Response:
        result.__class__ = CivisResponse
    elif type(result) is ResponseList:
        result.__class__ = CivisResponseList
        for item in result:
            _as_civis(item)
    elif isinstance(result, Iterator):
        return (_as_civis(item) for item in result)
    return result


class CivisMethod(Method):
    """A spec method whose answers are :class:`CivisResponse` objects."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _as_civis(super().__call__(*args, **kwargs))


class CivisResource(Resource):
    """A resource whose methods answer like civis-python's."""

    _method_cls = CivisMethod


# -- workflows on resources ------------------------------------------------------------------------
class CivisJobs(CivisResource):
    """``client.jobs``: the spec's methods plus :meth:`run`."""

    def run(
        self, id: int, *, polling_interval: float | None = None, max_retries: int = 0
    ) -> CivisFuture:
        """Start a run of job ``id`` and return a future on it (``civis.utils.run_job``).

        ``max_retries`` re-runs a failed job up to that many times (only for jobs that are
        safe to run twice).
        """
        run = self.method("post_runs")(id)
        return CivisFuture(
            self.method("get_runs"),
            (id, run["id"]),
            polling_interval,
            client=self._client,
            max_retries=max_retries,
            cancel=self.method("delete_runs"),
            restart=self.method("post_runs"),
        )


class CivisScripts(CivisResource):
    """``client.scripts``: the spec's methods plus :meth:`run_containers` and :meth:`run_sql`."""

    def _run(self, kind: str, id: int, polling_interval: float | None) -> CivisFuture:
        run = self.method(f"post_{kind}_runs")(id)
        return CivisFuture(
            self.method(f"get_{kind}_runs"),
            (id, run["id"]),
            polling_interval,
            client=self._client,
            cancel=self.method(f"delete_{kind}_runs"),
        )

    def run_containers(self, id: int, *, polling_interval: float | None = None) -> CivisFuture:
        """Start a run of container script ``id``; the future polls ``get_containers_runs``."""
        return self._run("containers", id, polling_interval)

    def run_sql(self, id: int, *, polling_interval: float | None = None) -> CivisFuture:
        """Start a run of SQL script ``id``; the future polls ``get_sql_runs``."""
        return self._run("sql", id, polling_interval)


RESOURCE_CLASSES: dict[str, type] = {"jobs": CivisJobs, "scripts": CivisScripts}


# -- the lookups behind the helpers (shared by the sync and async clients) ------------------------
def _pick_database(databases: Iterable[Any], database: str) -> int:
    found = find_one(databases, name=database)
    if not found:
        raise ValueError(f"Database {database} not found.")
    return found["id"]


def _pick_database_credential(
    credentials: Iterable[Any], username: str, database_name: str | int
) -> int:
    filters: dict[str, Any] = {"username": username}
    if isinstance(database_name, int):
        filters["remote_host_id"] = database_name
    else:
        filters["remote_host_name"] = database_name
    found = find_one(credentials, **filters)
    if found is None:
        raise ValueError(f"Credential ID for {username} on {database_name} not found.")
    return found["id"]


def _aws_candidates(credentials: Iterable[Any], cred_name: str, owner: str | None) -> list[Any]:
    found = find(credentials, name=cred_name)
    if owner is not None:
        found = find(found, owner=owner)
    if not found:
        owned = "" if owner is None else f" owned by {owner}"
        raise ValueError(f"AWS credential ID for {cred_name}{owned} cannot be found")
    return found


def _pick_aws(candidates: list[Any], cred_name: str, owner: str | None, me: str | None) -> int:
    """Among namesakes, prefer those owned by ``me`` (when no owner was asked)."""
    if len(candidates) > 1 and owner is None and me is not None:
        owner = me
        candidates = find(candidates, owner=me) or candidates
    if len(candidates) > 1:
        _log.warning(
            "Found %d AWS credentials with name %s and owner %s. Returning the first.",
            len(candidates),
            cred_name,
            owner,
        )
    return candidates[0]["id"]


def _table_query(database_id: int, table: str) -> dict[str, Any]:
    schema, name = split_schema_tablename(table)
    query: dict[str, Any] = {"database_id": database_id, "name": name}
    if schema is not None:
        query["schema"] = schema
    return query


def _pick_table(tables: list[Any], table: str, database: str | int) -> int:
    if not tables:
        raise ValueError(f"No tables found for {table} in database {database}")
    return tables[0]["id"]


def _first_id(credentials: list[Any]) -> int | None:
    return credentials[0]["id"] if len(credentials) > 0 else None


_DB_CRED_DEPRECATED = (
    "get_database_credential_id is deprecated (as in civis-python 2.4+); consider "
    "default_database_credential_id."
)


# -- the client ------------------------------------------------------------------------------------
class CivisClient(Client):
    """A client for Civis Platform with civis-python's ``APIClient`` helpers.

    Lookups by name are remembered per client, as civis-python's ``lru_cache`` does, so a
    loop calling ``get_table_id`` asks the API once per distinct argument.
    """

    _resource_cls = CivisResource

    def __init__(self, spec: Any, **options: Any) -> None:
        super().__init__(spec, **options)
        self._lookups: dict[tuple[Any, ...], Any] = {}

    def __getstate__(self) -> Any:
        raise RuntimeError("The Civis client can't be pickled.")

    def _remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in self._lookups:
            self._lookups[key] = compute()  # only successes are kept: errors propagate
        return self._lookups[key]

    def get_database_id(self, database: str | int) -> int:
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
        if isinstance(database, int):
            return database

        return self._remember(
            ("database", database),
            lambda: _pick_database(self.databases.list(return_type="snake"), database),
        )

    def get_database_credential_id(self, username: str | int, database_name: str | int) -> int:
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
        warnings.warn(_DB_CRED_DEPRECATED, FutureWarning, stacklevel=2)
        if isinstance(username, int):
            return username

        def lookup() -> int:
            creds = self.credentials.list(type="Database", return_type="snake")
            return _pick_database_credential(creds, username, database_name)

        return self._remember(("database_credential", username, database_name), lookup)

    def get_aws_credential_id(self, cred_name: str | int, owner: str | None = None) -> int:
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

        def lookup() -> int:
            creds = self.credentials.list(type=_AWS, return_type="snake")
            candidates = _aws_candidates(creds, cred_name, owner)
            me = self.username if len(candidates) > 1 and owner is None else None
            return _pick_aws(candidates, cred_name, owner, me)

        return self._remember(("aws_credential", cred_name, owner), lookup)

    def get_table_id(self, table: str, database: str | int) -> int:
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

        def lookup() -> int:
            query = _table_query(self.get_database_id(database), table)
            return _pick_table(self.tables.list(**query, return_type="snake"), table, database)

        return self._remember(("table", table, database), lookup)

    def get_storage_host_id(self, storage_host: str | int) -> int:
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

        def lookup() -> int:
            host = find_one(self.storage_hosts.list(return_type="snake"), name=storage_host)
            if not host:
                raise ValueError(f"Storage Host {storage_host} not found.")
            return host["id"]

        return self._remember(("storage_host", storage_host), lookup)

    @property
    def feature_flags(self) -> tuple[str, ...]:
        """Deprecated civis-python property: the names of your enabled feature flags."""
        warnings.warn(
            "feature_flags is deprecated (as in civis-python 2.6+); use "
            "client.users.get_me()['feature_flags'].",
            FutureWarning,
            stacklevel=2,
        )
        flags = self._remember(("feature_flags",), lambda: self._me()["feature_flags"])
        return tuple(name for name, enabled in flags.items() if enabled)

    @property
    def username(self) -> str:
        """The current user's username."""
        return self._remember(("username",), lambda: self._me()["username"])

    def _me(self) -> Any:
        users = self.users
        # civis-python 2.10 calls it get_me; specs older than the list/get naming fix have
        # only list_me.
        name = "get_me" if "get_me" in users._operations else "list_me"
        return users.method(name)(return_type="snake")

    @property
    def default_database_credential_id(self) -> int | None:
        """The current user's default database credential ID (``None`` if there is none)."""

        def lookup() -> int | None:
            # remote_host_id=None as civis-python sends it: no filter on the host.
            creds = self.credentials.list(default=True, type="Database", return_type="snake")
            return _first_id(creds)

        return self._remember(("default_database_credential",), lookup)

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


class AsyncCivisMethod(AsyncMethod):
    """An awaitable spec method whose answers are :class:`CivisResponse` objects."""

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().__call__(*args, **kwargs)
        if isinstance(result, AsyncIterator):
            return _as_civis_async(result)
        return _as_civis(result)


async def _as_civis_async(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for item in items:
        yield _as_civis(item)


class AsyncCivisResource(AsyncResource):
    _method_cls = AsyncCivisMethod


class AsyncCivisClient(AsyncClient):
    """The async Civis client: the spec's methods and the name helpers, awaitable.

    ``await client.get_database_id("redshift-general")``; the properties of the sync client
    are methods here (``await client.get_username()``,
    ``await client.get_default_database_credential_id()``). Run futures are sync only.
    """

    _resource_cls = AsyncCivisResource

    def __init__(self, spec: Any, **options: Any) -> None:
        super().__init__(spec, **options)
        self._lookups: dict[tuple[Any, ...], Any] = {}

    async def _remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key not in self._lookups:
            self._lookups[key] = await compute()
        return self._lookups[key]

    async def get_database_id(self, database: str | int) -> int:
        """Async :meth:`CivisClient.get_database_id`."""
        if isinstance(database, int):
            return database

        async def lookup() -> int:
            return _pick_database(await self.databases.list(return_type="snake"), database)

        return await self._remember(("database", database), lookup)

    async def get_database_credential_id(
        self, username: str | int, database_name: str | int
    ) -> int:
        """Async :meth:`CivisClient.get_database_credential_id` (deprecated there too)."""
        warnings.warn(_DB_CRED_DEPRECATED, FutureWarning, stacklevel=2)
        if isinstance(username, int):
            return username

        async def lookup() -> int:
            creds = await self.credentials.list(type="Database", return_type="snake")
            return _pick_database_credential(creds, username, database_name)

        return await self._remember(("database_credential", username, database_name), lookup)

    async def get_aws_credential_id(self, cred_name: str | int, owner: str | None = None) -> int:
        """Async :meth:`CivisClient.get_aws_credential_id`."""
        if isinstance(cred_name, int):
            return cred_name

        async def lookup() -> int:
            creds = await self.credentials.list(type=_AWS, return_type="snake")
            candidates = _aws_candidates(creds, cred_name, owner)
            me = await self.get_username() if len(candidates) > 1 and owner is None else None
            return _pick_aws(candidates, cred_name, owner, me)

        return await self._remember(("aws_credential", cred_name, owner), lookup)

    async def get_table_id(self, table: str, database: str | int) -> int:
        """Async :meth:`CivisClient.get_table_id`."""

        async def lookup() -> int:
            query = _table_query(await self.get_database_id(database), table)
            tables = await self.tables.list(**query, return_type="snake")
            return _pick_table(tables, table, database)

        return await self._remember(("table", table, database), lookup)

    async def get_username(self) -> str:
        """The current user's username (the sync client's ``username``)."""

        async def lookup() -> str:
            return (await self.users.get_me(return_type="snake"))["username"]

        return await self._remember(("username",), lookup)

    async def get_default_database_credential_id(self) -> int | None:
        """The sync client's ``default_database_credential_id``."""

        async def lookup() -> int | None:
            creds = await self.credentials.list(default=True, type="Database", return_type="snake")
            return _first_id(creds)

        return await self._remember(("default_database_credential",), lookup)


# -- connecting ------------------------------------------------------------------------------------
def _resolve_api_key(api_key: str | None, creds_path: str | os.PathLike[str] | None) -> str:
    from specclient.platforms import _base

    path = creds_path or os.environ.get(ENV_CREDENTIALS_FILE)
    file_values = _base.read_credentials_file(path) if path else None
    found = _base.credential(
        api_key, env=(ENV_API_KEY,), file_values=file_values, file_keys=FILE_KEYS
    )
    return str(
        _base.require(
            found,
            platform=PLATFORM,
            argument="api_key",
            env=(ENV_API_KEY,),
            file_keys=FILE_KEYS if path else (),
        )
    )


def _key_auth(api_key: str) -> Any:
    """civis-python's authentication: the key as the Basic user name, empty password.

    Built as an :class:`~specclient.auth.APIKey` on the Authorization header rather than
    :class:`~specclient.auth.Basic`, because here the user name *is* the secret and ``Basic``
    shows its user name in reprs.
    """
    import base64

    from specclient.auth import APIKey

    token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
    return APIKey(token, header="Authorization", prefix="Basic")


def _spec_source(spec: Any, local_api_spec: Any) -> Any:
    if spec is not None and local_api_spec is not None:
        raise ParameterError("connect", "pass spec= or local_api_spec=, not both", "spec")
    chosen = spec if spec is not None else local_api_spec
    is_url = str(chosen).startswith(("http://", "https://"))
    if isinstance(chosen, str | os.PathLike) and not is_url and not Path(chosen).is_file():
        raise ParameterError("connect", f"spec file {str(chosen)!r} does not exist", "spec")
    return chosen


def _options(
    *,
    api_key: str | None,
    base_url: str | None,
    auth: Any,
    timeout: float,
    max_retries: int | None,
    retry_total: int | None,
    retries: Any,
    return_type: str,
    spec: Any,
    local_api_spec: Any,
    api_version: str,
    force_refresh_api_spec: bool,
    spec_cache_dir: str | os.PathLike[str] | None,
    spec_ttl: float,
    http: Any,
    clock: Clock | None,
    user_agent: str | None,
    resources: str,
    headers: Mapping[str, str] | None,
    creds_path: str | os.PathLike[str] | None,
    retry: Any,
    cache: bool,
) -> tuple[Any, dict[str, Any]]:
    """Check the options and fetch the spec; returns (spec, options for Client)."""
    if retries is not None:
        raise ParameterError(
            "connect",
            "retries= (a tenacity.Retrying) is not supported; pass retry_total=N or "
            "max_retries=N for the number of retries on 429/502/503/504",
            "retries",
        )
    if max_retries is not None and retry_total is not None and max_retries != retry_total:
        raise ParameterError(
            "connect", "max_retries and retry_total disagree; pass one", "retry_total"
        )
    if resources not in ("base", "all"):
        raise ParameterError(
            "connect", f"resources must be 'base' or 'all', not {resources!r}", "resources"
        )
    if force_refresh_api_spec and (spec is not None or local_api_spec is not None):
        raise ParameterError(
            "connect",
            "you cannot provide a local spec and force a refresh "
            "of the fetched one at the same time",
            "force_refresh_api_spec",
        )
    # Checked here, before /endpoints is fetched, not only when the client is built.
    if return_type not in ("snake", "raw", "pandas"):
        raise ParameterError(
            "connect",
            f"return_type must be 'snake', 'raw' or 'pandas', not {return_type!r}",
            "return_type",
        )
    source = _spec_source(spec, local_api_spec)
    retries_n = next((n for n in (retry_total, max_retries) if n is not None), DEFAULT_RETRY_TOTAL)
    if isinstance(retries_n, bool) or not isinstance(retries_n, int) or retries_n < 0:
        raise ParameterError(
            "connect",
            f"retry_total must be a whole number >= 0, not {retries_n!r}",
            "retry_total",
        )
    root = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    if auth is None:
        key = _resolve_api_key(api_key, creds_path)
        auth = _key_auth(key)
    else:
        key = api_key or ""
    if source is None:
        if not key:
            raise AuthError("fetching the Civis spec needs api_key=... (or pass spec=...)")
        source = load_endpoints(
            root,
            key,
            api_version=api_version,
            http=http,
            cache_dir=spec_cache_dir,
            ttl=spec_ttl,
            force_refresh=force_refresh_api_spec,
            timeout=timeout,
            clock=clock,
        )
    elif api_version != "1.0":
        raise ValueError(f"APIClient api_version must be one of {{'1.0'}}: {api_version!r}")
    all_headers = dict(headers or {})
    if user_agent:
        all_headers["User-Agent"] = user_agent
    return source, {
        "base_url": root,
        "auth": auth,
        "timeout": timeout,
        "max_retries": retries_n,
        "return_type": return_type,
        "http": http,
        "clock": clock,
        "headers": all_headers,
        "retry": retry,
        "cache": cache,
    }


def _naming() -> Any:
    from specclient.spec.naming import CIVIS_PYTHON

    return CIVIS_PYTHON


def connect(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    auth: Any = None,
    timeout: float = 30.0,
    max_retries: int | None = None,
    retry_total: int | None = None,
    retries: Any = None,
    return_type: str = "snake",
    spec: Any = None,
    local_api_spec: Any = None,
    api_version: str = "1.0",
    force_refresh_api_spec: bool = False,
    spec_cache_dir: str | os.PathLike[str] | None = None,
    spec_ttl: float = DEFAULT_TTL,
    http: Any = None,
    clock: Clock | None = None,
    user_agent: str | None = None,
    resources: str = "base",
    headers: Mapping[str, str] | None = None,
    creds_path: str | os.PathLike[str] | None = None,
    retry: Any = None,
    cache: bool = True,
    **unknown: Any,
) -> CivisClient:
    """Connect to Civis Platform, as ``civis.APIClient(...)`` does.

    Parameters
    ----------
    api_key : str, optional
        Your Civis API key; else ``CIVIS_API_KEY``, else the credentials file.
    base_url : str, optional
        The API root; else ``CIVIS_API_ENDPOINT``, else ``https://api.civisanalytics.com``.
    auth : httpx.Auth, optional
        Replaces the API key authentication altogether.
    timeout : float, optional
        Seconds per request.
    max_retries, retry_total : int, optional
        Retries on 429, 502, 503 and 504 (civis-python's ``retry_total``, default 6).
    retries : None
        civis-python 2.x's ``tenacity.Retrying``; refused with a clear error.
    return_type : {"snake", "raw", "pandas"}, optional
        ``"snake"``: :class:`specclient.response.Response` objects; ``"raw"``: the
        ``httpx.Response``; ``"pandas"``: a DataFrame for list answers.
    spec, local_api_spec : str, path or dict, optional
        A local copy of the spec (civis-python's ``local_api_spec``); nothing is fetched then.
    api_version : str, optional
        Only ``"1.0"``.
    force_refresh_api_spec : bool, optional
        Fetch ``/endpoints`` even when the disk cache is fresh.
    spec_cache_dir : path, optional
        Where fetched specs are cached (default ``~/.cache/specclient/civis``).
    spec_ttl : float, optional
        Seconds a cached spec is used without asking the service (default 24 h).
    http : httpx.Client or httpx.BaseTransport, optional
        What requests go through (tests and emulators).
    clock : Clock, optional
        Paces retries and run polling (emulators pass theirs).
    user_agent : str, optional
        Sent as the ``User-Agent`` header.
    resources : {"base", "all"}, optional
        Accepted for civis-python 1.x code; the client always exposes what the spec serves.
    headers : mapping, optional
        Extra headers on every request.
    creds_path : path, optional
        A YAML credentials file with ``api_key`` (default: ``$CIVIS_CREDENTIALS_FILE``).
    retry : RetryPolicy, optional
        A full retry policy, replacing ``max_retries``.
    cache : bool, optional
        Cache the normalised spec model on disk (the engine's content-hash cache).

    Returns
    -------
    CivisClient

    Raises
    ------
    ParameterError
        For an option ``connect`` does not know (naming the closest one it does).
    AuthError
        When no API key is found, or the service refuses it.
    """
    if unknown:
        _refuse_unknown("connect('civis')", unknown)
    source, options = _options(
        api_key=api_key,
        base_url=base_url,
        auth=auth,
        timeout=timeout,
        max_retries=max_retries,
        retry_total=retry_total,
        retries=retries,
        return_type=return_type,
        spec=spec,
        local_api_spec=local_api_spec,
        api_version=api_version,
        force_refresh_api_spec=force_refresh_api_spec,
        spec_cache_dir=spec_cache_dir,
        spec_ttl=spec_ttl,
        http=http,
        clock=clock,
        user_agent=user_agent,
        resources=resources,
        headers=headers,
        creds_path=creds_path,
        retry=retry,
        cache=cache,
    )
    return CivisClient(source, naming=_naming(), resource_classes=RESOURCE_CLASSES, **options)


def connect_async(**options: Any) -> AsyncCivisClient:
    """The async twin of :func:`connect` (same options; the spec is fetched before returning).

    ``http`` must then be an ``httpx.AsyncClient`` or async transport; the spec fetch uses a
    plain synchronous request, so pass ``spec=`` when only an async transport exists.
    """
    http = options.pop("http", None)
    spec_http = None if _is_async_http(http) else http
    source, client_options = _options(**_defaults(options), http=spec_http)
    client_options["http"] = http
    return AsyncCivisClient(source, naming=_naming(), **client_options)


def _refuse_unknown(where: str, unknown: Mapping[str, Any]) -> None:
    import difflib
    import inspect

    known = [name for name in inspect.signature(connect).parameters if name != "unknown"]
    name = sorted(unknown)[0]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ParameterError(
        where, f"unknown option {name!r}{hint}; options are: " + ", ".join(known), name
    )


def _is_async_http(http: Any) -> bool:
    import httpx

    return isinstance(http, httpx.AsyncClient | httpx.AsyncBaseTransport)


def _defaults(options: dict[str, Any]) -> dict[str, Any]:
    import inspect

    allowed = {n: p for n, p in inspect.signature(connect).parameters.items() if n != "unknown"}
    unknown = {name: value for name, value in options.items() if name not in allowed}
    if unknown:
        _refuse_unknown("connect_async('civis')", unknown)
    merged = {name: p.default for name, p in allowed.items() if name != "http"}
    merged.update(options)
    return merged


def APIClient(  # noqa: N802 - named after the class it stands in for
    api_key: str | None = None,
    return_type: str = "snake",
    retry_total: int = DEFAULT_RETRY_TOTAL,
    api_version: str = "1.0",
    resources: str = "base",
    local_api_spec: Any = None,
    force_refresh_api_spec: bool = False,
    **options: Any,
) -> CivisClient:
    """``civis.APIClient``'s signature, returning a :class:`CivisClient`.

    Lets ``from specclient.platforms.civis import APIClient`` replace ``from civis import
    APIClient`` in existing code; other keyword options are :func:`connect`'s.
    """
    return connect(
        api_key=api_key,
        return_type=return_type,
        retry_total=retry_total,
        api_version=api_version,
        resources=resources,
        local_api_spec=local_api_spec,
        force_refresh_api_spec=force_refresh_api_spec,
        **options,
    )


def run_job(job_id: int, client: CivisClient, polling_interval: float | None = None) -> CivisFuture:
    """Start a run of any Civis job and return a future on it (``civis.utils.run_job``)."""
    return client.jobs.run(job_id, polling_interval=polling_interval)


# -- demo ------------------------------------------------------------------------------------------
def demo(client: CivisClient, echo: Callable[[str], None]) -> None:
    """Civis end to end: who am I, find a table, run a container script and a SQL script."""
    echo(f"signed in as {client.username}")
    database_id = client.get_database_id("redshift-general")
    credential_id = client.default_database_credential_id
    echo(f"database redshift-general is {database_id}; default credential {credential_id}")
    table_id = client.get_table_id("public.customers", "redshift-general")
    table = client.tables.get(table_id)
    echo(f"table public.customers is {table_id}: {table.row_count:,} rows")
    tables = client.tables.list(database_id=database_id, iterator=True)
    echo("tables: " + ", ".join(f"{t.schema}.{t.name}" for t in tables))
    script = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="civisanalytics/datascience-python",
        name="demo container",
        docker_command="python -c 'print(1)'; sleep 5",
    )
    future = client.scripts.run_containers(script.id)
    final = future.result(timeout=600)
    echo(
        f"container script {script.id} run {future.run_id}: {final.state} "
        f"after {future.polls} polls"
    )
    sql = client.scripts.post_sql(
        name="demo query",
        remote_host_id=database_id,
        credential_id=credential_id,
        sql="SELECT count(*) FROM public.customers",
    )
    future = client.scripts.run_sql(sql.id)
    final = future.result(timeout=600)
    echo(
        f"sql script {sql.id} run {future.run_id}: {final.state}; outputs: "
        + ", ".join(o.name for o in final.output)
    )
    long = client.scripts.post_containers(
        required_resources={"cpu": 256, "memory": 512},
        docker_image_name="busybox",
        name="demo long job",
        docker_command="sleep 3600",
    )
    future = client.jobs.run(long.id)
    echo(
        f"job {long.id} run {future.run_id} started; cancel() -> {future.cancel()}; "
        f"state now {client.jobs.get_runs(long.id, future.run_id).state}"
    )
