"""The README's two commands are the ones CI and users run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, flags=re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_opens_with_install_and_demo_then_install_and_tests():
    demo, tests = readme_commands()
    assert "specclient demo" in demo and "pip install" in demo
    # the demo runs the emulators, whose web server is the `emulators` extra
    assert 'pip install -q ".[emulators]"' in demo
    assert "pytest" in tests and "pip install" in tests


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines()


def test_ci_runs_exactly_the_readme_demo_command():
    demo, _ = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert demo in ci.splitlines()
