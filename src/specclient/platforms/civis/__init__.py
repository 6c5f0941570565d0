"""Civis Platform: the client civis-python builds, from the spec Civis serves at ``/endpoints``.

``connect("civis")`` fetches the spec like civis-python (cached on disk, see
:mod:`specclient.platforms.civis.endpoints`), builds a client with civis-python's names
(:data:`specclient.openapi.naming.CIVIS_PYTHON`), and adds what civis-python's ``APIClient`` adds
on top of the spec: the ID helpers (``get_database_id`` ...), ``username``,
``default_database_credential_id``, and futures for job and script runs
(:class:`~specclient.platforms.civis.futures.CivisFuture`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specclient._clock import Clock
from specclient.errors import AuthError, ParameterError
from specclient.platforms.civis.client import (
    ASYNC_RESOURCE_CLASSES,
    RESOURCE_CLASSES,
    AsyncCivisClient,
    AsyncCivisJobs,
    AsyncCivisScripts,
    CivisClient,
    CivisJobs,
    CivisScripts,
)
from specclient.platforms.civis.endpoints import DEFAULT_TTL, load_endpoints
from specclient.platforms.civis.futures import CivisFuture, CivisJobFailure
from specclient.platforms.civis.lookup import find, find_one, split_schema_tablename
from specclient.platforms.civis.responses import (
    AsyncCivisResource,
    CivisResource,
    CivisResponse,
    CivisResponseList,
)

__all__ = [
    "PLATFORM",
    "DEFAULT_BASE_URL",
    "CivisClient",
    "AsyncCivisClient",
    "CivisFuture",
    "AsyncCivisFuture",
    "CivisJobFailure",
    "CivisResponse",
    "CivisResponseList",
    "CivisResource",
    "AsyncCivisResource",
    "CivisJobs",
    "CivisScripts",
    "AsyncCivisJobs",
    "AsyncCivisScripts",
    "APIClient",
    "connect",
    "connect_async",
    "run_job",
    "split_schema_tablename",
    "find",
    "find_one",
    "demo",
]

# The classes live in small private-by-convention modules; users and generated stubs import
# them from here, so this is the module their names (and pickles, reprs) point to.
for _cls in (
    CivisClient,
    AsyncCivisClient,
    CivisJobs,
    CivisScripts,
    AsyncCivisJobs,
    AsyncCivisScripts,
    CivisResource,
    AsyncCivisResource,
    CivisResponse,
    CivisResponseList,
    CivisFuture,
    CivisJobFailure,
):
    _cls.__module__ = __name__
del _cls

PLATFORM = "civis"
DEFAULT_BASE_URL = "https://api.civisanalytics.com"
ENV_API_KEY = "CIVIS_API_KEY"
ENV_BASE_URL = "CIVIS_API_ENDPOINT"  # civis-python's variable for another deployment
ENV_CREDENTIALS_FILE = "CIVIS_CREDENTIALS_FILE"
FILE_KEYS = ("api_key", ENV_API_KEY)
DEFAULT_RETRY_TOTAL = 6  # civis-python's retry_total default


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
    if return_type not in ("snake", "raw", "pandas", "arrow"):
        raise ParameterError(
            "connect",
            f"return_type must be 'snake', 'raw', 'pandas' or 'arrow', not {return_type!r}",
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
    from specclient.openapi.naming import CIVIS_PYTHON

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
    return_type : {"snake", "raw", "pandas", "arrow"}, optional
        ``"snake"``: :class:`specclient.response.Response` objects; ``"raw"``: the
        ``httpx.Response``; ``"pandas"``: a DataFrame for list answers; ``"arrow"``: a
        ``pyarrow.Table`` (record batches by page with ``iterator=True``).
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
    return AsyncCivisClient(
        source, naming=_naming(), resource_classes=ASYNC_RESOURCE_CLASSES, **client_options
    )


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
    """Start a run of any Civis job and return a future on it (``civis.utils.run_job``).

    With an :class:`AsyncCivisClient`, ``await run_job(job_id, client)`` gives an
    :class:`AsyncCivisFuture`.
    """
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
        + ", ".join(o.output_name for o in final.output)
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


if TYPE_CHECKING:
    from specclient.platforms.civis.async_futures import AsyncCivisFuture


def __getattr__(name: str) -> Any:
    # AsyncCivisFuture loads asyncio; sync users do not pay for it
    if name == "AsyncCivisFuture":
        from specclient.platforms.civis.async_futures import AsyncCivisFuture

        return AsyncCivisFuture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
