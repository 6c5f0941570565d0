"""The normalised model: one shape for Swagger 2.0, OpenAPI 3.0 and 3.1.

Everything downstream (the client, codegen, the emulators, the CLI) reads only these classes,
never a raw spec. Schemas inside the model are plain dicts with every ``$ref`` resolved; where a
schema refers to itself (directly or through others) the recursive occurrence is kept as
``{"$recursive": "<name>"}`` so nothing loops. ``nullable: true`` (3.0) and ``x-nullable``
(2.0) are kept as written; :func:`is_nullable` reads either, and 3.1's ``type: [..., "null"]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._records import FrozenRecord, set_fields

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any, Literal

    ParamLocation = Literal["path", "query", "header", "cookie", "body", "form", "file"]


class _Missing:
    """Marker for "no default": distinct from ``None``, which is a value a user may send."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DEFAULT"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Param(FrozenRecord):
    """One argument of a Python method.

    ``location`` says where it goes on the wire: ``path``/``query``/``header``/``cookie`` for
    parameters, ``body`` for a property of a JSON body, ``form`` for a field of a
    form-urlencoded or multipart body, ``file`` for a binary multipart part.
    """

    __slots__ = FIELDS = (
        "name",
        "wire_name",
        "location",
        "schema",
        "required",
        "description",
        "default",
        "deprecated",
        "secret",
        "style",
        "explode",
        "allow_reserved",
        "allow_empty_value",
        "content_type",
    )
    name: str  # Python name: snake_case, a valid identifier, never a keyword
    wire_name: str  # name as the spec spells it, sent on the wire
    location: ParamLocation
    schema: Mapping[str, Any]
    required: bool
    description: str
    default: Any
    deprecated: bool
    secret: bool  # x-secret, or a name that always carries a secret
    style: str | None  # OpenAPI serialisation style (form, simple, ...) when given
    explode: bool | None  # as given; None = the style's default (true only for form)
    allow_reserved: bool  # query: RFC 3986 reserved characters go unencoded
    allow_empty_value: bool  # query: an empty string may be sent (``name=``)
    content_type: str | None  # a parameter described by ``content``: its media type

    def __init__(
        self,
        name: str,
        wire_name: str,
        location: ParamLocation,
        schema: Mapping[str, Any] | None = None,  # None: {}
        required: bool = False,
        description: str = "",
        default: Any = MISSING,
        deprecated: bool = False,
        secret: bool = False,
        style: str | None = None,
        explode: bool | None = None,
        allow_reserved: bool = False,
        allow_empty_value: bool = False,
        content_type: str | None = None,
    ) -> None:
        set_fields(
            self,
            name,
            wire_name,
            location,
            {} if schema is None else schema,
            required,
            description,
            default,
            deprecated,
            secret,
            style,
            explode,
            allow_reserved,
            allow_empty_value,
            content_type,
        )


class RequestBody(FrozenRecord):
    """The request body of an operation.

    ``fields`` are the top-level properties of an object body, exposed as keyword arguments
    (civis-python style); ``_body=`` on a call replaces them all. A body that is not an object
    (an array, a string, binary) has no fields and is passed whole with ``_body=``.
    """

    __slots__ = FIELDS = (
        "media_type",
        "schema",
        "required",
        "fields",
        "description",
        "media_types",
        "encodings",
    )
    media_type: str  # the default one: JSON first, then form, then multipart, then the first
    schema: Mapping[str, Any]
    required: bool
    fields: tuple[Param, ...]
    description: str
    media_types: tuple[str, ...]  # every media type the operation accepts, as listed
    #: media type -> property (wire name) -> its Encoding Object (``contentType``, ``style``,
    #: ``explode``, ``allowReserved``, ``headers``), as written; Swagger 2.0 ``collectionFormat``
    #: of ``formData`` parameters arrives here as the ``style``/``explode`` it means.
    encodings: Mapping[str, Mapping[str, Mapping[str, Any]]]

    def __init__(
        self,
        media_type: str,
        schema: Mapping[str, Any] | None = None,  # None: {}
        required: bool = False,
        fields: tuple[Param, ...] = (),
        description: str = "",
        media_types: tuple[str, ...] = (),
        encodings: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,  # None: {}
    ) -> None:
        set_fields(
            self,
            media_type,
            {} if schema is None else schema,
            required,
            fields,
            description,
            media_types,
            {} if encodings is None else encodings,
        )


