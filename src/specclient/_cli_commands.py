"""``specclient <platform> <resource> <method>``: click commands built from the spec, lazily.

A platform group reads its spec only when asked for its commands (so ``specclient --help``
loads nothing), a resource group only lists names, and one method's command is built only when
it runs or shows its help. Parameters become options named after the Python argument
(``--cleanroom-id``); path parameters may also be given positionally, as in Python.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from .openapi.model import Operation, Param, schema_types
from .platforms import describe

# Options of our own on every method command. A spec parameter with one of these names is
# offered as ``--<name>-param`` instead (Civis has parameters called ``output``).
RESERVED = {"output", "base_url", "body", "all_pages", "wait", "creds_path", "help", "to"}


def option_name(name: str) -> str:
    dashed = name.replace("_", "-")
    return f"--{dashed}-param" if name in RESERVED else f"--{dashed}"


def dest_name(name: str) -> str:
    return f"p_{name}"  # our own options never start with p_, so nothing collides


class JSONValue(click.ParamType):
    """A JSON value on the command line, or ``@file.json`` to read it from a file."""

    name = "json"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        text = value
        if value.startswith("@"):
            try:
                text = Path(value[1:]).read_text(encoding="utf-8")
            except OSError as exc:
                self.fail(f"cannot read {value[1:]}: {exc.strerror}", param, ctx)
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            self.fail(f"not valid JSON ({exc.msg} at position {exc.pos}): {value!r}", param, ctx)


JSON = JSONValue()


def click_type(param: Param) -> tuple[Any, bool]:
    """The click type of a parameter, and whether it repeats (arrays)."""
    schema = param.schema or {}
    if param.location == "file":
        return click.Path(exists=True, dir_okay=False, allow_dash=True), False
    kinds = schema_types(schema)
    if kinds == ("array",):
        items = schema.get("items") or {}
        item_kinds = schema_types(items)
        if item_kinds and item_kinds[0] in ("object", "array"):
            return JSON, True
        return _scalar(items, item_kinds), True
    return _scalar(schema, kinds), False


def _scalar(schema: Mapping[str, Any], kinds: tuple[str, ...]) -> Any:
    enum = schema.get("enum")
    if enum and all(isinstance(v, str) for v in enum):
        return click.Choice(list(enum))
    if kinds == ("integer",):
        return click.INT
    if kinds == ("number",):
        return click.FLOAT
    if kinds == ("string",) or not kinds and "properties" not in schema:
        return click.STRING
    if kinds == ("boolean",):
        return click.BOOL
    return JSON


class MethodCommand(click.Command):
    """One operation as a command; ``run`` is called with the bound Python arguments."""

    def __init__(self, operation: Operation, run: Callable[..., Any]) -> None:
        self.operation = operation
        params: list[click.Parameter] = []
        for p in operation.params:
            kind, multiple = click_type(p)
            if p.location == "path":
                # typed like its option: `schedules trigger 105` passes the integer 105
                params.append(
                    click.Argument(
                        [f"{p.name}_arg"],
                        type=kind if not multiple else None,
                        required=False,
                        metavar=p.name.upper(),
                    )
                )
            boolean = kind is click.BOOL and not multiple
            decls = [option_name(p.name), dest_name(p.name)]
            if boolean:
                dashed = option_name(p.name)[2:]
                decls = [f"--{dashed}/--no-{dashed}", dest_name(p.name)]
            required = " [required]" if p.required else ""
            params.append(
                click.Option(
                    decls,
                    type=None if boolean else kind,
                    multiple=multiple,
                    default=None,
                    help=_first_paragraph(p.description) + required,
                    show_default=False,
                )
            )
        params += _own_options(operation)
        summary = _first_paragraph(operation.summary or operation.description)
        text = operation.description.strip() or operation.summary
        super().__init__(
            operation.method,
            params=params,
            callback=run,
            help=f"{text}\n\n{operation.verb.upper()} {operation.path}".strip(),
            short_help=summary,
            no_args_is_help=False,
        )

    def python_arguments(self, values: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments for the Python method, from click's values."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for p in self.operation.params:
            value = values.get(dest_name(p.name))
            if p.location == "path":
                positional = values.get(f"{p.name}_arg")
                if positional is not None and value is not None and positional != value:
                    raise click.UsageError(
                        f"{p.name} given twice ({positional!r} and {option_name(p.name)} {value!r})"
                    )
                value = positional if positional is not None else value
            if isinstance(value, tuple):
                value = list(value) if value else None
            if value is None:
                if p.required:
                    raise click.UsageError(
                        f"missing required {p.name!r}: pass {option_name(p.name)} VALUE"
                        + (
                            f" or give it as the {p.name.upper()} argument"
                            if p.location == "path"
                            else ""
                        )
                    )
                continue
            if p.required and p.location == "path":
                args.append(value)
            else:
                kwargs[p.name] = value
        return args, kwargs


def _own_options(operation: Operation) -> list[click.Parameter]:
    options = _common_options()
    names = {p.name for p in operation.params}
    if operation.body is not None and "body" not in names:  # else the spec's own `body` wins
        options.append(
            click.Option(
                ["--body"],
                type=JSON,
                default=None,
                help="The whole request body as JSON (or @file.json).",
            )
        )
    if pagination_of(operation) is not None and "iterator" not in names:
        options.append(
            click.Option(
                ["--all-pages"],
                is_flag=True,
                default=False,
                help="Walk every page and print all items.",
            )
        )
    if operation.waiter is not None:
        options.append(
            click.Option(
                ["--wait"],
                is_flag=True,
                default=False,
                help=f"Poll until {operation.waiter.field} is final, then print it.",
            )
        )
    return options


class WorkflowCommand(click.Command):
    """A platform's workflow method (``usmart files upload``) as a command.

    Workflows are Python methods, not spec operations: their options come from
    ``inspect.signature`` and their help from the numpy docstring. The annotation decides the
    type: ``bool`` a ``--x/--no-x`` flag, ``int`` / ``float`` that number, ``int | str`` a
    number when it is one (``--revision 3``, ``--revision latest``), mappings and lists JSON,
    a DataFrame a CSV / Parquet / JSON-lines file (``-`` for stdin), a callable (``echo``) a
    flag that prints its lines on stderr, anything else (ids, paths) a string. ``*terms`` are
    arguments. A workflow that returns a future gets ``--wait`` (unless it has its own).
    """

    def __init__(self, name: str, function: Callable[..., Any], run: Callable[..., Any]) -> None:
        self.signature = inspect.signature(function)
        docs = _numpy_parameters(function.__doc__ or "")
        params: list[click.Parameter] = []
        self.kinds: dict[str, Any] = {}
        # required leading arguments may be given positionally, as in Python
        # (`schedules trigger 105`), unless *terms take the positionals
        variadic = any(p.kind == p.VAR_POSITIONAL for p in self.signature.parameters.values())
        self.positional = [
            p.name
            for p in self.signature.parameters.values()
            if not variadic
            and p.name not in _NOT_OPTIONS
            and p.kind == p.POSITIONAL_OR_KEYWORD
            and p.default is inspect.Parameter.empty
        ]
        self.own_wait = "wait" in self.signature.parameters
        self.waits_by_default = self.own_wait and self.signature.parameters["wait"].default is True
        self.returns_future = "Future" in str(self.signature.return_annotation)
        # a run's progress is the command's own status line; other work's is a bar, on or off
        follows_run = self.own_wait or self.returns_future
        for p in self.signature.parameters.values():
            if p.name in _NOT_OPTIONS or p.kind == p.VAR_KEYWORD:
                continue
            if p.name == "progress" and follows_run:
                continue
            kind = _annotation_type(str(p.annotation), p.name)
            if p.name == "progress":
                kind = click.BOOL  # whatever else a library accepts, here a flag
            self.kinds[p.name] = kind
            if p.name in self.positional and kind is not CALLBACK and kind is not click.BOOL:
                params.append(
                    click.Argument(
                        [f"{p.name}_arg"], type=kind, required=False, metavar=p.name.upper()
                    )
                )
            if p.kind == p.VAR_POSITIONAL:
                params.append(
                    click.Argument(
                        [dest_name(p.name)], nargs=-1, type=kind, metavar=f"[{p.name.upper()}]..."
                    )
                )
                continue
            # a workflow's own `wait` is --wait/--no-wait: no spec waiter's --wait to clash with
            dashed = p.name.replace("_", "-") if p.name == "wait" else option_name(p.name)[2:]
            flag = kind is click.BOOL or kind is CALLBACK
            decls = [f"--{dashed}/--no-{dashed}" if kind is click.BOOL else f"--{dashed}"]
            params.append(
                click.Option(
                    [*decls, dest_name(p.name)],
                    type=None if flag else kind,
                    is_flag=kind is CALLBACK or None,
                    required=p.default is inspect.Parameter.empty and p.name not in self.positional,
                    default=None,
                    help=docs.get(p.name, "") or _CALLBACK_HELP.get(kind, ""),
                )
            )
        params += _common_options()
        params.append(
            click.Option(
                ["--to", "to_path"],
                type=click.Path(dir_okay=False, writable=True),
                default=None,
                callback=_check_table_file,
                help="Write a table result to this .parquet or .csv file instead of printing it.",
            )
        )
        if self.returns_future and not self.own_wait:
            params.append(
                click.Option(
                    ["--wait"],
                    is_flag=True,
                    default=False,
                    help="Wait until the run ends (a live status line on a terminal), "
                    "then print its result.",
                )
            )
        text = inspect.cleandoc(function.__doc__ or "")
        super().__init__(
            name,
            params=params,
            callback=run,
            help=text.split("\n\n")[0] + "\n\n(a workflow: several calls)",
            short_help=_first_paragraph(text),
        )

    def python_arguments(self, values: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for p in self.signature.parameters.values():
            if p.name in _NOT_OPTIONS:
                continue
            value = _from_command_line(self.kinds.get(p.name), values.get(dest_name(p.name)))
            if p.name in self.positional:
                value = _one_of(p.name, values.get(f"{p.name}_arg"), value)
            if value is None or p.kind == p.VAR_POSITIONAL and not value:
                continue
            if p.kind == p.VAR_POSITIONAL:
                args.extend(value)
            elif p.kind == p.POSITIONAL_OR_KEYWORD and p.default is inspect.Parameter.empty:
                args.append(value)
            else:
                kwargs[p.name] = value
        return args, kwargs


def _check_table_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--to``'s kind, checked before the workflow runs (it may change data)."""
    if value is not None and not value.endswith((".parquet", ".csv")):
        raise click.BadParameter(f"{value}: name a .parquet or .csv file")
    return value


