"""uSmart upload: throughput and peak client memory for a big file, against two baselines.

    python benchmarks/bench_usmart_upload.py               # 1 GB, 3 runs each
    python benchmarks/bench_usmart_upload.py --size-mb 2048 --repeat 1

One uSmart emulator (``specclient.emulators.core.serve_forever``) runs in its own process; each
client runs in a fresh child process, so its peak memory is its own (``ru_maxrss`` of the
child, minus its resident size just before the upload):

- ``specclient``: ``client.files.upload(dataset, path)`` — the whole workflow
  (``dataset:view``, ``s3:generatePutRequest``, the streamed PUT, ``file:create``).
- ``specclient async``: ``await client.files.upload(dataset, path)`` on ``connect_async`` — the
  same flow, the file read in worker threads.
- ``requests``: the seed tutorial's way, ``open`` + ``requests.put(url, data=f)``, PUT only.
- ``curl -T``: ``curl -T file -H 'Content-Type: ...' <signed URL>``, PUT only (install with
  ``apt-get install -y curl`` if missing; the row is skipped without it).

The baselines get their signed URLs from the same emulator in the same run. The file is
sparse (zeros), made once; the emulator streams each upload to its own temporary disk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _status_kb(field: str, pid: int | str = "self") -> int:
    """A memory figure from /proc (VmRSS now, VmHWM the peak) in KiB; 0 once the process ended.

    Why not ``ru_maxrss``: on Linux a child inherits its parent's peak at fork, so every child
    of a big parent would report the parent's size.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# -- child processes ------------------------------------------------------------------------------


