"""A platform as data, and the one ``connect()`` / ``connect_async()`` that reads it.

Each ``platforms/<name>/__init__.py`` declares ``PLATFORM = Platform(...)``: its spec, default
base URL, credentials (argument -> environment variables -> credentials-file keys), settings
with defaults and checks, how auth is built (from the spec's ``securitySchemes``, the platform
filling in only what the spec cannot say), its client and resource classes, its emulator and
its demo. :func:`connect` does the same steps for every platform:

1. split the options into the shared ones (:class:`~specclient.ClientOptions` fields) and the
   platform's own; an unknown one is a ``ParameterError`` naming the closest known name;
2. read the credentials file (``creds_path=`` or the platform's variable) once;
3. resolve each credential and setting (argument, environment, file, default) and check it;
4. let the platform's ``prepare`` hook adjust what is not data (uSmart's hosts, Civis's spec
   fetch), build auth unless ``auth=`` was given, and the client with one validated
   ``ClientOptions`` whose ``settings`` carry the platform's settings.

Everything is checked before anything is sent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from .. import catalog as _catalog
from ..errors import ParameterError
from ..options import ClientOptions, FrozenRecord, Record, check_base_url, set_fields
from ._base import credential, read_credentials_file, require

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Credential",
    "Setting",
    "Platform",
    "Connection",
    "auth_from_spec",
    "connect",
    "connect_async",
    "describe",
    "get",
    "names",
    "register",
]

#: the shared options ``connect()`` accepts for every platform: ``spec`` and the client
#: options, except those the declaration fills (its settings, response class, envelope errors)
SHARED_OPTIONS = (
    "spec",
    *(
        name
        for name in ClientOptions.names()
        if name not in ("settings", "response_class", "envelope_errors", "value_coercion")
    ),
)


class Credential(FrozenRecord):
    """One credential: ``connect(argument=...)``, else an environment variable, else a key of
    the credentials file. ``secret=False`` marks an identifier (a client id, a key id): an
    apiKey scheme filled with one does not add its header to the redacted names."""

    FIELDS = ("argument", "env", "file_keys", "secret", "scheme")
    argument: str
    env: tuple[str, ...]
    file_keys: tuple[str, ...] | None  # default: the argument and the env names
    secret: bool
    #: ``(security scheme, input)`` it fills, e.g. ``("application", "client_id")``
    scheme: tuple[str, str] | None

    def __init__(
        self,
        argument: str,
        env: tuple[str, ...] = (),
        file_keys: tuple[str, ...] | None = None,
        secret: bool = True,
        scheme: tuple[str, str] | None = None,
    ) -> None:
        set_fields(self, argument, env, file_keys, secret, scheme)

    @property
    def keys(self) -> tuple[str, ...]:
        return self.file_keys if self.file_keys is not None else (self.argument, *self.env)


class Setting(FrozenRecord):
    """One platform option, e.g. Habu's ``poll_interval``: default, where else it may come
    from, and a check that returns the value to use or raises ``ParameterError``."""

    FIELDS = ("name", "default", "check", "env", "file_keys")
    name: str
    default: Any
    check: Callable[[Any], Any] | None
    env: tuple[str, ...]
    file_keys: tuple[str, ...]

    def __init__(
        self,
        name: str,
        default: Any = None,
        check: Callable[[Any], Any] | None = None,
        env: tuple[str, ...] = (),
        file_keys: tuple[str, ...] = (),
    ) -> None:
        set_fields(self, name, default, check, env, file_keys)


class Connection(Record):
    """What a platform's hooks see while ``connect()`` runs: the shared options (mutable:
    ``prepare`` may fill ``spec`` or ``base_url``), resolved credentials and settings."""

    FIELDS = ("platform", "options", "credentials", "settings", "file_values", "asynchronous")
    # options may hold auth and headers, credentials are secrets: never shown
    UNSHOWN = frozenset({"platform", "options", "credentials", "file_values"})
    platform: Platform
    options: dict[str, Any]
    credentials: dict[str, Any]
    settings: dict[str, Any]
    file_values: Mapping[str, Any]
    asynchronous: bool

    def __init__(
        self,
        platform: Platform,
        options: dict[str, Any],
        credentials: dict[str, Any],
        settings: dict[str, Any],
        file_values: Mapping[str, Any],
        asynchronous: bool = False,
    ) -> None:
        set_fields(self, platform, options, credentials, settings, file_values, asynchronous)

    def spec(self) -> Any:
        """The client's spec, loaded once (``spec=`` or the bundled one) and kept in
        ``options`` so the client is built from the same object."""
        from ..openapi import Spec, load

        source = self.options.get("spec") or self.platform.bundled_spec()
        if not isinstance(source, Spec):
            source = load(
                source,
                naming=self.platform.naming,
                cache=self.options.get("cache", True),
                remote_refs=self.options.get("remote_refs", False),
            )
            self.options["spec"] = source
        return source

    def scheme_inputs(self) -> dict[str, dict[str, Any]]:
        """``{scheme: {input: value}}`` from the credentials that declare a ``scheme``."""
        inputs: dict[str, dict[str, Any]] = {}
        for declared in self.platform.credentials:
            if declared.scheme is not None:
                name, role = declared.scheme
                inputs.setdefault(name, {})[role] = self.credentials.get(declared.argument)
        return inputs

    def spec_auth(self, inputs: Mapping[str, Mapping[str, Any]]) -> Any:
        """:func:`specclient.auth.from_spec` on this client's spec, base URL and the
        platform's ``auth_options``."""
        from ..auth import from_spec

        spec = self.spec()
        hook = self.platform.auth_options
        options = {name: dict(extra) for name, extra in (hook(self) if hook else {}).items()}
        for declared in self.platform.credentials:
            # an API key *identifier* (not secret) must not make its header a secret name
            scheme = spec.security_schemes.get(declared.scheme[0]) if declared.scheme else None
            if scheme is not None and scheme.type == "apiKey" and not declared.secret:
                options.setdefault(scheme.name, {})["secret"] = False
        return from_spec(spec, inputs, base_url=self.options.get("base_url"), options=options)

    def require(self, argument: str) -> Any:
        """The credential ``argument``, or an AuthError saying where to put it."""
        declared = self.platform.credential(argument)
        return require(
            self.credentials.get(argument),
            platform=self.platform.name,
            argument=argument,
            env=declared.env,
            file_keys=declared.keys if self.file_values else (),
        )


