"""ClicData: connect with OAuth client credentials, nested Basic or an API key; move DataFrames
in and out of data sets; refresh, version, dashboards, schedules, teams and users.

The spec (``specs/clicdata.yaml``) gives every endpoint as ``client.<resource>.<method>``; this
module adds what takes more than one call, keeping the community wrapper's vocabulary
(``Data``, RecId, "rebuild", ``multiple_rows``):

- ``data.get(rec_id)`` / ``data.history(rec_id, version=None)``: every page into one typed
  DataFrame;
- ``data.create_from_dataframe(name, df)`` / ``data.append(rec_id, df)``: dtypes mapped by kind,
  values made JSON-safe, rows sent in chunks under the platform's 500-row cap, and after an
  ambiguous failure the table's row count decides whether a chunk is sent again, so nothing is
  appended twice and nothing is lost;
- ``data.rebuild(rec_id, method=...)``, ``data.delete_rows`` / ``data.update_rows`` with their
  filter body, ``dashboards.thumbnail(id)`` / ``snapshot(id)`` as image bytes.

Every call carries ``api_version`` (versioned API, envelope bodies) unless ``api_version=None``
asks for the legacy API; the workflows read both body styles. A ``{"success": false}`` body is
an error even with HTTP 200 (:class:`ClicDataAPIError`), raised by :class:`ClicDataAuth`, the
one place every response passes through.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any

import httpx

from specclient.client import AsyncClient, AsyncResource, Client, Resource
from specclient.errors import (
    APIError,
    AuthError,
    ForbiddenError,
    NotFoundError,
    ParameterError,
    SpecClientError,
    UnauthorizedError,
)
from specclient.platforms import _base
from specclient.platforms.clicdata.workflows import (
    DEFAULT_API_VERSION,
    INSERT_CAP,
    REFRESH_METHODS,
    AsyncClicDataData,
    ClicDataData,
    payload,
    result_of,
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
    "ClicDataAuth",
    "ClicDataData",
    "AsyncClicDataData",
    "ClicDataDashboards",
    "basic_credentials",
    "connect",
    "connect_async",
    "demo",
]

PLATFORM = "clicdata"
DEFAULT_BASE_URL = "https://api.clicdata.com"

ENV = {
    "client_id": ("CLICDATA_CLIENT_ID",),
    "client_secret": ("CLICDATA_CLIENT_SECRET",),
    "api_key": ("CLICDATA_API_KEY",),
    "username": ("CLICDATA_USERNAME", "CLICDATA_EMAIL"),
    "password": ("CLICDATA_PASSWORD",),
    "base_url": ("CLICDATA_BASE_URL",),
    "api_version": ("CLICDATA_API_VERSION",),
}
ENV_CREDENTIALS_FILE = "CLICDATA_CREDENTIALS_FILE"
# A credentials file may use the argument names or the environment variable names.
FILE_KEYS = {name: (name, *names) for name, names in ENV.items()}
OWN_OPTIONS = (
    "client_id",
    "client_secret",
    "api_key",
    "username",
    "password",
    "api_version",
    "creds_path",
    "page_size",
)
_VERSION = re.compile(r"^\d{4}\.\d{1,2}$")
_FAILED_ENVELOPE = re.compile(rb'"success"\s*:\s*false')
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- errors ----------------------------------------------------------------------------------------


class ClicDataAPIError(APIError):
    """ClicData said ``{"success": false, "error": {code, description}}`` (even with HTTP 200)."""

    def __init__(
        self, message: str, *, code: str = "", description: str = "", **kwargs: Any
    ) -> None:
        self.code = code
        self.description = description
        super().__init__(message, **kwargs)


class ClicDataAuthError(ClicDataAPIError, UnauthorizedError):
    """The envelope says the credentials were refused."""


class ClicDataScopeError(ClicDataAPIError, ForbiddenError):
    """The credentials lack a scope the call needs (``Missing scope``)."""


class ClicDataNotFoundError(ClicDataAPIError, NotFoundError):
    """The envelope says the object does not exist."""


def _envelope_error_class(code: str, description: str) -> type[ClicDataAPIError]:
    lowered = f"{code} {description}".lower()
    if "scope" in lowered or code in ("403", "forbidden"):
        return ClicDataScopeError
    if code.lower() in ("401", "unauthorized", "token_expired", "invalid_token"):
        return ClicDataAuthError
    if code.lower() in ("404", "notfound", "not_found"):
        return ClicDataNotFoundError
    return ClicDataAPIError


def check_envelope(response: httpx.Response) -> None:
    """Raise :class:`ClicDataAPIError` for a 2xx reply whose body says ``success: false``.

    A regular expression looks for the flag first, so a million rows of good pages are not
    parsed twice; only a body that may be a failure is decoded to make sure.
    """
    if not 200 <= response.status_code < 300:
        return  # the engine turns error statuses into APIError by status
    content = response.content
    if not content or not _FAILED_ENVELOPE.search(content):
        return
    try:
        body = json.loads(content)
    except ValueError:
        return
    if not isinstance(body, Mapping) or body.get("success") is not False:
        return
    error: Mapping[str, Any] = body["error"] if isinstance(body.get("error"), Mapping) else {}
    code = str(error.get("code", "") or "")
    description = str(error.get("description", "") or "")
    cls = _envelope_error_class(code, description)
    request = response.request
    raise cls(
        f"ClicData refused the call: {code or 'error'}: {description or 'no description'}",
        code=code,
        description=description,
        status_code=response.status_code,
        method=request.method,
        url=str(request.url),
        response_excerpt=response.text,
        request_id=response.headers.get("x-request-id"),
        body=body,
    )


# -- auth ------------------------------------------------------------------------------------------


class ClicDataAuth(httpx.Auth):
    """Wrap the credentials' auth: add ``api_version`` to each call and check the envelope.

    Every request the client sends with credentials passes through an ``httpx.Auth``, for sync
    and async alike, so this is the one place both jobs can be done without changing the engine.
    The token request of OAuth (sent by the inner auth) is left as it is.
    """

    def __init__(self, inner: httpx.Auth | None, api_version: str | None) -> None:
        self.inner = inner if inner is not None else httpx.Auth()
        self.api_version = api_version

    def __repr__(self) -> str:
        return f"ClicDataAuth({type(self.inner).__name__}, api_version={self.api_version!r})"

    def _prepare(self, request: httpx.Request) -> None:
        if self.api_version and "api_version" not in request.url.params:
            request.url = request.url.copy_add_param("api_version", self.api_version)

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self._prepare(request)
        flow = self.inner.sync_auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            try:
                outgoing = flow.send(response)
            except StopIteration:
                break
        response.read()
        check_envelope(response)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self._prepare(request)
        flow = self.inner.async_auth_flow(request)
        outgoing = await flow.__anext__()
        while True:
            response = yield outgoing
            try:
                outgoing = await flow.asend(response)
            except StopAsyncIteration:
                break
        await response.aread()
        check_envelope(response)


def basic_credentials(client_id: str, username: str, password: str) -> str:
    """ClicData's Basic value: ``base64(client_id + ":" + base64(email + ":" + password))``.

    The wrapper dropped the ``:`` and added ``str`` to ``bytes`` (a TypeError); the inner pair
    must be encoded first, then the whole.
    """
    inner = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return "Basic " + base64.b64encode(f"{client_id}:{inner}".encode()).decode("ascii")


def _credentials_auth(values: Mapping[str, Any], base_url: str, clock: Any) -> httpx.Auth:
    from specclient import auth as auth_module

    if values.get("api_key"):
        return auth_module.APIKey(values["api_key"], header="CLICDATA-API-KEY")
    if values.get("username") or values.get("password"):
        for name in ("client_id", "username", "password"):
            _base.require(values.get(name), platform=PLATFORM, argument=name, env=ENV[name])
        # ClicData's Basic nests a base64 pair inside the password position (see
        # basic_credentials); the standard Basic auth then encodes the outer pair.
        inner = base64.b64encode(f"{values['username']}:{values['password']}".encode()).decode()
        return auth_module.Basic(values["client_id"], inner)
    if values.get("client_id") or values.get("client_secret"):
        for name in ("client_id", "client_secret"):
            _base.require(values.get(name), platform=PLATFORM, argument=name, env=ENV[name])
        options: dict[str, Any] = {"client_auth": "form", "refresh_margin": 60}
        if clock is not None:
            options["clock"] = clock
        return auth_module.OAuth2ClientCredentials(
            values["client_id"],
            values["client_secret"],
            base_url.rstrip("/") + "/oauth20/token",
            **options,
        )
    raise AuthError(
        "clicdata: no credentials: pass client_id= and client_secret= (OAuth), api_key=, or "
        "client_id=, username= and password= (Basic); or set CLICDATA_CLIENT_ID and "
        "CLICDATA_CLIENT_SECRET, or CLICDATA_API_KEY; or name a YAML file in "
        f"creds_path= / {ENV_CREDENTIALS_FILE}"
    )


def _resolve(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split and resolve ``connect()`` options; returns (client options, ClicData settings)."""
    import os

    common, own = _base.split_options(PLATFORM, options, OWN_OPTIONS)
    path = own.get("creds_path") or os.environ.get(ENV_CREDENTIALS_FILE)
    file_values = _base.read_credentials_file(path) if path else {}
    values = {
        name: _base.credential(
            own.get(name), env=ENV[name], file_values=file_values, file_keys=FILE_KEYS[name]
        )
        for name in ("client_id", "client_secret", "api_key", "username", "password")
    }
    base_url = _base.credential(
        common.get("base_url"),
        env=ENV["base_url"],
        file_values=file_values,
        file_keys=FILE_KEYS["base_url"],
    )
    common["base_url"] = base_url or DEFAULT_BASE_URL
    if "api_version" in own:
        api_version = own["api_version"]
    else:
        api_version = (
            _base.credential(
                None,
                env=ENV["api_version"],
                file_values=file_values,
                file_keys=FILE_KEYS["api_version"],
            )
            or DEFAULT_API_VERSION
        )
    if api_version is not None and not (
        isinstance(api_version, str) and _VERSION.match(api_version)
    ):
        raise ParameterError(
            "connect('clicdata')",
            f"api_version must look like 2025.3 or 2022.01 (or None for the "
            f"legacy API), not {api_version!r}",
            "api_version",
        )
    page_size = own.get("page_size", 1000)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise ParameterError(
            "connect('clicdata')", "page_size must be a whole number >= 1", "page_size"
        )
    inner = common.get("auth")
    if inner is None:
        inner = _credentials_auth(values, common["base_url"], common.get("clock"))
    common["auth"] = ClicDataAuth(inner, api_version)
    return common, {"api_version": api_version, "page_size": page_size}


