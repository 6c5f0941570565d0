"""OAuth2 grants (client credentials, password) and their token caches.

Their own module, so that building an API key, a bearer token or Basic credentials (every
``connect()`` to an API-key platform) does not load a thousand lines of token handling, the
on-disk cache and ``weakref``: :mod:`specclient.auth` imports this module when a spec's
``oauth2`` scheme is built or one of its names is first used, and re-exports every public name
(``from specclient.auth import OAuth2ClientCredentials`` is the spelling to use).
"""

from __future__ import annotations

import contextlib
import os
import time
import weakref

# threading's Lock and get_ident, without the threading module
from _thread import allocate_lock, get_ident
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Mapping

from specclient._auth_base import Secret, _AuthBase, _basic_header, _log, _required
from specclient._clock import SYSTEM_CLOCK, Clock
from specclient._records import FrozenRecord, set_fields
from specclient.errors import AuthError, ParameterError
from specclient.http.redact import redact_url
from specclient.http.retry import GRANT_EXTENSION

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    import asyncio
    from pathlib import Path
    from typing import Any, Literal, Protocol

    import httpx

    from specclient.http.retry import RetryPolicy
else:
    Protocol = object  # TokenCache is an interface for the type checker; a plain class here

__all__ = [
    "DEFAULT_TOKEN_LIFETIME",
    "FileTokenCache",
    "OAuth2ClientCredentials",
    "OAuth2Password",
    "TokenCache",
    "default_token_dir",
]

DEFAULT_TOKEN_LIFETIME = 3600.0  # seconds, when a token reply does not say


class TokenCache(Protocol):
    """Where OAuth tokens are kept between auth objects or processes."""

    def get(self, key: str) -> dict[str, Any] | None: ...
    def set(self, key: str, value: dict[str, Any]) -> None: ...


def _cache_enabled() -> bool:
    flag = os.environ.get("SPECCLIENT_TOKEN_CACHE", "1").strip().lower()
    return flag not in {"0", "false", "no", "off"}


def default_token_dir() -> Path:
    """``$SPECCLIENT_CACHE_DIR/tokens``, else ``$XDG_CACHE_HOME/specclient/tokens``,
    else ``~/.cache/specclient/tokens`` (read when used, so tests can point it elsewhere)."""
    from pathlib import Path

    root = os.environ.get("SPECCLIENT_CACHE_DIR")
    if root:
        return Path(root) / "tokens"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "specclient" / "tokens"


