"""``Client`` and ``AsyncClient``: ``client.<resource>.<method>(...)`` built at run time.

Everything is lazy on the way to the first call: the spec model loads one resource's operations
when the resource is first touched, a ``Method`` builds its signature and docstring when first
inspected, and httpx itself is imported and its client (with its slow SSL context) created only
when the first request is sent. Request building, validation, retries decisions and decoding are
shared; ``Client`` and ``AsyncClient`` differ only in how they send.
"""

from __future__ import annotations

import contextlib
import keyword

# threading's Lock and get_ident, without the threading module (not loaded by a start-up)
from _thread import allocate_lock
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from functools import cached_property

from ._binding import Binder, CallParts
from ._clock import SYSTEM_CLOCK, Clock
from .errors import ParameterError, SpecClientError
from .openapi.model import Operation, Pagination, Spec
from .options import ClientOptions, _server_map

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    import httpx

    from .http.retry import RetryPolicy

__all__ = ["Client", "AsyncClient", "Resource", "AsyncResource", "Method", "AsyncMethod"]


def _load_spec(
    spec: Spec | str | Path | Mapping[str, Any], naming: Any, cache: bool, remote_refs: bool
) -> Spec:
    if isinstance(spec, Spec):
        return spec
    from .openapi import load

    return load(spec, naming=naming, cache=cache, remote_refs=remote_refs)


