"""From a parsed OpenAPI 3.0 / 3.1 / Swagger 2.0 document to the normalised model.

Two steps, so a client pays only for what it touches:

* :class:`Engine` (eager, cheap): checks the document's shape and every ``$ref``, names every
  operation (``resource.method``), and records where each one sits. Everything a broken spec
  can get wrong at the level of paths, parameters and references is found here.
* :meth:`Engine.build_resource` (lazy, per resource): expands schemas and builds the
  :class:`~specclient.openapi.model.Operation` objects of one resource.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .._secrets import is_secret_name
from ..errors import SpecError
from ._refs import Resolver, child, pointer
from .model import (
    MISSING,
    Operation,
    Pagination,
    Param,
    RequestBody,
    ResponseShape,
    SecurityScheme,
    Waiter,
)
from .naming import (
    NamingRules,
    is_degenerate,
    is_grouped_operation_id,
    naming_segments,
    operation_id_name,
    python_name,
    split_path,
    strip_base_path,
    tag_resources,
)

VERBS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATIONS_3 = ("path", "query", "header", "cookie")
_LOCATIONS_2 = ("path", "query", "header", "body", "formData")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_INTERPRETED = frozenset(
    {"x-resource", "x-method", "x-pagination", "x-records", "x-waiter", "x-idempotent"}
)
_PAGINATION_STYLES = ("offset", "page", "cursor")
# Pages inferred from ``NamingRules.infer_page_pagination`` (Civis's page_num/limit convention)
# end where the server's page count says: without it a last full page costs an empty request.
INFERRED_PAGE_COUNT = "header:X-Pagination-Total-Pages"
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True, slots=True)
class Entry:
    """Where one named operation sits in the document."""

    resource: str
    method: str
    path: str
    verb: str
    alias_of: str | None = None  # a deprecated alias of this method name


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _pick_media(types: list[str]) -> str | None:
    """JSON first, then form, then multipart, then whatever comes first."""
    if not types:
        return None
    for media in types:
        if _is_json(media) and not media.startswith("*"):
            return media
    for wanted in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for media in types:
            if media.split(";", 1)[0].strip().lower() == wanted:
                return media
    return types[0]


def _names_of(requirements: Any) -> tuple[str, ...]:
    names: list[str] = []
    for requirement in requirements or ():
        if isinstance(requirement, Mapping):
            names.extend(n for n in requirement if n not in names)
    return tuple(names)


def _requirements_of(requirements: Any) -> tuple[tuple[str, ...], ...]:
    """The spec's security alternatives, each the schemes that apply together (AND)."""
    return tuple(
        tuple(str(n) for n in requirement)
        for requirement in requirements or ()
        if isinstance(requirement, Mapping)
    )


