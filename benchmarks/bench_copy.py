"""Copy a 1,000,000-row Habu question-run result into a ClicData data set: wall time, client
CPU and peak memory of ``specclient.copy`` against doing it by hand with the API of today.

Methods, each against the same two emulators in the same run, each in a fresh process:

- ``by hand``: ``habu.question_results(run_id)`` (one typed DataFrame of every row), then
  ``clicdata.data.append(rec_id, df)``: the whole table is in memory before the first row is
  sent.
- ``copy``: ``specclient.copy(transfer.habu_result(run_id, client=habu),
  transfer.clicdata_dataset(clicdata, rec_id))``: 10,000-row pages appended as they arrive,
  the next page fetched while the last is appended, with the exactly-once checkpoint.

Both emulators run in their own processes (their CPU and memory are not the client's); each
method gets its own empty data set. "peak RSS" is the method's process (``ru_maxrss``), "above
imports" subtracts its resident size once everything is imported; each emulator's CPU while
the method ran and the load average as it began say where a slow wall time came from on a
shared machine. To compare with an earlier tree, run its copy of this script (``git archive
<commit> src specs benchmarks | tar -x -C DIR``, then ``PYTHONPATH=DIR/src python
DIR/benchmarks/bench_copy.py``) alternately with this one.

Run from a checkout::

    python benchmarks/bench_copy.py                # 1,000,000 rows
    python benchmarks/bench_copy.py --rows 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_habu_results import (  # noqa: E402
    _current_rss_mib,
    _load,
    _process_cpu,
    _rss_mib,
    prepare_run,
)

METHODS = ("by hand", "copy")
#: ``copy`` as an older tree does it (``--before-src``), against the same emulators.
BEFORE = "copy (before)"
_HABU = (
    "from specclient.emulators.core import serve_forever; "
    "serve_forever('habu', port=0, seed=1, result_rows={rows}, token_cap=None, "
    "run_create_limit=None, queue_seconds=0, run_seconds=0)"
)
_CLICDATA = (
    "from specclient.emulators.core import serve_forever; "
    "serve_forever('clicdata', port=0, max_page_size=10000, page_size=1000, "
    "token_lifetime=86400)"
)

#: Put before an emulator's code by ``--latency``: every reply is held back that long (the
#: emulator's "slow" fault, an ``asyncio.sleep``: other requests go on meanwhile), as a remote
#: service's round trip would be, without using a core of this machine.
_WITH_LATENCY = """
import importlib
running = importlib.import_module("specclient.emulators.core.running")  # not core.running()
_build = running._build
def _slowed(*args, **kwargs):
    app, credentials = _build(*args, **kwargs)
    app.faults.add("*", "slow", delay={latency})
    return app, credentials