class _Shadowable:
    """A helper that a resource (on a client) or a method (on a resource) of its name shadows.

    ``client.request`` is the spec's ``request`` resource when there is one, else the helper
    ``client._request``; the underscore spelling always reaches the helper, since no name from
    a spec can start with an underscore.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._shadowing(self.name)


class _ClientBase:
    """Options and resource lookup shared by the sync and async clients."""

    _sender_cls_path: str = ""
    _resource_cls: type[Resource] | type[AsyncResource]

    request = _Shadowable()
    spec = _Shadowable()
    http = _Shadowable()
    auth = _Shadowable()
    base_url = _Shadowable()
    call = _Shadowable()
    resource = _Shadowable()
    clock = _Shadowable()
    return_type = _Shadowable()
    options = _Shadowable()
    settings = _Shadowable()

    def __init__(
        self,
        spec: Spec | str | Path | Mapping[str, Any],
        *,
        options: ClientOptions | None = None,
        resource_classes: Mapping[Any, type] | None = None,
        naming: Any = None,
        **option_values: Any,
    ) -> None:
        """``option_values`` are :class:`~specclient.options.ClientOptions` fields; given beside
        ``options=`` they replace its values. Everything is validated before the spec loads."""
        chosen = _client_options(type(self).__name__, options, option_values)
        self._options: ClientOptions = chosen
        self._spec = _load_spec(spec, naming, chosen.cache, chosen.remote_refs)
        # the helpers' values (``client.auth`` is ``client._auth``...), read from the options
        self._server_map = _server_map(chosen.servers)
        self._auth = chosen.auth
        self._return_type = chosen.return_type
        self._clock: Clock = chosen.clock or SYSTEM_CLOCK
        self._resource_classes = dict(resource_classes or {})
        self._resources: dict[str, Any] = {}
        self._sender_obj: Any = None
        # 16 threads making a new client's first call at once must build one pool, not 16.
        self._sender_lock = allocate_lock()

    @classmethod
    def from_spec(cls, spec: Spec | str | Path | Mapping[str, Any], **options: Any) -> Any:
        """Build a client from a spec path, URL, dict or loaded ``Spec``."""
        return cls(spec, **options)

    # -- what the client knows (the helpers, spelled so no resource can shadow them) ----------

    @property
    def _settings(self) -> Mapping[str, Any]:
        """The platform's own settings (``options.settings``), read-only."""
        return self._options.settings

    @property
    def _base_url(self) -> str:
        """``base_url=`` if given, else the spec's first absolute server (mapped by ``servers=``)."""
        if self._options.base_url:
            return self._options.base_url
        for server in self._spec.servers:
            if server.startswith(("http://", "https://")):
                return self._server_map.get(server.rstrip("/"), server)
        raise SpecClientError(
            "no base_url: the spec names no absolute server URL; pass base_url=..."
        )

    def _server_for(self, operation: Operation) -> str:
        """Where ``operation`` is sent: its own (or its path's) server, else the base URL.

        An absolute server is used as written unless ``servers=`` maps it; a relative one is
        resolved against the effective base URL (``/upload`` -> that host's ``/upload``,
        ``upload`` -> ``<base_url>/upload``).
        """
        if not operation.servers:
            return self._base_url
        server = operation.servers[0]
        if server.startswith(("http://", "https://")):
            return self._server_map.get(server.rstrip("/"), server)
        from urllib.parse import urljoin

        return urljoin(self._base_url.rstrip("/") + "/", server)

    def _resource(self, name: str) -> Any:
        """``client._resource("tables")`` is ``client.tables`` (useful when a name is shadowed)."""
        if name not in self._resources:
            try:
                operations = self._spec.operations(name)
            except KeyError:
                raise AttributeError(self._unknown_resource(name)) from None
            # key None: the class of every resource not named (a platform's own base class)
            default: Any = self._resource_classes.get(None, self._resource_cls)
            cls = self._resource_classes.get(name, default)
            self._resources[name] = cls(self, name, operations)
        return self._resources[name]

    def _call(self, qualname: str, *args: Any, **kwargs: Any) -> Any:
        resource, _, method = qualname.partition(".")
        return self._resource(resource)._method(method)(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._resource(self._python_to_resource(name))

    def _shadowing(self, name: str) -> Any:
        resource = self._python_to_resource(name)
        if resource in self._resources or resource in self._spec.resource_names():
            return self._resource(resource)
        return getattr(self, "_" + name)

    def _python_to_resource(self, name: str) -> str:
        names = self._spec.resource_names()
        if name in names:
            return name
        if name.endswith("_") and keyword.iskeyword(name[:-1]) and name[:-1] in names:
            return name[:-1]
        return name

    def _unknown_resource(self, name: str) -> str:
        import difflib

        names = self._spec.resource_names()
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{type(self).__name__} has no resource {name!r}{hint} ({len(names)} resources)"

    def __dir__(self) -> list[str]:
        public = [n for n in super().__dir__() if not n.startswith("_")]
        return sorted(set(public) | set(self._spec.resource_names()))

    def __repr__(self) -> str:
        title = self._spec.title or self._spec.source or "spec"
        try:
            where = self._base_url
        except SpecClientError:
            where = "no base_url"
        return f"<{type(self).__name__} {title!r} at {where}>"

    # -- sending -----------------------------------------------------------------------------------

    def _retry_policy(self) -> RetryPolicy:
        from .http.retry import RetryPolicy

        return self._options.retry or RetryPolicy(max_retries=self._options.max_retries)

    def _new_sender(self) -> Any:
        raise NotImplementedError

    @property
    def _sender(self) -> Any:
        if self._sender_obj is None:
            with self._sender_lock:
                if self._sender_obj is None:
                    self._sender_obj = self._new_sender()
        return self._sender_obj

    def _sender_options(self) -> dict[str, Any]:
        default_base_url = getattr(self._auth, "default_base_url", None)
        if default_base_url is not None:
            # A relative token URL belongs to this client's API, never to whichever host a
            # request goes to.
            with contextlib.suppress(SpecClientError):
                default_base_url(self._base_url)
        return {
            "auth": self._auth,
            "timeout": self._options.timeout,
            "retry": self._retry_policy(),
            "http": self._options.http,
            "headers": dict(self._options.headers),
            "clock": self._clock,
            "max_response_bytes": self._options.max_response_bytes,
        }

    def _send(self, request: Any, **send_options: Any) -> Any:
        """``sender.send`` with the options' event hooks: request hooks see every attempt's
        request, response hooks the final response (awaitable on AsyncClient)."""
        hooks = self._options.event_hooks
        if hooks["request"]:
            request = _hooked_factory(request, hooks["request"])
        sent = self._sender.send(request, **send_options)
        after = self._response_hooks
        if not after or send_options.get("stream"):
            return sent
        return self._after_response(sent, after)

    @cached_property
    def _response_hooks(self) -> tuple[Any, ...]:
        """The options' response hooks, then the spec's error envelope check (if it has one)."""
        from .envelopes import envelope_of

        envelope = envelope_of(self._spec)
        hooks = tuple(self._options.event_hooks["response"])
        if envelope is None:
            return hooks
        classes = self._options.envelope_errors
        return (*hooks, lambda response: envelope.check(response, classes))

    def _after_response(self, sent: Any, hooks: Any) -> Any:
        raise NotImplementedError

    @property
    def _http(self) -> Any:
        """The pooled ``httpx.Client`` (or ``AsyncClient``) underneath, created on first use."""
        return self._sender.client

    def _request(
        self,
        verb: str,
        url: str,
        *,
        params: Any = None,
        json: Any = None,
        content: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Any = None,
        idempotent: bool | None = None,
        auth: bool | None = None,
        return_type: str = "raw",
        stream: bool = False,
    ) -> Any:
        """Send a request the spec does not describe (absolute URLs allowed: signed uploads).

        Credentials go only to the origins the client knows (its base URL, the spec's servers
        and the ``servers=`` map): by default (``auth=None``) an absolute URL elsewhere is
        sent without them. ``auth=False`` never sends them, ``auth=True`` always does. On an
        :class:`AsyncClient` the result is awaitable.
        """
        factory = _raw_request_factory(self, verb, url, params, json, content, data, files, headers)
        if auth is None:
            auth = self._knows_origin(url)
        sent = self._send(
            factory, idempotent=idempotent, timeout=_timeout(timeout), auth=auth, stream=stream
        )
        return self._deliver(sent, stream, return_type)

    def _deliver(self, sent: Any, stream: bool, return_type: str) -> Any:
        raise NotImplementedError

    def _knows_origin(self, url: str) -> bool:
        """Whether ``url`` is relative or on an origin this client was told about."""
        if not url.startswith(("http://", "https://")):
            return True
        known = [*self._spec.servers, *self._server_map.values()]
        with contextlib.suppress(SpecClientError):
            known.append(self._base_url)
        return _origin(url) in {_origin(u) for u in known if u.startswith(("http", "HTTP"))}


def _origin(url: str) -> tuple[str, str, int | None]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def _decoded(client: _ClientBase, response: Any, stream: bool, return_type: str) -> Any:
    from .response import decode

    if stream:
        return response
    cls = client._options.response_class
    return decode(response, None, return_type, now=client._clock.time(), cls=cls)


def _client_options(
    who: str, options: ClientOptions | None, values: Mapping[str, Any]
) -> ClientOptions:
    unknown = sorted(set(values) - set(ClientOptions.names()))
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], ClientOptions.names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ParameterError(who, f"unknown option {unknown[0]!r}{hint}", unknown[0])
    empty_is_none = ("headers", "event_hooks", "settings", "envelope_errors")
    values = {k: ({} if v is None and k in empty_is_none else v) for k, v in values.items()}
    if options is None:
        return ClientOptions(**values)
    return options.replace(**values) if values else options


