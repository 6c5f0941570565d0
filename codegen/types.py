"""The response classes a stub declares, on the runtime's own type mapper.

Annotations come from :mod:`specclient._annotations`, the mapper the runtime's signatures use;
this module only refines its ``Response`` into classes: a ``snake`` response is a
:class:`specclient.response.Response` whose attributes are the schema's properties in
snake_case. Every object schema in a success
response becomes one small class (``_CleanroomsGetResponse``, ``..Owner`` for a nested
object), the way civis-python's own ``client.pyi`` does it.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specclient._annotations import value_annotation
from specclient.openapi.naming import camel_to_snake
from specclient.response import Response

# Nested response objects deeper than this are typed as plain ``Response``: Civis's schemas
# nest up to nine levels, and the deep tail adds bulk to the stubs without helping an editor.
MAX_RESPONSE_DEPTH = 4

_NON_WORD = re.compile(r"[^0-9a-zA-Z_]+")
# A field named like one of Response's own members (``items``, ``json``, ``headers``) is
# reached with ``response["items"]``: attribute lookup finds the member first.
_RESPONSE_MEMBERS = frozenset(dir(Response)) | frozenset(Response.__slots__)

# The runtime's own conversion, so a stub's attribute is exactly the name a Response answers to.
snake_case = camel_to_snake


def pascal_case(name: str) -> str:
    """``question_runs`` / ``get-data`` -> ``QuestionRuns`` / ``GetData``, for class names."""
    parts = _NON_WORD.sub("_", snake_case(name)).split("_")
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def is_attribute_name(name: str) -> bool:
    """Whether a Response answers ``name`` as an attribute a stub can declare."""
    return (
        name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and name not in _RESPONSE_MEMBERS
    )


@dataclass
class ResponseClass:
    """One class of a stub: the attributes of one object in a response."""

    name: str
    attributes: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, doc


@dataclass
class ResponseTypes:
    """Collects the response classes of one stub module, with unique names."""

    classes: list[ResponseClass] = field(default_factory=list)
    _names: set[str] = field(default_factory=set)
    # One class per distinct object shape: a list's item, the same $ref reused by many
    # operations, Civis's many identical sub-objects. Named after its first use.
    _by_shape: dict[str, str] = field(default_factory=dict)
    _by_identity: dict[tuple[int, int], tuple[Any, str]] = field(default_factory=dict)
    _also_named: dict[str, list[str]] = field(default_factory=dict)  # other uses of a class

    def final_names(self) -> dict[str, str]:
        """Better names for shared classes, once every use is known: old name -> new name.

        A class is first named after whichever operation met it first (``cleanrooms.create``
        for the clean room object). When a ``get`` operation returns the same shape, its name
        (``CleanroomsGetResponse``) says best what the object is; nested classes follow their
        parent's new name. Apply the map with :func:`rename`.
        """
        renames: dict[str, str] = {}
        for declared in self.classes:  # parents come before their nested classes
            new = None
            for parent_old, parent_new in renames.items():
                if declared.name.startswith(parent_old) and declared.name != parent_old:
                    new = parent_new + declared.name[len(parent_old) :]
                    break
            if new is None:
                better = [
                    n for n in self._also_named.get(declared.name, ()) if n.endswith("GetResponse")
                ]
                new = better[0] if better else None
            if new and new not in self._names:
                self._names.discard(declared.name)
                self._names.add(new)
                renames[declared.name] = new
        for declared in self.classes:
            declared.name = renames.get(declared.name, declared.name)
            declared.attributes = [
                (attribute, rename(kind, renames), doc)
                for attribute, kind, doc in declared.attributes
            ]
        return renames

    def annotation(self, schema: Mapping[str, Any] | None, name: str, depth: int = 0) -> str:
        """The annotation of a value of ``schema``; declares classes for objects inside."""
        return value_annotation(schema, name, depth, objects=self.annotate_object)

    def annotate_object(self, schema: Mapping[str, Any], name: str, depth: int) -> str:
        """The class of an object schema: declared on first sight, reused for the same shape."""
        if depth >= MAX_RESPONSE_DEPTH:
            return "Response"
        # The loader shares one dict per $ref target, so identity finds most repeats cheaply;
        # the canonical JSON finds the rest (identical shapes written out twice).
        seen = self._by_identity.get((id(schema), depth))
        if seen is not None:
            self._also_named[seen[1]].append(name)
            return seen[1]
        shape = json.dumps([depth, schema], sort_keys=True, default=str)
        if shape in self._by_shape:
            class_name = self._by_shape[shape]
            self._by_identity[(id(schema), depth)] = (schema, class_name)
            self._also_named[class_name].append(name)
            return class_name
        class_name = self._by_shape[shape] = self._claim(name)
        self._by_identity[(id(schema), depth)] = (schema, class_name)  # keeps ``schema`` alive
        declared = ResponseClass(class_name)
        self.classes.append(declared)
        self._also_named[class_name] = []
        for wire_name, prop in (schema.get("properties") or {}).items():
            attribute = snake_case(str(wire_name))
            if not is_attribute_name(attribute) or not isinstance(prop, Mapping):
                continue  # still reachable as response["@id"]; no attribute can spell it
            kind = self.annotation(prop, class_name + pascal_case(attribute), depth + 1)
            doc = _first_line(str(prop.get("description") or ""))
            declared.attributes.append((attribute, kind, doc))
        return class_name

    def _claim(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self._names:
            candidate, n = f"{name}{n}", n + 1
        self._names.add(candidate)
        return candidate


def rename(annotation: str, renames: Mapping[str, str]) -> str:
    """``annotation`` with every class name in ``renames`` replaced (whole words only)."""
    if not renames or not annotation:
        return annotation
    return re.sub(r"\w+", lambda m: renames.get(m.group(0), m.group(0)), annotation)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""