def merge_all_of(schema: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """An object schema's properties and required names, with ``allOf`` parts merged in."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    stack = [schema]
    seen: set[int] = set()
    while stack:
        part = stack.pop(0)
        if not isinstance(part, Mapping) or id(part) in seen:
            continue
        seen.add(id(part))
        props = part.get("properties")
        if isinstance(props, Mapping):
            properties.update(props)
        req = part.get("required")
        if isinstance(req, list):
            required.extend(r for r in req if isinstance(r, str) and r not in required)
        all_of = part.get("allOf")
        if isinstance(all_of, list):
            stack.extend(all_of)
    return properties, required


def _is_object(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind):
        return True
    if kind is None:
        return bool(schema.get("properties")) or bool(schema.get("allOf"))
    return False


def _is_binary(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    if schema.get("type") == "file" or schema.get("format") == "binary":
        return True
    if "contentMediaType" in schema or schema.get("contentEncoding") == "binary":
        return True
    return schema.get("type") == "array" and _is_binary(schema.get("items"))


def _is_secret(name: str, schema: Any, raw: Mapping[str, Any] | None = None) -> bool:
    if raw is not None and raw.get("x-secret"):
        return True
    if isinstance(schema, Mapping) and schema.get("x-secret"):
        return True
    return is_secret_name(name)  # the one rule logs, errors and cassettes use


def _secret_properties(schema: Any, found: set[str], seen: set[int]) -> None:
    """Wire names of every ``x-secret`` property anywhere inside ``schema``."""
    if isinstance(schema, list):
        for item in schema:
            _secret_properties(item, found, seen)
        return
    if not isinstance(schema, Mapping) or id(schema) in seen:
        return
    seen.add(id(schema))
    props = schema.get("properties")
    if isinstance(props, Mapping):
        for name, prop in props.items():
            if isinstance(prop, Mapping) and prop.get("x-secret"):
                found.add(str(name))
    for key, value in schema.items():
        if isinstance(value, (dict, list)) and not (isinstance(key, str) and key.startswith("x-")):
            _secret_properties(value, found, seen)


class Engine:
    """One parsed document, checked and indexed; builds resources on demand."""

    def __init__(
        self,
        document: dict[str, Any],
        rules: NamingRules,
        label: str | None,
        raw: bytes | None = None,
    ) -> None:
        self.doc = document
        self.rules = rules
        self.label = label
        self.refs = Resolver(document, label)
        self.version = self._version()
        self.v2 = self.version == "2.0"
        self.refs.check_all(raw)
        self.entries: dict[str, dict[str, Entry]] = {}
        self.files: dict[str, str] = {}  # other files the document refers to (cache check)
        #: What loading worked around, one message each (re-emitted from the cache index).
        self.warnings: list[str] = []
        #: Path parameters a template uses without declaring them, per (path, verb).
        self.undeclared: dict[tuple[str, str], list[str]] = {}
        self._index()

    def error(self, message: str, at: str) -> SpecError:
        return SpecError(message, at, self.label)

    # -- document level -----------------------------------------------------------------

    def _version(self) -> str:
        doc = self.doc
        if "swagger" in doc:
            if str(doc["swagger"]) != "2.0":
                raise self.error(
                    f"unsupported Swagger version {doc['swagger']!r} (only 2.0)", "#/swagger"
                )
            return "2.0"
        if "openapi" in doc:
            version = str(doc["openapi"])
            if not re.match(r"^3\.[01](\.\d+)?(-[0-9A-Za-z.]+)?$", version):
                raise self.error(
                    f"unsupported OpenAPI version {version!r} (3.0.x and 3.1.x are supported)",
                    "#/openapi",
                )
            return version
        raise self.error("not an OpenAPI or Swagger document: no 'openapi' or 'swagger' key", "#")

    def meta(self) -> dict[str, Any]:
        """Everything a client reads before touching a resource (the cache index)."""
        info = self.doc.get("info")
        if not isinstance(info, Mapping):
            info = {}
        return {
            "title": str(info.get("title", "") or ""),
            "version": str(info.get("version", "") or ""),
            "openapi_version": self.version,
            "servers": self._servers(),
            "security_schemes": self._security_schemes(),
            "default_security": _names_of(self.doc.get("security")),
            "security_requirements": _requirements_of(self.doc.get("security")),
            "extensions": {
                k: v for k, v in self.doc.items() if isinstance(k, str) and k.startswith("x-")
            },
            "resources": tuple(self.entries),
            "warnings": tuple(self.warnings),
        }

    def _servers(self) -> tuple[str, ...]:
        doc = self.doc
        if self.v2:
            host = doc.get("host")
            base = str(doc.get("basePath") or "")
            if base and not base.startswith("/"):
                base = "/" + base
            if not host:
                return (base,) if base else ()
            schemes = doc.get("schemes") or ["https"]
            if (
                isinstance(self.label, str)
                and self.label.startswith("http://")
                and not doc.get("schemes")
            ):
                schemes = ["http"]
            return tuple(f"{scheme}://{host}{base}".rstrip("/") for scheme in schemes)
        return self._servers_3(doc.get("servers"))

    @staticmethod
    def _servers_3(servers: Any) -> tuple[str, ...]:
        out: list[str] = []
        for server in servers or ():
            if not isinstance(server, Mapping) or not isinstance(server.get("url"), str):
                continue
            url = server["url"]
            variables = server.get("variables") or {}
            for name, spec in variables.items():
                if isinstance(spec, Mapping) and "default" in spec:
                    url = url.replace("{" + str(name) + "}", str(spec["default"]))
            out.append(url.rstrip("/") if url != "/" else url)
        return tuple(out)

    def _security_schemes(self) -> dict[str, SecurityScheme]:
        if self.v2:
            raw = self.doc.get("securityDefinitions") or {}
            at = "#/securityDefinitions"
        else:
            components = self.doc.get("components") or {}
            raw = components.get("securitySchemes") or {} if isinstance(components, Mapping) else {}
            at = "#/components/securitySchemes"
        schemes: dict[str, SecurityScheme] = {}
        for name, item in raw.items():
            item, _ = self.refs.deref(item, child(at, name))
            if not isinstance(item, Mapping) or "type" not in item:
                raise self.error(
                    "a security scheme must be a mapping with a 'type'", child(at, name)
                )
            kind = str(item["type"])
            if kind == "basic":  # Swagger 2.0
                schemes[name] = SecurityScheme(name, "http", scheme="basic")
            elif kind == "apiKey":
                schemes[name] = SecurityScheme(
                    name, "apiKey", location=item.get("in"), param_name=item.get("name")
                )
            elif kind == "http":
                scheme = item.get("scheme")
                schemes[name] = SecurityScheme(
                    name, "http", scheme=str(scheme).lower() if scheme else None
                )
            elif kind == "oauth2":
                token_url = None
                if self.v2:
                    if item.get("flow") in ("application", "clientCredentials"):
                        token_url = item.get("tokenUrl")
                else:
                    flows = item.get("flows") or {}
                    credentials = flows.get("clientCredentials") or {}
                    token_url = credentials.get("tokenUrl")
                schemes[name] = SecurityScheme(name, "oauth2", token_url=token_url)
            else:
                schemes[name] = SecurityScheme(name, kind)
        return schemes

    # -- index --------------------------------------------------------------------------

    def _paths(self) -> Mapping[str, Any]:
        paths = self.doc.get("paths")
        if paths is None:
            if self.version.startswith("3.1") and (
                "webhooks" in self.doc or "components" in self.doc
            ):
                return {}
            raise self.error("the spec has no 'paths'", "#")
        if not isinstance(paths, Mapping):
            raise self.error(f"'paths' must be a mapping, got {type(paths).__name__}", "#/paths")
        return paths

    def _param(self, raw: Any, at: str) -> tuple[dict[str, Any], str]:
        param, where = self.refs.deref(raw, at)
        if not isinstance(param, Mapping):
            raise self.error("a parameter must be a mapping", at)
        locations = _LOCATIONS_2 if self.v2 else _LOCATIONS_3
        name, location = param.get("name"), param.get("in")
        if not isinstance(name, str) or not name:
            raise self.error("a parameter needs a 'name'", at)
        if location not in locations:
            raise self.error(
                f"parameter {name!r} has 'in: {location}', expected one of {', '.join(locations)}",
                at,
            )
        return dict(param), where

    def merged_params(
        self, item: Mapping[str, Any], op: Mapping[str, Any], at_item: str, at_op: str
    ) -> list[tuple[dict[str, Any], str]]:
        """Path-level parameters overridden by operation ones with the same (name, in)."""
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for source, at in ((item.get("parameters"), at_item), (op.get("parameters"), at_op)):
            if source is None:
                continue
            if not isinstance(source, list):
                raise self.error("'parameters' must be a list", child(at, "parameters"))
            for i, raw in enumerate(source):
                param, where = self._param(raw, f"{at}/parameters/{i}")
                merged[(param["name"], param["in"])] = (param, where)
        return list(merged.values())

    def _operations(
        self,
    ) -> Iterator[tuple[str, str, Mapping[str, Any], Mapping[str, Any], str, str]]:
        """Yield (path, verb, path item, operation, pointer of item, pointer of operation)."""
        for path, raw_item in self._paths().items():
            if not isinstance(path, str) or path.startswith("x-"):
                continue
            at_item = pointer("paths", path)
            if not path.startswith("/"):
                raise self.error(f"path {path!r} must start with '/'", at_item)
            item, _ = self.refs.deref(raw_item, at_item)
            if not isinstance(item, Mapping):
                raise self.error("a path item must be a mapping", at_item)
            for verb, op in item.items():
                if verb not in VERBS:
                    continue
                at_op = f"{at_item}/{verb}"
                if not isinstance(op, Mapping):
                    raise self.error(f"operation {verb.upper()} {path} must be a mapping", at_op)
                yield path, verb, item, op, at_item, at_op

    def _index(self) -> None:
        rules = self.rules
        operations = list(self._operations())
        depth = strip_base_path(p for p, *_ in operations) if rules.strip_base_path else 0
        mode = rules.mode if rules.mode != "auto" else self._auto_mode(operations, depth)
        tags = (
            tag_resources(t for *_, op, _, _ in operations for t in _tags(op)[:1])
            if mode == "operation_id"
            else {}
        )
        # (resource, method, explicit?, path, verb, operationId, pointer, alias_of)
        named: list[tuple[str, str, bool, str, str, Any, str, str | None]] = []
        for path, verb, item, op, at_item, at_op in operations:
            params = self.merged_params(item, op, at_item, at_op)
            defined = {p["name"] for p, _ in params if p["in"] == "path"}
            missing = [n for n in dict.fromkeys(_PLACEHOLDER.findall(path)) if n not in defined]
            if missing:
                self.undeclared[(path, verb)] = missing
                self.warnings.append(
                    f"{verb.upper()} {path} uses path parameter(s) "
                    f"{', '.join('{' + n + '}' for n in missing)} without declaring them "
                    f"(at {at_op}): each is a required string argument"
                )
            segments = naming_segments(path)[depth:]
            resource = rules.resource_for(segments)
            summary = str(op.get("summary") or "")
            if rules.skips(resource, summary):
                continue
            method = None
            if mode == "operation_id":
                resource, method = _from_operation_id(op, resource, tags)
            explicit = False
            if rules.honour_extensions:
                x_resource = self._extension_name(op, "x-resource", at_op)
                x_method = self._extension_name(op, "x-method", at_op)
                explicit = bool(x_resource or x_method)
                resource = x_resource or resource
                method = x_method or method
            if method is None:
                array = rules.list_requires_array_response and self._array_response(path, op, at_op)
                method = rules.method_for(verb, segments, array_response=array)
            op_id = op.get("operationId")
            named.append((resource, method, explicit, path, verb, op_id, at_op, None))
            alias = rules.legacy_alias_for(verb, split_path(path), method)
            if alias:
                named.append((resource, alias, explicit, path, verb, op_id, at_op, method))

        if rules.duplicate_operations == "rename":
            named = self._disambiguate(named)
        for resource, method, _, path, verb, _, _, alias_of in named:
            self.entries.setdefault(resource, {})[method] = Entry(
                resource, method, path, verb, alias_of
            )

    def _disambiguate(self, named: list[Any]) -> list[Any]:
        """Give every operation its own name (see :mod:`specclient.openapi.naming`).

        Of the operations that share a ``resource.method``, the one with an explicit
        ``x-method``/``x-resource`` name (else the first in document order) keeps it; each
        other one takes its ``operationId`` in snake_case when that is free, else the name
        with ``_2``, ``_3``... One :class:`~specclient.errors.SpecWarning` per shared name says
        who got which.
        """
        groups: dict[tuple[str, str], list[int]] = {}
        for i, (resource, method, *_rest) in enumerate(named):
            groups.setdefault((resource, method), []).append(i)
        taken = set(groups)
        out = list(named)
        for (resource, method), members in groups.items():
            if len(members) < 2:
                continue
            keeper = next((i for i in members if named[i][2]), members[0])
            moved: list[str] = []
            for i in members:
                if i == keeper:
                    continue
                entry = named[i]
                op_id = entry[5].strip() if isinstance(entry[5], str) else ""
                candidates = [python_name(op_id)] if op_id else []
                candidates += (f"{method}_{n}" for n in range(2, len(named) + 3))
                new = next(c for c in candidates if (resource, c) not in taken)
                taken.add((resource, new))
                out[i] = (resource, new, *entry[2:])
                moved.append(f"{_label(entry)} is {resource}.{new}")
            both = " and ".join(_label(named[i]) for i in members)
            self.warnings.append(
                f"{both} both map to {resource}.{method}: {_label(named[keeper])} keeps it, "
                f"{', '.join(moved)} (give one an x-method to choose the names)"
            )
        return out

    def _auto_mode(self, operations: list[Any], depth: int) -> str:
        """``"auto"`` naming: the operationIds when their authors grouped them all
        (``issues/create``); the tags and operationIds when the path rule would group the
        operations uselessly (see :func:`~specclient.openapi.naming.is_degenerate`) and every
        operation has both; else the path rule."""
        ops = [op for _, _, _, op, _, _ in operations]
        if not ops:
            return "path"
        if all(is_grouped_operation_id(op.get("operationId")) for op in ops):
            return "operation_id"
        by_path = [
            self.rules.resource_for(naming_segments(path)[depth:])
            for path, _, _, op, _, _ in operations
            if not (self.rules.honour_extensions and op.get("x-resource"))
        ]
        if is_degenerate(by_path) and all(
            _tags(op) and isinstance(op.get("operationId"), str) for op in ops
        ):
            return "operation_id"
        return "path"

    def _extension_name(self, op: Mapping[str, Any], key: str, at_op: str) -> str | None:
        value = op.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{key} must be a non-empty string", child(at_op, key))
        return python_name(value.strip(), fallback="root")

    def _array_response(self, path: str, op: Mapping[str, Any], at_op: str) -> bool:
        if path.strip("/") in self.rules.array_response_paths:
            return True
        responses = op.get("responses") or {}
        response = responses.get("200", responses.get(200))
        if response is None:
            return False
        response, _ = self.refs.deref(response, at_op)
        if not isinstance(response, Mapping):
            return False
        if self.v2:
            schema = response.get("schema")
        else:
            content = response.get("content") or {}
            media = _pick_media(list(content))
            schema = (content.get(media) or {}).get("schema") if media else None
        schema, _ = self.refs.deref(schema, at_op)
        return isinstance(schema, Mapping) and schema.get("type") == "array"

    # -- building one resource ----------------------------------------------------------

    def build_resource(self, resource: str) -> dict[str, Operation]:
        entries = self.entries[resource]  # KeyError for an unknown resource, as documented
        built: dict[tuple[str, str], Operation] = {}
        out: dict[str, Operation] = {}
        for name, entry in entries.items():
            key = (entry.path, entry.verb)
            operation = built.get(key)
            if operation is None:
                operation = built[key] = self.build_operation(entry)
            if entry.method != operation.method or entry.alias_of:
                operation = self._renamed(operation, entry)
            out[name] = operation
        return out

    def _renamed(self, operation: Operation, entry: Entry) -> Operation:
        from .._records import replace

        if not entry.alias_of:
            return replace(operation, method=entry.method)
        warning = self.rules.legacy_alias_warning.format(
            resource=entry.resource, alias=entry.method, method=entry.alias_of
        )
        extra = operation.extensions.get("x-deprecation-warning") or ""
        extensions = dict(operation.extensions)
        extensions["x-deprecation-warning"] = (warning + " " + str(extra)).strip()
        return replace(operation, method=entry.method, deprecated=True, extensions=extensions)

    def build_operation(self, entry: Entry) -> Operation:
        path, verb = entry.path, entry.verb
        at_item = pointer("paths", path)
        item, _ = self.refs.deref(self.doc["paths"][path], at_item)
        op = item[verb]
        at_op = f"{at_item}/{verb}"
        raw_params = self.merged_params(item, op, at_item, at_op)

        plain: list[tuple[dict[str, Any], str]] = []
        body_param: tuple[dict[str, Any], str] | None = None
        form_params: list[tuple[dict[str, Any], str]] = []
        for param, where in raw_params:
            location = param["in"]
            if location == "body":
                body_param = (param, where)
            elif location == "formData":
                form_params.append((param, where))
            else:
                plain.append((param, where))
        # OpenAPI: header parameters named Accept, Content-Type or Authorization are ignored
        # (the media types and the security schemes say those).
        plain = [
            (p, w)
            for p, w in plain
            if not (p["in"] == "header" and p["name"].lower() in _IGNORED_HEADERS)
        ]
        for name in self.undeclared.get((path, verb), ()):
            declared: dict[str, Any] = {"name": name, "in": "path", "required": True}
            declared.update({"type": "string"} if self.v2 else {"schema": {"type": "string"}})
            plain.append((declared, at_op))
        template = set(_PLACEHOLDER.findall(path))
        # A path parameter the template does not use cannot be sent: leave it out.
        plain = [(p, w) for p, w in plain if p["in"] != "path" or p["name"] in template]
        order = {loc: i for i, loc in enumerate(("path", "query", "header", "cookie"))}
        plain.sort(key=lambda pw: order[pw[0]["in"]])

        params = [self._plain_param(p, w) for p, w in plain]
        body: RequestBody | None = None
        if self.v2:
            consumes = op.get("consumes") or self.doc.get("consumes") or []
            if body_param is not None:
                body = self._body_2(body_param, consumes)
            elif form_params:
                body = self._form_2(form_params, consumes)
        elif op.get("requestBody") is not None:
            body = self._body_3(op["requestBody"], child(at_op, "requestBody"))

        fields = list(body.fields) if body else []
        names = self.rules.unique_names(
            [(p.name, p.location) for p in params] + [(f.name, f.location) for f in fields]
        )
        everything = params + fields
        renamed = [
            p if p.name == n else _with_name(p, n) for p, n in zip(everything, names, strict=True)
        ]
        params, fields = renamed[: len(params)], renamed[len(params) :]
        if body is not None and fields != list(body.fields):
            from .._records import replace

            body = replace(body, fields=tuple(fields))
        all_params = tuple(params + fields)

        responses = self._responses(op, at_op)
        secret = {p.wire_name for p in all_params if p.secret}
        seen: set[int] = set()
        if body is not None:
            _secret_properties(body.schema, secret, seen)
        for shape in responses:
            _secret_properties(shape.schema, secret, seen)

        servers: tuple[str, ...] = ()
        if not self.v2:
            servers = self._servers_3(op.get("servers") or item.get("servers"))
        security = op.get("security")
        idempotent = op.get("x-idempotent")
        records = op.get("x-records")
        return Operation(
            resource=entry.resource,
            method=entry.method,
            verb=verb,
            path=path,
            params=all_params,
            body=body,
            responses=responses,
            operation_id=op.get("operationId"),
            summary=str(op.get("summary") or ""),
            description=str(op.get("description") or ""),
            tags=tuple(str(t) for t in op.get("tags") or ()),
            deprecated=bool(op.get("deprecated", False)),
            pagination=self._pagination(op, all_params, verb, at_op),
            records=str(records) if records is not None else None,
            waiter=self._waiter(op.get("x-waiter"), child(at_op, "x-waiter")),
            idempotent=bool(idempotent) if idempotent is not None else None,
            secret_fields=frozenset(secret),
            security=None if security is None else _names_of(security),
            servers=servers,
            extensions={
                k: v
                for k, v in op.items()
                if isinstance(k, str) and k.startswith("x-") and k not in _INTERPRETED
            },
            pointer=at_op,
        )

    # -- parameters and bodies ----------------------------------------------------------

    def _plain_param(self, param: dict[str, Any], at: str) -> Param:
        name = param["name"]
        content_type = None
        if self.v2:
            schema = {
                k: v
                for k, v in param.items()
                if k not in ("name", "in", "description", "required", "allowEmptyValue")
                and not (isinstance(k, str) and k.startswith("x-"))
            }
            schema = self.refs.schema(schema, at)
            style, explode = _collection_style(param)
        else:
            raw_schema = param.get("schema")
            if raw_schema is None and isinstance(param.get("content"), Mapping):
                # A parameter described by `content` (e.g. JSON in a query parameter) is sent
                # as that media type's text, not per a style.
                content = param["content"]
                content_type = next(iter(content), None)
                raw_schema = (
                    (content.get(content_type) or {}).get("schema") if content_type else None
                )
            schema = self.refs.schema(raw_schema or {}, child(at, "schema"))
            style, explode = param.get("style"), param.get("explode")
        default = param.get("default", MISSING) if self.v2 else schema.get("default", MISSING)
        return Param(
            name=python_name(name),
            wire_name=name,
            location=param["in"],
            schema=schema,
            required=bool(param.get("required", False)) or param["in"] == "path",
            description=str(param.get("description") or schema.get("description") or ""),
            default=default,
            deprecated=bool(param.get("deprecated", False)),
            secret=_is_secret(name, schema, param),
            style=str(style) if style is not None else None,
            explode=bool(explode) if explode is not None else None,
            allow_reserved=bool(param.get("allowReserved", False)),
            allow_empty_value=bool(param.get("allowEmptyValue", False)),
            content_type=str(content_type) if content_type else None,
        )

    def _fields(
        self, schema: Mapping[str, Any], location: str, *, form: bool = False
    ) -> tuple[Param, ...]:
        if not isinstance(schema, Mapping) or not _is_object(schema):
            return ()
        properties, required = merge_all_of(schema)
        fields = []
        for wire, prop in properties.items():
            prop = prop if isinstance(prop, Mapping) else {}
            if prop.get("readOnly"):
                continue  # the server sets it; never sent
            where = "file" if form and _is_binary(prop) else location
            fields.append(
                Param(
                    name=python_name(str(wire)),
                    wire_name=str(wire),
                    location=where,  # type: ignore[arg-type]
                    schema=prop,
                    required=wire in required,
                    description=str(prop.get("description") or ""),
                    default=prop.get("default", MISSING),
                    deprecated=bool(prop.get("deprecated", False)),
                    secret=_is_secret(str(wire), prop),
                )
            )
        return tuple(fields)

    def _body_2(self, body_param: tuple[dict[str, Any], str], consumes: list[str]) -> RequestBody:
        param, at = body_param
        schema = self.refs.schema(param.get("schema") or {}, child(at, "schema"))
        media = _pick_media(list(consumes)) or "application/json"
        base = media.split(";", 1)[0].strip().lower()
        if _is_json(media):
            fields = self._fields(schema, "body")
        elif base == "application/x-www-form-urlencoded" or base.startswith("multipart/"):
            fields = self._fields(schema, "form", form=base.startswith("multipart/"))
        else:
            fields = ()  # XML, binary, text: passed whole with _body=
        return RequestBody(
            media_type=media,
            schema=schema,
            required=bool(param.get("required", False)),
            fields=fields,
            description=str(param.get("description") or ""),
            media_types=tuple(str(c) for c in consumes) or (media,),
        )

    def _form_2(self, params: list[tuple[dict[str, Any], str]], consumes: list[str]) -> RequestBody:
        has_file = any(p.get("type") == "file" for p, _ in params)
        lowered = [c.split(";", 1)[0].strip().lower() for c in consumes]
        if has_file or (
            "multipart/form-data" in lowered and "application/x-www-form-urlencoded" not in lowered
        ):
            media = "multipart/form-data"
        else:
            media = "application/x-www-form-urlencoded"
        properties: dict[str, Any] = {}
        required: list[str] = []
        fields = []
        encoding: dict[str, dict[str, Any]] = {}
        for param, at in params:
            p = self._plain_param(param, at)
            properties[p.wire_name] = p.schema
            if p.required:
                required.append(p.wire_name)
            if p.style is not None:
                # collectionFormat of a formData array, as the Encoding Object would say it.
                encoding[p.wire_name] = {"style": p.style, "explode": bool(p.explode)}
            location = "file" if param.get("type") == "file" else "form"
            fields.append(
                Param(
                    name=p.name,
                    wire_name=p.wire_name,
                    location=location,  # type: ignore[arg-type]
                    schema=p.schema,
                    required=p.required,
                    description=p.description,
                    default=p.default,
                    deprecated=p.deprecated,
                    secret=p.secret,
                    allow_empty_value=p.allow_empty_value,
                )
            )
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        media_types = [media] + [
            c
            for c in ("multipart/form-data", "application/x-www-form-urlencoded")
            if c in lowered and c != media and not has_file
        ]
        encodings = {m: encoding for m in media_types} if encoding else {}
        return RequestBody(
            media,
            schema,
            bool(required),
            tuple(fields),
            media_types=tuple(media_types),
            encodings=encodings,
        )

    def _body_3(self, raw: Any, at: str) -> RequestBody | None:
        body, where = self.refs.deref(raw, at)
        if not isinstance(body, Mapping):
            raise self.error("a requestBody must be a mapping", at)
        content = body.get("content") or {}
        if not isinstance(content, Mapping):
            raise self.error("'content' must be a mapping", child(where, "content"))
        media = _pick_media([str(m) for m in content])
        if media is None:
            return None
        media_object = content.get(media) or {}
        schema = self.refs.schema(
            media_object.get("schema") or {}, child(where, "content", media, "schema")
        )
        base = media.split(";", 1)[0].strip().lower()
        form = base in ("application/x-www-form-urlencoded",) or base.startswith("multipart/")
        if _is_json(media):
            fields = self._fields(schema, "body")
        elif form:
            fields = self._fields(schema, "form", form=base.startswith("multipart/"))
        else:
            fields = ()  # binary / text bodies are passed whole with _body=
        encodings: dict[str, dict[str, Any]] = {}
        for name, media_object in content.items():
            encoding = media_object.get("encoding") if isinstance(media_object, Mapping) else None
            if isinstance(encoding, Mapping) and encoding:
                encodings[str(name)] = {
                    str(prop): dict(value)
                    for prop, value in encoding.items()
                    if isinstance(value, Mapping)
                }
        return RequestBody(
            media_type=media,
            schema=schema,
            required=bool(body.get("required", False)),
            fields=fields,
            description=str(body.get("description") or ""),
            media_types=tuple(str(m) for m in content),
            encodings=encodings,
        )

    def _responses(self, op: Mapping[str, Any], at_op: str) -> tuple[ResponseShape, ...]:
        responses = op.get("responses") or {}
        if not isinstance(responses, Mapping):
            raise self.error("'responses' must be a mapping", child(at_op, "responses"))
        produces = op.get("produces") or self.doc.get("produces") or []
        shapes = []
        for status, raw in responses.items():
            if isinstance(status, str) and status.startswith("x-"):
                continue
            at = child(at_op, "responses", status)
            response, where = self.refs.deref(raw, at)
            if not isinstance(response, Mapping):
                raise self.error("a response must be a mapping", at)
            headers = tuple(str(h) for h in (response.get("headers") or {}))
            if self.v2:
                raw_schema = response.get("schema")
                media = (_pick_media(list(produces)) or "application/json") if raw_schema else None
                offered = tuple(str(m) for m in produces) if raw_schema else ()
            else:
                content = response.get("content") or {}
                offered = tuple(str(m) for m in content)
                media = _pick_media(list(offered))
                raw_schema = (content.get(media) or {}).get("schema") if media else None
            schema = (
                self.refs.schema(raw_schema, child(where, "schema"))
                if raw_schema is not None
                else None
            )
            shapes.append(
                ResponseShape(
                    status=str(status),
                    media_type=media,
                    schema=schema,
                    description=str(response.get("description") or ""),
                    headers=headers,
                    media_types=offered,
                )
            )
        return tuple(shapes)

    # -- x- annotations -----------------------------------------------------------------

    def _pagination(
        self, op: Mapping[str, Any], params: tuple[Param, ...], verb: str, at_op: str
    ) -> Pagination | None:
        raw = op.get("x-pagination")
        by_wire = {p.wire_name: p.name for p in params}
        if raw is None:
            infer = self.rules.infer_page_pagination
            names = {p.name for p in params}
            if infer and verb == "get" and all(n in names for n in infer):
                return Pagination(
                    style="page",
                    limit_param=infer[0],
                    page_param=infer[1],
                    start=1,
                    total=INFERRED_PAGE_COUNT,
                )
            return None
        at = child(at_op, "x-pagination")
        if not isinstance(raw, Mapping):
            raise self.error("x-pagination must be a mapping", at)
        style = raw.get("style")
        if style not in _PAGINATION_STYLES:
            raise self.error(
                f"x-pagination style must be one of {', '.join(_PAGINATION_STYLES)}, got {style!r}",
                child(at, "style"),
            )

        def param_name(*keys: str) -> str | None:
            for key in keys:
                value = raw.get(key)
                if value is not None:
                    return by_wire.get(str(value), python_name(str(value)))
            return None

        def integer(key: str, default: int | None) -> int | None:
            value = raw.get(key, default)
            if value is not None and not isinstance(value, int):
                raise self.error(f"x-pagination {key} must be an integer", child(at, key))
            return value

        return Pagination(
            style=style,
            items=str(raw.get("items") or ""),
            limit_param=param_name("limit", "limit_param"),
            offset_param=param_name("offset", "offset_param"),
            page_param=param_name("page", "page_param"),
            cursor_param=param_name("cursor", "cursor_param"),
            next_path=raw.get("next") or raw.get("next_path"),
            total=raw.get("total"),
            start=integer("start", 0) or 0,
            default_limit=integer("default_limit", None),
        )

    def _waiter(self, raw: Any, at: str) -> Waiter | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping) or not isinstance(raw.get("field"), str):
            raise self.error("x-waiter must be a mapping with a 'field'", at)

        def states(key: str) -> tuple[str, ...]:
            value = raw.get(key) or ()
            if isinstance(value, str):
                value = (value,)
            return tuple(str(v) for v in value)

        success = states("success")
        if not success:
            raise self.error("x-waiter needs at least one 'success' state", child(at, "success"))

        def number(*keys: str, default: float) -> float:
            for key in keys:
                if key in raw:
                    value = raw[key]
                    if isinstance(value, bool) or not isinstance(value, (int, float)):
                        raise self.error(f"x-waiter {key} must be a number", child(at, key))
                    return float(value)
            return default

        return Waiter(
            field=raw["field"],
            success=success,
            failure=states("failure"),
            operation=raw.get("operation"),
            delay=number("delay", default=5.0),
            max_delay=number("max_delay", "maxDelay", default=60.0),
            timeout=number("timeout", default=3600.0),
            reason_field=raw.get("reason_field") or raw.get("reasonField"),
        )


def _tags(op: Mapping[str, Any]) -> list[str]:
    tags = op.get("tags")
    return [str(t) for t in tags if isinstance(t, (str, int))] if isinstance(tags, list) else []


def _from_operation_id(
    op: Mapping[str, Any], path_resource: str, tags: Mapping[str, str]
) -> tuple[str, str | None]:
    """``naming="operation_id"``: resource from the operationId's group, else the first tag,
    else the path; method from the operationId, else (None) the path rule."""
    first_tag = _tags(op)[:1]
    resource = tags.get(first_tag[0], path_resource) if first_tag else path_resource
    op_id = op.get("operationId")
    if not isinstance(op_id, str) or not op_id.strip():
        return resource, None
    group, method = operation_id_name(op_id)
    if group:
        return group, method
    # Slack's chat_postMessage under the tag "chat" is chat.post_message.
    return resource, method.removeprefix(resource + "_") or method


def _label(named: tuple[Any, ...]) -> str:
    """``GET /pets`` for an entry of ``Engine._index``'s list."""
    return f"{named[4].upper()} {named[3]}"


def _with_name(param: Param, name: str) -> Param:
    from .._records import replace

    return replace(param, name=name)


def _collection_style(param: Mapping[str, Any]) -> tuple[str | None, bool | None]:
    """Swagger 2.0 ``collectionFormat`` as the 3.x ``style`` / ``explode`` it means."""
    if param.get("type") != "array":
        return None, None
    fmt = param.get("collectionFormat", "csv")
    if fmt == "multi":
        return "form", True
    if fmt == "ssv":
        return "spaceDelimited", False
    if fmt == "pipes":
        return "pipeDelimited", False
    if fmt == "tsv":
        return "tabDelimited", False
    return ("form" if param.get("in") in ("query", "formData") else "simple"), False
