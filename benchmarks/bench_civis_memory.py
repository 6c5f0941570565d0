"""Civis: construction, first call and memory after construction, specclient vs civis-python.

Extends ``bench_construction.py`` (construction alone) with the first API call and the memory a
client holds once built, for both libraries, measured in the same run. Every sample runs in a
fresh Python process (median of ``--runs``), so neither side profits from the other's imports
or caches. The first call goes to the Civis emulator, served by this script on a loopback port.

Baselines
---------
* civis-python 2.10 ``civis.APIClient(...)``, then ``client.users.get_me()``.
* specclient ``specclient.connect("civis", ...)``, then ``client.users.get_me()``; cold (empty
  spec-model cache) and warm (the cache written by an earlier process).

Two ways to get the spec:

* ``local`` - the full published spec (2.5 MB, 910 operations; civis-python's bundled copy),
  passed as ``local_api_spec=`` / ``spec=``.
* ``/endpoints`` - fetched from the emulator, which serves the 39-operation subset
  (specclient's fetched spec then comes from its disk cache on the warm row).

Memory: the process's resident set (``VmRSS``) after construction minus before the first
import, and the Python heap held after construction (``tracemalloc``, in a separate process
because tracing slows construction down).

Usage::

    python benchmarks/bench_civis_memory.py [--runs 5] [--write] [--smoke]

``--smoke`` runs one untraced sample of the cold ``/endpoints`` rows only (for a test); ``--write`` replaces
the ``civis`` section of BENCHMARKS.md with the table printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
SECTION_START = "<!-- section: civis (owner: civis) -->"
SECTION_END = "<!-- end: civis -->"

_RSS = """
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0
"""

CIVIS = (
    _RSS
    + """
import json, os, sys, time, warnings
warnings.simplefilter("ignore")
trace = {trace}
if trace:
    import tracemalloc; tracemalloc.start()
r0 = rss(); t0 = time.perf_counter()
import civis
client = civis.APIClient(api_key={key!r}, local_api_spec={spec!r})
t1 = time.perf_counter(); r1 = rss()
heap = tracemalloc.get_traced_memory()[0] if trace else None
me = client.users.get_me()
t2 = time.perf_counter()
assert me.username == "demo-user"
print(json.dumps({{"build": t1 - t0, "first": t2 - t1, "rss": r1 - r0, "heap": heap}}))
"""
)

OURS = (
    _RSS
    + """
import json, os, sys, time
trace = {trace}
if trace:
    import tracemalloc; tracemalloc.start()
r0 = rss(); t0 = time.perf_counter()
import specclient
client = specclient.connect("civis", api_key={key!r}, base_url={base!r}, spec={spec!r},
                            spec_cache_dir={cache!r})
t1 = time.perf_counter(); r1 = rss()
heap = tracemalloc.get_traced_memory()[0] if trace else None
me = client.users.get_me()
t2 = time.perf_counter()
assert me.username == "demo-user"
print(json.dumps({{"build": t1 - t0, "first": t2 - t1, "rss": r1 - r0, "heap": heap}}))
"""
)


def _child(code: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def measure(runs: int, smoke: bool) -> list[dict[str, object]]:
    import civis.resources

    from specclient.emulators import running
    from specclient.emulators.civis import CREDENTIALS

    full_spec = str(Path(civis.resources.__file__).parent / "civis_api_spec.json")
    key = CREDENTIALS["api_key"]
    rows: list[dict[str, object]] = []
    with running("civis", seed=1) as emu, tempfile.TemporaryDirectory() as scratch:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("CIVIS_")}
        base_env["PYTHONPATH"] = str(ROOT / "src")
        base_env["CIVIS_API_ENDPOINT"] = emu.base_url  # where civis-python sends its calls
        cases = []
        sources = [("/endpoints", None)] if smoke else [("local", full_spec), ("/endpoints", None)]
        for source_name, spec in sources:
            cases.append(("civis-python 2.10", source_name, "", CIVIS, spec))
            cases.append(("specclient", source_name, "cold", OURS, spec))
            if not smoke:
                cases.append(("specclient", source_name, "warm", OURS, spec))
        for library, source_name, cache_state, template, spec in cases:
            samples, heaps = [], []
            for run in range(runs):
                cache = Path(scratch) / f"{source_name.strip('/')}-{cache_state}-{run}"
                env = dict(base_env, SPECCLIENT_CACHE_DIR=str(cache))
                if cache_state == "warm":  # an earlier process filled the caches
                    env["SPECCLIENT_CACHE_DIR"] = str(Path(scratch) / f"warm-{source_name}")
                    if run == 0:
                        _child(
                            template.format(
                                key=key,
                                spec=spec,
                                base=emu.base_url,
                                cache=env["SPECCLIENT_CACHE_DIR"],
                                trace=False,
                            ),
                            env,
                        )
                code = template.format(
                    key=key,
                    spec=spec,
                    base=emu.base_url,
                    cache=env["SPECCLIENT_CACHE_DIR"],
                    trace=False,
                )
                samples.append(_child(code, env))
                if run == 0 and not smoke:  # the heap varies little: one traced sample
                    traced = template.format(
                        key=key,
                        spec=spec,
                        base=emu.base_url,
                        cache=env["SPECCLIENT_CACHE_DIR"],
                        trace=True,
                    )
                    heaps.append(_child(traced, env)["heap"])
            rows.append(
                {
                    "library": library + (f" ({cache_state} cache)" if cache_state else ""),
                    "spec": source_name,
                    "build_s": _median(samples, "build"),
                    "first_call_ms": _median(samples, "first") * 1000,
                    "rss_mib": _median(samples, "rss") / 2**20,
                    "heap_mib": heaps[0] / 2**20 if heaps else float("nan"),
                }
            )
    return rows


def table(rows: list[dict[str, object]], runs: int) -> str:
    lines = [
        "| spec | client | import + construct (s) | first call (ms) | RSS after construct (MiB) "
        "| Python heap after construct (MiB) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['spec']} | {row['library']} | {row['build_s']:.3f} | "
            f"{row['first_call_ms']:.1f} | {row['rss_mib']:.1f} | {row['heap_mib']:.1f} |"
        )
    lines.append("")
    lines.append(
        f"Median of {runs} fresh processes per row (heap: one traced process). "
        f"Python {platform.python_version()}, {os.cpu_count()} cores. "
        "`local`: the full published spec (910 operations) from a file; `/endpoints`: fetched "
        "from the Civis emulator (39 operations). First call: `users.get_me()` to the emulator "
        "on loopback."
    )
    return "\n".join(lines)


def write_section(text: str) -> None:
    content = BENCHMARKS_MD.read_text()
    start = content.index(SECTION_START) + len(SECTION_START)
    end = content.index(SECTION_END)
    body = (
        "\n## Civis: construction, first call and memory vs civis-python\n"
        "`python benchmarks/bench_civis_memory.py --runs 5 --write`\n\n" + text + "\n"
    )
    BENCHMARKS_MD.write_text(content[:start] + body + content[end:])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--smoke", action="store_true", help="one sample, /endpoints only")
    args = parser.parse_args(argv)
    runs = 1 if args.smoke else args.runs
    text = table(measure(runs, args.smoke), runs)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