def _one_of(name: str, positional: Any, option: Any) -> Any:
    """A required argument given positionally or as its option (not both, not neither)."""
    if positional is not None and option is not None and positional != option:
        raise click.UsageError(
            f"{name} given twice ({positional!r} and {option_name(name)} {option!r})"
        )
    value = positional if positional is not None else option
    if value is None:
        raise click.UsageError(
            f"missing required {name!r}: pass {option_name(name)} VALUE"
            f" or give it as the {name.upper()} argument"
        )
    return value


class _Marker(click.ParamType):
    """A parameter kind resolved after parsing (a callback flag)."""

    def __init__(self, name: str) -> None:
        self.name = name


class FrameFile(click.Path):
    """A CSV, Parquet or JSON-lines file (``-``: standard input) read into a DataFrame."""

    name = "file"

    def __init__(self) -> None:
        super().__init__(exists=True, dir_okay=False, allow_dash=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = super().convert(value, param, ctx)
        try:
            return read_frame(str(path))
        except (ValueError, OSError) as exc:
            self.fail(f"cannot read {value} as CSV, Parquet or JSON lines: {exc}", param, ctx)


def read_frame(path: str) -> Any:
    """A DataFrame from a file (or ``-``), its format told by its first bytes: Parquet's
    ``PAR1`` magic, JSON lines when the first character is ``{``, CSV otherwise."""
    import io

    import pandas as pd

    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    head = data.lstrip()[:4]
    if data[:4] == b"PAR1":
        return pd.read_parquet(io.BytesIO(data))
    if head[:1] == b"{":
        return pd.read_json(io.BytesIO(data), lines=True)
    return pd.read_csv(io.BytesIO(data))


class IntOrString(click.ParamType):
    """``int | str``: a whole number when the text is one (``3``), else the text (``latest``)."""

    name = "int|text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return value


CALLBACK = _Marker("callback")
_CALLBACK_HELP = {CALLBACK: "Print its lines on stderr."}


def _from_command_line(kind: Any, value: Any) -> Any:
    if kind is CALLBACK:
        return _echo_to_stderr if value else None
    return value


def _echo_to_stderr(line: Any) -> None:
    from ._cli_wait import STATUS

    STATUS.above(str(line))  # on a line of its own, above a wait's status line


# Not offered on the command line: the output format decides what is printed.
_NOT_OPTIONS = {"self", "return_type", "timeout", "headers"}


def _annotation_type(annotation: str, name: str = "") -> Any:
    members = [m.strip() for m in annotation.replace("Optional[", "").replace("]", "").split("|")]
    first = members[0]
    if "DataFrame" in first or name == "df":  # ClicData's append takes `df: Any`
        return FrameFile()
    if first.startswith("Callable"):
        return CALLBACK
    if {"int", "str"} <= set(members):
        return IntOrString()
    if first == "bool":
        return click.BOOL
    if first == "int":
        return click.INT
    if first == "float":
        return click.FLOAT
    if first.startswith(("Mapping", "dict", "list", "Sequence")):
        return JSON
    return click.STRING


_DOC_PARAM = re.compile(r"^(\w[\w, ]*?)\s*:")


def _numpy_parameters(doc: str) -> dict[str, str]:
    """``name -> its description`` from a numpy-style Parameters section."""
    lines = inspect.cleandoc(doc).splitlines()
    found: dict[str, str] = {}
    inside = False
    for i, line in enumerate(lines):
        if (
            line.strip() == "Parameters"
            and i + 1 < len(lines)
            and set(lines[i + 1].strip()) == {"-"}
        ):
            inside = True
            continue
        if inside and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"} and line.strip():
            break  # the next section (Returns, Raises, ...)
        match = _DOC_PARAM.match(line) if inside else None
        if match and i + 1 < len(lines) and lines[i + 1].startswith((" ", "\t")):
            described = []  # every indented line under the name, not only the first
            for following in lines[i + 1 :]:
                if not following.startswith((" ", "\t")):
                    break
                described.append(following.strip())
            for name in match.group(1).split(","):
                found[name.strip().lstrip("*")] = " ".join(described)
    return found


def _check_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An absolute http(s) URL, checked before anything connects (as ``connect()`` does)."""
    if value is None:
        return None
    from .errors import ParameterError
    from .options import check_base_url

    try:
        return check_base_url(value, "--base-url")
    except ParameterError as exc:
        # "Invalid value for '--base-url': 'nonsense': must be an absolute ... URL"
        why = str(exc).removeprefix("--base-url(): base_url ")
        raise click.BadParameter(f"{value!r}: {why}") from None


def _common_options() -> list[click.Parameter]:
    return [
        click.Option(
            ["--output", "-o"],
            type=click.Choice(["table", "json", "csv"]),
            default=None,
            help="How to print the result (default: table on a terminal, else json).",
        ),
        click.Option(
            ["--base-url"],
            default=None,
            callback=_check_base_url,
            help="API root (default: the platform's).",
        ),
        click.Option(["--creds-path"], default=None, help="YAML credentials file to read."),
    ]


def _first_paragraph(text: str) -> str:
    stripped = (text or "").strip()
    return " ".join(stripped.split("\n\n")[0].split()) if stripped else ""


class ResourceGroup(click.Group):
    """``specclient <platform> <resource>``: one command per method of the resource."""

    def __init__(
        self,
        name: str,
        operations: Mapping[str, Operation],
        make_runner: Callable[[Operation], Callable[..., Any]],
        workflows: Mapping[str, Callable[..., Any]] | None = None,
        make_workflow_runner: Callable[[str], Callable[..., Any]] | None = None,
    ) -> None:
        names = {**operations, **(workflows or {})}
        super().__init__(name, help=f"Methods of {name}.", short_help=_summary(names))
        self._operations = operations
        self._make_runner = make_runner
        self._workflows = dict(workflows or {}) if make_workflow_runner else {}
        self._make_workflow_runner = make_workflow_runner

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(dict.fromkeys([*self._operations, *self._workflows]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd_name = cmd_name.replace("-", "_")
        # A workflow named like an operation wins, as it does in Python.
        if cmd_name in self._workflows and self._make_workflow_runner is not None:
            function = self._workflows[cmd_name]
            return WorkflowCommand(cmd_name, function, self._make_workflow_runner(cmd_name))
        operation = self._operations.get(cmd_name)
        if operation is None:
            return None
        return MethodCommand(operation, self._make_runner(operation))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        return _resolve_with_hint(
            super().resolve_command, ctx, args, self.list_commands(ctx), "method"
        )


def _summary(operations: Mapping[str, object]) -> str:
    names = list(operations)
    shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
    return f"{len(names)} method{'s' if len(names) != 1 else ''}: {shown}"


def _resolve_with_hint(
    resolve: Callable[..., Any], ctx: click.Context, args: list[str], names: Any, what: str
) -> Any:
    try:
        return resolve(ctx, args)
    except click.UsageError as exc:
        import difflib

        if args and "No such command" in str(exc.message):
            close = difflib.get_close_matches(args[0], list(names), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise click.UsageError(
                f"no {what} {args[0]!r} in {ctx.command_path}.{hint}", ctx
            ) from None
        raise


class PlatformGroup(click.Group):
    """``specclient <platform>``: one group per resource of the platform's bundled spec."""

    def __init__(
        self,
        platform: str,
        load_spec: Callable[[str], Any],
        make_runner: Callable[[str, Operation], Callable[..., Any]],
        resource_classes: Callable[[str], Mapping[str, type]] | None = None,
        make_workflow_runner: Callable[[str, str, str], Callable[..., Any]] | None = None,
    ) -> None:
        super().__init__(
            platform,
            help=describe(platform),
            short_help=describe(platform),
        )
        self.platform = platform
        self._load_spec = load_spec
        self._make_runner = make_runner
        # Called only when a resource is opened: importing an adapter (pandas...) would make
        # `specclient --help`, which lists every platform, slow.
        self._resource_classes = resource_classes
        self._make_workflow_runner = make_workflow_runner

    @cached_property
    def spec(self) -> Any:
        return self._load_spec(self.platform)

    @cached_property
    def resource_classes(self) -> Mapping[str, type]:
        return self._resource_classes(self.platform) if self._resource_classes else {}

    @cached_property
    def client_workflows(self) -> Mapping[str, Callable[..., Any]]:
        """Workflows of the platform's client itself (``specclient habu run_question``)."""
        found = workflow_methods(self.resource_classes.get(CLIENT))
        return {name: f for name, f in found.items() if name not in self.spec.resource_names()}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.spec.resource_names(), *self.client_workflows]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd_name = cmd_name.replace("-", "_")  # cleanroom-question-runs works too
        make = self._make_workflow_runner
        if cmd_name not in self.spec.resource_names():
            function = self.client_workflows.get(cmd_name)
            if function is None or make is None:
                return None
            return WorkflowCommand(cmd_name, function, make(self.platform, CLIENT, cmd_name))
        return ResourceGroup(
            cmd_name,
            self.spec.operations(cmd_name),
            lambda op: self._make_runner(self.platform, op),
            workflows=workflow_methods(self.resource_classes.get(cmd_name)),
            make_workflow_runner=(lambda name: make(self.platform, cmd_name, name))
            if make
            else None,
        )

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        return _resolve_with_hint(
            super().resolve_command, ctx, args, self.list_commands(ctx), "resource"
        )


#: the key of the platform's client class among its resource classes: its own workflows
#: (``run_question``) are commands beside the resources
CLIENT = ""


def pagination_of(operation: Operation) -> Any:
    """How the runtime pages this operation: ``x-pagination``, or the page convention the
    naming rules infer (``page_num`` / ``limit``); the model holds either."""
    return operation.pagination


def workflow_methods(cls: type | None) -> dict[str, Callable[..., Any]]:
    """Public methods a platform's resource class adds to the engine's ``Resource``."""
    from .client import workflow_methods as own_methods

    return own_methods(cls)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
