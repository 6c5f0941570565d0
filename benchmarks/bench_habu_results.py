"""Habu: a 1,000,000-row question-run result into a DataFrame, time and peak memory.

Compares, against the same emulator in the same run:

- ``tutorial``: LiveRamp's tutorial way - plain ``requests`` per page of ``/data``
  (``limit``/``offset``), every page's ``stats`` appended to one list, then ``pd.DataFrame``.
  Every column stays a string, as the API sends it.
- ``tutorial+types``: the same, then each column cast by ``metadata[].dataType`` (what a user
  must add to get the typed frame specclient returns).
- ``specclient``: ``client.question_results(run_id)`` - each page's bytes decoded straight
  into a typed Arrow batch (``pyarrow.json``), 10,000-row pages (the client's default), 4
  page requests in flight once the row count is known (the default), then pandas.
- ``specclient/1``: the same with ``workers=1`` (one request at a time, like the tutorial).
- ``specclient/arrow``: ``return_type="arrow"`` (a ``pyarrow.Table``, no pandas).
- ``specclient/parquet``: ``to_parquet=path``: every page written as it arrives (one page in
  memory); "frame MiB" is then the file's size.
- ``specclient/dask``: ``return_type="dask"`` computed on a 2-worker ``LocalCluster`` started
  in this process (workers in their own processes; the cluster's start-up is inside the wall
  time): the partitions fetch their own pages on the workers; "peak RSS" is the driver's.

A method may name its page size: ``tutorial+types@10000`` is the tutorial with 10,000-row
pages, ``specclient@500`` specclient with the API's default 500.

The emulator runs in its own process; each method runs in a fresh process, so its peak RSS
(``ru_maxrss``) is its own. "fetch MiB" is peak RSS minus RSS after imports; "client CPU s"
is the CPU time of the fetching process alone (the emulator's work is not in it), which is
steadier than wall time on a busy machine; "emulator CPU s" is the emulator process's CPU
while the method ran (from ``/proc``), and "load at start" the 1-minute load average when it
began: wall time is roughly client and emulator CPU plus waiting for a core.

Run from a checkout::

    python benchmarks/bench_habu_results.py                 # 1,000,000 rows, 500 per page
    python benchmarks/bench_habu_results.py --rows 200000 --page-size 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

METHODS = ("tutorial", "tutorial+types", "specclient/1", "specclient")
EXTRA = ("specclient/arrow", "specclient/parquet", "specclient/dask")


def _rss_mib() -> float:
    # Linux reports KiB, macOS bytes
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _current_rss_mib() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return _rss_mib()


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


# ------------------------------------------------------------------------------ the methods


def fetch_tutorial(
    base_url: str, creds: dict[str, str], run_id: str, page_size: int, typed: bool
) -> Any:
    """The tutorial's BaseApi.get, page by page, then pandas."""
    import base64

    import pandas as pd
    import requests

    basic = base64.b64encode(f"{creds['client_id']}:{creds['client_secret']}".encode()).decode()
    token = requests.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {basic}",
        },
    ).json()["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    rows: list[dict[str, str]] = []
    metadata: list[dict[str, str]] = []
    offset = 0
    while True:
        response = requests.get(
            f"{base_url}/cleanroom-question-runs/{run_id}/data?limit={page_size}&offset={offset}",
            headers=headers,
        )
        response.raise_for_status()
        page = response.json()
        metadata = page["metadata"]
        rows.extend(page["stats"])
        offset += len(page["stats"])
        if not page["stats"] or offset >= page["count"]:
            break
    frame = pd.DataFrame(rows)
    if typed:
        for column in metadata:
            name, kind = column["fieldName"], column["dataType"]
            if kind in ("LONG", "INTEGER"):
                frame[name] = pd.to_numeric(frame[name]).astype("Int64")
            elif kind in ("DECIMAL", "DOUBLE"):
                frame[name] = pd.to_numeric(frame[name]).astype("Float64")
            elif kind == "BOOLEAN":
                frame[name] = frame[name].str.lower().map({"true": True, "false": False})
            elif kind == "DATE":
                frame[name] = pd.to_datetime(frame[name], format="ISO8601")
            elif kind == "TIMESTAMP":
                frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
    return frame


def fetch_specclient(
    base_url: str,
    creds: dict[str, str],
    run_id: str,
    page_size: int | None,
    workers: int | None = None,
    **output: Any,
) -> Any:
    import specclient

    with specclient.connect(
        "habu", base_url=base_url, token_cache=False, page_size=page_size, **creds
    ) as client:
        return client.question_results(run_id, workers=workers, **output)


def _fetch_dask(base_url: str, creds: dict[str, str], run_id: str, page_size: int | None) -> Any:
    from distributed import Client, LocalCluster

    import specclient

    os.environ["HABU_API_CLIENT"] = creds["client_id"]  # the workers' own credentials
    os.environ["HABU_API_SECRET"] = creds["client_secret"]
    with specclient.connect(
        "habu", base_url=base_url, token_cache=False, page_size=page_size, **creds
    ) as client:
        lazy = client.question_results(run_id, return_type="dask")
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster),
    ):
        return lazy.compute()


