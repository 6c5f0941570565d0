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
import sys
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from typing import Any

import httpx

from specclient.client import AsyncClient, AsyncResource, Client, Resource
from specclient.errors import (
    APIError,
    AuthError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ParameterError,
    RateLimitError,
    ServerError,
    SpecClientError,
    TransportError,
    UnauthorizedError,
)
from specclient.platforms import _base
from specclient.platforms.clicdata_frames import (
    check_frame,
    columns_for_frame,
    iter_record_blocks,
    records_to_frame,
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
    "ClicDataDashboards",
    "basic_credentials",
    "connect",
    "connect_async",
    "demo",
]

PLATFORM = "clicdata"
DEFAULT_BASE_URL = "https://api.clicdata.com"
#: activepieces' newest; the format is YYYY.M or YYYY.MM.
DEFAULT_API_VERSION = "2025.3"
#: Rows per insert call: activepieces enforces it; the legacy API gets the same cap to be safe.
INSERT_CAP = 500
#: The five refresh endpoints; "reload" is the wrapper's name for /rebuild.
REFRESH_METHODS = ("recreate", "rebuild", "append", "update", "updateappend")
_REFRESH_ALIASES = {"reload": "rebuild"}

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
    error = body.get("error") if isinstance(body.get("error"), Mapping) else {}
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


# -- envelope helpers ------------------------------------------------------------------------------


