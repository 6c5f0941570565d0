"""Client construction from Civis's 2.5 MB spec, and import time: specclient vs civis-python.

Every measurement runs in a fresh Python process (N runs each, median reported), so module
caches and warm CPU caches inside one interpreter cannot flatter either side.

Baselines
---------
* civis-python 2.10: ``civis.APIClient(local_api_spec=path, api_key="x")`` then touching
  ``client.tables.list`` (civis-python builds every resource eagerly).
* specclient: ``Client.from_spec(path, naming=CIVIS_PYTHON, base_url=...)`` then
  ``inspect.signature(client.tables.list)`` -- cold (empty model cache: parse, check, index,
  build one resource, write the cache) and warm (the cache written by an earlier process).
* ``import specclient`` vs ``import civis``. The script also checks (an assertion, not a test)
  that importing specclient does not import pandas.

Usage::

    python benchmarks/bench_construction.py [--runs 7] [--write]

``--write`` replaces the ``construction`` section of BENCHMARKS.md with the table printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = (ROOT / ".." / "shared" / "upstream-specs" / "civis-api-spec.json").resolve()
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
SECTION_START = "<!-- section: construction (owner: spec engine) -->"
SECTION_END = "<!-- end: construction -->"

# Each snippet prints one JSON object of timings (seconds) measured inside the child.
CIVIS_BUILD = """
import json, time
t0 = time.perf_counter()
import civis
t1 = time.perf_counter()
client = civis.APIClient(local_api_spec={spec!r}, api_key="x")
client.tables.list
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "build": t2 - t1}}))
"""

OURS_BUILD = """
import json, time, inspect
t0 = time.perf_counter()
import specclient
from specclient.openapi import CIVIS_PYTHON
t1 = time.perf_counter()
client = specclient.Client.from_spec({spec!r}, naming=CIVIS_PYTHON, base_url="http://127.0.0.1:1")
inspect.signature(client.tables.list)
t2 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "build": t2 - t1}}))
"""

IMPORT_ONLY = """
import json, sys, time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "pandas": "pandas" in sys.modules}}))
"""


def _run(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _env(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["SPECCLIENT_CACHE_DIR"] = str(cache_dir)
    env.pop("SPECCLIENT_NO_CACHE", None)
    env["HOME"] = str(cache_dir.parent)  # civis-python must not pick up a user's files
    return env


def measure(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-construction-") as tmp:
        cache = Path(tmp) / "cache"
        env = _env(cache)
        civis, cold, warm, imports_ours, imports_civis = [], [], [], [], []
        # Interleaved, so a busy machine slows both sides alike.
        for _ in range(runs):
            civis.append(_run(CIVIS_BUILD.format(spec=str(SPEC)), env))
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_run(OURS_BUILD.format(spec=str(SPEC)), env))
            warm.append(_run(OURS_BUILD.format(spec=str(SPEC)), env))
            imports_ours.append(_run(IMPORT_ONLY.format(module="specclient"), env))
            imports_civis.append(_run(IMPORT_ONLY.format(module="civis"), env))
    assert not any(r["pandas"] for r in imports_ours), "import specclient imported pandas"

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    return {
        "civis_build": med(civis, "build"),
        "cold_build": med(cold, "build"),
        "warm_build": med(warm, "build"),
        "import_specclient": med(imports_ours, "import"),
        "import_civis": med(imports_civis, "import"),
        "runs": runs,
        "load": os.getloadavg()[0],
    }


def table(r: dict[str, float]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms"

    return "\n".join(
        [
            "## Client construction from Civis's spec, and import time",
            "",
            f"`python benchmarks/bench_construction.py --runs {r['runs']}`: each number is the "
            f"median of {r['runs']} fresh processes, timed inside the process (interpreter "
            "start-up excluded). Spec: `../shared/upstream-specs/civis-api-spec.json` "
            "(2.5 MB, 909 methods). Python "
            f"{platform.python_version()}, {os.cpu_count()} cores, load average "
            f"{r['load']:.1f} at the end of the run (absolute times move with load; the runs "
            "are interleaved so the ratios hold).",
            "",
            "| what | median | vs civis-python |",
            "|---|---:|---:|",
            f"| civis-python 2.10: `APIClient(local_api_spec=...)` + `client.tables.list` "
            f"| {ms(r['civis_build'])} | 1× |",
            "| specclient, cold cache: `Client.from_spec(..., naming=CIVIS_PYTHON)` + "
            f"`signature(client.tables.list)` | {ms(r['cold_build'])} "
            f"| {r['civis_build'] / r['cold_build']:.1f}× faster |",
            f"| specclient, warm cache: same | {ms(r['warm_build'])} "
            f"| {r['civis_build'] / r['warm_build']:.1f}× faster |",
            f"| `import civis` | {ms(r['import_civis'])} | 1× |",
            f"| `import specclient` (pandas not imported: checked) | "
            f"{ms(r['import_specclient'])} "
            f"| {r['import_civis'] / r['import_specclient']:.1f}× faster |",
            "",
            "Cold = empty model cache: read and hash the file, parse the JSON, check every "
            "`$ref` and path parameter, name all 909 operations, write the small index, then "
            "expand and pickle the one resource touched (`tables`). Warm = a later process: "
            "hash the file, unpickle the index (resource names, servers, security) and the "
            "`tables` entry; nothing is parsed. Target: warm at least 20× faster than "
            "civis-python.",
        ]
    )


def write_section(text: str) -> None:
    content = BENCHMARKS_MD.read_text()
    start = content.index(SECTION_START) + len(SECTION_START)
    end = content.index(SECTION_END)
    BENCHMARKS_MD.write_text(content[:start] + "\n" + text + "\n" + content[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
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
