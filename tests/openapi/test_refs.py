"""$ref expansion: shared schemas, cycles of every length, refs of every kind, dense cycles."""

from __future__ import annotations

from specclient.openapi import load
from specclient.openapi._refs import Resolver


def _schema_doc(schemas, root):
    return {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"#/components/schemas/{root}"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {"schemas": schemas},
    }


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def test_three_cycle_is_cut_where_it_enters_its_own_cycle():
    doc = _schema_doc(
        {
            "A": {"type": "object", "properties": {"b": _ref("B")}},
            "B": {"type": "object", "properties": {"c": _ref("C")}},
            "C": {"type": "object", "properties": {"a": _ref("A"), "b": _ref("B")}},
        },
        "A",
    )
    schema = load(doc, cache=False).operation("x.list").success.schema
    # A, B and C form one cycle: inside it every reference is a marker (the schema is
    # expanded once per document, whatever operation reaches it first).
    assert schema == {"type": "object", "properties": {"b": {"$recursive": "B"}}}


def test_a_cycle_reached_from_outside_is_expanded_once_and_shared():
    doc = _schema_doc(
        {
            "Root": {"type": "object", "properties": {"a": _ref("A"), "again": _ref("A")}},
            "A": {"type": "object", "properties": {"b": _ref("B"), "leaf": _ref("Leaf")}},
            "B": {"type": "object", "properties": {"a": _ref("A")}},
            "Leaf": {"type": "string"},
        },
        "Root",
    )
    schema = load(doc, cache=False).operation("x.list").success.schema
    a = schema["properties"]["a"]
    assert a == {
        "type": "object",
        "properties": {"b": {"$recursive": "B"}, "leaf": {"type": "string"}},
    }
    assert schema["properties"]["again"] is a


def test_same_schema_from_two_places_is_the_same_expansion():
    resolver = Resolver(
        {
            "components": {
                "schemas": {
                    "A": {"properties": {"b": _ref("B")}},
                    "B": {"properties": {"a": _ref("A")}},
                }
            }
        }
    )
    from_a = resolver.schema(_ref("A"), "#")
    from_b = resolver.schema(_ref("B"), "#")
    assert from_a == {"properties": {"b": {"$recursive": "B"}}}
    assert from_b == {"properties": {"a": {"$recursive": "A"}}}
    assert resolver.schema({"items": _ref("A")}, "#")["items"] is from_a


def test_self_reference_is_cut_at_itself():
    resolver = Resolver(
        {"components": {"schemas": {"Tree": {"properties": {"kids": {"items": _ref("Tree")}}}}}}
    )
    tree = resolver.schema(_ref("Tree"), "#")
    assert tree == {"properties": {"kids": {"items": {"$recursive": "Tree"}}}}


def test_acyclic_shared_schema_is_expanded_once_and_shared():
    resolver = Resolver({"components": {"schemas": {"Leaf": {"type": "string"}}}})
    first = resolver.schema({"items": _ref("Leaf")}, "#")
    second = resolver.schema({"properties": {"x": _ref("Leaf")}}, "#")
    assert first["items"] is second["properties"]["x"]


def test_property_named_ref_is_a_name_not_a_reference():
    resolver = Resolver({})
    schema = {"type": "object", "properties": {"$ref": {"type": "string"}}}
    assert resolver.schema(schema, "#") == schema


def test_densely_cyclic_schemas_are_each_looked_up_a_few_times_not_unfolded(monkeypatch):
    names = [f"S{i}" for i in range(14)]
    schemas = {
        n: {"type": "object", "properties": {m.lower(): _ref(m) for m in names if m != n}}
        for n in names
    }
    # Count the referenced schemas looked up while expanding: unfolding every path through
    # the cycle would take ~13! steps; expanded once per document, each of the 14 schemas is
    # looked up once for its edges and once for its body.
    looked_up: list[int] = [0]
    expanding: list[bool] = []
    schema_of, lookup = Resolver.schema, Resolver._lookup

    def counting_schema(self, node, at):
        expanding.append(True)
        try:
            return schema_of(self, node, at)
        finally:
            expanding.pop()

    def counting_lookup(self, ref):
        if expanding:
            looked_up[0] += 1
            assert looked_up[0] <= 2 * len(names), "the cycle is being unfolded"
        return lookup(self, ref)

    monkeypatch.setattr(Resolver, "schema", counting_schema)
    monkeypatch.setattr(Resolver, "_lookup", counting_lookup)
    spec = load(_schema_doc(schemas, "S0"), cache=False)
    schema = spec.operation("x.list").success.schema
    assert looked_up[0] == 2 * len(names)
    assert schema["properties"]["s1"] == {"$recursive": "S1"}
    assert len(schema["properties"]) == 13


def test_refs_to_parameters_responses_bodies_and_path_items_all_resolve():
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a/{id}": {"$ref": "#/components/x-items/A"},
        },
        "components": {
            "x-items": {
                "A": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "post": {
                        "requestBody": {"$ref": "#/components/requestBodies/B"},
                        "responses": {"200": {"$ref": "#/components/responses/R"}},
                    },
                }
            },
            "parameters": {
                "Id": {"$ref": "#/components/parameters/RealId"},
                "RealId": {"name": "id", "in": "path", "required": True, "schema": _ref("Id")},
            },
            "requestBodies": {"B": {"content": {"application/json": {"schema": _ref("Obj")}}}},
            "responses": {
                "R": {"description": "r", "content": {"application/json": {"schema": _ref("Obj")}}}
            },
            "schemas": {
                "Id": {"type": "integer"},
                "Obj": {"type": "object", "properties": {"n": _ref("Id")}},
            },
        },
    }
    op = load(doc, cache=False).operation("a.post")
    assert op.params[0].schema == {"type": "integer"}
    assert op.body.fields[0].schema == {"type": "integer"}
    assert op.success.schema == {"type": "object", "properties": {"n": {"type": "integer"}}}


def test_a_very_long_chain_of_references_is_cut_instead_of_overflowing():
    from specclient.openapi._refs import MAX_REF_DEPTH

    schemas = {
        f"S{i}": {"type": "object", "properties": {"next": _ref(f"S{i + 1}")}} for i in range(400)
    }
    schemas["S400"] = {"type": "string"}
    schema = load(_schema_doc(schemas, "S0"), cache=False).operation("x.list").success.schema
    depth = 0
    while "properties" in schema:
        schema = schema["properties"]["next"]
        depth += 1
    # Expanded from the far end of the chain (once, for every user), a cut falls every
    # MAX_REF_DEPTH links: never deeper, and always at a marker naming where it stopped.
    assert schema == {"$recursive": f"S{depth}"} and 0 < depth <= MAX_REF_DEPTH