def _hooked_factory(factory: Any, hooks: Any) -> Any:
    def hooked() -> Any:
        request = factory()
        for hook in hooks:
            hook(request)
        return request

    return hooked


def _run_hooks(response: Any, hooks: Any) -> Any:
    for hook in hooks:
        hook(response)
    return response


class Client(_ClientBase):
    """A synchronous client built from a spec. See ``docs/CONTRACTS.md``."""

    close = _Shadowable()

    def _new_sender(self) -> Any:
        from .http.transport import Sender

        return Sender(**self._sender_options())

    def _deliver(self, sent: Any, stream: bool, return_type: str) -> Any:
        return _decoded(self, sent, stream, return_type)

    def _after_response(self, sent: Any, hooks: Any) -> Any:
        return _run_hooks(sent, hooks)

    def _close(self) -> None:
        if self._sender_obj is not None:
            self._sender_obj.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._close()


class AsyncClient(_ClientBase):
    """The same surface as :class:`Client`; every method call is awaitable."""

    aclose = _Shadowable()

    def _new_sender(self) -> Any:
        from .http.transport import AsyncSender

        return AsyncSender(**self._sender_options())

    async def _deliver(self, sent: Any, stream: bool, return_type: str) -> Any:
        return _decoded(self, await sent, stream, return_type)

    async def _after_response(self, sent: Any, hooks: Any) -> Any:
        return _run_hooks(await sent, hooks)

    async def _aclose(self) -> None:
        if self._sender_obj is not None:
            await self._sender_obj.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._aclose()


