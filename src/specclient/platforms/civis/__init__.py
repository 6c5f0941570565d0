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

from specclient.errors import AuthError, ParameterError
from specclient.platforms._platform import Connection, Credential, Platform, Setting
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
from specclient.platforms.civis.demo import demo
from specclient.platforms.civis.endpoints import (
    DEFAULT_TTL,
    default_cache_root,
    load_endpoints,
)
from specclient.platforms.civis.errors import (
    CivisAPIError,
    CivisAPIKeyError,
    CivisImmutableResponseError,
    CivisValueError,
    raise_civis_error,
)
from specclient.platforms.civis.lookup import find, find_one, split_schema_tablename
from specclient.platforms.civis.responses import (
    AsyncCivisPaginatedResponse,
    AsyncCivisResource,
    CivisPaginatedResponse,
    CivisResource,
    CivisResponse,
    CivisResponseList,
)
from specclient.platforms.civis.wire import civis_document, civis_python_values

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
    "CivisPaginatedResponse",
    "AsyncCivisPaginatedResponse",
    "CivisAPIError",
    "CivisAPIKeyError",
    "CivisImmutableResponseError",
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
    CivisPaginatedResponse,
    AsyncCivisPaginatedResponse,
):
    _cls.__module__ = __name__
del _cls

DEFAULT_BASE_URL = "https://api.civisanalytics.com"
ENV_API_KEY = "CIVIS_API_KEY"
ENV_BASE_URL = "CIVIS_API_ENDPOINT"  # civis-python's variable for another deployment
ENV_CREDENTIALS_FILE = "CIVIS_CREDENTIALS_FILE"
#: civis-python 2.10's default ``tenacity.Retrying`` stops after 10 attempts: 9 retries
DEFAULT_RETRY_TOTAL = 9


# -- connecting ------------------------------------------------------------------------------------
def _key_auth(api_key: str) -> Any:
    """civis-python's authentication: the key as the Basic user name, empty password.

    The spec's ``api_key`` scheme names the ``Authorization`` header but cannot say the value
    is ``Basic base64(<key>:)``; built as an :class:`~specclient.auth.APIKey` on that header
    rather than :class:`~specclient.auth.Basic`, because here the user name *is* the secret
    and ``Basic`` shows its user name in reprs.
    """
    import binascii  # base64.b64encode's own code, without base64 and struct

    from specclient.auth import APIKey
    from specclient.http.redact import register_secret_value

    # the raw key too, not only the header's base64 form: a caller's own log line, an error
    # quoting a config value or a cassette of the key in a body must mask it as well
    register_secret_value(api_key)
    token = binascii.b2a_base64(f"{api_key}:".encode(), newline=False).decode("ascii")
    return APIKey(token, header="Authorization", prefix="Basic")


def _spec_source(spec: Any, local_api_spec: Any) -> Any:
    if spec is not None and local_api_spec is not None:
        raise ParameterError("connect", "pass spec= or local_api_spec=, not both", "spec")
    chosen = spec if spec is not None else local_api_spec
    is_url = str(chosen).startswith(("http://", "https://"))
    if isinstance(chosen, str | os.PathLike) and not is_url and not os.path.isfile(chosen):
        raise ParameterError("connect", f"spec file {str(chosen)!r} does not exist", "spec")
    return chosen


def _resources(value: Any) -> str:
    if value not in ("base", "all"):
        raise ParameterError(
            "connect", f"resources must be 'base' or 'all', not {value!r}", "resources"
        )
    return str(value)


def _no_tenacity(value: Any) -> None:
    if value is not None:
        raise ParameterError(
            "connect",
            "retries= (a tenacity.Retrying) is not supported; pass retry_total=N or "
            "max_retries=N for the number of retries on 429/502/503/504",
            "retries",
        )


