"""Civis's spec, fetched from the API's ``/endpoints`` as civis-python does, cached on disk.

civis-python downloads the spec once per process (and keeps it only in memory for 15 minutes to
24 hours). We keep it on disk, keyed by base URL and API version, so the next process starts
without a download, and so a client can still be built from the last good copy when the service
cannot be reached. The API key is not part of the key (it is a secret and must never land in a
file name or a cache file); the spec Civis serves is the same for every key of one deployment.

A loopback base URL (a local emulator, on a new random port each time) is not cached unless a
cache folder is named explicitly: those specs are free to fetch, and caching them would leave
one file per port in the user's cache.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping

from specclient.clock import SYSTEM_CLOCK, Clock
from specclient.errors import AuthError, ConnectionError, SpecError, TimeoutError

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:  # httpx is imported only when a fetch happens: a warm start never needs it
    from pathlib import Path  # nor pathlib (with urllib.parse): spec=PATH uses os.path
    from typing import Any

    import httpx

__all__ = [
    "DEFAULT_TTL",
    "API_VERSIONS",
    "default_cache_dir",
    "default_cache_root",
    "cache_path",
    "load_endpoints",
    "StaleSpecWarning",
]

DEFAULT_TTL = 24 * 60 * 60.0  # civis-python's lifetime for a non-interactive process
API_VERSIONS = ("1.0",)
_FETCH_ATTEMPTS = 3


class StaleSpecWarning(UserWarning):
    """The service could not be reached and an expired cached spec was used instead."""


def default_cache_dir() -> Path:
    """``$SPECCLIENT_CACHE_DIR/civis``, else ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    from pathlib import Path

    return Path(default_cache_root())


def default_cache_root() -> str:
    """:func:`default_cache_dir` as a string, without pathlib (a start-up does not load it)."""
    root = os.environ.get("SPECCLIENT_CACHE_DIR")
    if root:
        return os.path.join(root, "civis")
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "specclient", "civis")


def cache_path(cache_dir: Path, base_url: str, api_version: str) -> Path:
    """Where the spec of one deployment and API version is kept."""
    import hashlib  # OpenSSL: only when the spec is fetched, never for spec=PATH

    key = hashlib.sha256(f"{base_url.rstrip('/')}|{api_version}".encode()).hexdigest()[:20]
    return cache_dir / f"endpoints-{key}.json"


