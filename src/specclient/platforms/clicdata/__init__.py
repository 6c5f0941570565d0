"""ClicData: connect with an API key, ClicData's nested Basic or OAuth client credentials; move
DataFrames in and out of data sets; refresh (a future; never replayed after a lost reply), version, dashboards, schedules,
teams and users.

The spec (``specs/clicdata.yaml``) gives every endpoint, its three security schemes (tried in
its order: API key, Basic, OAuth) and its error envelope (``{"success": false}`` with HTTP 200
is an error: :class:`ClicDataAPIError`). This declaration adds what a spec cannot say:

- where credentials come from (``CLICDATA_*`` variables, a YAML file ``creds_path=`` /
  ``CLICDATA_CREDENTIALS_FILE`` with the argument or variable names);
- the nested Basic password (``base64(email:password)`` in the password position);
- ``api_version`` on every call (a request event hook): by default what the public clients send,
  per operation (the spec's ``x-api-version``, else activepieces' ``2022.01``); ``None`` for the
  legacy API;
- the workflows (:mod:`.workflows`): ``data.get`` / ``history`` / ``create_from_dataframe`` /
  ``append`` (never twice) / ``rebuild`` / ``delete_rows`` / ``update_rows``, dashboards' images.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from specclient.errors import AuthError, ParameterError

from .._platform import Connection, Credential, Platform, Setting
from .dashboards import AsyncClicDataDashboards, ClicDataDashboards
from .demo import demo
from .errors import (
    ENVELOPE_ERRORS,
    AppendInterrupted,
    ClicDataAPIError,
    ClicDataAuthError,
    ClicDataNotFoundError,
    ClicDataScopeError,
)
from .refresh import RefreshFuture, RefreshLost
from .schedules import (
    AsyncClicDataSchedules,
    ClicDataSchedules,
    ScheduleRunFuture,
    ScheduleTriggerLost,
)
from .tables import AsyncClicDataTables, ClicDataTables
from .workflows import (
    DEFAULT_API_VERSION,
    INSERT_CAP,
    REFRESH_METHODS,
    AsyncClicDataData,
    ClicDataData,
)

__all__ = [
    "PLATFORM",
    "DEFAULT_BASE_URL",
    "DEFAULT_API_VERSION",
    "INSERT_CAP",
    "REFRESH_METHODS",
    "ClicDataAPIError",
    "ClicDataAuthError",
    "ClicDataScopeError",
    "ClicDataNotFoundError",
    "AppendInterrupted",
    "ClicDataData",
    "AsyncClicDataData",
    "ClicDataDashboards",
    "AsyncClicDataDashboards",
    "ClicDataSchedules",
    "AsyncClicDataSchedules",
    "ScheduleRunFuture",
    "ScheduleTriggerLost",
    "ClicDataTables",
    "AsyncClicDataTables",
    "RefreshFuture",
    "RefreshLost",
    "basic_credentials",
    "connect",
    "connect_async",
    "demo",
]

DEFAULT_BASE_URL = "https://api.clicdata.com"
ENV_CREDENTIALS_FILE = "CLICDATA_CREDENTIALS_FILE"
_VERSION = re.compile(r"^\d{4}\.\d{1,2}$")
#: ``api_version``'s default: per operation, the version public clients send there
AUTO_API_VERSION = "auto"


def basic_credentials(client_id: str, username: str, password: str) -> str:
    """ClicData's Basic value: ``base64(client_id + ":" + base64(email + ":" + password))``.

    The wrapper dropped the ``:`` and added ``str`` to ``bytes`` (a TypeError); the inner pair
    must be encoded first, then the whole.
    """
    return "Basic " + base64.b64encode(
        f"{client_id}:{_inner_password(username, password)}".encode()
    ).decode("ascii")


def _inner_password(username: str, password: str) -> str:
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def _api_version(value: Any) -> Any:
    if (
        value is not None
        and value != AUTO_API_VERSION
        and not (isinstance(value, str) and _VERSION.match(value))
    ):
        raise ParameterError(
            "connect('clicdata')",
            f"api_version must look like 2025.3 or 2022.01 ('auto': per operation, what public "
            f"clients send; None: the legacy API), not {value!r}",
            "api_version",
        )
    return value


def _page_size(value: Any) -> int | None:
    # None: the largest page the platform allows (the spec's maximum for page_size)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        raise ParameterError(
            "connect('clicdata')",
            "page_size must be a whole number >= 1 (None: the largest the API allows)",
            "page_size",
        )
    return value


def _auth(conn: Connection) -> Any:
    """The spec's schemes in its order; ClicData's Basic nests ``base64(email:password)`` in
    the password position, which the spec can only describe in words."""
    given = conn.credentials
    inputs: dict[str, dict[str, Any]] = {
        "apiKey": {"value": given["api_key"]},
        "oauth2": {"client_id": given["client_id"], "client_secret": given["client_secret"]},
    }
    if not given["api_key"] and (given["username"] or given["password"]):
        for name in ("client_id", "username", "password"):
            conn.require(name)
        inner = _inner_password(given["username"], given["password"])
        inputs["basic"] = {"username": given["client_id"], "password": inner}
    auth = conn.spec_auth(inputs)
    if auth is None and (given["client_id"] or given["client_secret"]):
        for name in ("client_id", "client_secret"):
            conn.require(name)
    if auth is None:
        raise AuthError(
            "clicdata: no credentials: pass client_id= and client_secret= (OAuth), api_key=, or "
            "client_id=, username= and password= (Basic); or set CLICDATA_CLIENT_ID and "
            "CLICDATA_CLIENT_SECRET, or CLICDATA_API_KEY; or name a YAML file in "
            f"creds_path= / {ENV_CREDENTIALS_FILE}"
        )
    return auth


def _auth_options(conn: Connection) -> dict[str, Any]:
    oauth: dict[str, Any] = {"client_auth": "form", "refresh_margin": 60}
    if conn.options.get("clock") is not None:
        oauth["clock"] = conn.options["clock"]
    return {"oauth2": oauth}


class AddApiVersion:
    """A request event hook: ``api_version=<version>`` on every call that has none; with a
    ``spec``, the version its operation's ``x-api-version`` names where it names one."""

    def __init__(self, version: str, spec: Any = None) -> None:
        self.version = version
        self._spec = spec
        self._per_operation: tuple[tuple[str, re.Pattern[str], str], ...] | None = None

    def version_for(self, verb: str, path: str) -> str:
        if self._per_operation is None:  # on the first call: connecting reads no operation
            found = operation_versions(self._spec) if self._spec is not None else []
            self._per_operation = tuple(found)
        for method, pattern, version in self._per_operation:
            if method == verb.lower() and pattern.search(path):
                return version
        return self.version

    def __call__(self, request: Any) -> None:
        if "api_version" not in request.url.params:
            version = self.version_for(request.method, request.url.path)
            request.url = request.url.copy_add_param("api_version", version)

    def __repr__(self) -> str:
        return f"AddApiVersion({self.version!r}, per_operation={self._spec is not None})"


