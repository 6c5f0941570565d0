"""Civis: ``read_civis_sql`` of a 1,000,000-row x 10-column table, specclient vs civis-python's
own ``civis.io.read_civis_sql`` on the same emulator, and concurrent calls.

Run from a checkout::

    python benchmarks/bench_civis_io.py                  # 1,000,000 rows
    python benchmarks/bench_civis_io.py --rows 100000 --markdown

One Civis emulator runs in its own process for the whole run (its runs start and end at once:
``queue_seconds=0, run_seconds=0``), holding the table ``bench.wide`` (10 columns: BIGINT x 3,
DOUBLE PRECISION x 2, VARCHAR x 2, BOOLEAN, DATE, TIMESTAMP) and ``bench.small`` (1,000 rows of
the same). Each case runs in a fresh child process, so ``ru_maxrss`` is that case's own peak;
"above start" subtracts the resident size measured after imports and the client's construction.

Cases
-----
specclient: pandas
    ``specclient.platforms.civis.io.read_civis_sql(sql, db, return_as="pandas")``: the gzipped
    unload is decoded as it streams, 8 MiB blocks, by Arrow, typed from the table's columns.
specclient: arrow
    The same with ``return_as="arrow"`` (no pandas conversion).
civis-python: pandas
    ``civis.io.read_civis_sql(sql, db, return_as="pandas")`` with civis-python's ``APIClient``:
    ``pd.read_csv(url, compression="gzip")``, types guessed by pandas.
concurrent: N calls of ``read_civis_sql("SELECT * FROM bench.small", return_as="pandas")``
    from N threads sharing one client (civis-python's ``APIClient`` serialises its calls behind
    one lock), and for specclient also N coroutines on one ``AsyncCivisClient``.
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

WIDE = "SELECT * FROM bench.wide"
SMALL = "SELECT * FROM bench.small"
COLUMNS = [
    ("id", "BIGINT"),
    ("qty", "BIGINT"),
    ("units", "BIGINT"),
    ("price", "DOUBLE PRECISION"),
    ("ratio", "DOUBLE PRECISION"),
    ("region", "VARCHAR(16)"),
    ("note", "VARCHAR(64)"),
    ("paid", "BOOLEAN"),
    ("day", "DATE"),
    ("seen", "TIMESTAMP"),
]


CASES = (
    "specclient-pandas",
    "specclient-arrow",
    "civis-pandas",
    "specclient-concurrent",
    "specclient-concurrent-async",
    "civis-concurrent",
)


def make_csv(rows: int) -> bytes:
    """The table's rows as the emulator keeps them (CSV text, no header), with gaps."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(0)
    gaps = rng.random(rows) < 0.1
    table = pa.table(
        {
            "id": np.arange(rows, dtype="int64"),
            "qty": rng.integers(0, 1000, rows),
            "units": pa.array(rng.integers(0, 50, rows), mask=gaps),
            "price": np.round(rng.random(rows) * 100, 2),
            "ratio": pa.array(rng.random(rows), mask=rng.random(rows) < 0.05),
            "region": rng.choice(["North", "South", "East", "West"], rows),
            "note": pa.array([f"note {i}" for i in range(rows)], mask=gaps),
            "paid": rng.random(rows) < 0.5,
            "day": pa.array(np.datetime64("2024-01-01") + (np.arange(rows) % 365)).cast(
                pa.string()
            ),
            "seen": pa.array(
                (np.datetime64("2024-01-01T00:00:00") + np.arange(rows).astype("timedelta64[s]"))
                .astype(str)
                .tolist()
            ),
        }
    )
    sink = pa.BufferOutputStream()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue().to_pybytes().replace(b"T", b" ")  # "2024-01-01 00:00:00"


