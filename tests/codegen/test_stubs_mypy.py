"""A user's mypy, on the package as a wheel installs it, sees the generated stubs.

The package is laid out by our own build hook (``setup.py build_py``: exactly what a wheel
holds, ``specclient/__init__.pyi`` and ``specclient/_stubs/``), then one mypy run checks a
script of correct calls (no errors) and three scripts with one mistake each (mypy's message).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUB_MODULES = sorted(p.stem for p in (ROOT / "generated").glob("*.pyi") if p.stem != "_package")

CORRECT = """
    import pandas
    import specclient

    habu = specclient.connect("habu", client_id="id", client_secret="secret")
    rooms = habu.cleanrooms.list()
    name: str = rooms[0].name
    frame: pandas.DataFrame = habu.cleanrooms.list(return_type="pandas")
    for room in habu.cleanrooms.list(limit=50, iterator=True):
        print(room.id, room.display_id)
    room = habu.cleanrooms.get("6f1c2a8e-3b4d-4e5f-9a6b-7c8d9e0f1a2b")
    run = habu.cleanroom_question_runs.get.wait("run-id")
    print(run.status, room.name)

    usmart = specclient.connect("usmart")
    print(usmart.catalog, usmart.files)

    clicdata = specclient.connect("clicdata")
    print(clicdata.data, clicdata.schedules)

    civis = specclient.connect("civis")
    tables = civis.tables.list(database_id=1, iterator=True)
    db: int = civis.get_database_id("redshift-general")
    civis.endpoints_the_snapshot_lacks.anything()  # Civis's live spec may have more

    generic = specclient.Client.from_spec("api.yaml", base_url="http://127.0.0.1:8080")
    generic.whatever.method(1, two=2)
    other = specclient.connect("some-platform")
    print(specclient.__version__, specclient.errors.NotFoundError, name, frame, tables, db, other)


    async def the_same_awaited() -> None:
        habu = specclient.connect_async("habu")
        rooms = await habu.cleanrooms.list()
        name: str = rooms[0].name
        async for room in await habu.cleanrooms.list(iterator=True):
            print(room.id, name)
        run = await habu.cleanroom_question_runs.get.wait("run-id")
        print(run.status)
"""

MISTAKES = {
    "misspelt_method": (
        'specclient.connect("habu").cleanrooms.lsit()',
        '"_Cleanrooms" has no attribute "lsit"',
    ),
    "unknown_keyword": (
        'specclient.connect("habu").cleanrooms.list(limt=10)',
        'Unexpected keyword argument "limt" for overloaded function "list" of "_Cleanrooms"; '
        'did you mean "limit"?',
    ),
    "wrong_argument_type": (
        'specclient.connect("habu").cleanrooms.list(limit="ten")',
        'No overload variant of "list" of "_Cleanrooms" matches argument type "str"',
    ),
}

MYPY_INI = """
[mypy]
warn_unused_configs = True
[mypy-pandas.*]
# pandas ships no inline types; users who want DataFrame types install pandas-stubs.
ignore_missing_imports = True
[mypy-specclient.*]
# as for any installed library: its own sources are not the user's to fix
follow_imports = silent
[mypy-numpy.*,anyio.*,uvicorn.*,httpcore.*,httpx.*,starlette.*,click.*,h11.*,jsonschema.*,tqdm.*,tenacity.*,yaml.*]
# the runtime's own dependencies, never named by the stubs: skipped to keep the run short
follow_imports = skip
"""


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    work = tmp_path_factory.mktemp("mypy")
    lib = work / "lib"
    build = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(lib)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    assert (lib / "specclient" / "__init__.pyi").is_file()
    assert (lib / "specclient" / "_stubs" / "habu.pyi").is_file()

    scripts = {"correct": textwrap.dedent(CORRECT)}
    for name, (line, _) in MISTAKES.items():
        scripts[name] = f"import specclient\n\n{line}\n"
    for name, text in scripts.items():
        (work / f"{name}.py").write_text(text)
    (work / "mypy.ini").write_text(MYPY_INI)
    env = {**os.environ, "MYPYPATH": str(lib)}
    env.pop("PYTHONPATH", None)  # the built package, not the checkout's src, is what is typed
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            str(work / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            *[f"{name}.py" for name in scripts],
            # the stubs themselves as targets, so an error inside them is reported too
            str(lib / "specclient" / "__init__.pyi"),
            *[str(lib / "specclient" / "_stubs" / f"{p}.pyi") for p in STUB_MODULES],
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    by_file: dict[str, list[str]] = {name: [] for name in scripts}
    for line in result.stdout.splitlines():
        match = re.match(r"(\w+)\.py:\d+: error: (.*)", line)
        if match:
            by_file.setdefault(match.group(1), []).append(match.group(2))
        elif ".pyi:" in line and ": error:" in line:
            by_file.setdefault("stubs", []).append(line)
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2 = mypy itself failed
    return by_file


def test_correct_calls_type_check(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output["correct"] == []


def test_the_stubs_themselves_have_no_type_errors(mypy_output: dict[str, list[str]]) -> None:
    assert mypy_output.get("stubs", []) == []


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_is_reported_with_mypys_message(
    mypy_output: dict[str, list[str]], name: str
) -> None:
    _, message = MISTAKES[name]
    assert len(mypy_output[name]) == 1, mypy_output[name]
    assert mypy_output[name][0].startswith(message)