def _spec_ttl(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ParameterError(
            "connect", f"spec_ttl must be a number of seconds >= 0, not {value!r}", "spec_ttl"
        )
    return float(value)


def _user_agent(value: Any) -> Any:
    from specclient.options import check_headers

    if value is not None:
        if not isinstance(value, str):
            raise ParameterError(
                "connect", f"user_agent must be a str, not {type(value).__name__}", "user_agent"
            )
        check_headers({"User-Agent": value}, "connect", "user_agent")
    return value


def _is_async_http(http: Any) -> bool:
    """Only async (an ``httpx.MockTransport`` is both: it serves the spec fetch too)."""
    import httpx

    return isinstance(http, httpx.AsyncClient) or (
        isinstance(http, httpx.AsyncBaseTransport) and not isinstance(http, httpx.BaseTransport)
    )


def _check_before_fetching(conn: Connection) -> None:
    """The shared options and the key, checked as the client will check them, but before
    ``/endpoints`` is asked: bad input sends nothing (issue 12), not even the spec fetch."""
    from specclient.options import ClientOptions, check_base_url

    where = "connect('civis')"
    key = conn.credentials.get("api_key")
    if key is not None and not isinstance(key, str):
        # the type only: the value is a secret
        raise ParameterError(where, f"api_key must be a str, not {type(key).__name__}", "api_key")
    options = conn.options
    check_base_url(options["base_url"], where)  # from CIVIS_API_ENDPOINT too
    names = set(ClientOptions.names()) - {"auth"}
    ClientOptions(**{k: v for k, v in options.items() if k in names})


def _prepare(conn: Connection) -> None:
    """civis-python's checks, then the spec: fetched from ``/endpoints`` (cached on disk)
    unless ``spec=`` / ``local_api_spec=`` gives one. Everything is checked before the fetch."""
    options, settings = conn.options, conn.settings
    max_retries, retry_total = options.get("max_retries"), settings["retry_total"]
    if max_retries is not None and retry_total is not None and max_retries != retry_total:
        raise ParameterError(
            "connect", "max_retries and retry_total disagree; pass one", "retry_total"
        )
    local = settings["local_api_spec"]
    if settings["force_refresh_api_spec"] and (options.get("spec") is not None or local):
        raise ParameterError(
            "connect",
            "you cannot provide a local spec and force a refresh "
            "of the fetched one at the same time",
            "force_refresh_api_spec",
        )
    # Checked here, before /endpoints is fetched, not only when the client is built.
    return_type = options.get("return_type", "snake")
    if return_type not in ("snake", "raw", "pandas", "arrow"):
        raise CivisValueError(  # a ValueError, as civis-python's APIClient raises
            "connect",
            f"return_type must be 'snake', 'raw', 'pandas' or 'arrow', not {return_type!r}",
            "return_type",
        )
    source = _spec_source(options.get("spec"), local)
    retries = next((n for n in (retry_total, max_retries) if n is not None), DEFAULT_RETRY_TOTAL)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ParameterError(
            "connect", f"retry_total must be a whole number >= 0, not {retries!r}", "retry_total"
        )
    options["max_retries"] = retries
    if options.get("retry") is None:
        options["retry"] = _retry_policy(retries)
    hooks = dict(options.get("event_hooks") or {})
    hooks["response"] = [*(hooks.get("response") or ()), raise_civis_error]
    options["event_hooks"] = hooks
    _check_before_fetching(conn)
    key = conn.require("api_key") if options.get("auth") is None else conn.credentials["api_key"]
    if source is None:
        if not key:
            raise AuthError("fetching the Civis spec needs api_key=... (or pass spec=...)")
        http = options.get("http")
        source = load_endpoints(
            options["base_url"],
            key,
            api_version=settings["api_version"],
            http=None if _is_async_http(http) else http,
            cache_dir=settings["spec_cache_dir"],
            ttl=settings["spec_ttl"],
            force_refresh=settings["force_refresh_api_spec"],
            timeout=options.get("timeout", 30.0),
            clock=options.get("clock"),
        )
    elif settings["api_version"] != "1.0":
        raise ValueError(
            f"APIClient api_version must be one of {{'1.0'}}: {settings['api_version']!r}"
        )
    cache_dir = settings["spec_cache_dir"]
    options["spec"] = civis_document(source, cache_dir or default_cache_root())
    if settings["user_agent"]:
        options["headers"] = {
            **(options.get("headers") or {}),
            "User-Agent": settings["user_agent"],
        }


def _retry_policy(retries: int) -> Any:
    """civis-python 2.10's retrying (``civis._retries``), with the engine's one policy.

    Waits a random time up to 2, 4, 8 ... s capped at 60 s (``wait_random_exponential(
    multiplier=2, max=60)``), or the server's ``Retry-After`` however long, as civis-python
    (which waits ``max(Retry-After, backoff)``). A POST is sent again after a 429 or a 503:
    both are refusals to handle the request (RFC 9110 15.5.23 / 15.6.4), and Civis answers 503
    from its load balancer or maintenance mode before any handler runs; civis-python retries
    POST on exactly these two (docs/DECISIONS.md).
    """
    from specclient.http.retry import RetryPolicy

    return RetryPolicy(
        max_retries=retries,
        backoff_base=2.0,
        backoff_max=60.0,
        max_retry_after=float("inf"),
        resend_statuses=frozenset({429, 503}),
    )


def _naming() -> Any:
    from specclient.openapi import CIVIS_PYTHON

    return CIVIS_PYTHON


PLATFORM = Platform(
    name="civis",
    spec="civis",
    base_url=DEFAULT_BASE_URL,
    base_url_env=(ENV_BASE_URL,),
    credentials_file_env=ENV_CREDENTIALS_FILE,
    credentials=(Credential("api_key", env=(ENV_API_KEY,)),),
    settings=(
        Setting("retry_total"),
        Setting("retries", check=_no_tenacity),
        Setting("local_api_spec"),
        Setting("api_version", "1.0"),
        Setting("force_refresh_api_spec", False),
        Setting("spec_cache_dir"),
        Setting("spec_ttl", DEFAULT_TTL, _spec_ttl),
        Setting("user_agent", None, _user_agent),
        Setting("resources", "base", _resources),
    ),
    prepare=_prepare,
    auth=lambda conn: _key_auth(conn.require("api_key")),
    client=CivisClient,
    async_client=AsyncCivisClient,
    resources=RESOURCE_CLASSES,
    async_resources=ASYNC_RESOURCE_CLASSES,
    naming=_naming(),
    response_class=CivisResponse,
    value_coercion=civis_python_values,
    emulator="specclient.emulators.civis",
    live_spec=True,
    demo=demo,
)

connect, connect_async = PLATFORM.connect, PLATFORM.connect_async


def APIClient(  # noqa: N802 - named after the class it stands in for
    api_key: str | None = None,
    return_type: str = "snake",
    api_version: str = "1.0",
    local_api_spec: Any = None,
    force_refresh_api_spec: bool = False,
    retries: Any = None,
    user_agent: str | None = None,
    *,
    retry_total: int = DEFAULT_RETRY_TOTAL,
    resources: str = "base",
    **options: Any,
) -> CivisClient:
    """``civis.APIClient``'s signature (civis-python 2.10.1's positional order), returning a
    :class:`CivisClient`.

    Lets ``from specclient.platforms.civis import APIClient`` replace ``from civis import
    APIClient`` in existing code. ``return_type="pandas"`` is an extension (list answers as
    DataFrames); ``retries=`` (a ``tenacity.Retrying``) is refused in favour of
    ``retry_total=N``; civis-python 1.x's ``retry_total`` and ``resources`` are keyword-only
    here. Other keyword options are :func:`connect`'s.
    """
    return connect(  # type: ignore[no-any-return]
        api_key=api_key,
        return_type=return_type,
        api_version=api_version,
        local_api_spec=local_api_spec,
        force_refresh_api_spec=force_refresh_api_spec,
        retries=retries,
        user_agent=user_agent,
        retry_total=retry_total,
        resources=resources,
        **options,
    )


def run_job(job_id: int, client: CivisClient, polling_interval: float | None = None) -> CivisFuture:
    """Start a run of any Civis job and return a future on it (``civis.utils.run_job``).

    With an :class:`AsyncCivisClient`, ``await run_job(job_id, client)`` gives an
    :class:`AsyncCivisFuture`.
    """
    return client.jobs.run(job_id, polling_interval=polling_interval)


TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    from specclient.platforms.civis.async_futures import AsyncCivisFuture
    from specclient.platforms.civis.futures import CivisFuture, CivisJobFailure

#: loaded on first use: the futures bring polling and threads, and AsyncCivisFuture asyncio,
#: which a client that never starts a run does not pay for
_LAZY = {
    "CivisFuture": "specclient.platforms.civis.futures",
    "CivisJobFailure": "specclient.platforms.civis.futures",
    "AsyncCivisFuture": "specclient.platforms.civis.async_futures",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