class FileTokenCache:
    """OAuth tokens on disk, shared by processes: one JSON file per grant (token URL, client
    id, keyed hash of the secret, scope, extra fields).

    Files are ``0600`` in a ``0700`` directory and hold the access token, its type and its
    expiry, never the client secret. ``SPECCLIENT_TOKEN_CACHE=0`` turns the cache off. A
    corrupt or unreadable file is ignored (a new token is fetched and overwrites it).

    Parameters
    ----------
    path : str or Path, optional
        The directory; by default :func:`default_token_dir`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        from pathlib import Path

        self._path = Path(path) if path is not None else None

    @property
    def directory(self) -> Path:
        return self._path if self._path is not None else default_token_dir()

    def _file(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def hash_key(self) -> bytes:
        """The random key secrets are hashed with into cache keys, shared by the processes
        using this directory (``.hash-key``, ``0600``); created once, atomically. Without a
        readable one (cache off, read-only disk) a per-process key is used: tokens are then
        not shared across processes, but no secret's hash is guessable."""
        if not _cache_enabled():
            return _process_hash_key()
        target = self.directory / ".hash-key"
        with contextlib.suppress(OSError):
            key = target.read_bytes()
            if len(key) == 32:
                return key
        temporary = self.directory / f".hash-key.{os.getpid()}.{get_ident()}.tmp"
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(32))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target)  # the first process's key wins, whole
            key = target.read_bytes()
        except OSError:
            return _process_hash_key()
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()
        return key if len(key) == 32 else _process_hash_key()

    def get(self, key: str) -> dict[str, Any] | None:
        if not _cache_enabled():
            return None
        try:
            import json  # on first use: a start-up does not load json

            data = json.loads(self._file(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        if not _cache_enabled():
            return
        directory = self.directory
        target = self._file(key)
        temporary = directory / f".{key}.{os.getpid()}.{get_ident()}.tmp"
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                import json  # on first use: a start-up does not load json

                json.dump(value, handle)
            os.replace(temporary, target)  # readers see the old file or the new one, whole
        except OSError as exc:
            # A cache that cannot be written costs a token request later, not this call.
            _log("warning", "could not write the token cache in %s: %s", directory, exc.strerror)
            with contextlib.suppress(OSError):
                temporary.unlink()

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold an exclusive lock for ``key`` across processes while a token is fetched."""
        if not _cache_enabled():
            yield
            return
        try:
            import fcntl
        except ImportError:  # Windows: no cross-process lock, tokens still shared by file
            yield
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.directory / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def __repr__(self) -> str:
        return f"FileTokenCache({str(self.directory)!r})"


# --------------------------------------------------------------------------- OAuth2


class _Token(FrozenRecord):
    """An access token and its lifetime (a written-out record: cheap to create at import)."""

    __slots__ = FIELDS = ("access_token", "issued_at", "expires_at")
    access_token: Secret
    issued_at: float
    expires_at: float

    def __init__(self, access_token: Secret, issued_at: float, expires_at: float) -> None:
        set_fields(self, access_token, issued_at, expires_at)

    def usable(self, now: float, margin: float) -> bool:
        # A token shorter-lived than twice the margin would never be used: shrink the margin.
        margin = min(margin, (self.expires_at - self.issued_at) / 2)
        return now < self.expires_at - margin

    def to_dict(self, **extra: Any) -> dict[str, Any]:
        return {
            "access_token": self.access_token.reveal(),
            "token_type": "Bearer",
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            **extra,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> _Token | None:
        if not data:
            return None
        token, expires_at = data.get("access_token"), data.get("expires_at")
        issued_at = data.get("issued_at", expires_at)
        if not isinstance(token, str) or not token:
            return None
        if not isinstance(expires_at, int | float) or not isinstance(issued_at, int | float):
            return None
        return cls(Secret(token), float(issued_at), float(expires_at))


class OAuth2ClientCredentials(_AuthBase):
    """OAuth2 client-credentials grant with token reuse, refresh and an optional disk cache.

    The token request is yielded from the auth flow, so it travels through the same httpx
    client and transport as the API calls (emulators and cassettes see it). A token is reused
    until ``refresh_margin`` seconds before it expires. If the API answers 401, the token is
    refreshed once and the request replayed once; a second 401 is returned to the caller (the
    client raises ``UnauthorizedError``, an ``AuthError``). Threads share one token request
    through a lock, asyncio tasks through a per-event-loop lock, and with a
    :class:`FileTokenCache` sync callers in other processes wait for the same token too.

    Parameters
    ----------
    client_id, client_secret : str
        The client's credentials.
    token_url : str
        Absolute, or relative: a path starting with ``/`` is taken from the API's origin, any
        other relative URL from ``base_url`` (or the origin when no ``base_url`` is set).
    client_auth : {"basic", "form"}
        Send the credentials in a Basic header (Habu) or as form fields (ClicData).
    scope : str or sequence of str, optional
        Sent as ``scope`` (space separated) when given.
    token_cache : TokenCache, optional
        e.g. :class:`FileTokenCache` to share tokens across processes.
    clock : Clock
        Decides expiry; a FakeClock in tests.
    refresh_margin : float
        Seconds before expiry when a new token is fetched.
    extra_params : mapping, optional
        More form fields for the token request (e.g. ``audience``).
    base_url : str, optional
        Base for a relative ``token_url``; the client sets it to its own base URL when it is
        not given. A relative token URL is never resolved against another host: credentials
        go only where the spec or the platform says.
    retry : RetryPolicy, optional
        How a token request answered 429, 502, 503 or 504 is retried (those answers issue no
        token); by default two retries, waiting ``Retry-After`` when the server says.
    error_hints : mapping of int to str, optional
        A platform's advice added to a refused token request's error, by status (Habu: its
        daily token cap on 429, its ``/v1`` base URL on 404).
    lost_reply_hint : callable ``(sent_at) -> str``, optional
        For a platform that caps how many tokens a client may get (Habu: 2 a day): a token
        request whose reply is lost (connection dropped, timed out) may have issued a token,
        so it is not sent again blindly; the error ends with this advice, given the epoch
        second the request was sent. Without it a second grant is harmless and is retried.

    Notes
    -----
    The reply may be RFC 6749 (``access_token``/``expires_in``) or camelCase
    (``accessToken``/``expiresIn``, Habu); without an expiry a lifetime of one hour is assumed.
    ``token_type`` is not read: the token is always sent as ``Bearer`` (Habu once answered a
    lowercase ``bearer``; ClicData sends none). The client id and secret are sent as given in
    the Basic header, not form-encoded first, as Habu and ClicData expect.
    """

    #: what a refused token request tells the user to check (None: the client id, named, and
    #: the client secret)
    credential_names: str | None = None

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str,
        *,
        client_auth: Literal["basic", "form"] = "basic",
        scope: str | list[str] | tuple[str, ...] | None = None,
        token_cache: TokenCache | None = None,
        clock: Clock = SYSTEM_CLOCK,
        refresh_margin: float = 60,
        extra_params: Mapping[str, str] | None = None,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        error_hints: Mapping[int, str] | None = None,
        lost_reply_hint: Callable[[float], str] | None = None,
    ) -> None:
        name = "OAuth2ClientCredentials"
        if client_auth not in ("basic", "form"):
            raise ParameterError(
                name, f"client_auth must be 'basic' or 'form', not {client_auth!r}"
            )
        self.client_id = _required(name, "client_id", client_id, secret=False)
        self._client_secret = Secret(_required(name, "client_secret", client_secret))
        self.token_url = _required(name, "token_url", token_url, secret=False)
        self.client_auth = client_auth
        self.scope = " ".join(scope) if isinstance(scope, list | tuple) else scope
        self.token_cache = token_cache
        self.clock = clock
        self.refresh_margin = float(refresh_margin)
        self.extra_params = dict(extra_params or {})
        self.base_url = base_url
        self.retry = retry if retry is not None else _token_retry_policy()
        self.error_hints = dict(error_hints or {})
        self.lost_reply_hint = lost_reply_hint
        self.token_requests = 0  # how many tokens this object fetched (observability, tests)
        self._lost_replies = 0  # token requests that got no reply
        self._token: _Token | None = None
        self._token_key: str | None = None
        self._targets: dict[tuple[Any, ...], tuple[httpx.URL, str]] = {}
        self._thread_lock = allocate_lock()
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._async_locks_guard = allocate_lock()

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(client_id={self.client_id!r}, client_secret='***', "
            f"token_url={self.token_url!r}, client_auth={self.client_auth!r})"
        )

    def default_base_url(self, base_url: str) -> None:
        """Resolve a relative ``token_url`` against ``base_url`` unless one was given (the
        client calls this with its own base URL before the first request)."""
        if self.base_url is None:
            self.base_url = base_url
            self._targets.clear()

    # -- the flows: the same steps, sync and async; only the locking and reading differ.

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        url, key = self._target(request.url)
        stale: _Token | None = None
        for _replay in range(2):
            token = self._usable(key, stale)
            if token is None:
                lost = self._lost_replies  # see _not_lost_meanwhile
                with self._thread_lock, self._process_lock(key):
                    token = self._usable(key, stale)  # another thread or process got one
                    self._not_lost_meanwhile(token, lost)
                    attempt = 0
                    while token is None:
                        try:
                            reply = yield self._token_request(url, request)
                            reply.read()
                        except BaseException:  # sending or reading failed (or closed): no reply
                            self._lost_replies += 1
                            raise
                        attempt += 1
                        delay = self._retry_delay(reply, attempt)
                        if delay is None:
                            token = self._accept(reply, url, key, attempt)
                        else:
                            self.clock.sleep(delay)
            self._apply(request, token)
            response = yield request
            if response.status_code != 401:
                return
            # Give the refused reply's connection back before waiting on the lock: with many
            # requests refused at once, each would hold one and starve the token request.
            response.read()
            stale = token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        url, key = self._target(request.url)
        stale: _Token | None = None
        for _replay in range(2):
            token = self._usable(key, stale)
            if token is None:
                lost = self._lost_replies
                async with self._async_lock():
                    token = self._usable(key, stale)
                    self._not_lost_meanwhile(token, lost)
                    attempt = 0
                    while token is None:
                        try:
                            reply = yield self._token_request(url, request)
                            await reply.aread()
                        except BaseException:
                            self._lost_replies += 1
                            raise
                        attempt += 1
                        delay = self._retry_delay(reply, attempt)
                        if delay is None:
                            token = self._accept(reply, url, key, attempt)
                        else:
                            await self.clock.asleep(delay)
            self._apply(request, token)
            response = yield request
            if response.status_code != 401:
                return
            # See the sync flow: > 100 tasks refused at once held the whole pool (issue 12).
            await response.aread()
            stale = token

    # -- the steps

    def _not_lost_meanwhile(self, token: _Token | None, lost: int) -> None:
        """On a capped grant, a call that waited while another call's token request got no
        reply does not ask in its turn: that request may have issued a token, and many calls
        waiting at once would each spend one (16 threads' first calls, one dropped reply)."""
        if token is None and self.lost_reply_hint is not None and self._lost_replies != lost:
            hint = self.lost_reply_hint(self.clock.time())
            raise AuthError(f"this call waited on another call's token request, and {hint}")

    def _target(self, request_url: httpx.URL) -> tuple[httpx.URL, str]:
        """Token URL and cache key for a request, remembered per origin: parsing and joining
        URLs costs more than the rest of a call's auth work together."""
        origin = (self.base_url, request_url.scheme, request_url.host, request_url.port)
        target = self._targets.get(origin)
        if target is None:
            url = self.resolve_token_url(request_url)
            target = self._targets[origin] = (url, self.cache_key(url))
        return target

    def resolve_token_url(self, request_url: httpx.URL) -> httpx.URL:
        """The absolute token URL for a request to ``request_url``.

        A relative ``token_url`` is taken from ``base_url`` when one is set, whatever host the
        request goes to (``client.request()`` to another host must not receive the client's
        secret); without a ``base_url``, from the request's own origin.
        """
        import httpx  # loaded already: a request is being sent

        url = httpx.URL(self.token_url)
        if url.is_absolute_url:
            return url
        if self.base_url:
            request_url = httpx.URL(self.base_url)
        origin = request_url.copy_with(path="/", query=None, fragment=None)
        if self.token_url.startswith("/") or not self.base_url:
            return origin.join(self.token_url)
        base = httpx.URL(self.base_url)
        if not base.path.endswith("/"):
            base = base.copy_with(path=base.path + "/")
        return base.join(self.token_url)

    def cache_key(self, token_url: httpx.URL | str) -> str:
        """Names the cache entry of this grant, revealing none of it.

        Everything that defines the grant is in it: the token URL, the client id, a keyed
        hash of the secret (so a wrong secret never finds the token a right one fetched, and
        the file name cannot be used to test guesses without the key), the scope and the
        extra form fields (``audience``). The secret itself is never stored.
        """
        import hashlib  # OpenSSL: only when a token is first needed
        import hmac

        secret_key = getattr(self.token_cache, "hash_key", _process_hash_key)()
        secret_hash = hmac.new(
            secret_key, self._client_secret.reveal().encode(), hashlib.sha256
        ).hexdigest()
        grant = [str(token_url), self.client_id, secret_hash, self.scope or ""]
        grant += [f"{k}={v}" for k, v in sorted(self.extra_params.items())]
        return hashlib.sha256("\n".join(grant).encode()).hexdigest()[:32]

    def _usable(self, key: str, stale: _Token | None) -> _Token | None:
        """A token good for another request: ours, else the shared cache's (another object
        or process may have refreshed it already), never the one the server just refused."""
        now = self.clock.time()

        def good(token: _Token | None) -> bool:
            return token is not None and token != stale and token.usable(now, self.refresh_margin)

        token = self._token if self._token_key == key else None
        if not good(token) and self.token_cache is not None:
            token = _Token.from_dict(self.token_cache.get(key))
        if token is None or not good(token):
            return None
        self._token, self._token_key = token, key
        return token

    def _process_lock(self, key: str) -> contextlib.AbstractContextManager[Any]:
        lock = getattr(self.token_cache, "lock", None)
        return lock(key) if lock is not None else contextlib.nullcontext()

    def _async_lock(self) -> asyncio.Lock:
        # An asyncio.Lock belongs to one event loop; tests and apps may run several loops.
        import asyncio  # loaded already: an event loop is running

        loop = asyncio.get_running_loop()
        with self._async_locks_guard:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
        return lock

    def _grant(self) -> tuple[dict[str, str], dict[str, str]]:
        """The token request's form fields and headers for this grant."""
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        data.update(self.extra_params)
        headers = {"Accept": "application/json"}
        secret = self._client_secret.reveal()
        if self.client_auth == "basic":
            headers["Authorization"] = _basic_header(self.client_id, secret)
        else:
            data.update(client_id=self.client_id, client_secret=secret)
        return data, headers

    def _token_request(self, url: httpx.URL, request: httpx.Request) -> httpx.Request:
        data, headers = self._grant()
        extensions = {}
        if "timeout" in request.extensions:  # the token call gets the API call's timeout
            extensions["timeout"] = request.extensions["timeout"]
        # what the sender's retry loop reads when this request (not the API call) fails
        hint = self.lost_reply_hint
        extensions[GRANT_EXTENSION] = {
            "idempotent": hint is None,
            "lost_reply": hint(self.clock.time()) if hint is not None else None,
        }
        self.token_requests += 1
        import httpx

        return httpx.Request("POST", url, data=data, headers=headers, extensions=extensions)

    def _check_hint(self) -> str:
        return self.credential_names or f"client_id ({self.client_id!r}) and client_secret"

    def _retry_delay(self, reply: httpx.Response, attempt: int) -> float | None:
        """Seconds before asking again, when the reply is one that issued no token and may
        pass (429, 502, 503, 504); None otherwise or when the policy gives up."""
        return self.retry.delay_for(
            attempt, verb="POST", idempotent=True, response=reply, now=self.clock.time()
        )

    def _accept(self, reply: httpx.Response, url: httpx.URL, key: str, attempts: int = 1) -> _Token:
        where = redact_url(url)
        if not reply.is_success:
            raise _token_refused(reply, where, self._check_hint(), attempts, self.error_hints)
        try:
            payload = reply.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise AuthError(f"the token reply from {where} is not a JSON object")
        value = payload.get("access_token", payload.get("accessToken"))
        if not isinstance(value, str) or not value:
            raise AuthError(f"the token reply from {where} has no access_token")
        now = self.clock.time()
        lifetime = _lifetime(payload, now)
        token = _Token(Secret(value), issued_at=now, expires_at=now + lifetime)
        self._token, self._token_key = token, key
        _log("debug", "new access token from %s, valid for %.0f s", where, lifetime)
        if self.token_cache is not None:
            self.token_cache.set(key, token.to_dict(token_url=str(url), client_id=self.client_id))
        return token

    @staticmethod
    def _apply(request: httpx.Request, token: _Token) -> None:
        request.headers["Authorization"] = f"Bearer {token.access_token.reveal()}"


class OAuth2Password(OAuth2ClientCredentials):
    """OAuth2 password grant for a service account, as LiveRamp's SDK logs in with one.

    The token request is the SDK's: a form with ``grant_type=password``, the account as
    ``username``/``password``, ``client_id``, ``scope=openid`` and ``response_type=token``,
    no client secret. Token reuse, refresh on 401, the disk cache and the clock are those of
    :class:`OAuth2ClientCredentials`; the cache key also names the account, since one
    ``client_id`` serves many accounts.

    Parameters
    ----------
    username, password : str
        The service account's ``account_id`` and ``secret_key``.
    token_url, client_id : str
        The file's ``token_uri`` and ``client_id``.
    scope : str, optional
        ``openid`` by default.
    """

    credential_names = "the service account's account_id and secret_key"

    def __init__(
        self,
        username: str,
        password: str,
        token_url: str,
        *,
        client_id: str,
        scope: str | None = "openid",
        extra_params: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        name = "OAuth2Password"
        self.username = _required(name, "username (account_id)", username)
        params = {"response_type": "token", **(extra_params or {})}
        super().__init__(
            _required(name, "client_id", client_id),
            _required(name, "password (secret_key)", password),
            token_url,
            client_auth="form",
            scope=scope,
            extra_params=params,
            **options,
        )

    def __repr__(self) -> str:
        return (
            f"OAuth2Password(username={self.username!r}, password='***', "
            f"token_url={self.token_url!r}, client_id={self.client_id!r})"
        )

    def _grant(self) -> tuple[dict[str, str], dict[str, str]]:
        data = {
            "grant_type": "password",
            "username": self.username,
            "password": self._client_secret.reveal(),
        }
        if self.scope:
            data["scope"] = self.scope
        data["client_id"] = self.client_id
        data.update(self.extra_params)
        return data, {"Accept": "application/json"}

    def cache_key(self, token_url: httpx.URL | str) -> str:
        return super().cache_key(f"{token_url}\n{self.username}")


def _lifetime(payload: Mapping[str, Any], now: float) -> float:
    """Seconds the token in ``payload`` lives: ``expires_in``/``expiresIn``, or until
    ``expiresAt`` (Habu's reply; what LiveRamp's SDK reads), the earlier when both are
    usable; one hour when neither is."""
    lifetimes = (
        _seconds(payload.get("expires_in", payload.get("expiresIn"))),
        _until(payload.get("expires_at", payload.get("expiresAt")), now),
    )
    usable = [seconds for seconds in lifetimes if seconds is not None and seconds > 0]
    return min(usable) if usable else DEFAULT_TOKEN_LIFETIME


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _until(value: Any, now: float) -> float | None:
    """Seconds from ``now`` to an ISO 8601 instant (``2023-10-14T18:47:16.104+00:00``, as
    Habu sends it; no offset means UTC) or to an epoch number (seconds; milliseconds when
    that large)."""
    epoch = _seconds(value)
    if epoch is None and isinstance(value, str):
        from datetime import UTC, datetime

        try:
            instant = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        epoch = instant.timestamp()
    if epoch is None:
        return None
    if epoch > 1e11:  # milliseconds since the epoch
        epoch /= 1000
    return epoch - now


def _oauth_error_detail(reply: httpx.Response) -> str:
    """RFC 6749 ``error``/``error_description`` and a ``message`` only: other members may
    echo credentials (and the error tree masks known credential values in any case)."""
    try:
        payload = reply.json()
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    parts = [
        str(payload[name])[:200]
        for name in ("error", "error_description", "message")
        if isinstance(payload.get(name), str)
    ]
    return f" ({': '.join(parts)})" if parts else ""


def _token_retry_policy() -> RetryPolicy:
    from specclient.http.retry import RetryPolicy

    return RetryPolicy(max_retries=2)


_PROCESS_HASH_KEY = os.urandom(32)


def _process_hash_key() -> bytes:
    """The key for hashing secrets into cache keys when the cache keeps none of its own."""
    return _PROCESS_HASH_KEY


def _token_refused(
    reply: httpx.Response, where: str, check: str, attempts: int, hints: Mapping[int, str]
) -> AuthError:
    """The error for a token request that was answered but not with a token: what happened,
    in the words a user acts on (wait, fix the URL, fix the credentials)."""
    status = reply.status_code
    said = f"{status} {reply.reason_phrase}{_oauth_error_detail(reply)}"
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 429:
        from specclient.http.retry import retry_after_seconds

        wait = retry_after_seconds(reply, time.time())
        when = f"; the server says to retry in {wait:.0f} s" if wait is not None else ""
        text = f"the token endpoint {where} is refusing new tokens for now ({said}){tries}{when}"
    elif status == 404:
        text = f"there is no token endpoint at {where} ({said}): check base_url and token_url"
    elif status in (400, 401, 403):
        text = f"the token request to {where} was refused: {said}: check {check}"
    elif status >= 500:
        text = f"the token endpoint {where} failed ({said}){tries}; try again later"
    else:
        text = f"the token request to {where} was refused: {said}"
    hint = hints.get(status)
    error = AuthError(f"{text}. {hint}" if hint else text)
    error.status_code = status  # type: ignore[attr-defined]
    return error