class ResponseShape(FrozenRecord):
    """The success response the spec promises."""

    __slots__ = FIELDS = ("status", "media_type", "schema", "description", "headers", "media_types")
    status: str  # "200", "201", "2XX", "default" ...
    media_type: str | None
    schema: Mapping[str, Any] | None
    description: str
    headers: tuple[str, ...]
    media_types: tuple[str, ...]  # every media type the response may come in

    def __init__(
        self,
        status: str,
        media_type: str | None = None,
        schema: Mapping[str, Any] | None = None,
        description: str = "",
        headers: tuple[str, ...] = (),
        media_types: tuple[str, ...] = (),
    ) -> None:
        set_fields(self, status, media_type, schema, description, headers, media_types)


class Pagination(FrozenRecord):
    """How to walk the pages of a list operation (``x-pagination``, or inferred for Civis).

    style:
      ``offset``  - ``offset_param`` grows by the page size, stops on a short or empty page
      ``page``    - ``page_param`` grows by one (Civis ``page_num``, pagination headers honoured)
      ``cursor``  - the next cursor is read from ``next_path`` in the response body
    ``items`` is a dotted path into the response body where the list sits ("" = the body).
    ``total`` (optional) is a dotted path or ``header:<Name>`` giving the total count.
    """

    __slots__ = FIELDS = (
        "style",
        "items",
        "limit_param",
        "offset_param",
        "page_param",
        "cursor_param",
        "next_path",
        "total",
        "start",
        "default_limit",
    )
    style: Literal["offset", "page", "cursor"]
    items: str
    limit_param: str | None  # Python name of the page size argument
    offset_param: str | None
    page_param: str | None
    cursor_param: str | None
    next_path: str | None
    total: str | None
    start: int  # first offset / first page number
    default_limit: int | None

    def __init__(
        self,
        style: Literal["offset", "page", "cursor"],
        items: str = "",
        limit_param: str | None = None,
        offset_param: str | None = None,
        page_param: str | None = None,
        cursor_param: str | None = None,
        next_path: str | None = None,
        total: str | None = None,
        start: int = 0,
        default_limit: int | None = None,
    ) -> None:
        set_fields(
            self,
            style,
            items,
            limit_param,
            offset_param,
            page_param,
            cursor_param,
            next_path,
            total,
            start,
            default_limit,
        )


class Waiter(FrozenRecord):
    """``x-waiter``: poll ``operation`` (resource.method, defaults to this one's ``get``)
    until ``field`` is in ``success`` or ``failure``."""

    __slots__ = FIELDS = (
        "field",
        "success",
        "failure",
        "operation",
        "delay",
        "max_delay",
        "timeout",
        "reason_field",
    )
    field: str
    success: tuple[str, ...]
    failure: tuple[str, ...]
    operation: str | None
    delay: float
    max_delay: float
    timeout: float
    reason_field: str | None  # where the failure reason sits, e.g. "failureReason"

    def __init__(
        self,
        field: str,
        success: tuple[str, ...],
        failure: tuple[str, ...] = (),
        operation: str | None = None,
        delay: float = 5.0,
        max_delay: float = 60.0,
        timeout: float = 3600.0,
        reason_field: str | None = None,
    ) -> None:
        set_fields(
            self, field, success, failure, operation, delay, max_delay, timeout, reason_field
        )


class Operation(FrozenRecord):
    """One callable: ``client.<resource>.<method>(...)``."""

    __slots__ = FIELDS = (
        "resource",
        "method",
        "verb",
        "path",
        "params",
        "body",
        "responses",
        "operation_id",
        "summary",
        "description",
        "tags",
        "deprecated",
        "pagination",
        "records",
        "waiter",
        "idempotent",
        "secret_fields",
        "security",
        "servers",
        "extensions",
        "pointer",
    )
    resource: str
    method: str
    verb: str  # lower case: get, post, put, patch, delete, head, options
    path: str  # as in the spec, with leading slash and {placeholders}, e.g. /org/{orgGuid}/dataset:view
    params: tuple[Param, ...]  # path, query, header, cookie, then body fields; signature order
    body: RequestBody | None
    responses: tuple[ResponseShape, ...]
    operation_id: str | None
    summary: str
    description: str
    tags: tuple[str, ...]
    deprecated: bool
    pagination: Pagination | None
    records: str | None  # x-records: dotted path to the table in the response
    waiter: Waiter | None
    idempotent: bool | None  # x-idempotent; None = decide from the verb
    secret_fields: frozenset[str]  # wire names to redact anywhere they appear
    security: tuple[str, ...] | None  # scheme names; () = no auth; None = spec default
    servers: tuple[str, ...]  # operation- (else path-) level servers, variables resolved
    extensions: Mapping[str, Any]  # other x- keys, as written
    pointer: str  # JSON pointer of the operation in the source document

    def __init__(
        self,
        resource: str,
        method: str,
        verb: str,
        path: str,
        params: tuple[Param, ...] = (),
        body: RequestBody | None = None,
        responses: tuple[ResponseShape, ...] = (),
        operation_id: str | None = None,
        summary: str = "",
        description: str = "",
        tags: tuple[str, ...] = (),
        deprecated: bool = False,
        pagination: Pagination | None = None,
        records: str | None = None,
        waiter: Waiter | None = None,
        idempotent: bool | None = None,
        secret_fields: frozenset[str] = frozenset(),
        security: tuple[str, ...] | None = None,
        servers: tuple[str, ...] = (),
        extensions: Mapping[str, Any] | None = None,  # None: {}
        pointer: str = "",
    ) -> None:
        set_fields(
            self,
            resource,
            method,
            verb,
            path,
            params,
            body,
            responses,
            operation_id,
            summary,
            description,
            tags,
            deprecated,
            pagination,
            records,
            waiter,
            idempotent,
            secret_fields,
            security,
            servers,
            {} if extensions is None else extensions,
            pointer,
        )

    @property
    def qualname(self) -> str:
        return f"{self.resource}.{self.method}"

    @property
    def success(self) -> ResponseShape | None:
        """The first 2xx response (or ``default``), the one a call returns."""
        for shape in self.responses:
            if shape.status.startswith("2"):
                return shape
        for shape in self.responses:
            if shape.status == "default":
                return shape
        return None