class Platform(FrozenRecord):
    """A platform, declared. Only ``name`` is required; see ``docs/adding-a-platform.md``."""

    FIELDS = (
        "name",
        "title",
        "spec",
        "base_url",
        "base_url_env",
        "base_url_from_env",
        "credentials",
        "settings",
        "credentials_file_env",
        "auth",
        "auth_options",
        "prepare",
        "defaults",
        "client",
        "async_client",
        "resources",
        "async_resources",
        "naming",
        "response_class",
        "envelope_errors",
        "value_coercion",
        "command_spec",
        "emulator",
        "demo",
        "live_spec",
    )
    name: str
    #: one line saying what it is (``specclient --help``)
    title: str
    #: the bundled spec's name (``specs/<spec>.yaml``), a path, or a dict
    spec: Any
    base_url: str | None
    #: environment variables (then file keys) that may name the base URL
    base_url_env: tuple[str, ...]
    #: how a base URL found there is completed (Habu's ``HABU_API`` host gets ``/v1``)
    base_url_from_env: Callable[[str], str] | None
    credentials: tuple[Credential, ...]
    settings: tuple[Setting, ...]
    #: the environment variable naming the credentials file (``creds_path=`` wins)
    credentials_file_env: str | None
    #: ``auth(connection) -> httpx.Auth | None``; default: built from the spec's security
    #: schemes with the credentials' ``scheme`` inputs (:func:`specclient.auth.from_spec`)
    auth: Callable[[Connection], Any] | None
    #: per security scheme, what the spec cannot say (``client_auth``, ``token_cache``...)
    auth_options: Callable[[Connection], Mapping[str, Mapping[str, Any]]] | None
    #: ``prepare(connection)``: what data cannot say (base URL rules, a fetched spec...)
    prepare: Callable[[Connection], None] | None
    #: shared options whose platform default differs from the engine's (Civis: 9 retries)
    defaults: Mapping[str, Any]
    client: type | None
    async_client: type | None
    #: workflow resource classes by resource name; key None: every other resource
    resources: Mapping[Any, type]
    async_resources: Mapping[Any, type]
    naming: Any
    response_class: type | None
    #: the error class per status for the spec's ``x-error-envelope`` (ClicData's own)
    envelope_errors: Mapping[int | None, type]
    #: ``ClientOptions.value_coercion``: how arguments are converted before they are checked
    value_coercion: Callable[[Any, tuple[str, ...]], Any] | None
    #: ``(spec) -> Spec`` the ``specclient <platform> ...`` commands are built from
    command_spec: Callable[[], Any] | None
    #: the module of its emulator (``build``, ``CREDENTIALS``)
    emulator: str | None
    demo: Callable[..., None] | None
    #: the spec is a snapshot of one the service serves (Civis): stubs type unknowns as Any
    live_spec: bool

    def __init__(
        self,
        name: str,
        title: str = "",
        spec: Any = None,
        base_url: str | None = None,
        base_url_env: tuple[str, ...] = (),
        base_url_from_env: Callable[[str], str] | None = None,
        credentials: tuple[Credential, ...] = (),
        settings: tuple[Setting, ...] = (),
        credentials_file_env: str | None = None,
        auth: Callable[[Connection], Any] | None = None,
        auth_options: Callable[[Connection], Mapping[str, Mapping[str, Any]]] | None = None,
        prepare: Callable[[Connection], None] | None = None,
        defaults: Mapping[str, Any] | None = None,  # None: {}
        client: type | None = None,
        async_client: type | None = None,
        resources: Mapping[Any, type] | None = None,  # None: {}
        async_resources: Mapping[Any, type] | None = None,  # None: {}
        naming: Any = None,
        response_class: type | None = None,
        envelope_errors: Mapping[int | None, type] | None = None,  # None: {}
        value_coercion: Callable[[Any, tuple[str, ...]], Any] | None = None,
        command_spec: Callable[[], Any] | None = None,
        emulator: str | None = None,
        demo: Callable[..., None] | None = None,
        live_spec: bool = False,
    ) -> None:
        set_fields(
            self,
            name,
            title,
            spec,
            base_url,
            base_url_env,
            base_url_from_env,
            credentials,
            settings,
            credentials_file_env,
            auth,
            auth_options,
            prepare,
            {} if defaults is None else defaults,
            client,
            async_client,
            {} if resources is None else resources,
            {} if async_resources is None else async_resources,
            naming,
            response_class,
            {} if envelope_errors is None else envelope_errors,
            value_coercion,
            command_spec,
            emulator,
            demo,
            live_spec,
        )

    def connect(self, **options: Any) -> Any:
        """``specclient.connect(name, **options)``."""
        return self.build(options)

    def connect_async(self, **options: Any) -> Any:
        """``specclient.connect_async(name, **options)``."""
        return self.build(options, asynchronous=True)

    def credential(self, argument: str) -> Credential:
        return next(c for c in self.credentials if c.argument == argument)

    def option_names(self) -> tuple[str, ...]:
        own = [c.argument for c in self.credentials] + [s.name for s in self.settings]
        return (*SHARED_OPTIONS, *own, "creds_path")

    def bundled_spec(self) -> Any:
        if isinstance(self.spec, str) and "/" not in self.spec and "." not in self.spec:
            from ..openapi import bundled_spec

            return bundled_spec(self.spec)
        return self.spec

    def load_command_spec(self) -> Any:
        """The spec the CLI's commands are built from (no I/O beyond reading the file)."""
        if self.command_spec is not None:
            return self.command_spec()
        from ..openapi import load

        return load(self.bundled_spec(), naming=self.naming)

    # -- connecting ---------------------------------------------------------------------------

    def connection(self, options: Mapping[str, Any], *, asynchronous: bool) -> Connection:
        """Steps 1-3 of :func:`connect`: split, read the file, resolve and check."""
        where = f"connect({self.name!r})"
        allowed = self.option_names()
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            import difflib  # only to name the closest option in an error

            close = difflib.get_close_matches(unknown[0], allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                where,
                f"unknown option {unknown[0]!r}{hint}; options are: {', '.join(sorted(allowed))}",
                unknown[0],
            )
        path = options.get("creds_path") or (
            os.environ.get(self.credentials_file_env) if self.credentials_file_env else None
        )
        file_values = read_credentials_file(path) if path else {}
        values = {
            c.argument: credential(
                options.get(c.argument), env=c.env, file_values=file_values, file_keys=c.keys
            )
            for c in self.credentials
        }
        settings = {s.name: self._setting(s, options, file_values) for s in self.settings}
        shared = {**self.defaults, **{k: v for k, v in options.items() if k in SHARED_OPTIONS}}
        shared = {k: v for k, v in shared.items() if v is not None or k == "base_url"}
        if shared.get("base_url"):
            # checked before a prepare hook may use it (Civis fetches its spec from there)
            shared["base_url"] = check_base_url(shared["base_url"], where).rstrip("/")
        else:
            found = credential(
                None,
                env=self.base_url_env,
                file_values=file_values,
                file_keys=("base_url", *self.base_url_env),
            )
            if found and self.base_url_from_env is not None:
                found = self.base_url_from_env(str(found))
            shared["base_url"] = found or self.base_url
        return Connection(self, shared, values, settings, file_values, asynchronous)

    def _setting(self, setting: Setting, options: Mapping[str, Any], file_values: Any) -> Any:
        if setting.name in options:
            value = options[setting.name]
        else:
            found = credential(
                None, env=setting.env, file_values=file_values, file_keys=setting.file_keys
            )
            value = setting.default if found is None else found
        return setting.check(value) if setting.check is not None else value

    def build(self, options: Mapping[str, Any], *, asynchronous: bool = False) -> Any:
        """The connected client (:func:`connect` / :func:`connect_async`)."""
        conn = self.connection(options, asynchronous=asynchronous)
        if self.prepare is not None:
            self.prepare(conn)
        shared = conn.options
        if shared.get("auth") is None:
            shared["auth"] = (self.auth or auth_from_spec)(conn)
        spec = shared.pop("spec", None) or self.bundled_spec()
        from ..client import AsyncClient, Client

        cls = (self.async_client or AsyncClient) if asynchronous else (self.client or Client)
        client_options = ClientOptions(
            **shared,
            response_class=self.response_class,
            envelope_errors=self.envelope_errors,
            value_coercion=self.value_coercion,
            settings=conn.settings,
        )
        return cls(
            spec,
            options=client_options,
            resource_classes=self.async_resources if asynchronous else self.resources,
            naming=self.naming,
        )