def _child(args: argparse.Namespace) -> None:
    """Run one upload in this process; print seconds, CPU seconds and memory as JSON."""
    if args.child == "specclient":
        import specclient

        client = specclient.connect(
            "usmart", base_url=args.base_url, **json.loads(os.environ["BENCH_USMART_CREDENTIALS"])
        )
        client.datasets.get(args.dataset)  # warm: imports, spec, connection
        before, cpu = _status_kb("VmRSS"), _cpu_seconds()
        started = time.perf_counter()
        client.files.upload(args.dataset, args.file, progress=False)
    elif args.child == "specclient-async":
        import asyncio

        import specclient

        async def upload() -> tuple[int, float, float]:
            credentials = json.loads(os.environ["BENCH_USMART_CREDENTIALS"])
            async with specclient.connect_async(
                "usmart", base_url=args.base_url, **credentials
            ) as client:
                await client.datasets.get(args.dataset)  # warm: imports, spec, connection
                before, cpu = _status_kb("VmRSS"), _cpu_seconds()
                started = time.perf_counter()
                await client.files.upload(args.dataset, args.file, progress=False)
                return before, cpu, started

        before, cpu, started = asyncio.run(upload())
    else:
        import requests

        signed = json.loads(os.environ["BENCH_USMART_SIGNED"])
        before, cpu = _status_kb("VmRSS"), _cpu_seconds()
        started = time.perf_counter()
        with open(args.file, "rb") as handle:  # the seed tutorial's code, with a status check
            reply = requests.put(
                signed["signedRequest"],
                data=handle,
                headers={"Content-Type": signed["contentType"]},
            )
        reply.raise_for_status()
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    peak = _status_kb("VmHWM")
    print(
        json.dumps({"seconds": seconds, "cpu": cpu, "rss_before_kb": before, "rss_peak_kb": peak})
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_child(argv: list[str], secrets: dict[str, str]) -> dict:
    """Run this script as a child; secrets travel in its environment, never in argv (ps)."""
    env = {
        **os.environ,
        **secrets,
        "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    out = subprocess.run(
        [sys.executable, __file__, *argv], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run_curl(path: Path, signed: dict) -> dict | None:
    curl = shutil.which("curl")
    if curl is None:
        return None
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            curl,
            "-sS",
            "--fail",
            "-o",
            os.devnull,
            "-T",
            str(path),
            "-H",
            f"Content-Type: {signed['contentType']}",
            "--config",
            "-",  # the signed URL comes on stdin, so it never shows in the process list
        ],
        stdin=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(f'url = "{signed["signedRequest"]}"\n')
    process.stdin.close()
    peak = 0
    while True:  # sample curl's peak RSS while it runs; wait4 also gives its CPU time
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _status_kb("VmHWM", process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError("curl upload failed")
    # curl's size before the upload is not known from outside; its whole peak counts as growth.
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "cpu": cpu, "rss_before_kb": 0, "rss_peak_kb": peak}


# -- the run --------------------------------------------------------------------------------------


def _start_emulator(storage: Path) -> tuple[subprocess.Popen, dict]:
    """The emulator in its own process, storing uploads under ``storage`` (which we delete:
    a SIGTERM ends it before it could clean its own temporary folder)."""
    code = (
        "from specclient.emulators.core import serve_forever; "
        f"serve_forever('usmart', port=0, seed=1, process_delay=0, storage_dir={str(storage)!r})"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    info = json.loads(process.stdout.readline())
    return process, info


def _forget_uploads(storage: Path) -> None:
    """Delete the bytes the emulator stored so far: a run must not fill the shared disk."""
    for blob in (storage / "blobs").glob("*"):
        blob.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["specclient", "specclient-async", "requests"])
    parser.add_argument("--base-url")
    parser.add_argument("--dataset")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    sys.path.insert(0, str(SRC))
    import specclient

    size = args.size_mb * 1024 * 1024
    folder = Path(tempfile.mkdtemp(prefix="bench-usmart-"))
    storage = folder / "emulator"
    emulator, info = _start_emulator(storage)
    client = None
    try:
        path = folder / "upload.bin"
        with path.open("wb") as handle:
            handle.truncate(size)
        client = specclient.connect("usmart", base_url=info["base_url"], **info["credentials"])
        dataset = client.catalog.datasets(private=True)["guid"].iloc[0]
        common = [
            "--base-url",
            info["base_url"],
            "--dataset",
            dataset,
            "--file",
            str(path),
        ]

        def signed() -> dict:
            reply = client.uploads.generate_put_request(file_name=path.name)
            return reply.json()["result"] if hasattr(reply, "json") else reply["result"]

        results: dict[str, list[dict]] = {
            "specclient": [],
            "specclient async": [],
            "requests": [],
            "curl -T": [],
        }
        keys = {"BENCH_USMART_CREDENTIALS": json.dumps(info["credentials"])}
        for _ in range(args.repeat):
            results["specclient"].append(_run_child(["--child", "specclient", *common], keys))
            _forget_uploads(storage)
            results["specclient async"].append(
                _run_child(["--child", "specclient-async", *common], keys)
            )
            url = {"BENCH_USMART_SIGNED": json.dumps(signed())}
            _forget_uploads(storage)
            results["requests"].append(_run_child(["--child", "requests", *common], url))
            _forget_uploads(storage)
            curl = _run_curl(path, signed())
            if curl is not None:
                results["curl -T"].append(curl)
            _forget_uploads(storage)
    finally:
        if client is not None:
            client.close()  # an open keep-alive connection would hold up the server's shutdown
        emulator.terminate()
        emulator.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)

    print(
        f"uSmart upload of {args.size_mb} MiB to the emulator, {args.repeat} run(s) each "
        f"(median; CPU = user+system seconds of the client process during the upload; memory = its peak RSS growth)\n"
    )
    print(
        "| client | seconds | MiB/s | client CPU s | client memory growth (MiB) | peak RSS (MiB) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        if not runs:
            print(f"| {name} | skipped (not installed) | | | | |")
            continue
        seconds = statistics.median(r["seconds"] for r in runs)
        growth = statistics.median((r["rss_peak_kb"] - r["rss_before_kb"]) / 1024 for r in runs)
        peak = statistics.median(r["rss_peak_kb"] / 1024 for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        print(
            f"| {name} | {seconds:.2f} | {args.size_mb / seconds:.0f} | {cpu:.2f} | "
            f"{growth:.1f} | {peak:.0f} |"
        )


if __name__ == "__main__":
    main()
