"""What the templates produce from a small normalised spec: stubs and reference docs."""

from __future__ import annotations

import ast

import pytest
from fixture_spec import rooms_spec

from codegen.render import render_spec
from codegen.views import Runtime
from specclient.client import Resource


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return render_spec(rooms_spec(), "rooms", "tests/codegen/fixture_spec.py")


@pytest.fixture(scope="module")
def stub(files: dict[str, str]) -> ast.Module:
    return ast.parse(files["rooms.pyi"])


def _class(module: ast.Module, name: str) -> ast.ClassDef:
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise AssertionError(f"no class {name} in the stub")


def _first_def(cls: ast.ClassDef, name: str) -> ast.FunctionDef:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise AssertionError(f"no method {name} in {cls.name}")


def test_stub_is_valid_python_with_one_file_per_output(files: dict[str, str]) -> None:
    assert set(files) == {"rooms.pyi", "rooms.md"}
    ast.parse(files["rooms.pyi"])  # raises on a syntax error, e.g. a badly escaped docstring


def test_client_class_has_one_attribute_per_resource(stub: ast.Module) -> None:
    client = _class(stub, "RoomsClient")
    annotations = {
        node.target.id: ast.unparse(node.annotation)
        for node in client.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    assert annotations == {
        "__getattr__": "None",
        "rooms": "_Rooms",
        "room_runs": "_RoomRuns",
        "files": "_Files",
    }


def test_path_parameter_is_positional_and_overrides_are_keyword_only(stub: ast.Module) -> None:
    get = _first_def(_class(stub, "_Rooms"), "get")
    assert [a.arg for a in get.args.args] == ["self", "room_id"]
    assert ast.unparse(get.args.args[1].annotation) == "_str"
    assert [a.arg for a in get.args.kwonlyargs] == ["return_type", "timeout", "headers"]
    # rooms.list's items have the same schema: one class, named after the get that returns it
    assert ast.unparse(get.returns) == "RoomsGetResponse"


def test_required_body_field_is_positional_and_optional_ones_accept_none(stub: ast.Module) -> None:
    create = _first_def(_class(stub, "_Rooms"), "create")
    assert [a.arg for a in create.args.args] == ["self", "name"]
    kinds = {
        a.arg: ast.unparse(t)
        for a, t in zip(
            create.args.kwonlyargs, [a.annotation for a in create.args.kwonlyargs], strict=True
        )
    }
    assert kinds["capacity"] == "_int | None"
    assert kinds["labels"] == "_list[_str] | None"
    assert kinds["body"] == "Mapping[_str, Any] | None"


def test_return_type_selects_the_result_type(files: dict[str, str]) -> None:
    text = files["rooms.pyi"]
    assert 'return_type: Literal["pandas"], iterator: bool = ...' in text
    assert ") -> _pd.DataFrame: ..." in text
    # paginated: iterator=True walks pages of typed items
    assert "iterator: Literal[True]" in text
    assert "-> Iterator[RoomsGetResponse]: ..." in text


def test_response_classes_follow_the_schema_with_snake_case_fields(stub: ast.Module) -> None:
    room = _class(stub, "RoomsGetResponse")
    fields = {
        node.target.id: ast.unparse(node.annotation)
        for node in room.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    # "@id" is no identifier and "items" is Mapping.items: both stay reachable only by key.
    assert fields == {
        "id": "_str",
        "display_name": "_str",
        "member_count": "_int",
        "owner": "RoomsGetResponseOwner",
        "tags": "_list[_str]",
    }


def test_one_class_per_distinct_shape_named_after_its_get(files: dict[str, str]) -> None:
    # rooms.list items, rooms.get and rooms.create all return the same ROOM schema
    assert files["rooms.pyi"].count("class RoomsGetResponse(Response)") == 1
    assert files["rooms.pyi"].count("class RoomsGetResponseOwner(Response)") == 1
    assert "RoomsListResponse" not in files["rooms.pyi"]
    assert "RoomsCreateResponse" not in files["rooms.pyi"]


def test_waiter_method_is_a_callable_with_wait(stub: ast.Module) -> None:
    runs = _class(stub, "_RoomRuns")
    annotated = {
        node.target.id: ast.unparse(node.annotation)
        for node in runs.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    assert annotated["create"] == "_RoomRunsCreateMethod"
    method = _class(stub, "_RoomRunsCreateMethod")
    assert {n.name for n in method.body if isinstance(n, ast.FunctionDef)} == {"__call__", "wait"}


def test_docstrings_escape_quotes_and_backslashes(stub: ast.Module) -> None:
    call = _first_def(_class(stub, "_RoomRunsCreateMethod"), "__call__")
    assert ast.get_docstring(call).startswith('Start a "run" \\ of a room')


def test_binary_upload_and_text_response(stub: ast.Module) -> None:
    upload = _first_def(_class(stub, "_Files"), "upload")
    assert ast.unparse(upload.args.args[1].annotation) == "_bytes | IO[_bytes] | _str"
    assert ast.unparse(upload.returns) == "_str"  # text/csv comes back as text


def test_reference_lists_parameters_fields_and_pagination(files: dict[str, str]) -> None:
    md = files["rooms.md"]
    assert md.startswith("# Rooms API reference (`rooms`)\n")
    assert "3 resources, 7 methods" in md
    assert "### `rooms.get`\n\n`GET /rooms/{roomId}`" in md
    assert "| `room_id` | `str` | path (`roomId`) | yes | The room's UUID. |" in md
    assert "| `display_name` | `str` |  |" in md
    assert "pass `iterator=True` to walk every page" in md
    assert "`.wait()` polls `room_runs.get` until `status` is COMPLETED; fails on FAILED" in md
    assert "client.rooms.get(room_id)" in md


class RoomsWithWorkflows(Resource):
    """A platform's resource class: one workflow of its own, one that replaces ``get``."""

    def archive(self, room_id: str, *, reason: str = "") -> dict:
        """Archive a room and its runs.

        More detail that the reference leaves to the source.
        """
        return {}

    def get(self, room_id: str) -> dict:
        """Get a room, following its redirects."""
        return {}


def test_platform_workflows_are_inherited_and_documented() -> None:
    runtime = Runtime(resource_classes={"rooms": RoomsWithWorkflows})
    files = render_spec(rooms_spec(), "rooms", "rooms.yaml", runtime)
    stub = ast.parse(files["rooms.pyi"])
    rooms = _class(stub, "_Rooms")
    assert [ast.unparse(b) for b in rooms.bases] == ["_RoomsWithWorkflowsBase"]
    defined = {n.name for n in rooms.body if isinstance(n, ast.FunctionDef)}
    assert "get" not in defined  # the workflow of that name is what users get, typed by its source
    assert {"list", "create", "delete"} <= defined
    assert (
        f"from {__name__} import RoomsWithWorkflows as _RoomsWithWorkflowsBase"
        in files["rooms.pyi"]
    )
    md = files["rooms.md"]
    assert "`archive` (workflow), `get` (workflow)" in md
    assert (
        "- `client.rooms.archive(room_id: str, *, reason: str = '')` → `dict`: "
        "Archive a room and its runs." in md
    )