def _page_size(method: str, default: int | None) -> int | None:
    _, _, size = method.partition("@")
    return int(size) if size else default


def measure(
    method: str,
    base_url: str,
    creds: dict[str, str],
    run_id: str,
    page_size: int,
    specclient_page_size: int | None = None,
) -> dict[str, Any]:
    """Run one method in this process; time it and report memory."""
    import tempfile

    import pandas  # imports are not part of the measurement
    import pyarrow
    import pyarrow.json  # noqa: F401
    import pyarrow.parquet
    import requests  # noqa: F401

    import specclient.platforms.habu  # noqa: F401
    import specclient.tables.decode  # noqa: F401

    name = method.partition("@")[0]
    baseline = _current_rss_mib()
    started = time.perf_counter()
    cpu = time.process_time()
    with tempfile.TemporaryDirectory() as scratch:
        if name.startswith("specclient"):
            size = _page_size(method, specclient_page_size)
            workers = 1 if name == "specclient/1" else None
            output: dict[str, Any] = {}
            if name == "specclient/arrow":
                output["return_type"] = "arrow"
            if name == "specclient/parquet":
                output["to_parquet"] = Path(scratch) / "result.parquet"
            if name == "specclient/dask":
                frame = _fetch_dask(base_url, creds, run_id, size)
            else:
                frame = fetch_specclient(base_url, creds, run_id, size, workers, **output)
        else:
            size = _page_size(method, page_size)
            typed = name != "tutorial"
            frame = fetch_tutorial(base_url, creds, run_id, size or 500, typed=typed)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        if isinstance(frame, Path):
            rows = pyarrow.parquet.ParquetFile(frame).metadata.num_rows
            held, typed = frame.stat().st_size, True
        elif isinstance(frame, pyarrow.Table):
            rows, held, typed = frame.num_rows, frame.nbytes, True
        else:
            rows, held = len(frame), frame.memory_usage(deep=True).sum()
            typed = any(pandas.api.types.is_numeric_dtype(t) for t in frame.dtypes)
    return {
        "method": method,
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "peak_rss_mib": _rss_mib(),
        "fetch_mib": _rss_mib() - baseline,
        "frame_mib": held / (1024 * 1024),
        "typed": typed,
    }


# ------------------------------------------------------------------------------ orchestration


