"""The normalised model, reshaped into what the templates print.

Templates stay free of logic: every annotation, default and docstring line is decided here,
from :mod:`specclient.openapi.model` objects only, so stubs, reference docs and the runtime
client all read the same source.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from codegen.types import ResponseClass, ResponseTypes, pascal_case, rename
from specclient._annotations import body_annotation, parameter_annotation, return_annotation
from specclient.client import AsyncClient, AsyncResource, Client, Method, Resource
from specclient.openapi.model import (
    MISSING,
    Operation,
    Pagination,
    Param,
    ResponseShape,
    Spec,
    schema_types,
)


@dataclass
class ParamView:
    name: str
    annotation: str
    required: bool
    location: str
    wire_name: str
    description: str
    default: str  # the default as the reference docs show it; "" when there is none
    deprecated: bool = False


@dataclass
class Overload:
    params: str  # the text between ``(self, `` and ``)``
    returns: str


@dataclass
class MethodView:
    name: str
    verb: str
    path: str
    summary: str
    description: str
    positional: list[ParamView]  # required: positional or keyword, path parameters first
    keyword: list[ParamView]  # optional: keyword only
    options: tuple[str, ...]  # per-call options this method takes (return_type, iterator, ...)
    spelled: dict[str, str]  # option -> its spelling here (``_body`` when a spec field is body)
    body_annotation: str | None  # the ``body=`` override, when the operation has a body
    returns: str  # annotation of the snake_case response
    returns_doc: str
    item: str | None  # annotation of one item when ``iterator=True`` is allowed
    pagination: str
    waiter: str
    deprecated: bool
    overloads: list[Overload] = field(default_factory=list)
    wait_returns: str | None = None  # set when the method has ``.wait()`` (x-waiter)

    @property
    def params(self) -> list[ParamView]:
        return self.positional + self.keyword


@dataclass
class ResourceView:
    name: str
    class_name: str
    base: str  # the class the stub's resource class extends (a platform's workflow class)
    methods: list[MethodView] = field(default_factory=list)
    workflows: list[WorkflowView] = field(default_factory=list)


@dataclass
class WorkflowView:
    """A method a platform adds in Python (several calls), for the reference docs."""

    name: str
    signature: str  # "(dataset_guid: str, path: str | os.PathLike[str], *, progress: ...)"
    summary: str
    returns: str


@dataclass
class ClientView:
    """One client class of a stub: the sync one, or its async twin."""

    class_name: str
    base: str  # the runtime class it extends (a platform's client class, or Client)
    resources: list[ResourceView]
    is_async: bool = False
    workflows: list[WorkflowView] = field(default_factory=list)  # on the client itself


@dataclass
class SpecView:
    platform: str
    title: str
    version: str
    source: str
    servers: tuple[str, ...]
    clients: list[ClientView]  # the sync client first
    response_classes: list[ResponseClass]
    imports: list[str]  # ``from module import Class as _Alias`` lines for runtime base classes
    strict: bool  # False: unknown names stay Any (the live spec may have more than the stub)
    bundled: bool = False  # one of the platforms connect() knows (else: Client.from_spec)

    @property
    def resources(self) -> list[ResourceView]:
        """The sync client's resources (what the reference documents)."""
        return self.clients[0].resources

    @property
    def client_class(self) -> str:
        return self.clients[0].class_name

    @property
    def operation_count(self) -> int:
        return sum(len(resource.methods) for resource in self.resources)


@dataclass
class Runtime:
    """The runtime classes a platform's client is made of, so stubs extend exactly those.

    ``client_class`` is ``type(client)``; ``resource_classes`` maps a resource to its class
    where a platform adds workflow methods (``CivisJobs`` adds ``run``).
    """

    client_class: type = Client
    resource_classes: Mapping[str, type] = field(default_factory=dict)
    strict: bool = True
    # Values the adapter wrote into paths (uSmart's org GUID), shown as placeholders instead.
    placeholders: Mapping[str, str] = field(default_factory=dict)