_payload = payload
_result = result_of


def _image_bytes(response: httpx.Response, what: str) -> bytes:
    body = _payload(response)
    text = _result(body)
    if isinstance(text, Mapping):
        text = text.get("image") or text.get("thumbnail") or text.get("snapshot")
    if not isinstance(text, str):
        raise SpecClientError(f"{what}: ClicData sent no base64 image")
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise SpecClientError(f"{what}: ClicData's image is not valid base64") from None


class ClicDataDashboards(Resource):
    """``client.dashboards``: thumbnails and snapshots come back as image bytes (PNG)."""

    def thumbnail(self, id: int) -> bytes:  # noqa: A002 - the spec's own parameter name
        """The dashboard's thumbnail, decoded from base64: PNG bytes."""
        return _image_bytes(self.method("thumbnail")(id, return_type="raw"), "dashboards.thumbnail")

    def snapshot(self, id: int) -> bytes:  # noqa: A002
        """A full-size snapshot of the dashboard, decoded from base64: PNG bytes."""
        return _image_bytes(self.method("snapshot")(id, return_type="raw"), "dashboards.snapshot")


RESOURCE_CLASSES: dict[str, type] = {"data": ClicDataData, "dashboards": ClicDataDashboards}


class AsyncClicDataDashboards(AsyncResource):
    """``client.dashboards`` on an AsyncClient: image bytes, as the sync one."""

    async def thumbnail(self, id: int) -> bytes:  # noqa: A002
        return _image_bytes(
            await self.method("thumbnail")(id, return_type="raw"), "dashboards.thumbnail"
        )

    async def snapshot(self, id: int) -> bytes:  # noqa: A002
        return _image_bytes(
            await self.method("snapshot")(id, return_type="raw"), "dashboards.snapshot"
        )