def _raw_request_factory(
    client: _ClientBase,
    verb: str,
    url: str,
    params: Any,
    json: Any,
    content: Any,
    data: Any,
    files: Any,
    headers: Mapping[str, str] | None,
) -> Any:
    import httpx

    from ._request import encode_json, join_url

    if not isinstance(verb, str) or not isinstance(url, str):
        raise ParameterError("request", "verb and url must be strings")
    full_url = url if url.startswith(("http://", "https://")) else join_url(client._base_url, url)
    request_headers = dict(headers or {})
    body = content
    if json is not None:
        try:
            body = encode_json(json)
        except TypeError as exc:
            raise ParameterError("request", f"json= cannot be encoded: {exc}", "json") from None
        request_headers.setdefault("Content-Type", "application/json")

    def factory() -> httpx.Request:
        return httpx.Request(
            verb.upper(),
            full_url,
            params=params,
            content=body,
            data=data,
            files=files,
            headers=request_headers,
        )

    return factory


def _timeout(value: Any) -> Any:
    """``None`` from a caller means "the client's default", not "no timeout"."""
    if value is None:
        from .http.transport import DEFAULT

        return DEFAULT
    return value


# -- resources -------------------------------------------------------------------------------------


class _ResourceBase:
    _method_cls: type[Method] | type[AsyncMethod]

    def __init__(self, client: Any, name: str, operations: Mapping[str, Operation]) -> None:
        self._client = client
        self._name = name
        self._operations = operations
        self._methods: dict[str, Any] = {}

    def _method(self, name: str) -> Any:
        """The spec's own operation ``name`` (even when a workflow method shadows it).

        Also ``resource.method(name)`` when the spec has no method called ``method``.
        """
        if name not in self._methods:
            try:
                operation = self._operations[name]
            except KeyError:
                raise AttributeError(self._unknown_method(name)) from None
            self._methods[name] = self._method_cls(self._client, operation)
        return self._methods[name]

    method = _Shadowable()
    #: the client this resource belongs to (``resource._client`` cannot be shadowed)
    client = _Shadowable()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._method(name)

    def _shadowing(self, name: str) -> Any:
        return self._method(name) if name in self._operations else getattr(self, "_" + name)

    def _unknown_method(self, name: str) -> str:
        import difflib

        # A platform's workflows (``data.append``, ``files.upload``) are methods too.
        names = sorted({*self._operations, *workflow_methods(type(self))})
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"resource {self._name!r} has no method {name!r}{hint}; methods: {', '.join(names)}"

    def __dir__(self) -> list[str]:
        public = [n for n in super().__dir__() if not n.startswith("_")]
        return sorted(set(public) | set(self._operations))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name!r}: {len(self._operations)} methods>"


def workflow_methods(cls: type | None) -> dict[str, Any]:
    """Public methods a platform's resource or client class adds to the engine's classes
    (``data.append``, ``HabuClient.run_question``)."""
    if cls is None:
        return {}
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass in _ENGINE_CLASSES or not issubclass(klass, _ResourceBase | _ClientBase):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_") and callable(value) and not isinstance(value, type):
                found[name] = value
    return found


class Resource(_ResourceBase):
    """``client.<resource>``: methods appear as attributes. Subclass to add workflows."""


class AsyncResource(_ResourceBase):
    """``client.<resource>`` on an :class:`AsyncClient`."""


# -- methods ---------------------------------------------------------------------------------------


_ENGINE_CLASSES = (_ResourceBase, Resource, AsyncResource, _ClientBase, Client, AsyncClient)