def _payload(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _result(body: Any, legacy_key: str | None = None) -> Any:
    """The useful part of a reply in either style: envelope ``result``, or the legacy shape."""
    if isinstance(body, Mapping) and "success" in body and ("result" in body or len(body) <= 2):
        return body.get("result")
    if legacy_key and isinstance(body, Mapping):
        return body.get(legacy_key)
    return body


def _page_done(body: Any, rows: Sequence[Any], page: int, page_size: int | None) -> bool:
    """Whether ``page`` was the last one, by the versioned rules or the legacy flag."""
    if isinstance(body, Mapping) and "success" in body:
        block = body.get("pagination") or {}
        if "has_more_results" in block:
            return not block["has_more_results"]
        if block.get("last_page") is not None:
            return page >= int(block["last_page"])
        size = block.get("page_size") or page_size
        return not rows or (size is not None and len(rows) < int(size))
    if isinstance(body, Mapping) and "has_more_data" in body:
        return not body["has_more_data"]
    return not rows


# -- progress --------------------------------------------------------------------------------------


def _progress_bar(total: int, progress: bool | None, desc: str) -> Any:
    from tqdm.auto import tqdm

    # None: tqdm shows the bar only when stderr is a terminal (never in CI logs or notebooks'
    # captured output); True/False force it.
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    return tqdm(total=total, unit="rows", desc=desc, disable=disable, leave=False)


# -- workflows -------------------------------------------------------------------------------------


class ClicDataData(Resource):
    """``client.data``: the spec's data-set endpoints plus DataFrame workflows."""

    @property
    def _settings(self) -> dict[str, Any]:
        return getattr(
            self._client,
            "clicdata_settings",
            {"api_version": DEFAULT_API_VERSION, "page_size": 1000},
        )

    @property
    def _legacy(self) -> bool:
        return self._settings.get("api_version") is None

    # reading -----------------------------------------------------------------------------

    def describe(self, rec_id: int) -> dict[str, Any]:
        """The data set's metadata (name, columns with their types, row count when given).

        Raises
        ------
        specclient.errors.NotFoundError
            No data set has this RecId.
        """
        body = _payload(self.method("list")(return_type="raw"))
        for item in _result(body, "data") or []:
            if str(item.get("id", item.get("rec_id", item.get("RecId")))) == str(rec_id):
                return dict(item)
        raise NotFoundError(
            f"ClicData has no data set with RecId {rec_id}",
            status_code=404,
            method="GET",
            url=f"{self._client.base_url}/data",
        )

    def _walk(
        self,
        operation: str,
        *path: Any,
        page_size: int | None = None,
        progress: bool | None = None,
        total: int | None = None,
    ) -> list[dict[str, Any]]:
        size = None if self._legacy else (page_size or self._settings.get("page_size") or 1000)
        method = self.method(operation)
        rows: list[dict[str, Any]] = []
        bar = _progress_bar(total or 0, progress, "reading")
        try:
            page = 1
            while True:
                kwargs: dict[str, Any] = {"page": page, "return_type": "raw"}
                if size is not None:
                    kwargs["page_size"] = size
                # An error on any page raises: the wrapper printed it and returned half the rows.
                body = _payload(method(*path, **kwargs))
                chunk = _result(body, "data") or []
                rows.extend(chunk)
                bar.update(len(chunk))
                if _page_done(body, chunk, page, size):
                    return rows
                page += 1
        finally:
            bar.close()

    def get(
        self, rec_id: int, *, page_size: int | None = None, progress: bool | None = None
    ) -> Any:
        """Every row of a data set as one DataFrame, typed from the table's column types.

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        page_size : int, optional
            Rows per request on the versioned API (the client's ``page_size`` by default).
        progress : bool, optional
            Show a progress bar; by default only when stderr is a terminal.

        Returns
        -------
        pandas.DataFrame
        """
        meta = self.describe(rec_id)
        rows = self._walk(
            "rows", rec_id, page_size=page_size, progress=progress, total=meta.get("row_count")
        )
        return records_to_frame(rows, meta.get("columns"))

    def history(
        self, rec_id: int, version: int | None = None, *, page_size: int | None = None
    ) -> Any:
        """The stored versions of a data set, or the rows of one version (Data History on).

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        version : int, optional
            Without it: one row per version (``version``, ``created_date``, ``reason``,
            ``row_count``). With it: that version's rows, typed like :meth:`get`.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        if version is None:
            body = _payload(self.method("versions")(rec_id, return_type="raw"))
            return pd.DataFrame(list(_result(body, "versions") or []))
        meta = self.describe(rec_id)
        rows = self._walk("version_rows", rec_id, version, page_size=page_size, progress=False)
        return records_to_frame(rows, meta.get("columns"))

    def row_count(self, rec_id: int) -> int:
        """How many rows the data set holds now (one small request on the versioned API)."""
        if not self._legacy:
            body = _payload(self.method("rows")(rec_id, page=1, page_size=1, return_type="raw"))
            block = body.get("pagination") if isinstance(body, Mapping) else None
            if block and block.get("result_total_count") is not None:
                return int(block["result_total_count"])
        count = self.describe(rec_id).get("row_count")
        if count is not None:
            return int(count)
        return len(self._walk("rows", rec_id, progress=False))

    # writing -----------------------------------------------------------------------------

    def create_from_dataframe(
        self,
        name: str,
        df: Any,
        *,
        description: str = "",
        chunk_size: int = INSERT_CAP,
        progress: bool | None = None,
    ) -> int:
        """Create a custom table with a column per DataFrame column, then append the rows.

        Every dtype maps by kind: ints and floats of any width (and nullable ``Int64``) ->
        ``number``; ``bool``/``boolean`` -> ``checkbox``; ``datetime64`` with or without a time
        zone -> ``datetime``; ``category``, ``object``, strings and durations -> ``text``.

        Returns
        -------
        int
            The new data set's RecId.

        Raises
        ------
        specclient.errors.ParameterError
            Before anything is created: not a DataFrame, duplicate or unmappable columns,
            infinite floats, or a bad ``chunk_size``.
        """
        operation = "data.create_from_dataframe"
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(operation, "name must be a non-empty string", "name")
        columns = columns_for_frame(df, operation=operation)
        self._check_chunk_size(chunk_size, operation)
        body = _payload(
            self.method("create")(
                name=name, description=description, columns=columns, return_type="raw"
            )
        )
        created = _result(body)
        rec_id = created.get("id") if isinstance(created, Mapping) else created
        try:
            rec_id = int(str(rec_id).strip())
        except ValueError:
            raise SpecClientError(f"{operation}(): ClicData did not return a RecId") from None
        self.append(
            rec_id,
            df,
            chunk_size=chunk_size,
            progress=progress,
            _known_empty=True,
            _columns=columns,
        )
        return rec_id

    def _check_chunk_size(self, chunk_size: Any, operation: str) -> None:
        if (
            not isinstance(chunk_size, int)
            or isinstance(chunk_size, bool)
            or not 1 <= chunk_size <= INSERT_CAP
        ):
            raise ParameterError(
                operation,
                f"chunk_size must be between 1 and {INSERT_CAP} "
                f"(ClicData's cap per insert call), not {chunk_size!r}",
                "chunk_size",
            )

    def append(
        self,
        rec_id: int,
        df: Any,
        *,
        chunk_size: int = INSERT_CAP,
        progress: bool | None = None,
        max_attempts: int = 5,
        _known_empty: bool = False,
        _columns: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Append a DataFrame's rows, in chunks, exactly once each.

        NaN/NaT/NA become null, timestamps ISO 8601 (UTC with ``Z`` when tz-aware), numpy
        scalars plain JSON numbers. When a chunk fails ambiguously (a 5xx, a timeout, a dropped
        connection: it may or may not have been stored), the table's row count says which: the
        chunk is sent again only if it is not there.

        Parameters
        ----------
        rec_id : int
            The data set's RecId.
        df : pandas.DataFrame
            Its columns must exist in the table.
        chunk_size : int
            Rows per request, at most 500.
        progress : bool, optional
            Progress bar; by default only when stderr is a terminal.
        max_attempts : int
            Sends per chunk before giving up.

        Returns
        -------
        int
            Rows appended.

        Raises
        ------
        specclient.errors.ParameterError
            Before anything is sent, for a bad frame, chunk size or unknown columns.
        specclient.errors.ConflictError
            The row count moved by something else than this chunk (another writer).
        """
        operation = "data.append"
        check_frame(df, operation=operation)
        self._check_chunk_size(chunk_size, operation)
        if _columns is None:
            meta = self.describe(rec_id)
            known = {str(c.get("name")) for c in meta.get("columns") or []}
            unknown = [str(c) for c in df.columns if known and str(c) not in known]
            if unknown:
                raise ParameterError(
                    operation,
                    f"columns {unknown} are not in data set {rec_id} (it has {sorted(known)})",
                    "df",
                )
        expected = 0 if _known_empty else self.row_count(rec_id)
        start = expected
        bar = _progress_bar(len(df), progress, "appending")
        try:
            for names, rows in iter_record_blocks(df):
                for offset in range(0, len(rows), chunk_size):
                    chunk = rows[offset : offset + chunk_size]
                    self._send_chunk(rec_id, names, chunk, expected, max_attempts)
                    expected += len(chunk)
                    bar.update(len(chunk))
        finally:
            bar.close()
        return expected - start

    def _chunk_call(self, rec_id: int, names: list[str], chunk: Sequence[tuple]) -> None:
        # The hot path of a big append posts bytes through client.request (same sender, auth,
        # api_version and envelope check) instead of the spec method: the rows are already
        # JSON-safe, column by column, and the method's per-item argument check would cost
        # about 20 microseconds a row, more than the rest of the client's work together.
        if self._legacy:
            path = f"/data/{int(rec_id)}/row"
            rows: list[Any] = [
                [{"column": n, "value": v} for n, v in zip(names, row, strict=True)]
                for row in chunk
            ]
        else:
            path = f"/data/{int(rec_id)}/insert"
            rows = [dict(zip(names, row, strict=True)) for row in chunk]
        content = json.dumps({"data": rows}, separators=(",", ":"), allow_nan=False).encode()
        self._client.request(
            "POST",
            path,
            content=content,
            idempotent=False,
            headers={"Content-Type": "application/json"},
        )

    def _send_chunk(
        self, rec_id: int, names: list[str], chunk: Sequence[tuple], before: int, max_attempts: int
    ) -> None:
        clock = self._client.clock
        for attempt in range(1, max_attempts + 1):
            try:
                self._chunk_call(rec_id, names, chunk)
                return
            except (ServerError, TransportError, RateLimitError) as exc:
                failure = exc
            # Ambiguous: the server may have stored the chunk before failing. Ask the table.
            count = self._count_after_failure(rec_id, max_attempts)
            if count == before + len(chunk):
                return
            if count != before:
                raise ConflictError(
                    f"data.append(): data set {rec_id} holds {count} rows, but this append "
                    f"expected {before} or {before + len(chunk)}: something else is writing to "
                    f"it; stopped with {before} rows in place",
                    status_code=409,
                    method="POST",
                    url=f"{self._client.base_url}/data/{rec_id}",
                )
            if attempt < max_attempts:
                clock.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
        raise failure

    def _count_after_failure(self, rec_id: int, max_attempts: int) -> int:
        clock = self._client.clock
        for attempt in range(1, max_attempts + 1):
            try:
                return self.row_count(rec_id)
            except (ServerError, TransportError, RateLimitError):
                if attempt == max_attempts:
                    raise
                clock.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
        raise AssertionError("unreachable")

    def rebuild(self, rec_id: int, method: str = "rebuild") -> Any:
        """Refresh a data set: ``recreate``, ``rebuild`` (the wrapper's ``reload``), ``append``,
        ``update`` or ``updateappend``.

        Raises
        ------
        specclient.errors.ParameterError
            An unknown method name, before anything is sent.
        """
        chosen = _REFRESH_ALIASES.get(method, method) if isinstance(method, str) else method
        if chosen not in REFRESH_METHODS:
            raise ParameterError(
                "data.rebuild",
                f"method must be one of {', '.join(REFRESH_METHODS)} (or 'reload'), not {method!r}",
                "method",
            )
        return _result(_payload(self.method(f"refresh_{chosen}")(rec_id, return_type="raw")))

    @staticmethod
    def _cells(filters: Any, operation: str, argument: str) -> list[dict[str, Any]]:
        from specclient.platforms.clicdata_frames import json_safe

        if not isinstance(filters, Mapping) or not filters:
            raise ParameterError(
                operation, f"{argument} must be a non-empty dict of column -> value", argument
            )
        # Every pair is sent, False and 0 included (the wrapper dropped falsy values).
        return [{"column": str(k), "value": json_safe(v)} for k, v in filters.items()]

    @staticmethod
    def _multiple(multiple: Any, operation: str) -> str:
        if multiple not in ("all", "first"):
            raise ParameterError(
                operation, f"multiple must be 'all' or 'first', not {multiple!r}", "multiple"
            )
        return multiple

    def delete_rows(self, rec_id: int, filters: Mapping[str, Any], multiple: str = "all") -> int:
        """Delete the rows whose columns equal ``filters``; ``multiple="first"`` deletes one.

        Returns
        -------
        int
            Rows deleted, when the server says.
        """
        find = self._cells(filters, "data.delete_rows", "filters")
        multiple = self._multiple(multiple, "data.delete_rows")
        body = _payload(
            self.method("delete_rows")(rec_id, find=find, multiplerows=multiple, return_type="raw")
        )
        result = _result(body)
        return int(result.get("rows_deleted", 0)) if isinstance(result, Mapping) else 0

    def update_rows(
        self,
        rec_id: int,
        filters: Mapping[str, Any],
        values: Mapping[str, Any],
        multiple: str = "all",
    ) -> int:
        """Set ``values`` on the rows whose columns equal ``filters``.

        Returns
        -------
        int
            Rows updated, when the server says.
        """
        find = self._cells(filters, "data.update_rows", "filters")
        changes = self._cells(values, "data.update_rows", "values")
        multiple = self._multiple(multiple, "data.update_rows")
        body = _payload(
            self.method("update_rows")(
                rec_id, find=find, set=changes, multiplerows=multiple, return_type="raw"
            )
        )
        result = _result(body)
        return int(result.get("rows_updated", 0)) if isinstance(result, Mapping) else 0


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


ASYNC_RESOURCE_CLASSES: dict[str, type] = {"dashboards": AsyncClicDataDashboards}


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
    """List data sets, round-trip a DataFrame, refresh, trigger a schedule, fetch a thumbnail."""
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