def build(
    spec: Spec,
    platform: str,
    source: str,
    runtime: Runtime | None = None,
    async_runtime: Runtime | None = None,
) -> SpecView:
    """Everything the templates need for one spec, in the spec's own resource order.

    ``async_runtime`` (the classes of ``connect_async``'s client) adds the async twin.
    """
    runtime = runtime or Runtime()
    imports: dict[type, str] = {}
    types = ResponseTypes()
    methods: dict[tuple[str, str], MethodView] = {}

    def base_name(cls: type, default: type) -> str:
        if cls is default:
            return default.__name__
        if cls not in imports:
            imports[cls] = f"_{cls.__name__}Base"
        return imports[cls]

    def method(resource: str, name: str, operation: Operation) -> MethodView:
        # Built once and shared by the sync and async classes (same signature, same types).
        if (resource, name) not in methods:
            owner = "_" + pascal_case(resource)
            view = _method(name, operation, types, owner)
            for value, placeholder in runtime.placeholders.items():
                view.path = view.path.replace(value, placeholder)
            methods[(resource, name)] = view
        return methods[(resource, name)]

    def client(rt: Runtime, client_base: type, resource_base: type, prefix: str) -> ClientView:
        resources = []
        for resource in spec.resource_names():
            cls = rt.resource_classes.get(resource, resource_base)
            own = _own_names(cls, resource_base)
            view = ResourceView(
                resource, f"_{prefix}{pascal_case(resource)}", base_name(cls, resource_base)
            )
            for name, operation in spec.operations(resource).items():
                if name not in own:  # else the workflow of that name is what users get
                    view.methods.append(method(resource, name, operation))
            view.workflows = _workflows(cls, resource_base)
            resources.append(view)
        client_own = _own_names(rt.client_class, client_base)
        return ClientView(
            f"{prefix}{pascal_case(platform)}Client",
            base_name(rt.client_class, client_base),
            [r for r in resources if r.name not in client_own],
            is_async=bool(prefix),
        )

    clients = [client(runtime, Client, Resource, "")]
    clients[0].workflows = _workflows(runtime.client_class, Client)
    if async_runtime is not None:
        clients.append(client(async_runtime, AsyncClient, AsyncResource, "Async"))
    renames = types.final_names()
    for view in methods.values():
        view.returns = rename(view.returns, renames)
        view.item = rename(view.item, renames) if view.item else view.item
        view.wait_returns = rename(view.wait_returns, renames) if view.wait_returns else None
        for o in view.overloads:
            o.returns = rename(o.returns, renames)
    return SpecView(
        platform=platform,
        title=spec.title,
        version=spec.version,
        source=source,
        servers=tuple(spec.servers),
        clients=clients,
        response_classes=types.classes,
        imports=[
            f"from {c.__module__} import {c.__qualname__} as {alias}"
            for c, alias in imports.items()
        ],
        strict=runtime.strict,
    )


def _workflows(cls: type, base: type) -> list[WorkflowView]:
    """The public methods ``cls`` adds to ``base``, documented from their own source."""
    found = []
    for name in sorted(_own_names(cls, base)):
        member = inspect.getattr_static(cls, name)
        function = member.fget if isinstance(member, property) else member
        if not callable(function) or isinstance(function, type):
            continue
        doc = inspect.cleandoc(function.__doc__ or "")
        if isinstance(member, property):
            signature, returns = "", ""
        else:
            sig = inspect.signature(function)
            signature = _signature_text(sig)
            returns = (
                ""
                if sig.return_annotation is sig.empty
                else _annotation_text(sig.return_annotation)
            )
        found.append(WorkflowView(name, signature, _first_paragraph(doc), returns))
    return found


def _annotation_text(annotation: Any) -> str:
    # Adapters use `from __future__ import annotations`: annotations are already source text.
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _signature_text(sig: inspect.Signature) -> str:
    """``(a: str, *, b: int | None = None)``, annotations as written in the source."""
    parts: list[str] = []
    star_done = False
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.KEYWORD_ONLY and not star_done:
            parts.append("*")
        star_done = star_done or p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        text = prefix + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation_text(p.annotation)}"
        if p.default is not p.empty:
            text += f" = {p.default!r}"
        parts.append(text)
    return f"({', '.join(parts)})"


def _first_paragraph(text: str) -> str:
    return " ".join(text.split("\n\n")[0].split()) if text.strip() else ""


def _own_names(cls: type, base: type) -> set[str]:
    """Attributes a platform's subclass adds on top of the engine's ``base`` class."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is base or not issubclass(klass, base):
            continue
        names.update(n for n in vars(klass) if not n.startswith("_"))
    return names


def _method(name: str, op: Operation, types: ResponseTypes, owner: str) -> MethodView:
    # The runtime's own Method decides the signature (order, kinds, which per-call options
    # exist, Civis-style pagination it recognises), so the stub cannot disagree with it.
    runtime = Method(None, op)
    signature = runtime.__signature__
    by_name = {p.name: p for p in op.params}
    positional, keyword, options = [], [], []
    spelled: dict[str, str] = {}
    for parameter in signature.parameters.values():
        if parameter.name in by_name:
            view = _param(by_name[parameter.name])
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
            (positional if parameter.kind == kind else keyword).append(view)
        else:
            options.append(parameter.name.lstrip("_"))
            spelled[parameter.name.lstrip("_")] = parameter.name
    success = op.success
    prefix = owner.lstrip("_") + pascal_case(name)
    returns = _returns(success, types, prefix + "Response")
    pagination = runtime.pagination
    item = None
    if pagination is not None and "iterator" in options:
        schema = success.schema if success else None
        item = _item_annotation(schema, pagination.items, types, prefix + "Item")
    body = body_annotation(op) if "body" in options else None
    view = MethodView(
        name=name,
        verb=op.verb.upper(),
        path=op.path,
        summary=_first_line(op.summary or op.description),
        description=(op.description or "").strip(),
        positional=positional,
        keyword=keyword,
        options=tuple(options),
        spelled=spelled,
        body_annotation=body,
        returns=returns,
        returns_doc=(success.description.strip() if success else ""),
        item=item,
        pagination=_pagination_doc(pagination),
        waiter=_waiter_doc(op),
        deprecated=op.deprecated,
    )
    view.overloads = _overloads(view)
    if op.waiter is not None:
        view.wait_returns = returns
    return view


def _returns(success: ResponseShape | None, types: ResponseTypes, name: str) -> str:
    """What a ``snake`` call returns: the runtime's annotation, objects refined into classes."""
    return return_annotation(success, name, objects=types.annotate_object)