class _MethodBase:
    """One operation as a callable with a real signature and a lazily rendered docstring.

    What to send and how to read the reply is prepared here, once; :class:`Method` and
    :class:`AsyncMethod` are the drivers that send (``await`` or not).
    """

    def __init__(self, client: Any, operation: Operation) -> None:
        self._client = client
        self.operation = operation
        self.__name__ = operation.method
        self.__qualname__ = operation.qualname

    @cached_property
    def _binder(self) -> Binder:
        options = getattr(self._client, "_options", None)  # None: a method read without a client
        return Binder(self.operation, coerce=options.value_coercion if options else None)

    @property
    def __signature__(self) -> Any:
        return self._binder.signature

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        from ._docs import render_docstring

        return render_docstring(self.operation, self._binder)

    @property
    def pagination(self) -> Pagination | None:
        return self.operation.pagination

    def __repr__(self) -> str:
        return (
            f"<method {self.operation.qualname}{self._binder.signature}: "
            f"{self.operation.verb.upper()} {self.operation.path}>"
        )

    # -- shared request preparation ---------------------------------------------------------------

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallParts:
        if self.operation.deprecated:
            self._warn_deprecated()
        return self._binder.bind(args, kwargs)

    def _warn_deprecated(self) -> None:
        import warnings

        # civis-python's legacy aliases carry their own text and warn as FutureWarning, as
        # civis-python does; an operation the spec marks deprecated is a DeprecationWarning.
        message = self.operation.extensions.get("x-deprecation-warning")
        category: type[Warning] = FutureWarning if message else DeprecationWarning
        text = message or f"{self.operation.qualname} is deprecated in the spec"
        warnings.warn(text, category, stacklevel=4)

    def _return_type(self, parts: CallParts) -> str:
        return parts.options.get("return_type") or self._client._return_type

    def _factory(self, parts: CallParts) -> Any:
        from ._request import build_request

        return build_request(
            self.operation,
            parts,
            base_url=self._client._server_for(self.operation),
            extra_headers=parts.options.get("headers"),
        )

    def _idempotent(self) -> bool | None:
        return self.operation.idempotent

    def _security(self) -> Any:
        # An operation the spec marks as needing no auth (security: []) sends no credentials.
        return self.operation.security != ()

    def _request(self, parts: CallParts, *, idempotent: bool | None = None) -> dict[str, Any]:
        """The keyword arguments of ``sender.send`` for one bound call."""
        return {
            "request": self._factory(parts),
            "idempotent": self._idempotent() if idempotent is None else idempotent,
            "timeout": _timeout(parts.options.get("timeout")),
            "auth": self._security(),
            "secret_fields": self.operation.secret_fields,
        }

    def _result(self, response: Any, return_type: str) -> Any:
        from .response import decode

        return decode(
            response,
            self.operation,
            return_type,
            now=self._client._clock.time(),
            cls=self._client._options.response_class,
        )

    # -- iterator=True: the page loop, written once ---------------------------------------------

    def _first_page(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The spec arguments (Python names) of the first page's call, and the per-call
        options every page is sent with."""
        assert self.pagination is not None
        kwargs = dict(kwargs)
        options = self._binder.split_options(kwargs)  # any spelling; kwargs keeps the spec's
        arguments = self._binder.signature.bind_partial(*args, **kwargs).arguments
        every_page = {"_timeout": options.get("timeout"), "_headers": options.get("headers")}
        from .pagination import first_page_arguments  # on the first page walk, not at import

        return first_page_arguments(self.pagination, arguments), every_page

    def _walk(
        self,
        first: tuple[dict[str, Any], dict[str, Any]],
        view: Callable[[Any, Any], Any],
    ) -> Generator[Any, Any, None]:
        """The page loop without I/O, for both drivers.

        Yields, by turns, the ``sender.send`` arguments of a page's request (and is sent the
        reply) and what ``view`` makes of that page's items; stops after the page whose
        ``next_arguments`` is None.
        """
        from .pagination import read_page
        from .response import raise_for_status, response_json

        assert self.pagination is not None
        arguments: dict[str, Any] | None
        arguments, every_page = first
        seen = 0
        while arguments is not None:
            # Reading a page changes nothing on the server: retried whatever the verb.
            parts = self._binder.bind((), {**arguments, **every_page})
            response = yield self._request(parts, idempotent=True)
            raise_for_status(response, self.operation, now=self._client._clock.time())
            payload = response_json(response, self.operation)
            page = read_page(self.pagination, arguments, payload, response.headers, seen)
            yield view(page.items, response.headers)
            arguments, seen = page.next_arguments, page.seen

    def _page_view(self, return_type: str) -> Callable[[list[Any], Any], list[Any]]:
        """What each page gives the caller: its items as sent, as ``Response`` objects that
        carry their page's headers (as a list answer's items do), or (``"arrow"``) one typed
        record batch, every page's of the same schema."""
        if return_type in ("raw", "pandas"):
            return _as_sent
        if return_type == "arrow":
            from ._frames import PageTables

            tables = PageTables(self._items_schemas())
            return lambda items, headers: [tables.batch(items)]
        from .response import Response, _convert

        secret, cls = self.operation.secret_fields, self._client._options.response_class

        def responses(items: list[Any], headers: Any) -> list[Any]:
            converted = [_convert(item, secret, cls) for item in items]
            for item in converted:
                if isinstance(item, Response):
                    item.headers = headers
            return converted

        return responses

    def _items_schemas(self) -> dict[str, Any]:
        from ._frames import column_schemas

        items = self.pagination.items if self.pagination is not None else None
        return column_schemas(self.operation, items or None)

    def _frame(self, rows: list[Any]) -> Any:
        """All pages' rows as one DataFrame, typed from the items' schema."""
        from ._frames import frame_from_records
        from .response import mask_secret_columns

        frame = frame_from_records(rows, self._items_schemas())
        return mask_secret_columns(frame, self.operation.secret_fields)


