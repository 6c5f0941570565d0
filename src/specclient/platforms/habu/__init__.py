"""Habu (LiveRamp Clean Room): ``specclient.connect("habu")`` and the workflows of many calls.

Every operation comes from ``specs/habu.yaml``, auth too (its ``application`` OAuth2 client
credentials scheme and token URL); this declaration adds only what a spec cannot say:

- credentials from arguments, ``HABU_API_CLIENT`` / ``HABU_API_SECRET`` / ``HABU_ORGANIZATION``
  / ``HABU_API``, or the tutorial's YAML file (``creds_path=``), keys unchanged;
- LiveRamp's SDK's ways in, under the SDK's names (:mod:`.service_account`): a service-account
  file (password grant), a ready ``access_token``, and the ``LR-Org-ID`` /
  ``Restricted-LR-Org-ID`` headers (``lr_org_id``, ``restricted_lr_org_id``);
- Basic client auth to the token URL (the reply is camelCase ``accessToken``/``expiresIn``),
  with the token kept on disk across processes because only 2 tokens a day are issued
  (``token_cache=False`` turns that off);
- the workflows (:mod:`.workflows`, run by :mod:`.client`): run a question without ever
  starting a second run, results typed from the result metadata, setup steps in order, flows.
"""

from __future__ import annotations

import os
from typing import Any

from ...errors import AuthError, ParameterError
from .._platform import Connection, Credential, Platform, Setting
from .client import ASYNC_RESOURCE_CLASSES, RESOURCE_CLASSES, AsyncHabuClient, HabuClient
from .demo import demo, tutorial_question_details
from .service_account import login, org_headers, read_service_account
from .workflows import (  # the constants stay importable from here
    DEFAULT_MAX_POLL_INTERVAL,  # noqa: F401
    DEFAULT_PAGE_SIZE,  # noqa: F401
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RESULT_PAGE_SIZE,  # noqa: F401
    DEFAULT_RESULT_WORKERS,
    DEFAULT_RUN_TIMEOUT,  # noqa: F401
    RUN_CREATE_LIMIT,
    RUN_CREATE_WINDOW,  # noqa: F401
    QuestionRunFailed,
    _require_count,
)

__all__ = [
    "PLATFORM",
    "DEFAULT_BASE_URL",
    "HabuClient",
    "AsyncHabuClient",
    "QuestionRunFailed",
    "connect",
    "connect_async",
    "demo",
    "tutorial_question_details",
]

DEFAULT_BASE_URL = "https://api.habu.com/v1"


def _with_v1(host: str) -> str:
    """``HABU_API`` is the host the tutorial sets (``https://api.habu.com/``): add ``/v1``."""
    url = host.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


def _positive(name: str, kind: type, minimum: float, default: Any) -> Any:
    def check(value: Any) -> Any:
        if value is None:
            return default
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ParameterError("connect('habu')", f"{name} must be a number", name) from None
        if number < minimum or isinstance(value, bool):
            words = "positive" if minimum > 0 and kind is float else f"at least {minimum}"
            raise ParameterError("connect('habu')", f"{name} must be {words}", name)
        return number

    return check


def _count(name: str, default: int | None) -> Any:
    """A whole-number setting >= 1 (``None``: the default); 0, a bool or ``"3"`` is refused."""

    def check(value: Any) -> Any:
        if value is None:
            return default
        return _require_count(value, name, "connect('habu')")

    return check


def _limit(value: Any) -> int | None:
    """Create-run calls allowed per hour; ``None`` turns the guard off."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(
            "connect('habu')",
            "run_create_limit must be a whole number >= 1 or None",
            "run_create_limit",
        )
    return value


def _token_cache(option: Any) -> Any:
    """``None``: the default on-disk cache (``SPECCLIENT_TOKEN_CACHE=0`` turns it off);
    ``False``: memory only; a path: a cache directory there; any other object: the cache."""
    from ...auth import FileTokenCache

    if option is None:
        return FileTokenCache()
    if option is False:
        return None
    if isinstance(option, str | os.PathLike):
        return FileTokenCache(option)
    return option


def _token_options(conn: Connection) -> dict[str, Any]:
    """How any of our OAuth grants keeps its token: cached, on the client's clock."""
    from ...clock import SYSTEM_CLOCK

    return {
        "token_cache": _token_cache(conn.settings["token_cache"]),
        "clock": conn.options.get("clock") or SYSTEM_CLOCK,
        # renew well before expiry: a request must never race the 12 h deadline
        "refresh_margin": 300,
        "error_hints": TOKEN_ERROR_HINTS,
    }


#: What a refused token request means on Habu, added to the error by status.
TOKEN_ERROR_HINTS = {
    429: (
        "Habu issues at most 2 access tokens per client in 24 hours; the count frees up 24 h "
        "after the oldest of them was issued. Keep the token cache on (SPECCLIENT_TOKEN_CACHE "
        "unset) so every process and CLI call reuses the token it has"
    ),
    404: "check base_url: Habu's ends in /v1 (https://api.habu.com/v1)",
}