class SecurityScheme(FrozenRecord):
    """One entry of the spec's ``securitySchemes`` (Swagger 2.0 ``securityDefinitions``)."""

    __slots__ = FIELDS = ("name", "type", "scheme", "location", "param_name", "token_url")
    name: str
    type: str  # apiKey, http, oauth2, openIdConnect
    scheme: str | None  # http: basic, bearer
    location: str | None  # apiKey: header, query, cookie
    param_name: str | None  # apiKey: the header / query name
    token_url: str | None  # oauth2 clientCredentials

    def __init__(
        self,
        name: str,
        type: str,
        scheme: str | None = None,
        location: str | None = None,
        param_name: str | None = None,
        token_url: str | None = None,
    ) -> None:
        set_fields(self, name, type, scheme, location, param_name, token_url)


class Spec:
    """A loaded, normalised spec.

    Resources are materialised lazily: building a client touches only :meth:`resource_names`;
    :meth:`operations` builds (or reads from the on-disk cache) one resource's operations the
    first time it is asked for. Implementations live in :mod:`specclient.openapi.loader`.
    """

    title: str = ""
    version: str = ""
    openapi_version: str = ""  # "2.0", "3.0.x", "3.1.x"
    servers: tuple[str, ...] = ()  # absolute or relative base URLs, server variables resolved
    security_schemes: Mapping[str, SecurityScheme] = {}
    default_security: tuple[str, ...] = ()
    #: the spec's top-level ``security``: alternatives (OR), each schemes applied together (AND)
    security_requirements: tuple[tuple[str, ...], ...] = ()
    #: the document's top-level ``x-`` keys, as written (e.g. ``x-error-envelope``)
    extensions: Mapping[str, Any] = {}
    source: str | None = None  # path or URL it came from, for messages
    digest: str = ""  # content hash, the cache key
    #: What loading worked around (name collisions, undeclared path parameters), one message
    #: each; issued together as one :class:`~specclient.errors.SpecWarning` per load.
    warnings: tuple[str, ...] = ()

    def resource_names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def operations(self, resource: str) -> Mapping[str, Operation]:
        """method name -> Operation, for one resource. KeyError if the resource is unknown."""
        raise NotImplementedError

    def method_names(self, resource: str) -> tuple[str, ...]:
        return tuple(self.operations(resource))

    def all_operations(self) -> Iterator[Operation]:
        for resource in self.resource_names():
            yield from self.operations(resource).values()

    def operation(self, qualname: str) -> Operation:
        resource, _, method = qualname.partition(".")
        return self.operations(resource)[method]


def is_nullable(schema: Mapping[str, Any] | None) -> bool:
    if not schema:
        return True
    if schema.get("nullable") or schema.get("x-nullable"):
        return True
    kind = schema.get("type")
    return isinstance(kind, list) and "null" in kind


def schema_types(schema: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The JSON types a schema admits, ignoring ``null``; () when it says nothing."""
    if not schema:
        return ()
    kind = schema.get("type")
    if isinstance(kind, str):
        return (kind,)
    if isinstance(kind, list):
        return tuple(k for k in kind if k != "null")
    return ()