def auth_from_spec(conn: Connection) -> Any:
    """The spec's security schemes filled with the declared credentials; when no alternative
    is satisfied, the first missing credential is named (AuthError)."""
    auth = conn.spec_auth(conn.scheme_inputs())
    if auth is None:
        for declared in conn.platform.credentials:
            if declared.scheme is not None:
                conn.require(declared.argument)
    return auth


# -- the registry ------------------------------------------------------------------------------

# The list itself is :mod:`specclient._catalog` (below both the client stack and the emulators,
# which read it too). A bundled declaration module is imported only when its platform is used,
# so ``specclient --help`` lists every platform without loading any. Declarations registered in
# Python are kept here; the catalogue learns where their emulator lives.
_REGISTERED: dict[str, Platform] = {}


def names() -> tuple[str, ...]:
    """Every platform's name, bundled ones first."""
    return _catalog.names()


def register(platform: Platform) -> Platform:
    """Add (or replace) a platform declared outside this package, e.g. a fifth one."""
    if not isinstance(platform, Platform):
        raise ParameterError("register", "expects a Platform", "platform")
    _REGISTERED[platform.name] = platform
    _catalog.add(platform.name, _catalog.Entry(None, platform.emulator, platform.title))
    return platform


def unregister(name: str) -> None:
    _REGISTERED.pop(name, None)
    _catalog.remove(name)


def get(name: str) -> Platform:
    """The declaration of ``name``; ``ParameterError`` for a platform nobody declared."""
    key = name.lower() if isinstance(name, str) else name
    if key in _REGISTERED:
        return _REGISTERED[key]
    found = _catalog.entry(key) if isinstance(key, str) else None
    if found is None or found.declaration is None:
        raise ParameterError(
            "connect",
            f"unknown platform {name!r}; choose one of "
            f"{', '.join(names())} (or use Client.from_spec for any spec)",
            "platform",
        )
    import importlib

    declared = importlib.import_module(found.declaration).PLATFORM
    assert isinstance(declared, Platform), f"{found.declaration}.PLATFORM is not a Platform"
    return declared


def describe(name: str) -> str:
    """One line saying what ``name`` is, without importing its declaration if it is bundled."""
    found = _catalog.entry(name)
    return found.title if found is not None else ""


def connect(platform: str, **options: Any) -> Any:
    """A connected client for ``platform`` (one of :func:`names`)."""
    return get(platform).build(options)


def connect_async(platform: str, **options: Any) -> Any:
    """The :class:`~specclient.AsyncClient` twin of :func:`connect` (same options)."""
    return get(platform).build(options, asynchronous=True)
