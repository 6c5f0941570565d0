"""Render stubs and reference docs from a spec with the jinja2 templates in ``templates/``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2

from codegen.types import pascal_case
from codegen.views import Runtime, SpecView, build, stub_type
from specclient.openapi.model import Spec

TEMPLATES = Path(__file__).parent / "templates"


def _doc(text: str) -> str:
    """Text safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _first_line(text: str) -> str:
    stripped = (text or "").strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell: one line, pipes escaped."""
    return " ".join((text or "").split()).replace("|", "\\|")


def _md(text: str) -> str:
    # Descriptions are Markdown already; only headings would break the page's outline.
    return re.sub(r"(?m)^(#+)\s", lambda m: "#" * min(len(m.group(1)) + 3, 6) + " ", text)


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", text.lower().replace(" ", "-"))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,  # a typo in a template fails, not prints nothing
        keep_trailing_newline=True,
        autoescape=False,  # output is Python and Markdown, never HTML
    )
    env.filters.update(
        doc=_doc,
        first_line=_first_line,
        cell=_cell,
        md=_md,
        anchor=_anchor,
        pascal=pascal_case,
        stub_type=stub_type,
    )
    return env


def _tidy(text: str) -> str:
    """One newline at the end, no trailing spaces: stable output for ``--check`` and diffs."""
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def stub(view: SpecView) -> str:
    """The ``.pyi`` module typing one platform's client."""
    return _tidy(environment().get_template("platform.pyi.j2").render(v=view))


def reference(view: SpecView) -> str:
    """The Markdown API reference of one platform."""
    classes = {c.name: c for c in view.response_classes}

    def fields(annotation: str) -> list[tuple[str, str, str]]:
        # The fields of the object a method returns, or of one item of a list it returns.
        for token in re.findall(r"\w+", annotation):
            if token in classes:
                return classes[token].attributes
        return []

    text = environment().get_template("reference.md.j2").render(v=view, fields=fields)
    return _tidy(text)


def render_spec(
    spec: Spec,
    platform: str,
    source: str,
    runtime: Runtime | None = None,
    async_runtime: Runtime | None = None,
) -> dict[str, str]:
    """File name -> content for one spec: ``<platform>.pyi`` and ``<platform>.md``."""
    view = build(spec, platform, source, runtime, async_runtime)
    view.bundled = runtime is not None
    return {f"{platform}.pyi": stub(view), f"{platform}.md": reference(view)}