def _is_loopback(base_url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _read(path: Path) -> dict[str, Any] | None:
    try:
        with path.open(encoding="utf-8") as handle:
            import json  # on first use: a start-up does not load json

            entry = json.load(handle)
    except (OSError, ValueError):
        return None  # missing or half-written: behave as if there were no cache
    if not isinstance(entry, dict) or not isinstance(entry.get("spec"), dict):
        return None
    return entry


def _write(path: Path, entry: Mapping[str, Any]) -> None:
    # Write then rename, so a process reading the cache never sees half a file.
    import tempfile  # with shutil and random: only here, after a fetch

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".endpoints-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            import json  # on first use: a start-up does not load json

            json.dump(entry, handle)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home must not stop the client from working
        warnings.warn(f"could not write the Civis spec cache {path}: {exc}", stacklevel=3)


def _http_client(
    http: httpx.Client | httpx.BaseTransport | None, timeout: float, url: str
) -> httpx.Client:
    import httpx

    if isinstance(http, httpx.Client):
        return http
    # Loading the CA bundle costs ~35 ms; a plain-http URL (an emulator) never uses it.
    return httpx.Client(transport=http, timeout=timeout, verify=not url.startswith("http://"))


def _fetch(
    base_url: str,
    api_key: str,
    *,
    http: httpx.Client | httpx.BaseTransport | None,
    timeout: float,
    clock: Clock,
) -> dict[str, Any]:
    import httpx

    url = base_url.rstrip("/") + "/endpoints"
    client = _http_client(http, timeout, url)
    try:
        last: Exception | None = None
        for attempt in range(_FETCH_ATTEMPTS):
            if attempt:
                clock.sleep(2.0**attempt)  # back off, on the client's clock
            try:
                response = client.get(url, auth=(api_key, ""), timeout=timeout)
            except httpx.TimeoutException as exc:
                last = TimeoutError(
                    f"timed out fetching the Civis spec: {exc}", method="GET", url=url
                )
                continue
            except httpx.TransportError as exc:
                last = ConnectionError(
                    f"could not reach Civis to fetch its spec: {exc}", method="GET", url=url
                )
                continue
            if response.status_code in (401, 403):
                raise AuthError(
                    f"{response.status_code} error downloading the Civis API spec from {url}: "
                    "the API key was refused (it may be expired)."
                )
            if response.status_code == 429 or response.status_code >= 500:
                last = ConnectionError(
                    f"Civis answered {response.status_code} to GET /endpoints",
                    method="GET",
                    url=url,
                )
                continue
            if response.status_code != 200:
                raise SpecError(f"GET /endpoints answered {response.status_code}", source=url)
            try:
                spec = response.json()
            except ValueError:
                raise SpecError("GET /endpoints did not answer JSON", source=url) from None
            if not isinstance(spec, dict) or "paths" not in spec:
                raise SpecError("GET /endpoints did not answer a Swagger document", source=url)
            return spec
        assert last is not None
        raise last
    finally:
        if client is not http:
            client.close()


def load_endpoints(
    base_url: str,
    api_key: str,
    *,
    api_version: str = "1.0",
    http: httpx.Client | httpx.BaseTransport | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    ttl: float = DEFAULT_TTL,
    force_refresh: bool = False,
    timeout: float = 30.0,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Civis's spec for ``base_url``: from a fresh disk cache, else ``/endpoints``.

    Parameters
    ----------
    base_url : str
        The API root, e.g. ``https://api.civisanalytics.com``.
    api_key : str
        Sent as civis-python sends it (HTTP Basic, key as user name); never stored.
    api_version : str, optional
        Only ``"1.0"`` exists, as in civis-python.
    http : httpx.Client or httpx.BaseTransport, optional
        What to send the request with (tests and emulators pass a transport).
    cache_dir : path, optional
        Folder of the cache; :func:`default_cache_dir` when not given.
    ttl : float, optional
        Seconds a cached spec is used without asking the service again (0: always ask).
    force_refresh : bool, optional
        Ask the service even when the cache is fresh (civis-python's
        ``force_refresh_api_spec``).
    timeout : float, optional
        Seconds to wait for the service.
    clock : Clock, optional
        Decides what "fresh" means and paces the retries.

    Returns
    -------
    dict
        The Swagger 2.0 document.

    Raises
    ------
    ValueError
        If ``api_version`` is not one Civis serves.
    AuthError
        If the service refuses the key (a cached copy is not used then: the key is wrong).
    ConnectionError, TimeoutError
        If the service cannot be reached and nothing is cached.
    """
    if api_version not in API_VERSIONS:
        raise ValueError(
            f"APIClient api_version must be one of {set(API_VERSIONS)}: {api_version!r}"
        )
    clock = clock or SYSTEM_CLOCK
    use_cache = cache_dir is not None or not _is_loopback(base_url)
    from pathlib import Path  # a fetch: pathlib is nothing beside httpx

    path = cache_path(Path(cache_dir) if cache_dir else default_cache_dir(), base_url, api_version)
    cached = _read(path) if use_cache else None
    now = clock.time()
    if cached and not force_refresh and now - float(cached.get("fetched_at", 0)) < ttl:
        return cached["spec"]
    try:
        spec = _fetch(base_url, api_key, http=http, timeout=timeout, clock=clock)
    except (ConnectionError, TimeoutError) as exc:
        if cached is None:
            raise
        age_hours = (now - float(cached.get("fetched_at", 0))) / 3600
        warnings.warn(
            f"Civis could not be reached ({exc}); using the spec cached {age_hours:.1f} h ago "
            f"at {path}",
            StaleSpecWarning,
            stacklevel=2,
        )
        return cached["spec"]
    if use_cache:
        _write(
            path,
            {
                "base_url": base_url.rstrip("/"),
                "api_version": api_version,
                "fetched_at": now,
                "spec": spec,
            },
        )
    return spec