running._build = _slowed
"""


def _serve(code: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def _clients(habu: dict[str, Any], clicdata: dict[str, Any]) -> tuple[Any, Any]:
    import specclient

    h = specclient.connect(
        "habu", base_url=habu["base_url"], token_cache=False, progress=False, **habu["credentials"]
    )
    c = specclient.connect("clicdata", base_url=clicdata["base_url"], **clicdata["credentials"])
    return h, c


def empty_target(
    clicdata_info: dict[str, Any], habu_info: dict[str, Any], run_id: str, name: str
) -> int:
    """An empty data set with the result's columns (from its first row's types)."""
    habu, clicdata = _clients(habu_info, clicdata_info)
    with habu, clicdata:
        first = next(habu.question_result_batches(run_id, page_size=1))
        frame = first.schema.empty_table().to_pandas(date_as_object=False)
        return int(clicdata.data.create_from_dataframe(name, frame, progress=False))


def measure(
    method: str, habu_info: dict[str, Any], clicdata_info: dict[str, Any], run_id: str, rec_id: int
) -> dict[str, Any]:
    import pandas  # noqa: F401 - imports are not part of the measurement
    import pyarrow  # noqa: F401
    import tqdm.auto  # noqa: F401

    import specclient.platforms.clicdata.workflows  # noqa: F401
    import specclient.platforms.habu  # noqa: F401
    import specclient.tables.decode  # noqa: F401
    from specclient import transfer

    habu, clicdata = _clients(habu_info, clicdata_info)
    baseline = _current_rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    with habu, clicdata:
        if method == "by hand":
            df = habu.question_results(run_id)
            rows = clicdata.data.append(rec_id, df, progress=False)
            del df
        else:
            result = transfer.copy(
                transfer.habu_result(run_id, client=habu),
                transfer.clicdata_dataset(clicdata, rec_id),
                progress=False,
            )
            rows = result.rows
        stored = clicdata.data.row_count(rec_id)
    return {
        "method": method,
        "specclient": str(Path(transfer.__file__).parents[2]),  # which tree ran
        "rows": rows,
        "stored": stored,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "peak_rss_mib": _rss_mib(),
        "above_mib": _rss_mib() - baseline,
    }


def run_child(
    method: str,
    habu: dict[str, Any],
    clicdata: dict[str, Any],
    run_id: str,
    rec_id: int,
    before_src: str | None = None,
) -> dict[str, Any]:
    args = [
        sys.executable,
        __file__,
        "--child",
        method,
        "--run-id",
        run_id,
        "--rec-id",
        str(rec_id),
        "--habu",
        json.dumps(habu),
        "--clicdata",
        json.dumps(clicdata),
    ]
    if method == BEFORE:
        if not before_src:
            raise SystemExit(f"{method!r} needs --before-src (an older tree's src/ directory)")
        args += ["--src", before_src]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def table(results: list[dict[str, Any]], rows: int) -> str:
    lines = [
        f"Habu question-run result -> ClicData data set: {rows:,} rows x 4 columns, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs",
        "",
        "| method | rows stored | wall s | rows/s | client CPU s | Habu emulator CPU s "
        "| ClicData emulator CPU s | peak RSS MiB | above imports MiB | load at start |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['method']} | {r['stored']:,} | {r['seconds']:.1f} | "
            f"{r['rows'] / r['seconds']:,.0f} | {r['cpu']:.1f} | {r['habu_cpu']:.1f} | "
            f"{r['clicdata_cpu']:.1f} | {r['peak_rss_mib']:.0f} | {r['above_mib']:.0f} | "
            f"{r['load']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--inline", action="store_true", help="one process (smoke tests)")
    parser.add_argument(
        "--before-src",
        help="src/ of an older tree (git archive OLD src specs | tar -x -C DIR): the method "
        f"{BEFORE!r} runs its copy against the same emulators, for a same-run baseline",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds every emulator reply is held back (a remote service's round trip)",
    )
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--child")
    parser.add_argument("--run-id")
    parser.add_argument("--rec-id", type=int)
    parser.add_argument("--habu")
    parser.add_argument("--clicdata")
    args = parser.parse_args(argv)
    if args.src:  # the child of the before method: that tree's specclient, not this one
        sys.path.insert(0, args.src)
    if args.child:
        print(
            json.dumps(
                measure(
                    args.child,
                    json.loads(args.habu),
                    json.loads(args.clicdata),
                    args.run_id,
                    args.rec_id,
                )
            )
        )
        return ""
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - {*METHODS, BEFORE})
    if unknown:
        parser.error(f"unknown method(s) {unknown}; choose from {', '.join((*METHODS, BEFORE))}")
    slowed = _WITH_LATENCY.format(latency=args.latency) if args.latency else ""
    habu_process, habu = _serve(slowed + _HABU.format(rows=args.rows))
    clicdata_process, clicdata = _serve(slowed + _CLICDATA)
    try:
        run_id = prepare_run(habu["base_url"], habu["credentials"])
        results = []
        for number, method in enumerate(methods, 1):
            rec_id = empty_target(clicdata, habu, run_id, f"bench {number} {method}")
            servers = (habu_process.pid, clicdata_process.pid)
            load, served = _load(), [_process_cpu(pid) for pid in servers]
            measured = (
                measure(method, habu, clicdata, run_id, rec_id)
                if args.inline
                else run_child(method, habu, clicdata, run_id, rec_id, args.before_src)
            )
            measured["load"] = load
            measured["habu_cpu"], measured["clicdata_cpu"] = (
                _process_cpu(pid) - before for pid, before in zip(servers, served, strict=True)
            )
            results.append(measured)
    finally:
        for process in (habu_process, clicdata_process):
            process.terminate()
            process.wait(timeout=10)
    text = table(results, args.rows)
    if args.latency:
        text += f"\n\nEvery emulator reply held back {args.latency * 1000:.0f} ms (--latency)."
    print(text)
    return text


if __name__ == "__main__":
    main()