def start_emulator(rows: int) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    code = (
        "from specclient.emulators.core import serve_forever\n"
        f"serve_forever('habu', port=0, seed=1, result_rows={rows}, token_cap=None,"
        " run_create_limit=None, queue_seconds=0, run_seconds=0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    return process, info


def prepare_run(base_url: str, creds: dict[str, str]) -> str:
    """The tutorial's setup against the emulator, ending with one completed run."""
    import specclient
    from specclient.platforms.habu import tutorial_question_details

    with specclient.connect(
        "habu", base_url=base_url, token_cache=False, progress=False, **creds
    ) as client:
        room = client.cleanrooms.create(
            name="bench",
            start_at="2026-01-01",
            type="Hybrid",
            parameters={"REGION": "REGION_US", "CLOUD": "CLOUD_AWS"},
        )
        conn = client.data_connections.create(name="bench", category="Ad Exposure")
        dataset = client.cleanroom_datasets.configure(
            room.id, data_connection_id=conn.id, body={"rampIDConsent": False}
        )
        details = tutorial_question_details("bench")
        details["dimensions"], details["measures"] = [], []  # the full typed column set
        question_id = client.create_question(details, cleanroom_id=room.id)
        crq = client.cleanroom_questions.add(room.id, question_id=question_id)
        client.assign_question_datasets(crq.id, [{"macro": "@exposures", "dataset_id": dataset.id}])
        run = client.run_question(crq.id, name="bench run", poll_interval=1)
        return str(run.id)


def run_child(
    method: str,
    base_url: str,
    creds: dict[str, str],
    run_id: str,
    page_size: int,
    specclient_page_size: int | None,
) -> dict[str, Any]:
    args = [
        sys.executable,
        __file__,
        "--child",
        method,
        "--base-url",
        base_url,
        "--run-id",
        run_id,
        "--page-size",
        str(page_size),
        "--specclient-page-size",
        str(specclient_page_size or 0),
        "--creds",
        json.dumps(creds),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(results: list[dict[str, Any]], rows: int, page_size: int) -> str:
    lines = [
        f"Habu question-run result -> DataFrame: {rows:,} rows, {page_size} rows per request "
        "unless the method says (@N; specclient: the client's default), "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs",
        "",
        "| method | rows | wall s (best) | rows/s | client CPU s | emulator CPU s | peak RSS MiB "
        "| fetch MiB | frame MiB | load at start | typed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['method']} | {r['rows']:,} | {r['seconds']:.1f} | "
            f"{r['rows'] / r['seconds']:,.0f} | {r['cpu']:.1f} | {r['emulator_cpu']:.1f} | "
            f"{r['peak_rss_mib']:.0f} | {r['fetch_mib']:.0f} | {r['frame_mib']:.0f} | "
            f"{r['load']:.1f} | {'yes' if r['typed'] else 'no (strings)'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=500, help="the tutorial's page size")
    parser.add_argument(
        "--specclient-page-size", type=int, default=0, help="0: the client's default (10,000)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="best of N per method")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument(
        "--inline",
        action="store_true",
        help="run methods in this process (smoke tests; memory not isolated)",
    )
    parser.add_argument("--child")
    parser.add_argument("--base-url")
    parser.add_argument("--run-id")
    parser.add_argument("--creds")
    args = parser.parse_args(argv)

    if args.child:
        result = measure(
            args.child,
            args.base_url,
            json.loads(args.creds),
            args.run_id,
            args.page_size,
            args.specclient_page_size or None,
        )
        print(json.dumps(result))
        return ""

    methods = [m for m in args.methods.split(",") if m]
    unknown = {m.partition("@")[0] for m in methods} - set(METHODS + EXTRA)
    if unknown:
        choices = ", ".join(METHODS + EXTRA)
        parser.error(f"unknown method(s) {sorted(unknown)}; choose from {choices}")
    process, info = start_emulator(args.rows)
    try:
        base_url, creds = info["base_url"], info["credentials"]
        run_id = prepare_run(base_url, creds)
        results = []
        for method in methods:
            sizes = (args.page_size, args.specclient_page_size or None)
            attempts = []
            for _ in range(args.repeat):
                # the emulator's own CPU for this method, and the machine's load as it began:
                # on a shared machine they say where a slow wall time came from
                load, served = _load(), _process_cpu(process.pid)
                attempts.append(
                    measure(method, base_url, creds, run_id, *sizes)
                    if args.inline
                    else run_child(method, base_url, creds, run_id, *sizes)
                )
                attempts[-1]["emulator_cpu"] = _process_cpu(process.pid) - served
                attempts[-1]["load"] = load
            results.append(min(attempts, key=lambda r: r["seconds"]))
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = table(results, args.rows, args.page_size)
    print(text)
    return text


if __name__ == "__main__":
    main()
