"""The guesses table: every ``x-source: guess`` of a spec, rendered by codegen into the platform's
docs page between markers, and kept fresh (``python -m codegen --check`` compares the pages)."""

from __future__ import annotations

from pathlib import Path

import yaml

from codegen.build import ROOT, bundled_specs, docs_pages
from codegen.sources import END, Guess, guesses, sources_table, with_table

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1", "x-source": "the vendor's guide"},
    "paths": {
        "/things/{id}": {
            "get": {"summary": "Get a thing", "x-source": "guess: no client calls it"},
            "post": {
                "x-source": "the vendor's guide",  # a named source: not a guess
                "parameters": [{"name": "dry", "in": "query", "x-source": "guess"}],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "properties": {
                                    "size": {"type": "integer", "x-source": "Guess: assumed bytes"}
                                }
                            }
                        }
                    }
                },
            },
        }
    },
    "components": {"schemas": {"Thing": {"properties": {"tag": {"x-source": "guess: seen once"}}}}},
    "x-emulator": [{"behaviour": "Deletes take 5 s.", "x-source": "guess: timing unknown"}],
}


def test_every_guess_is_found_with_where_it_is_and_what_is_assumed() -> None:
    assert guesses(DOCUMENT) == [
        Guess("`GET /things/{id}`", "no client calls it", "#/paths/~1things~1{id}/get"),
        Guess(
            "`POST /things/{id}` parameter `dry`",
            "no public source",
            "#/paths/~1things~1{id}/post/parameters/0",
        ),
        Guess(
            "`POST /things/{id}` body field `size`",
            "assumed bytes",
            "#/paths/~1things~1{id}/post/requestBody/content/application~1json/schema/"
            "properties/size",
        ),
        Guess("schema `Thing.tag`", "seen once", "#/components/schemas/Thing/properties/tag"),
        Guess("emulator: Deletes take 5 s.", "timing unknown", "#/x-emulator/0"),
    ]


def test_the_table_names_the_default_source_and_one_row_per_guess(tmp_path: Path) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text(yaml.safe_dump(DOCUMENT))
    table = sources_table(spec, "specs/t.yaml")
    lines = table.splitlines()
    assert lines[0].startswith("<!-- x-source table:") and "specs/t.yaml" in lines[0]
    assert lines[-1] == END
    assert "rests on: the vendor's guide." in table
    assert "5 guesses rest on no public source" in table
    assert "| `GET /things/{id}` | no client calls it |" in lines
    assert "| emulator: Deletes take 5 s. | timing unknown |" in lines


def test_the_table_replaces_its_old_self_and_is_appended_the_first_time() -> None:
    table = "<!-- x-source table: x -->\nnew\n" + END
    first = with_table("# Page\n\ntext\n", table)
    assert first == "# Page\n\ntext\n\n## Where the spec and the emulator guess\n\n" + table + "\n"
    again = with_table(first.replace("new", "old"), table)
    assert again == first
    assert with_table(first, table) == first


def test_every_docs_page_carries_its_specs_table_and_it_is_fresh() -> None:
    pages = docs_pages()
    assert {page.stem for page in pages} == set(bundled_specs())
    for page, fresh in pages.items():
        assert page.read_text(encoding="utf-8") == fresh, f"run python -m codegen ({page})"
        assert "<!-- x-source table:" in fresh


def test_the_issue_16_guesses_are_in_the_tables() -> None:
    docs = ROOT / "docs" / "platforms"
    clicdata = (docs / "clicdata.md").read_text(encoding="utf-8")
    for row in ("schema `DataSetListEnvelope`", "schema `RowsEnvelope`", "`GET /team`"):
        assert f"| {row} |" in clicdata
    habu = (docs / "habu.md").read_text(encoding="utf-8")
    assert "| schema `QuestionDataType` |" in habu
    assert "| emulator: Hitting the 2-tokens-a-day cap answers 429 (`token_cap_status`)" in habu
    assert "| emulator: A run stays QUEUED" in (docs / "habu.md").read_text(encoding="utf-8")
    usmart = (docs / "usmart.md").read_text(encoding="utf-8")
    assert "| `POST /org/{orgGuid}/file:create` |" in usmart


def test_every_operation_of_the_authored_specs_names_its_source() -> None:
    for name in ("clicdata", "usmart"):
        document = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert document["info"].get("x-source")
        for path, item in document["paths"].items():
            for verb, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    assert operation.get("x-source"), f"{name}: {verb.upper()} {path}"


def test_each_authored_spec_lists_its_emulators_guessed_behaviours() -> None:
    from codegen.sources import is_guess

    for name in ("habu", "clicdata", "usmart"):
        document = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text(encoding="utf-8"))
        behaviours = document["x-emulator"]
        assert len(behaviours) >= 5, name
        for item in behaviours:
            assert item["behaviour"] and is_guess(item["x-source"]), (name, item)
        page = (ROOT / "docs" / "platforms" / f"{name}.md").read_text(encoding="utf-8")
        assert page.count("| emulator: ") == len(behaviours), name