def serve(rows: int) -> None:
    """The emulator process: fill the tables, print the URL, serve until stdin closes."""
    from specclient.emulators import running

    body = make_csv(rows)
    small = b"".join(body.splitlines(keepends=True)[:1000])
    with running("civis", seed=1, queue_seconds=0, run_seconds=0) as emu:
        with emu.app.lock:
            warehouse = emu.state.warehouse
            for name, data, count in (("wide", body, rows), ("small", small, 1000)):
                table = warehouse.create(
                    1, "bench", name, [{"name": n, "sqlType": t} for n, t in COLUMNS]
                )
                warehouse.put(table, data, count)
            # the export of the wide table is compressed once, before anyone is timed
            warehouse.execute(1, WIDE)
        print(json.dumps({"base_url": emu.base_url, "key": emu.credentials["api_key"]}))
        sys.stdout.flush()
        sys.stdin.read()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """This process's CPU time, every thread's (Arrow parses on several)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ours(url: str, key: str) -> Any:
    from specclient.platforms.civis import connect

    return connect(api_key=key, base_url=url)


def _theirs(url: str, key: str) -> Any:
    import warnings

    import civis

    os.environ["CIVIS_API_ENDPOINT"] = url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return civis.APIClient(api_key=key)


def one(case: str, url: str, key: str, calls: int) -> dict[str, Any]:
    """One case, in this (fresh) process."""
    import pandas  # noqa: F401  (imports are not what is measured)
    import pyarrow  # noqa: F401

    if case.startswith("civis"):
        import civis

        client = _theirs(url, key)
        read = civis.io.read_civis_sql
    else:
        from specclient.platforms.civis import io as civis_io

        client = _ours(url, key)
        read = civis_io.read_civis_sql
    client.get_database_id(1)
    start_rss = _rss_mb()
    start_cpu = _cpu_seconds()
    started = time.perf_counter()
    if case.endswith("-concurrent-async"):
        rows = _async_calls(url, key, calls)
    elif case.endswith("-concurrent"):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(calls) as pool:
            frames = list(
                pool.map(lambda _: read(SMALL, 1, return_as="pandas", client=client), range(calls))
            )
        rows = sum(len(f) for f in frames)
    else:
        return_as = "arrow" if case.endswith("-arrow") else "pandas"
        result = read(WIDE, 1, return_as=return_as, client=client)
        rows = len(result)
        dtypes = (
            {str(f.name): str(f.type) for f in result.schema}
            if return_as == "arrow"
            else {str(k): str(v) for k, v in result.dtypes.items()}
        )
    seconds = time.perf_counter() - started
    out = {
        "case": case,
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - start_cpu,
        "rows": rows,
        "above_start_mb": _peak_mb() - start_rss,
    }
    if not case.endswith(("-concurrent", "-concurrent-async")):
        out["dtypes"] = dtypes
    return out


def _async_calls(url: str, key: str, calls: int) -> int:
    import asyncio

    from specclient.platforms.civis import connect_async
    from specclient.platforms.civis import io as civis_io

    async def main() -> int:
        async with connect_async(api_key=key, base_url=url) as client:
            await client.get_database_id(1)
            frames = await asyncio.gather(
                *(civis_io.read_civis_sql(SMALL, 1, return_as="pandas", client=client)
                  for _ in range(calls))
            )  # fmt: skip
            return sum(len(f) for f in frames)

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per case (median)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated, of: %(default)s")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.rows)
        return
    if args.one:
        print(json.dumps(one(args.one, args.url, args.key, args.calls)))
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--rows", str(args.rows)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        where = json.loads(server.stdout.readline())  # type: ignore[union-attr]
        samples: dict[str, list[dict[str, Any]]] = {case: [] for case in args.cases.split(",")}
        for _ in range(args.runs):  # the cases interleaved, so a busy spell hits all of them
            for case, runs in samples.items():
                done = subprocess.run(
                    [sys.executable, __file__, "--one", case, "--url", where["base_url"],
                     "--key", where["key"], "--calls", str(args.calls)],
                    capture_output=True, text=True, env=env, check=True,
                )  # fmt: skip
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(json.dumps(runs[-1]), file=sys.stderr)
        results = [_median(runs) for runs in samples.values()]
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)
    if args.markdown:
        print(
            f"| case ({args.runs} runs: median [min-max]) | wall time | CPU time | rows "
            "| peak above start |"
        )
        print("|---|---:|---:|---:|---:|")
        for r in results:
            calls = f" ({args.calls} calls)" if "concurrent" in r["case"] else ""
            print(
                f"| {r['case']}{calls} | {r['seconds']:.2f} s [{r['seconds_range']}] | "
                f"{r['cpu_seconds']:.2f} s [{r['cpu_range']}] | "
                f"{r['rows']:,} | {r['above_start_mb']:.0f} MiB [{r['mb_range']}] |"
            )


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One case's runs: the median time and peak, with their ranges."""
    import statistics

    seconds = [r["seconds"] for r in runs]
    cpu = [r["cpu_seconds"] for r in runs]
    mb = [r["above_start_mb"] for r in runs]
    return {
        **runs[0],
        "seconds": statistics.median(seconds),
        "seconds_range": f"{min(seconds):.2f}-{max(seconds):.2f}",
        "cpu_seconds": statistics.median(cpu),
        "cpu_range": f"{min(cpu):.2f}-{max(cpu):.2f}",
        "above_start_mb": statistics.median(mb),
        "mb_range": f"{min(mb):.0f}-{max(mb):.0f}",
    }


if __name__ == "__main__":
    main()
