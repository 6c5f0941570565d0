"""Credentials as :class:`httpx.Auth` objects: API keys, bearer tokens, Basic, OAuth2.

Every class keeps its secret inside a :class:`Secret`, whose repr is ``'***'``, so a secret
does not show up in reprs, ``vars()``, debuggers or tracebacks.

OAuth2 client credentials is hand-written rather than taken from authlib: authlib's httpx
integration owns the client (we must send through the caller's pooled client, with its
transport, so emulators and cassettes see the token call), has no cross-process token cache
(Habu allows two tokens a day), and does not read Habu's camelCase token reply. What is left
is about a hundred lines of httpx's own auth-flow pattern.

The OAuth2 grants and token caches live in :mod:`specclient._grants`, which this module loads
the first time one of their names is used (``from specclient.auth import
OAuth2ClientCredentials`` works as ever): building an API key, the whole of a Civis
``connect()``'s credentials, loads none of their code.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping

from specclient._auth_base import Secret, _AuthBase, _basic_header, _required
from specclient._secrets import register_secret_value
from specclient.errors import ParameterError
from specclient.http.redact import register_secret_name

__all__ = [
    "APIKey",
    "Bearer",
    "Basic",
    "OAuth2ClientCredentials",
    "OAuth2Password",
    "FileTokenCache",
    "TokenCache",
    "Secret",
    "AllOf",
    "from_spec",
]


TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    import httpx

    from specclient._grants import DEFAULT_TOKEN_LIFETIME as DEFAULT_TOKEN_LIFETIME
    from specclient._grants import (
        FileTokenCache,
        OAuth2ClientCredentials,
        OAuth2Password,
        TokenCache,
    )
    from specclient._grants import default_token_dir as default_token_dir


class APIKey(_AuthBase):
    """An API key sent in a header or a query parameter.

    Parameters
    ----------
    value : str
        The key.
    header : str, optional
        Header to carry it, e.g. ``"X-API-Key"`` or ``"CLICDATA-API-KEY"``.
    query : str, optional
        Query parameter to carry it instead. Exactly one of ``header`` and ``query``.
    prefix : str, optional
        Put before the key, separated by one space (``prefix="Bearer"`` gives
        ``Bearer <key>``), unless the prefix already ends in a space.
    secret : bool
        ``False`` for a key *identifier* sent beside its secret (uSmart's ``api-key-id``): its
        header is then not added to the names redacted everywhere.
    """

    def __init__(
        self,
        value: str,
        *,
        header: str | None = None,
        query: str | None = None,
        prefix: str | None = None,
        secret: bool = True,
    ) -> None:
        if (header is None) == (query is None):
            raise ParameterError("APIKey", "give exactly one of header= or query=")
        self.header = header
        self.query = query
        self.prefix = prefix
        # A key under an innocent-looking name ("code", "X-Org") must still be hidden in logs,
        # errors and cassettes.
        if secret:
            register_secret_name(header or query or "")
        self._value = Secret(_required("APIKey", "the key (value=)", value))

    def _wire_value(self) -> str:
        if not self.prefix:
            return self._value.reveal()
        gap = "" if self.prefix.endswith(" ") else " "
        return f"{self.prefix}{gap}{self._value.reveal()}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.header is not None:
            request.headers[self.header] = self._wire_value()
        else:
            assert self.query is not None
            request.url = request.url.copy_merge_params({self.query: self._wire_value()})
        yield request

    def __repr__(self) -> str:
        where = f"header={self.header!r}" if self.header else f"query={self.query!r}"
        prefix = f", prefix={self.prefix!r}" if self.prefix else ""
        return f"APIKey(value='***', {where}{prefix})"


class Bearer(_AuthBase):
    """``Authorization: Bearer <token>`` with a token you already have."""

    def __init__(self, token: str) -> None:
        self._token = Secret(_required("Bearer", "the token", token))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "Bearer(token='***')"


class Basic(_AuthBase):
    """``Authorization: Basic base64(username:password)`` (UTF-8, as httpx and RFC 7617)."""

    def __init__(self, username: str, password: str) -> None:
        self.username = _required("Basic", "username", username, secret=False)
        if not isinstance(password, str | Secret):
            raise ParameterError(
                "Basic", f"password must be a string, not {type(password).__name__}"
            )
        # A password may mean its spaces (it travels base64-encoded, whitespace and all): kept
        # as given, but hidden in every spelling.
        register_secret_value(password.reveal() if isinstance(password, Secret) else password)
        self._password = password if isinstance(password, Secret) else Secret(password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = _basic_header(self.username, self._password.reveal())
        yield request

    def __repr__(self) -> str:
        return f"Basic(username={self.username!r}, password='***')"


# --------------------------------------------------------------------------- auth from a spec

#: what each kind of security scheme needs: the inputs a caller gives per scheme
SCHEME_INPUTS: Mapping[str, tuple[str, ...]] = {
    "apiKey": ("value",),
    "basic": ("username", "password"),
    "bearer": ("token",),
    "oauth2": ("client_id", "client_secret"),
}


def _scheme_kind(scheme: Any) -> str:
    if scheme.type == "http":
        return scheme.scheme or "basic"
    return str(scheme.type)


def _token_url(url: str, spec: Any, base_url: str | None) -> str:
    """A spec's token URL for this client: a relative one is resolved against the base URL
    (RFC 3986: ``/oauth/token`` against the origin); one under a server the spec names moves
    with the base URL (an emulator, another region). Without ``base_url``: the spec's first
    absolute server."""
    from urllib.parse import urljoin

    servers = [s.rstrip("/") for s in spec.servers if s.startswith(("http://", "https://"))]
    root = (base_url or (servers[0] if servers else "")).rstrip("/")
    if not url.startswith(("http://", "https://")):
        if not root:
            raise ParameterError("auth", f"token URL {url!r} is relative and there is no base_url")
        return urljoin(root + "/", url)
    for server in servers:
        if url.startswith(server + "/"):
            return root + url[len(server) :]
    return url


def _scheme_auth(
    spec: Any, name: str, given: Mapping[str, Any], base_url: str | None, options: Mapping
) -> httpx.Auth:
    scheme = spec.security_schemes[name]
    kind = _scheme_kind(scheme)
    extra = dict(options.get(name) or {})
    if kind == "apiKey":
        where = "query" if scheme.location == "query" else "header"
        if scheme.location not in (None, "header", "query"):
            raise ParameterError("auth", f"security scheme {name!r}: apiKey in {scheme.location}")
        return APIKey(given["value"], **{where: scheme.param_name}, **extra)
    if kind == "basic":
        return Basic(given["username"], given["password"])
    if kind == "bearer":
        return Bearer(given["token"])
    if kind == "oauth2":
        from specclient._grants import OAuth2ClientCredentials

        if not scheme.token_url:
            raise ParameterError(
                "auth", f"security scheme {name!r} names no clientCredentials tokenUrl"
            )
        return OAuth2ClientCredentials(
            given["client_id"],
            given["client_secret"],
            _token_url(scheme.token_url, spec, base_url),
            **extra,
        )
    raise ParameterError(
        "auth", f"security scheme {name!r} of type {scheme.type!r} is not supported"
    )


class AllOf(_AuthBase):
    """Several one-step auths applied to every request together (a spec requirement naming
    two schemes, e.g. uSmart's key id and key secret headers)."""

    def __init__(self, *parts: httpx.Auth) -> None:
        self.parts = parts

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for part in self.parts:
            request = next(part.sync_auth_flow(request))
        yield request

    def __repr__(self) -> str:
        return f"AllOf({', '.join(map(repr, self.parts))})"


def from_spec(
    spec: Any,
    inputs: Mapping[str, Mapping[str, Any]],
    *,
    base_url: str | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> httpx.Auth | None:
    """Auth as the spec's ``securitySchemes`` describe it, for the credentials given.

    ``inputs`` maps a scheme name to what that kind of scheme needs (:data:`SCHEME_INPUTS`:
    an apiKey's ``value``, basic's ``username``/``password``, oauth2's ``client_id``/
    ``client_secret``). The spec's ``security`` alternatives are tried in order; the first whose
    schemes all have their inputs is built (header names, token URLs from the spec).
    ``options`` adds per scheme what a spec cannot say (``client_auth``, ``token_cache``...).
    ``None`` when no alternative is satisfied (the caller says which credential is missing).
    """
    options = options or {}
    requirements = spec.security_requirements or tuple((n,) for n in spec.security_schemes)
    for requirement in requirements:
        if not requirement or any(n not in spec.security_schemes for n in requirement):
            continue
        needed = [
            (name, SCHEME_INPUTS.get(_scheme_kind(spec.security_schemes[name]), ()))
            for name in requirement
        ]
        if all(
            roles and all((inputs.get(name) or {}).get(role) not in (None, "") for role in roles)
            for name, roles in needed
        ):
            parts = [
                _scheme_auth(spec, name, inputs[name], base_url, options) for name in requirement
            ]
            return parts[0] if len(parts) == 1 else AllOf(*parts)
    return None


# The OAuth2 grants and token caches live in specclient._grants, loaded on first use.
_GRANTS = frozenset(
    {
        "DEFAULT_TOKEN_LIFETIME",
        "FileTokenCache",
        "OAuth2ClientCredentials",
        "OAuth2Password",
        "TokenCache",
        "default_token_dir",
    }
)


def __getattr__(name: str) -> Any:
    if name in _GRANTS:
        from specclient import _grants

        value = getattr(_grants, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