def stub_type(annotation: str) -> str:
    """``annotation`` as a stub must spell it inside a class body.

    A method or field named ``list`` (or ``str``, ...) shadows the builtin for the rest of its
    class, so stubs refer to builtins through private aliases the module header imports.
    """
    return _BUILTIN.sub(r"_\1", annotation)


_BUILTIN = re.compile(r"(?<![\w.\"])(list|dict|str|int|float|bool|bytes)\b")


def _overloads(m: MethodView) -> list[Overload]:
    """One signature per kind of result: typed response, DataFrame, raw reply, page iterator."""
    head = [f"{p.name}: {stub_type(p.annotation)}" for p in m.positional]
    own = [f"{p.name}: {stub_type(p.annotation)} = ..." for p in m.keyword]
    name = m.spelled.get
    if m.body_annotation:
        own.append(f"{name('body')}: {stub_type(m.body_annotation)} = ...")
    if "content_type" in m.options:
        own.append(f"{name('content_type')}: _str | None = ...")
    common = [o for o in ("timeout", "headers") if o in m.options]
    common_text = [f"{name(o)}: {_OPTION_TYPES[o]} = ..." for o in common]

    def text(extra: list[str]) -> str:
        keywords = own + extra + common_text
        return ", ".join(head + (["*"] + keywords if keywords else []))

    pages = name("iterator")
    kind = name("return_type")
    if "return_type" not in m.options:
        pager = [f"{pages}: bool = ..."] if "iterator" in m.options else []
        return [Overload(text(pager), stub_type(m.returns))]
    paged = "iterator" in m.options and m.item is not None
    not_paged = (
        [f"{pages}: Literal[False] = ..."]
        if paged
        else ([f"{pages}: bool = ..."] if "iterator" in m.options else [])
    )
    any_pages = [f"{pages}: bool = ..."] if "iterator" in m.options else []
    result = [
        Overload(text([f"{kind}: _Snake = ..."] + not_paged), stub_type(m.returns)),
        Overload(text([f'{kind}: Literal["pandas"]'] + any_pages), "_pd.DataFrame"),
        Overload(text([f'{kind}: Literal["raw"]'] + any_pages), "Any"),
        # a pyarrow.Table, or record batches by page with iterator=True; typed Any because
        # pyarrow ships no type information for a stub to name
        Overload(text([f'{kind}: Literal["arrow"]'] + any_pages), "Any"),
    ]
    if paged:
        result.append(
            Overload(
                text([f"{kind}: _Snake = ...", f"{pages}: Literal[True]"]),
                f"Iterator[{stub_type(m.item)}]",
            )
        )
    return result


_OPTION_TYPES = {"timeout": "_float | None", "headers": "Mapping[_str, _str] | None"}


def _param(p: Param) -> ParamView:
    default = "" if p.default is MISSING else repr(p.default)
    return ParamView(
        name=p.name,
        annotation=parameter_annotation(p),
        required=p.required,
        location=p.location,
        wire_name=p.wire_name,
        description=(p.description or "").strip(),
        default=default,
        deprecated=p.deprecated,
    )


def _item_annotation(
    schema: Mapping[str, Any] | None, items: str, types: ResponseTypes, name: str
) -> str:
    node: Mapping[str, Any] | None = schema
    for part in [p for p in items.split(".") if p]:
        if not node:
            return "Any"
        node = (node.get("properties") or {}).get(part)
    if not node:
        return "Any"
    if "array" in schema_types(node):
        return types.annotation(node.get("items"), name)
    return "Any"


def _pagination_doc(p: Pagination | None) -> str:
    if p is None:
        return ""
    where = f" from `{p.items}`" if p.items else ""
    return f"{p.style} pagination{where}; pass `iterator=True` to walk every page"


def _waiter_doc(op: Operation) -> str:
    w = op.waiter
    if w is None:
        return ""
    target = w.operation or f"{op.resource}.get"
    success = ", ".join(w.success)
    failure = f"; fails on {', '.join(w.failure)}" if w.failure else ""
    return f"`.wait()` polls `{target}` until `{w.field}` is {success}{failure}"


def _first_line(text: str) -> str:
    stripped = (text or "").strip()
    return stripped.splitlines()[0].strip() if stripped else ""