def lost_token_hint(sent_at: float) -> str:
    """What a token request with a lost reply means on Habu (see ``lost_reply_hint``)."""
    from datetime import UTC, datetime

    frees = datetime.fromtimestamp(sent_at + 86_400, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "the token request's reply was lost, so Habu may have issued a token that counts "
        "against its cap of 2 access tokens per client in 24 hours; it was not asked again, "
        "which could spend the second. Calling again asks for one more token. Once the cap is "
        "reached (429), it frees up 24 h after the oldest token was issued: if this request "
        f"issued one, that one stops counting at {frees}"
    )


def _auth_options(conn: Connection) -> dict[str, Any]:
    # the cap is the client-credentials grant's (fact sheet, section 2)
    options = {"client_auth": "basic", "lost_reply_hint": lost_token_hint}
    return {"application": {**options, **_token_options(conn)}}


def _auth(conn: Connection) -> Any:
    """A ready token, else the service account's password grant, else the API client's
    client-credentials grant from the spec (LiveRamp's SDK's order)."""
    from ...auth import Bearer, OAuth2Password
    from .._platform import auth_from_spec

    way_in = login(conn.credentials)
    if way_in == "access_token":
        return Bearer(conn.credentials["access_token"])
    if way_in == "service_account_file":
        account = read_service_account(conn.credentials["service_account_file"])
        return OAuth2Password(
            account["account_id"],
            account["secret_key"],
            account["token_uri"],
            client_id=account["client_id"],
            **_token_options(conn),
        )
    try:
        return auth_from_spec(conn)
    except AuthError as exc:
        raise AuthError(
            f"{exc}; or log in as LiveRamp's SDK does: pass service_account_file=... (or set "
            "LIVERAMP_SERVICE_ACCOUNT_FILE), or access_token=..."
        ) from None


def _prepare(conn: Connection) -> None:
    """The organization headers go on every call; headers the caller gives win."""
    headers = org_headers(
        conn.credentials.get("lr_org_id"), conn.credentials.get("restricted_lr_org_id")
    )
    if headers:
        conn.options["headers"] = {**headers, **dict(conn.options.get("headers") or {})}


PLATFORM = Platform(
    name="habu",
    spec="habu",
    base_url=DEFAULT_BASE_URL,
    base_url_env=("HABU_API", "LIVERAMP_BASE_URL"),
    base_url_from_env=_with_v1,
    credentials=(
        Credential(
            "client_id",
            env=("HABU_API_CLIENT", "LIVERAMP_CLIENT_ID"),
            file_keys=("HABU_API_CLIENT", "client_id"),
            secret=False,
            scheme=("application", "client_id"),
        ),
        Credential(
            "client_secret",
            env=("HABU_API_SECRET", "LIVERAMP_CLIENT_SECRET"),
            file_keys=("HABU_API_SECRET", "client_secret"),
            scheme=("application", "client_secret"),
        ),
        # LiveRamp SDK's names: argument, LIVERAMP_* variable, key of its YAML config
        Credential(
            "service_account_file",
            env=("LIVERAMP_SERVICE_ACCOUNT_FILE",),
            file_keys=("service_account_file",),
            secret=False,
        ),
        Credential("access_token", env=("LIVERAMP_ACCESS_TOKEN",), file_keys=("access_token",)),
        Credential(
            "lr_org_id", env=("LIVERAMP_LR_ORG_ID",), file_keys=("lr_org_id",), secret=False
        ),
        Credential(
            "restricted_lr_org_id",
            env=("LIVERAMP_RESTRICTED_LR_ORG_ID",),
            file_keys=("restricted_lr_org_id",),
            secret=False,
        ),
    ),
    settings=(
        Setting("organization", env=("HABU_ORGANIZATION",), file_keys=("HABU_ORGANIZATION",)),
        Setting("token_cache"),
        Setting(
            "poll_interval",
            DEFAULT_POLL_INTERVAL,
            _positive("poll_interval", float, 1e-9, DEFAULT_POLL_INTERVAL),
            # what `specclient emulate habu` announces, so the CLI polls at the emulator's pace
            env=("HABU_POLL_INTERVAL",),
        ),
        # None: each kind of page has its own default (results 10,000, reports 500)
        Setting("page_size", None, _count("page_size", None)),
        Setting(
            "result_workers",
            DEFAULT_RESULT_WORKERS,
            _count("result_workers", DEFAULT_RESULT_WORKERS),
        ),
        Setting("run_create_limit", RUN_CREATE_LIMIT, _limit),
        Setting("progress"),
    ),
    auth=_auth,
    auth_options=_auth_options,
    prepare=_prepare,
    client=HabuClient,
    async_client=AsyncHabuClient,
    resources=RESOURCE_CLASSES,
    async_resources=ASYNC_RESOURCE_CLASSES,
    emulator="specclient.emulators.habu",
    demo=demo,
)

connect, connect_async = PLATFORM.connect, PLATFORM.connect_async