def _as_sent(items: list[Any], headers: Any) -> list[Any]:
    return items


class Method(_MethodBase):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        parts = self._bind(args, dict(kwargs))
        return_type = self._return_type(parts)
        if parts.options.get("iterator"):
            items = self._items(self._first_page(args, kwargs), self._page_view(return_type))
            return self._frame(list(items)) if return_type == "pandas" else items
        return self._result(self._client._send(**self._request(parts)), return_type)

    def _items(
        self, first: tuple[dict[str, Any], dict[str, Any]], view: Callable[[Any, Any], Any]
    ) -> Iterator[Any]:
        """The sync driver of :meth:`_walk`: a page is fetched when the last one is used up."""
        walk = self._walk(first, view)
        for request in walk:
            yield from walk.send(self._client._send(**request))

    def wait(
        self,
        *args: Any,
        timeout: float | None = None,
        delay: float | None = None,
        progress: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call this method until its ``x-waiter`` field reaches a final state."""
        from .polling import wait_for

        waiter = self.operation.waiter
        if waiter is None:
            raise ParameterError(self.operation.qualname, "has no x-waiter: nothing to wait for")
        return wait_for(
            lambda: self(*args, **kwargs),
            waiter,
            clock=self._client._clock,
            timeout=timeout,
            delay=delay,
            progress=progress,
            what=self.operation.qualname,
        )


class AsyncMethod(_MethodBase):
    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        parts = self._bind(args, dict(kwargs))
        return_type = self._return_type(parts)
        if parts.options.get("iterator"):
            items = self._items(self._first_page(args, kwargs), self._page_view(return_type))
            if return_type == "pandas":
                return self._frame([row async for row in items])
            return items
        return self._result(await self._client._send(**self._request(parts)), return_type)

    async def _items(
        self, first: tuple[dict[str, Any], dict[str, Any]], view: Callable[[Any, Any], Any]
    ) -> AsyncIterator[Any]:
        """The async driver of :meth:`_walk`."""
        walk = self._walk(first, view)
        for request in walk:
            for item in walk.send(await self._client._send(**request)):
                yield item

    async def wait(
        self,
        *args: Any,
        timeout: float | None = None,
        delay: float | None = None,
        progress: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        from .polling import await_for

        waiter = self.operation.waiter
        if waiter is None:
            raise ParameterError(self.operation.qualname, "has no x-waiter: nothing to wait for")
        return await await_for(
            lambda: self(*args, **kwargs),
            waiter,
            clock=self._client._clock,
            timeout=timeout,
            delay=delay,
            progress=progress,
            what=self.operation.qualname,
        )


# Each class body gets its own ``__doc__ = None``, which would hide the lazy docstring property.
Method.__doc__ = AsyncMethod.__doc__ = _MethodBase.__dict__["__doc__"]  # type: ignore[assignment]
Resource._method_cls = Method
AsyncResource._method_cls = AsyncMethod
Client._resource_cls = Resource
AsyncClient._resource_cls = AsyncResource