ASYNC_RESOURCE_CLASSES: dict[str, type] = {
    "data": AsyncClicDataData,
    "dashboards": AsyncClicDataDashboards,
}


# -- connect ---------------------------------------------------------------------------------------


def connect(**options: Any) -> Client:
    """A ClicData client.

    Parameters
    ----------
    client_id, client_secret : str, optional
        OAuth client credentials (``CLICDATA_CLIENT_ID`` / ``CLICDATA_CLIENT_SECRET``).
    api_key : str, optional
        Sent as ``CLICDATA-API-KEY`` (``CLICDATA_API_KEY``); wins over the others.
    username, password : str, optional
        With ``client_id``: ClicData's nested Basic (``CLICDATA_USERNAME``/``CLICDATA_PASSWORD``).
    api_version : str or None
        Sent on every call (default ``2025.3``, or ``CLICDATA_API_VERSION``); ``None`` talks to
        the legacy API.
    page_size : int
        Rows per page when reading on the versioned API (default 1000).
    creds_path : str, optional
        A YAML file with the same keys, or the environment variable names.
    base_url, auth, timeout, max_retries, return_type, spec, http, clock
        As for every client.
    """
    common, settings = _resolve(dict(options))
    client = _base.build_client(
        Client,
        default_spec=_bundled_spec(),
        default_base_url=DEFAULT_BASE_URL,
        auth=None,
        common=common,
        resource_classes=RESOURCE_CLASSES,
    )
    client.clicdata_settings = settings
    return client


