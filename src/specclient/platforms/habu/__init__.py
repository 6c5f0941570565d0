"""Habu (LiveRamp Clean Room): ``specclient.connect("habu")`` and the workflows of many calls.

Every operation comes from ``specs/habu.yaml``, auth too (its ``application`` OAuth2 client
credentials scheme and token URL); this declaration adds only what a spec cannot say:

- credentials from arguments, ``HABU_API_CLIENT`` / ``HABU_API_SECRET`` / ``HABU_ORGANIZATION``
  / ``HABU_API``, or the tutorial's YAML file (``creds_path=``), keys unchanged;
- Basic client auth to the token URL (the reply is camelCase ``accessToken``/``expiresIn``),
  with the token kept on disk across processes because only 2 tokens a day are issued
  (``token_cache=False`` turns that off);
- the workflows (:mod:`.workflows`, run by :mod:`.client`): run a question without ever
  starting a second run, results typed from the result metadata, setup steps in order, flows.
"""

from __future__ import annotations

import os
from typing import Any

from ...errors import ParameterError
from .._platform import Connection, Credential, Platform, Setting
from .client import ASYNC_RESOURCE_CLASSES, RESOURCE_CLASSES, AsyncHabuClient, HabuClient
from .demo import demo, tutorial_question_details
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


def _auth_options(conn: Connection) -> dict[str, Any]:
    from ...clock import SYSTEM_CLOCK

    return {
        "application": {
            "client_auth": "basic",
            "token_cache": _token_cache(conn.settings["token_cache"]),
            "clock": conn.options.get("clock") or SYSTEM_CLOCK,
            # renew well before expiry: a request must never race the 12 h deadline
            "refresh_margin": 300,
        }
    }


PLATFORM = Platform(
    name="habu",
    spec="habu",
    base_url=DEFAULT_BASE_URL,
    base_url_env=("HABU_API",),
    base_url_from_env=_with_v1,
    credentials=(
        Credential(
            "client_id",
            env=("HABU_API_CLIENT",),
            file_keys=("HABU_API_CLIENT",),
            secret=False,
            scheme=("application", "client_id"),
        ),
        Credential(
            "client_secret",
            env=("HABU_API_SECRET",),
            file_keys=("HABU_API_SECRET",),
            scheme=("application", "client_secret"),
        ),
    ),
    settings=(
        Setting("organization", env=("HABU_ORGANIZATION",), file_keys=("HABU_ORGANIZATION",)),
        Setting("token_cache"),
        Setting(
            "poll_interval",
            DEFAULT_POLL_INTERVAL,
            _positive("poll_interval", float, 1e-9, DEFAULT_POLL_INTERVAL),
        ),
        # None: each kind of page has its own default (results 10,000, reports 500)
        Setting("page_size", None, _positive("page_size", int, 1, None)),
        Setting(
            "result_workers",
            DEFAULT_RESULT_WORKERS,
            _positive("result_workers", int, 1, DEFAULT_RESULT_WORKERS),
        ),
        Setting("run_create_limit", RUN_CREATE_LIMIT, _limit),
        Setting("progress"),
    ),
    auth_options=_auth_options,
    client=HabuClient,
    async_client=AsyncHabuClient,
    resources=RESOURCE_CLASSES,
    async_resources=ASYNC_RESOURCE_CLASSES,
    emulator="specclient.emulators.habu",
    demo=demo,
)

connect, connect_async = PLATFORM.connect, PLATFORM.connect_async
