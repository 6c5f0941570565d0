"""Start-up with Civis's 2.5 MB spec, as a user waits for it: specclient vs civis-python.

Every measurement runs in a fresh Python process (N runs each, interleaved, median reported),
so module caches and warm CPU caches inside one interpreter cannot flatter either side. Two
clocks, both started before the first import:

* **from import**: ``time.perf_counter()`` taken on the child's first line, before
  ``import specclient`` / ``import civis``, read after the signature is known;
* **process**: wall time of the whole child as the parent sees it (interpreter start-up and
  exit included), the number ``time python script.py`` would show.

Baselines
---------
* civis-python 2.10: ``import civis``, ``civis.APIClient(local_api_spec=path, api_key="x")``,
  then ``inspect.signature(client.tables.list)`` (civis-python builds every resource eagerly).
* specclient: ``import specclient``, ``specclient.connect("civis", spec=path, api_key="x")``,
  then ``inspect.signature(client.tables.list)`` -- cold (empty model cache: parse, check,
  index, build one resource, write the cache) and warm (the cache written by an earlier
  process).
* an empty interpreter (``python -c pass``), so the process column can be read net of it;
* ``import inspect`` alone, timed the same way: the signature's module, which both sides'
  rows include, so "warm minus this" is specclient's own start-up above the interpreter.

The script also checks (assertions, not tests) that the warm specclient run imported neither
pandas, httpx, asyncio, typing nor json (``tests/test_startup.py`` pins the whole list), and
reports how many modules the warm child had loaded.

Usage::

    python benchmarks/bench_construction.py [--runs 15] [--write]

``--write`` replaces the ``construction`` section of BENCHMARKS.md with the table printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = (ROOT / ".." / "shared" / "upstream-specs" / "civis-api-spec.json").resolve()
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
SECTION_START = "<!-- section: construction (owner: spec engine) -->"
SECTION_END = "<!-- end: construction -->"

# Each snippet starts its clock before any import and prints one JSON object.
CIVIS_BUILD = """
import time
t0 = time.perf_counter()
import inspect, civis
client = civis.APIClient(local_api_spec={spec!r}, api_key="x")
inspect.signature(client.tables.list)
t1 = time.perf_counter()
import json, sys
print(json.dumps({{"seconds": t1 - t0}}))
"""

OURS_BUILD = """
import time
t0 = time.perf_counter()
import inspect, specclient
client = specclient.connect("civis", spec={spec!r}, api_key="x")
inspect.signature(client.tables.list)
t1 = time.perf_counter()
import sys
modules = len(sys.modules)  # counted before json, which this report itself imports
loaded = [m for m in ("pandas", "httpx", "asyncio", "typing", "json") if m in sys.modules]
import json
print(json.dumps({{"seconds": t1 - t0, "loaded": loaded, "modules": modules}}))
"""

EMPTY = "import json; print(json.dumps({}))"

INSPECT_ONLY = """
import time
t0 = time.perf_counter()
import inspect
t1 = time.perf_counter()
import json
print(json.dumps({"seconds": t1 - t0}))
"""


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(code: str, env: dict[str, str]) -> dict:
    cpu = _cpu_of_children()
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    wall = time.perf_counter() - started
    return {
        **json.loads(out.stdout.strip().splitlines()[-1]),
        "process": wall,
        "cpu": _cpu_of_children() - cpu,
    }


def _env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["SPECCLIENT_CACHE_DIR"] = str(cache_dir)
    env.pop("SPECCLIENT_NO_CACHE", None)
    # As installed packages have: compiled bytecode (civis-python's is in site-packages; a
    # shell with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile ours in every run).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["HOME"] = str(cache_dir.parent)  # neither client may pick up a user's files
    return env


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-construction-") as tmp:
        cache = Path(tmp) / "cache"
        env = _env(cache)
        rows: dict[str, list[dict]] = {
            "civis": [],
            "cold": [],
            "warm": [],
            "empty": [],
            "inspect": [],
        }
        for code in (CIVIS_BUILD, OURS_BUILD):  # untimed: writes both sides' bytecode
            _run(code.format(spec=str(SPEC)), env)
        # Interleaved, so a busy machine slows every case alike.
        for _ in range(runs):
            rows["civis"].append(_run(CIVIS_BUILD.format(spec=str(SPEC)), env))
            shutil.rmtree(cache, ignore_errors=True)
            rows["cold"].append(_run(OURS_BUILD.format(spec=str(SPEC)), env))
            rows["warm"].append(_run(OURS_BUILD.format(spec=str(SPEC)), env))
            rows["empty"].append(_run(EMPTY, env))
            rows["inspect"].append(_run(INSPECT_ONLY, env))
    leaked = {m for r in rows["warm"] for m in r["loaded"]}
    assert not leaked, f"a warm start imported {sorted(leaked)}"

    def med(case: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[case])

    result: dict = {"runs": runs, "load": os.getloadavg()[0]}
    for case in ("civis", "cold", "warm", "inspect"):
        result[case] = med(case, "seconds")
        result[case + "_process"] = med(case, "process")
        result[case + "_cpu"] = med(case, "cpu")
    for case in ("civis", "warm", "inspect"):
        result[case + "_min"] = min(row["seconds"] for row in rows[case])
    result["warm_modules"] = rows["warm"][-1]["modules"]
    result["empty_process"] = med("empty", "process")
    result["empty_cpu"] = med("empty", "cpu")
    return result


def table(r: dict) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms"

    def row(label: str, case: str) -> str:
        cells = [ms(r[case]), ms(r[case + "_process"]), ms(r[case + "_cpu"])]
        if case == "civis":
            ratio = "1×"
        else:
            ratio = " / ".join(
                f"{r['civis' + k] / r[case + k]:.1f}×" for k in ("", "_process", "_cpu")
            )
        return f"| {label} | {' | '.join(cells)} | {ratio} |"

    return "\n".join(
        [
            "## Start-up from Civis's spec, from before the first import",
            "",
            f"`python benchmarks/bench_construction.py --runs {r['runs']}`: the median of "
            f"{r['runs']} fresh processes per row, interleaved. Spec: "
            "`../shared/upstream-specs/civis-api-spec.json` (2.5 MB, 909 methods). Python "
            f"{platform.python_version()}, {os.cpu_count()} cores, load average "
            f"{r['load']:.1f} at the end of the run.",
            "",
            "| what (`import` + build + `inspect.signature(c.tables.list)`) | from import "
            "| process | process CPU | faster than civis-python (from import / process / "
            "CPU) |",
            "|---|---:|---:|---:|---:|",
            row("civis-python 2.10: `APIClient(local_api_spec=PATH)`", "civis"),
            row('specclient, cold cache: `connect("civis", spec=PATH)`', "cold"),
            row("specclient, warm cache: same", "warm"),
            f"| empty interpreter (`python -c pass`, for reference) | | "
            f"{ms(r['empty_process'])} | {ms(r['empty_cpu'])} | |",
            f"| `import inspect` alone (in both sides' rows, for reference) | "
            f"{ms(r['inspect'])} | {ms(r['inspect_process'])} | {ms(r['inspect_cpu'])} | |",
            "",
            f"Fastest of the {r['runs']} (from import): civis-python {ms(r['civis_min'])}, "
            f"specclient warm {ms(r['warm_min'])} ({r['civis_min'] / r['warm_min']:.1f}×), "
            f"`import inspect` {ms(r['inspect_min'])}.",
            "",
            '"from import" starts the clock on the child\'s first line, before `import '
            'specclient` / `import civis`; "process" is the child\'s whole wall time as its '
            'parent sees it (interpreter start-up and exit included); "process CPU" is that '
            "child's user + system CPU time, the figure least moved by other work on a "
            "shared machine. A warm start imports "
            "neither httpx, asyncio, pandas, typing nor json (checked by the script; "
            f"{r['warm_modules']} modules loaded at its end): credentials are built "
            "without httpx, which is imported with the first request. Cold = empty caches: "
            "declare Civis's copy of the spec (parse it, bracket array queries, write it), "
            "read and hash that copy, parse it, check every `$ref` and path parameter, name "
            "all 909 operations, write the index, expand and pickle the one resource touched. "
            "Warm = a later process: stat the spec and its copy, read the content hash "
            "remembered for that file identity, unpickle the index and the `tables` entry; "
            "the spec is neither read nor parsed.",
        ]
    )


def write_section(text: str) -> None:
    content = BENCHMARKS_MD.read_text()
    start = content.index(SECTION_START) + len(SECTION_START)
    end = content.index(SECTION_END)
    BENCHMARKS_MD.write_text(content[:start] + "\n" + text + "\n" + content[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if not SPEC.exists():
        sys.exit(f"Civis spec not found at {SPEC}")
    result = measure(max(args.runs, 1))
    text = table(result)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
