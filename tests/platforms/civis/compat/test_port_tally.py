"""The tally of civis-python 2.10.1's tests (tally.py) is true: every ported test exists, every
deliberate difference is listed in docs/platforms/civis.md, and the totals there are these."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.platforms.civis.compat.tally import DIFFERENT, ISSUE_13, NOT_PORTED, SAME

HERE = Path(__file__).resolve().parent
DOC = HERE.parents[3] / "docs" / "platforms" / "civis.md"
IO_DOC = DOC.with_name("civis-io.md")  # civis.io's differences are listed there
#: test functions per file of civis-python 2.10.1's tests/ (its sdist), for the files ported
CIVIS_PYTHON_COUNTS = {
    "test_response.py": 29,
    "test_base.py": 6,
    "test_client.py": 4,
    "test_resources.py": 32,
    "test_futures.py": 36,
    "test_polling.py": 9,
    "test_retries.py": 9,
    "test_camel_to_snake.py": 1,
    "test_io.py": 67,
}


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_civis_python_test_is_accounted_for_once():
    names = [*SAME, *DIFFERENT, *NOT_PORTED]
    assert len(names) == len(set(names))
    per_file: dict[str, int] = {}
    for name in names:
        per_file[name.split("::")[0]] = per_file.get(name.split("::")[0], 0) + 1
    assert per_file == CIVIS_PYTHON_COUNTS


def test_every_ported_test_exists():
    targets = [*SAME.values(), *(test for test, _ in DIFFERENT.values()), *ISSUE_13.values()]
    for target in targets:
        file, name = target.split("::")
        assert name in _functions((HERE / file).resolve()), target


def test_every_difference_is_documented_and_the_totals_are_stated():
    text = DOC.read_text()
    for name, (_, phrase) in DIFFERENT.items():
        assert phrase in (IO_DOC.read_text() if name.startswith("test_io.py") else text), phrase
    stated = re.search(r"(\d+) behave as civis-python's, (\d+) differ on purpose, of (\d+)", text)
    assert stated, "docs/platforms/civis.md states the tally"
    assert tuple(map(int, stated.groups())) == (
        len(SAME),
        len(DIFFERENT),
        len(SAME) + len(DIFFERENT),
    )
    assert f"{len(NOT_PORTED)} test private helpers" in text