def operation_versions(spec: Any) -> list[tuple[str, re.Pattern[str], str]]:
    """(verb, pattern matching the end of a request path, version) for each operation whose
    ``x-api-version`` names the version public clients send there."""
    found = []
    for operation in spec.all_operations():
        version = operation.extensions.get("x-api-version")
        if isinstance(version, str) and _VERSION.match(version):
            parts = re.split(r"\{[^}]+\}", operation.path)
            pattern = re.compile("[^/]+".join(map(re.escape, parts)) + "$")
            found.append((operation.verb, pattern, version))
    return found


def _prepare(conn: Connection) -> None:
    version = conn.settings["api_version"]
    if version is None:
        return
    if version == AUTO_API_VERSION:
        hook = AddApiVersion(DEFAULT_API_VERSION, conn.spec())
    else:
        hook = AddApiVersion(version)
    hooks = dict(conn.options.get("event_hooks") or {})
    hooks["request"] = [*(hooks.get("request") or ()), hook]
    conn.options["event_hooks"] = hooks


def _credential(argument: str, *env: str, secret: bool = True) -> Credential:
    return Credential(argument, env=env, secret=secret)


PLATFORM = Platform(
    name="clicdata",
    spec="clicdata",
    base_url=DEFAULT_BASE_URL,
    base_url_env=("CLICDATA_BASE_URL",),
    credentials_file_env=ENV_CREDENTIALS_FILE,
    credentials=(
        _credential("client_id", "CLICDATA_CLIENT_ID", secret=False),
        _credential("client_secret", "CLICDATA_CLIENT_SECRET"),
        _credential("api_key", "CLICDATA_API_KEY"),
        _credential("username", "CLICDATA_USERNAME", "CLICDATA_EMAIL", secret=False),
        _credential("password", "CLICDATA_PASSWORD"),
    ),
    settings=(
        Setting(
            "api_version",
            AUTO_API_VERSION,
            _api_version,
            env=("CLICDATA_API_VERSION",),
            file_keys=("api_version", "CLICDATA_API_VERSION"),
        ),
        Setting("page_size", None, _page_size),
    ),
    auth=_auth,
    auth_options=_auth_options,
    prepare=_prepare,
    envelope_errors=ENVELOPE_ERRORS,
    resources={
        "data": ClicDataData,
        "dashboards": ClicDataDashboards,
        "schedules": ClicDataSchedules,
        "tables": ClicDataTables,
    },
    async_resources={
        "data": AsyncClicDataData,
        "dashboards": AsyncClicDataDashboards,
        "schedules": AsyncClicDataSchedules,
        "tables": AsyncClicDataTables,
    },
    emulator="specclient.emulators.clicdata",
    demo=demo,
)

connect, connect_async = PLATFORM.connect, PLATFORM.connect_async
