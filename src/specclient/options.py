"""``ClientOptions``: every option a client takes, validated once, in one frozen object.

``Client(spec, base_url=..., timeout=...)`` builds one; ``Client(spec, options=ClientOptions(...))``
passes one whole. A platform's own settings (Habu's ``poll_interval``, ClicData's
``api_version``) travel in ``settings``, a read-only mapping the platform validated before it
built the options; the client and its workflows read them as ``client.options.settings[...]``.
Nothing is bolted onto a client after it is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from ._records import FrozenRecord, Record, replace, set_fields
from .errors import ParameterError

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

    from .clock import Clock
    from .http.retry import RetryPolicy

# Record, FrozenRecord, set_fields and replace (how the start-up value classes are written and
# copied, see _records) are re-exported for the platform declarations and workflows, which use
# the engine through its public modules only.
__all__ = [
    "ClientOptions",
    "RETURN_TYPES",
    "EVENTS",
    "FrozenRecord",
    "Record",
    "replace",
    "set_fields",
]

RETURN_TYPES = ("snake", "raw", "pandas", "arrow")
#: httpx's ``event_hooks`` names: request hooks see each ``httpx.Request`` before it is sent
#: (every attempt), response hooks each final ``httpx.Response`` before it is decoded.
EVENTS = ("request", "response")


def _hooks(value: Any) -> Mapping[str, tuple[Callable[[Any], Any], ...]]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise ParameterError(
            "ClientOptions", "event_hooks must map 'request'/'response' to lists", "event_hooks"
        )
    unknown = sorted(set(value) - set(EVENTS))
    if unknown:
        raise ParameterError(
            "ClientOptions",
            f"event_hooks has no event {unknown[0]!r}; events are: {', '.join(EVENTS)}",
            "event_hooks",
        )
    out: dict[str, tuple[Callable[[Any], Any], ...]] = {}
    for event in EVENTS:
        hooks = value.get(event) or ()
        hooks = (hooks,) if callable(hooks) else tuple(hooks)
        if not all(callable(hook) for hook in hooks):
            raise ParameterError(
                "ClientOptions", f"every {event} hook must be callable", "event_hooks"
            )
        out[event] = hooks
    return MappingProxyType(out)


def check_timeout(value: Any, where: str, argument: str = "timeout") -> None:
    """A timeout is None (no limit), seconds > 0, or an ``httpx.Timeout``; refused otherwise
    before anything is sent (``timeout=-1`` used to be found out after a run was created)."""
    if value is None or type(value).__name__ == "Timeout":
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(
            where,
            f"{argument} must be a number of seconds or None, not {type(value).__name__}",
            argument,
        )
    if not 0 < value < _INFINITY:  # also refuses NaN, which compares false
        raise ParameterError(
            where, f"{argument} must be a positive number of seconds, not {value!r}", argument
        )


_INFINITY = float("inf")


def check_headers(value: Any, where: str, argument: str = "headers") -> None:
    """Extra headers are a mapping of text names to text values without line breaks (a line
    break would inject a header, and httpx's refusal would quote the value)."""
    if not isinstance(value, Mapping):
        raise ParameterError(
            where,
            f"{argument} must be a mapping of names to values, not {type(value).__name__}",
            argument,
        )
    for name, text in value.items():
        if not isinstance(name, str) or not name or any(c in name for c in "\r\n:"):
            raise ParameterError(where, f"{argument}: {name!r} is not a header name", argument)
        if not isinstance(text, str):
            raise ParameterError(
                where,
                f"{argument}: the value of {name!r} must be a string, not {type(text).__name__}",
                argument,
            )
        if "\r" in text or "\n" in text:
            raise ParameterError(
                where, f"{argument}: the value of {name!r} cannot hold a line break", argument
            )


# http(s)://host[:port][/path] with a plain host name or IPv4 address: nearly every base URL,
# and one urlsplit would accept as it is. Such a URL is taken without urllib.parse, which loads
# ipaddress (~2.5 ms of every connect()); any other is read by urlsplit below.
_PLAIN_BASE_URL = r"(?i)https?://[a-z0-9.-]+(?::([0-9]{1,5}))?(?:/[^\s?#]*)?"


def check_base_url(base_url: Any, where: str = "Client") -> str:
    """``base_url`` when it is an absolute http(s) URL with a host; else a ``ParameterError``
    naming ``where`` (``connect('habu')``, ``--base-url``...), raised before anything connects:
    ``127.0.0.1:8080/v1`` would otherwise fail at the first call with an error about a scheme."""
    if is_plain_base_url(base_url):
        return base_url
    return _check_with_urlsplit(base_url, where)


def is_plain_base_url(base_url: Any) -> bool:
    """Whether ``base_url`` is a plain ``http(s)://host[:port][/path]`` (see above)."""
    plain = re.fullmatch(_PLAIN_BASE_URL, base_url) if isinstance(base_url, str) else None
    return plain is not None and int(plain.group(1) or 0) <= 65535


def _check_with_urlsplit(base_url: Any, where: str) -> str:
    from urllib.parse import urlsplit

    from ._secrets import redact_url

    if not isinstance(base_url, str):
        raise ParameterError(
            where, f"base_url must be a string, not {type(base_url).__name__}", "base_url"
        )
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        raise ParameterError(where, f"base_url is not a URL: {exc}", "base_url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ParameterError(
            where,
            f"base_url must be an absolute http:// or https:// URL with a host, not "
            f"{redact_url(base_url)!r} (e.g. https://host/v1)",
            "base_url",
        )
    if any(c.isspace() for c in base_url):
        raise ParameterError(where, "base_url contains whitespace", "base_url")
    return base_url


def _server_map(servers: Mapping[str, str] | None) -> dict[str, str]:
    """``servers={"<url as in the spec>": "<url to use>"}``, keyed without a trailing slash."""
    if servers is None:
        return {}
    if not isinstance(servers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in servers.items()
    ):
        raise ParameterError("Client", "servers= must map spec server URLs to URLs", "servers")
    return {k.rstrip("/"): v.rstrip("/") for k, v in servers.items()}


# The default of the mapping options: read-only, so one shared empty mapping is safe.
_EMPTY: Mapping[Any, Any] = MappingProxyType({})


class ClientOptions(FrozenRecord):
    """The shared client options (see the design's list) plus a platform's ``settings``.

    Validated at construction: a bad value is a :class:`~specclient.errors.ParameterError`
    naming the option, raised before anything is sent.
    """

    FIELDS = (
        "base_url",
        "servers",
        "auth",
        "timeout",
        "max_retries",
        "retry",
        "return_type",
        "http",
        "headers",
        "clock",
        "cache",
        "remote_refs",
        "event_hooks",
        "response_class",
        "envelope_errors",
        "settings",
        "max_response_bytes",
        "value_coercion",
    )
    base_url: str | None
    #: ``{"<server URL as in the spec>": "<URL to use>"}``, operation-level servers included
    servers: Mapping[str, str] | None
    auth: Any
    timeout: float | Any
    max_retries: int
    retry: RetryPolicy | None
    return_type: str
    http: Any
    headers: Mapping[str, str]
    clock: Clock | None
    cache: bool
    #: let the spec's ``$ref``s fetch other documents over the network (off by default)
    remote_refs: bool
    #: ``{"request": [f, ...], "response": [g, ...]}``, as httpx's ``event_hooks``
    event_hooks: Mapping[str, Sequence[Callable[[Any], Any]]]
    #: the class JSON objects decode to (a :class:`~specclient.response.Response` subclass;
    #: its ``list_class`` is used for arrays). ``None``: ``Response``.
    response_class: type | None
    #: the error class per status for a spec's ``x-error-envelope`` (key ``None``: any other)
    envelope_errors: Mapping[int | None, type]
    #: a platform's own validated settings, read-only
    settings: Mapping[str, Any]
    #: largest reply body read into memory, counted after decompression; None: no limit.
    #: The default is ``http.transport.DEFAULT_MAX_RESPONSE_BYTES`` (a test keeps them equal).
    max_response_bytes: int | None
    #: ``coerce(value, types) -> value``: a platform's argument conversion, called by the
    #: binder with each non-None argument and its parameter's JSON types before the type check
    #: (Civis: ``"1"`` for an integer, as civis-python sends it unchecked). ``None``: none.
    value_coercion: Callable[[Any, tuple[str, ...]], Any] | None

    def __init__(
        self,
        base_url: str | None = None,
        servers: Mapping[str, str] | None = None,
        auth: Any = None,
        timeout: float | Any = 30.0,
        max_retries: int = 3,
        retry: RetryPolicy | None = None,
        return_type: str = "snake",
        http: Any = None,
        headers: Mapping[str, str] | None = _EMPTY,
        clock: Clock | None = None,
        cache: bool = True,
        remote_refs: bool = False,
        event_hooks: Mapping[str, Sequence[Callable[[Any], Any]]] | None = _EMPTY,
        response_class: type | None = None,
        envelope_errors: Mapping[int | None, type] | None = _EMPTY,
        settings: Mapping[str, Any] = _EMPTY,
        max_response_bytes: int | None = 256 * 1024 * 1024,
        value_coercion: Callable[[Any, tuple[str, ...]], Any] | None = None,
    ) -> None:
        if return_type not in RETURN_TYPES:
            raise ParameterError(
                "Client",
                f"return_type must be one of {RETURN_TYPES}, not {return_type!r}",
                "return_type",
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ParameterError(
                "Client",
                f"max_retries must be a whole number >= 0, not {max_retries!r}",
                "max_retries",
            )
        check_timeout(timeout, "Client")
        if base_url is not None:
            check_base_url(base_url)
        if headers is None:
            headers = {}
        check_headers(headers, "Client")
        limit = max_response_bytes
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0
        ):
            raise ParameterError(
                "Client",
                f"max_response_bytes must be a positive whole number or None, not {limit!r}",
                "max_response_bytes",
            )
        if response_class is not None:
            from .response import Response

            if not (isinstance(response_class, type) and issubclass(response_class, Response)):
                raise ParameterError(
                    "Client", "response_class must be a Response subclass", "response_class"
                )
        _server_map(servers)  # a ParameterError for a malformed servers=
        if not isinstance(settings, Mapping):
            raise ParameterError("Client", "settings must be a mapping", "settings")
        set_fields(
            self,
            base_url,
            servers,
            auth,
            timeout,
            max_retries,
            retry,
            return_type,
            http,
            MappingProxyType(dict(headers)),
            clock,
            cache,
            remote_refs,
            _hooks(event_hooks),
            response_class,
            MappingProxyType(dict(envelope_errors or {})),
            MappingProxyType(dict(settings)),
            max_response_bytes,
            value_coercion,
        )

    def __repr__(self) -> str:
        # Headers may carry credentials (an Authorization header given by hand): shown
        # redacted, like every header specclient prints; auth objects hide their own secrets.
        from .http.redact import redact_headers, redact_url

        shown = []
        for name in self.names():
            value = getattr(self, name)
            if name == "headers":
                value = redact_headers(value)
            elif name == "base_url" and value:
                value = redact_url(value)
            shown.append(f"{name}={value!r}")
        return f"ClientOptions({', '.join(shown)})"

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names, in declaration order."""
        return cls.FIELDS

    def replace(self, **changes: Any) -> ClientOptions:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)