def connect_async(**options: Any) -> AsyncClient:
    """The :class:`~specclient.AsyncClient` twin of :func:`connect` (same options)."""
    common, settings = _resolve(dict(options))
    client = _base.build_client(
        AsyncClient,
        default_spec=_bundled_spec(),
        default_base_url=DEFAULT_BASE_URL,
        auth=None,
        common=common,
        resource_classes=ASYNC_RESOURCE_CLASSES,
    )
    client.clicdata_settings = settings
    return client


def _bundled_spec() -> Any:
    from specclient._resources import bundled_spec

    return bundled_spec(PLATFORM)


# -- demo ------------------------------------------------------------------------------------------


def demo(client: Client, echo: Callable[[str], None]) -> None:
    """List data sets, round-trip a DataFrame, append, rebuild, trigger a schedule, thumbnail."""
    import pandas as pd

    tables = _result(_payload(client.data.list(return_type="raw")), "data") or []
    echo(f"data sets: {', '.join(t['name'] for t in tables)}")
    frame = pd.DataFrame(
        {
            "city": ["Montreal", "Lyon", "Austin"],
            "visits": pd.array([120, None, 75], dtype="Int64"),
            "share": [0.5, 0.25, float("nan")],
            "active": [True, False, True],
            "seen": pd.to_datetime(["2025-01-02 10:00", None, "2025-03-04 08:30"], utc=True),
        }
    )
    taken = {t["name"] for t in tables}
    name = next(
        f"specclient demo {n}".strip()
        for n in ["", *range(2, 1000)]
        if f"specclient demo {n}".strip() not in taken
    )
    rec_id = client.data.create_from_dataframe(name, frame, progress=False)
    echo(f"created data set {rec_id} from a {len(frame)}-row DataFrame")
    back = client.data.get(rec_id)
    echo(f"read back {len(back)} rows: {', '.join(f'{c}:{t}' for c, t in back.dtypes.items())}")
    appended = client.data.append(rec_id, frame.iloc[[0, 2]], progress=False)
    echo(f"appended {appended} rows: {client.data.row_count(rec_id)} rows now")
    deleted = client.data.delete_rows(rec_id, {"city": "Lyon"})
    echo(f"deleted {deleted} row(s) where city == 'Lyon'")
    sales = next((t for t in tables if t["name"] == "Sales"), tables[0] if tables else None)
    if sales is not None:
        client.data.rebuild(sales["id"], method="rebuild")
        echo(
            f"rebuilt {sales['name']!r}: {client.data.row_count(sales['id'])} rows, "
            f"{len(client.data.history(sales['id']))} version(s)"
        )
    schedules = _result(_payload(client.schedules.list(return_type="raw")), "schedules") or []
    if schedules:
        run = _result(_payload(client.schedules.trigger(schedules[0]["id"], return_type="raw")))
        echo(f"triggered schedule {schedules[0]['name']!r}: {run}")
    dashboards = _result(_payload(client.dashboards.list(return_type="raw")), "dashboards") or []
    if dashboards:
        image = client.dashboards.thumbnail(dashboards[0]["id"])
        kind = "PNG" if image.startswith(_PNG_SIGNATURE) else "unknown data"
        echo(f"thumbnail of {dashboards[0]['name']!r}: {len(image)} bytes of {kind}")
