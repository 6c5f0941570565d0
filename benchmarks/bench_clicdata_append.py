"""ClicData: append a mixed 10-column DataFrame and read it back, ours vs the wrapper's way.

Run from a checkout::

    python benchmarks/bench_clicdata_append.py              # 1,000,000 rows
    python benchmarks/bench_clicdata_append.py --rows 100000 --markdown

The emulator (``specclient.emulators.serve_forever("clicdata")``) runs in its own process, so
its CPU and memory are not counted against either client; each append case gets an empty one
(its cost per insert grows with the rows it holds), and the reads share the one the last
append wrote into. Each case runs in a fresh child process, and its peak RSS (VmHWM) is reset
just before the operation, so the peak is the operation's own; "above frame" subtracts the
resident size measured after imports and after the DataFrame was built (for a read, it
includes the frame the read returns).

Cases
-----
ours: append
    ``client.data.append(rec_id, df)``: versioned ``POST /data/{id}/insert``, 500 rows a call,
    values made JSON-safe column by column.
wrapper: append
    clicdata-api-wrapper's request pattern, re-implemented with requests as it does it:
    ``df.to_dict("records")``, every row as ``[{column, value}, ...]`` cells, all rows in one
    ``POST /data/{id}/row``. Two changes are needed for it to send this frame at all (both are
    its defect 11): NaN/NaT -> None first, and ``json.dumps(default=str)`` for timestamps. The
    emulator's 500-row cap is lifted for the run (``insert_cap=0``) so this one request is served.
before-append (with ``--before-src DIR``)
    The same call with an older checkout's ``src/`` (``git archive OLD src | tar -x -C DIR``),
    against the same emulator in the same run: the baseline for a change to the append.
ours: read (page_size=10000) / ours: read (page_size=1000)
    ``client.data.get(rec_id)``: versioned pages, typed DataFrame.
wrapper: read
    ``requests.get("/data/{id}?page=N")`` (no session, as the wrapper) until ``has_more_data`` is
    false, then ``pd.DataFrame(rows)``; the legacy page is the emulator's 1000 rows.
Both readers read the table ``ours: append`` wrote, after one unmeasured read of it: the
emulator keeps each row's JSON once encoded, so whichever reader came first would otherwise pay
for encoding the rows and the other would not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CASES = (
    "ours-append",
    "before-append",
    "wrapper-append",
    "ours-read-10000",
    "ours-read-1000",
    "wrapper-read",
)
LABELS = {
    "ours-append": "ours: append (500-row chunks)",
    "before-append": "ours before (--before-src): append",
    "wrapper-append": "wrapper's way: append (one request)",
    "ours-read-10000": "ours: read (page_size=10000)",
    "ours-read-1000": "ours: read (page_size=1000)",
    "wrapper-read": "wrapper's way: read (legacy pages of 1000)",
}


def make_frame(rows: int) -> Any:
    """Ten columns of mixed types, with missing values where a dtype allows them."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "qty": rng.integers(0, 1000, rows).astype("int32"),
            "price": np.round(rng.random(rows) * 100, 2),
            "ratio": np.where(rng.random(rows) < 0.05, np.nan, rng.random(rows)).astype("float32"),
            "units": pd.array(
                np.where(rng.random(rows) < 0.1, None, rng.integers(0, 50, rows)), dtype="Int64"
            ),
            "paid": rng.random(rows) < 0.5,
            "ordered_at": pd.date_range("2024-01-01", periods=rows, freq="s"),
            "shipped_at": pd.date_range("2024-01-01", periods=rows, freq="min", tz="UTC"),
            "region": pd.Categorical(rng.choice(["North", "South", "East", "West"], rows)),
            "note": pd.Series(
                [None if i % 20 == 0 else f"note {i}" for i in range(rows)], dtype=object
            ),
        }
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _reset_peak() -> bool:
    """Start the peak RSS afresh (Linux: ``5`` to ``/proc/self/clear_refs`` resets VmHWM), so
    a case's peak is its own, not that of building its input before it."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the wrapper's request pattern ----------------------------------------------------------------


def _wrapper_token(base_url: str, credentials: dict[str, str]) -> str:
    import requests

    reply = requests.post(
        f"{base_url}/oauth20/token", data={"grant_type": "client_credentials", **credentials}
    )
    reply.raise_for_status()
    return reply.json()["access_token"]


def _wrapper_headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "accept": "application/json",
        "Content-Type": "application/json",
    }


def wrapper_append(base_url: str, credentials: dict[str, str], rec_id: int, df: Any) -> None:
    import requests

    token = _wrapper_token(base_url, credentials)
    # The two changes without which it cannot send this frame (NaN and Timestamps in JSON).
    clean = df.astype(object).where(df.notna(), None)
    records = clean.to_dict(orient="records")
    body = {"data": [[{"column": k, "value": v} for k, v in row.items()] for row in records]}
    reply = requests.post(
        f"{base_url}/data/{rec_id}/row",
        headers=_wrapper_headers(token),
        data=json.dumps(body, default=str),
    )
    reply.raise_for_status()


def wrapper_read(base_url: str, credentials: dict[str, str], rec_id: int) -> Any:
    import pandas as pd
    import requests

    token = _wrapper_token(base_url, credentials)
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        reply = requests.get(
            f"{base_url}/data/{rec_id}", params={"page": page}, headers=_wrapper_headers(token)
        )
        reply.raise_for_status()
        body = reply.json()
        rows.extend(body["data"])
        if not body["has_more_data"]:
            break
        page += 1
    return pd.DataFrame(rows)


# -- one case in this process ------------------------------------------------------------------


def run_case(
    case: str, base_url: str, credentials: dict[str, str], rows: int, rec_id: int | None
) -> dict[str, Any]:
    import specclient

    client = specclient.connect("clicdata", base_url=base_url, timeout=600, **credentials)
    frame = make_frame(rows) if case.endswith("append") else None
    empty = make_frame(2).iloc[:0]
    if case in ("ours-append", "before-append"):
        name = f"bench {case} {rows} {os.getpid()}"  # a run may repeat a case
        rec_id = client.data.create_from_dataframe(name, empty, progress=False)
    elif case == "wrapper-append":
        rec_id = client.data.create_from_dataframe(f"bench wrapper {rows}", empty, progress=False)
    assert rec_id is not None
    base = _rss_mb()
    _reset_peak()
    cpu_start = time.process_time()
    start = time.perf_counter()
    if case in ("ours-append", "before-append"):
        client.data.append(rec_id, frame, progress=False)
    elif case == "wrapper-append":
        wrapper_append(base_url, credentials, rec_id, frame)
    elif case.startswith("ours-read"):
        result = client.data.get(rec_id, page_size=int(case.rsplit("-", 1)[1]), progress=False)
        assert len(result) == rows, len(result)
    elif case == "wrapper-read":
        result = wrapper_read(base_url, credentials, rec_id)
        assert len(result) == rows, len(result)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    # a read's own result, deep (every Python string counted): "above frame" includes it
    result_mb = result.memory_usage(deep=True).sum() / 2**20 if "read" in case else None
    stored = client.data.row_count(rec_id)
    assert stored == rows, f"{case}: the table holds {stored} rows, expected {rows}"
    peak = _peak_mb()
    return {
        "case": case,
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "rec_id": rec_id,
        "peak_mb": peak,
        "above_frame_mb": max(peak - base, 0.0),
        "result_mb": result_mb,
    }


# -- the parent: one emulator, one child per case ----------------------------------------------


def _start_emulator() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    code = (
        "from specclient.emulators.core import serve_forever; "
        "serve_forever('clicdata', port=0, insert_cap=0, max_page_size=10000, "
        "page_size=1000, token_lifetime=86400)"
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
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise SystemExit("the emulator did not start")
    return process, json.loads(line)


def _prime(info: dict[str, Any], rec_id: int) -> None:
    """Read every page of ``rec_id`` once, unmeasured, so both readers find its rows encoded."""
    import httpx

    token = _wrapper_token(info["base_url"], info["credentials"])
    with httpx.Client(base_url=info["base_url"], timeout=600) as http:
        page = 1
        while True:
            reply = http.get(
                f"/data/{rec_id}",
                params={"page": page, "page_size": 10000, "api_version": "2022.01"},
                headers=_wrapper_headers(token),
            )
            reply.raise_for_status()
            if not reply.json()["pagination"]["has_more_results"]:
                return
            page += 1


def _child(
    case: str, info: dict[str, Any], rows: int, rec_id: int | None, before_src: str | None = None
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        case,
        "--rows",
        str(rows),
        "--base-url",
        info["base_url"],
        "--credentials",
        json.dumps(info["credentials"]),
    ]
    if rec_id is not None:
        command += ["--rec-id", str(rec_id)]
    if case.startswith("before-"):
        if not before_src:
            raise SystemExit(f"{case} needs --before-src (an older checkout's src/ directory)")
        command += ["--src", before_src]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _table(results: list[dict[str, Any]], markdown: bool) -> str:
    header = [
        "case",
        "rows",
        "seconds",
        "rows/s",
        "client CPU (s)",
        "peak RSS (MB)",
        "above frame (MB)",
        "read's frame (MB)",
    ]
    lines = []
    for r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else float("inf")
        lines.append(
            [
                LABELS[r["case"]],
                f"{r['rows']:,}",
                f"{r['seconds']:.2f}",
                f"{rate:,.0f}",
                f"{r['cpu']:.2f}",
                f"{r['peak_mb']:,.0f}",
                f"{r['above_frame_mb']:,.0f}",
                "" if r.get("result_mb") is None else f"{r['result_mb']:,.0f}",
            ]
        )
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cases", default="", help=f"comma-separated subset of {', '.join(CASES)}")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--credentials", help=argparse.SUPPRESS)
    parser.add_argument("--rec-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--before-src",
        help="src/ of an older checkout (git archive OLD src | tar -x -C DIR): the "
        "before-append case runs that client against the same emulator, for a same-run baseline",
    )
    parser.add_argument("--src", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.src:  # the child of a before-* case: that checkout's specclient, not this one
        sys.path.insert(0, args.src)
    if args.child:
        result = run_case(
            args.child, args.base_url, json.loads(args.credentials), args.rows, args.rec_id
        )
        print(json.dumps(result))
        return 0

    default = [c for c in CASES if args.before_src or not c.startswith("before-")]
    cases = [c for c in (args.cases.split(",") if args.cases else default) if c]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {', '.join(CASES)}")
    process, info = _start_emulator()
    results: list[dict[str, Any]] = []
    try:
        written: int | None = None
        primed: int | None = None
        holds_rows = False  # whether an append has written into the running emulator
        for case in cases:
            if case.endswith("append") and holds_rows:
                # Every append meets an empty emulator: its cost per insert grows with the rows
                # it already holds (3.2 s of CPU per million into an empty one, 5.1-5.7 s with
                # four to five million held), which would favour whichever case ran first.
                process.terminate()
                process.wait(timeout=30)
                process, info = _start_emulator()
                written = primed = None
            holds_rows = holds_rows or case.endswith("append") or "read" in case
            if "read" in case and written is None:
                written = _child("ours-append", info, args.rows, None)["rec_id"]
            if "read" in case and primed != written:
                assert written is not None
                _prime(info, written)
                primed = written
            result = _child(case, info, args.rows, written, args.before_src)
            if case == "ours-append":
                written = result["rec_id"]
            results.append(result)
            print(f"{LABELS[case]}: {result['seconds']:.2f} s", file=sys.stderr, flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(
        f"ClicData append/read, {args.rows:,} rows x 10 columns, Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(_table(results, args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
