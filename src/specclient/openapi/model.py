"""The normalised model: one shape for Swagger 2.0, OpenAPI 3.0 and 3.1.

Everything downstream (the client, codegen, the emulators, the CLI) reads only these classes,
never a raw spec. Schemas inside the model are plain dicts with every ``$ref`` resolved; where a
schema refers to itself (directly or through others) the recursive occurrence is kept as
``{"$recursive": "<name>"}`` so nothing loops. ``nullable: true`` (3.0) and ``x-nullable``
(2.0) are kept as written; :func:`is_nullable` reads either, and 3.1's ``type: [..., "null"]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .._records import Record

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


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class Param(Record):
    """One argument of a Python method.

    ``location`` says where it goes on the wire: ``path``/``query``/``header``/``cookie`` for
    parameters, ``body`` for a property of a JSON body, ``form`` for a field of a
    form-urlencoded or multipart body, ``file`` for a binary multipart part.
    """

    name: str  # Python name: snake_case, a valid identifier, never a keyword
    wire_name: str  # name as the spec spells it, sent on the wire
    location: ParamLocation
    schema: Mapping[str, Any] = field(default_factory=dict)
    required: bool = False
    description: str = ""
    default: Any = MISSING
    deprecated: bool = False
    secret: bool = False  # x-secret, or a name that always carries a secret
    style: str | None = None  # OpenAPI serialisation style (form, simple, ...) when given
    explode: bool | None = None  # as given; None = the style's default (true only for form)
    allow_reserved: bool = False  # query: RFC 3986 reserved characters go unencoded
    allow_empty_value: bool = False  # query: an empty string may be sent (``name=``)
    content_type: str | None = None  # a parameter described by ``content``: its media type


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class RequestBody(Record):
    """The request body of an operation.

    ``fields`` are the top-level properties of an object body, exposed as keyword arguments
    (civis-python style); ``_body=`` on a call replaces them all. A body that is not an object
    (an array, a string, binary) has no fields and is passed whole with ``_body=``.
    """

    media_type: str  # the default one: JSON first, then form, then multipart, then the first
    schema: Mapping[str, Any] = field(default_factory=dict)
    required: bool = False
    fields: tuple[Param, ...] = ()
    description: str = ""
    media_types: tuple[str, ...] = ()  # every media type the operation accepts, as listed
    #: media type -> property (wire name) -> its Encoding Object (``contentType``, ``style``,
    #: ``explode``, ``allowReserved``, ``headers``), as written; Swagger 2.0 ``collectionFormat``
    #: of ``formData`` parameters arrives here as the ``style``/``explode`` it means.
    encodings: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class ResponseShape(Record):
    """The success response the spec promises."""

    status: str  # "200", "201", "2XX", "default" ...
    media_type: str | None = None
    schema: Mapping[str, Any] | None = None
    description: str = ""
    headers: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()  # every media type the response may come in


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class Pagination(Record):
    """How to walk the pages of a list operation (``x-pagination``, or inferred for Civis).

    style:
      ``offset``  - ``offset_param`` grows by the page size, stops on a short or empty page
      ``page``    - ``page_param`` grows by one (Civis ``page_num``, pagination headers honoured)
      ``cursor``  - the next cursor is read from ``next_path`` in the response body
    ``items`` is a dotted path into the response body where the list sits ("" = the body).
    ``total`` (optional) is a dotted path or ``header:<Name>`` giving the total count.
    """

    style: Literal["offset", "page", "cursor"]
    items: str = ""
    limit_param: str | None = None  # Python name of the page size argument
    offset_param: str | None = None
    page_param: str | None = None
    cursor_param: str | None = None
    next_path: str | None = None
    total: str | None = None
    start: int = 0  # first offset / first page number
    default_limit: int | None = None


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class Waiter(Record):
    """``x-waiter``: poll ``operation`` (resource.method, defaults to this one's ``get``)
    until ``field`` is in ``success`` or ``failure``."""

    field: str
    success: tuple[str, ...]
    failure: tuple[str, ...] = ()
    operation: str | None = None
    delay: float = 5.0
    max_delay: float = 60.0
    timeout: float = 3600.0
    reason_field: str | None = None  # where the failure reason sits, e.g. "failureReason"


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class Operation(Record):
    """One callable: ``client.<resource>.<method>(...)``."""

    resource: str
    method: str
    verb: str  # lower case: get, post, put, patch, delete, head, options
    path: str  # as in the spec, with leading slash and {placeholders}, e.g. /org/{orgGuid}/dataset:view
    params: tuple[Param, ...] = ()  # path, query, header, cookie, then body fields; signature order
    body: RequestBody | None = None
    responses: tuple[ResponseShape, ...] = ()
    operation_id: str | None = None
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    pagination: Pagination | None = None
    records: str | None = None  # x-records: dotted path to the table in the response
    waiter: Waiter | None = None
    idempotent: bool | None = None  # x-idempotent; None = decide from the verb
    secret_fields: frozenset[str] = frozenset()  # wire names to redact anywhere they appear
    security: tuple[str, ...] | None = None  # scheme names; () = no auth; None = spec default
    servers: tuple[str, ...] = ()  # operation- (else path-) level servers, variables resolved
    extensions: Mapping[str, Any] = field(default_factory=dict)  # other x- keys, as written
    pointer: str = ""  # JSON pointer of the operation in the source document

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


@dataclass(frozen=True, slots=True, eq=False, repr=False)  # Record: eq, hash, repr
class SecurityScheme(Record):
    """One entry of the spec's ``securitySchemes`` (Swagger 2.0 ``securityDefinitions``)."""

    name: str
    type: str  # apiKey, http, oauth2, openIdConnect
    scheme: str | None = None  # http: basic, bearer
    location: str | None = None  # apiKey: header, query, cookie
    param_name: str | None = None  # apiKey: the header / query name
    token_url: str | None = None  # oauth2 clientCredentials


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
