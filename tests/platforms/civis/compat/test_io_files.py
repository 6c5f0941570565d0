"""civis.io's file helpers: specclient's (sync and async) and civis-python's own, run with
specclient's client, against the emulator's presigned uploads and downloads."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import warnings

import pytest

from specclient.emulators.civis import CREDENTIALS
from specclient.platforms.civis import io as civis_io

civis = pytest.importorskip("civis")
DATA = bytes(range(256)) * 64  # every byte value: nothing may be decoded on the way


def test_a_file_round_trips_through_presigned_urls(emu):
    client = emu.client()
    file_id = civis_io.file_to_civis(io.BytesIO(DATA), "bytes.bin", client=client)
    assert client.files.get(file_id).file_size == len(DATA)
    out = io.BytesIO()
    civis_io.civis_to_file(file_id, out, client=client)
    assert out.getvalue() == DATA


def test_paths_name_the_file_and_receive_it(emu, tmp_path):
    source, target = tmp_path / "report.csv", tmp_path / "copy.csv"
    source.write_bytes(b"a,b\n1,2\n")
    client = emu.client()
    file_id = civis_io.file_to_civis(source, client=client)
    assert client.files.get(file_id).name == "report.csv"
    civis_io.civis_to_file(file_id, target, client=client)
    assert target.read_bytes() == b"a,b\n1,2\n"


def test_the_key_never_reaches_the_storage_host(emu):
    seen = []
    client = emu.client(event_hooks={"request": [lambda r: seen.append(r)]})
    file_id = civis_io.file_to_civis(io.BytesIO(b"x"), "x.txt", client=client)
    civis_io.civis_to_file(file_id, io.BytesIO(), client=client)
    storage = [r for r in seen if "/_storage/" in r.url.path]
    assert [r.method for r in storage] == ["POST", "GET"]
    assert all("authorization" not in r.headers for r in storage)
    assert all("authorization" in r.headers for r in seen if r not in storage)


def test_a_file_without_contents_is_an_empty_result(emu):
    client = emu.client()
    created = client.files.post("never-uploaded.csv")
    with pytest.raises(civis_io.EmptyResultError, match=f"Unable to locate file {created.id}"):
        civis_io.civis_to_file(created.id, io.BytesIO(), client=client)


def test_a_nameless_buffer_is_refused_before_anything_is_sent(emu):
    client = emu.client()
    with pytest.raises(TypeError, match="Please provide `name` explicitly"):
        civis_io.file_to_civis(io.BytesIO(b"x"), client=client)
    assert client.last_response is None
    with pytest.raises(ValueError, match="longer than 512 characters"):
        civis_io.file_to_civis(io.BytesIO(b"x"), "x", description="d" * 513, client=client)


def test_the_async_client_awaits_the_same_helpers(emu):
    async def main():
        async with _async(emu) as client:
            file_id = await civis_io.file_to_civis(io.BytesIO(DATA), "a.bin", client=client)
            out = io.BytesIO()
            await civis_io.civis_to_file(file_id, out, client=client)
            return out.getvalue()

    assert asyncio.run(main()) == DATA


def _async(emu):
    from specclient.platforms.civis import connect_async

    return connect_async(api_key=CREDENTIALS["api_key"], base_url=emu.base_url, clock=emu.clock)


#: Measured in a process of its own: tracemalloc counts every thread, and threads other tests
#: leave in this process (served emulators, a Dask cluster's loop) would count too.
_DOWNLOAD_SCRIPT = """
import sys, tracemalloc
from pathlib import Path
from specclient.emulators import running
from specclient.platforms.civis import io as civis_io

big, back = Path(sys.argv[1]), Path(sys.argv[2])
with running("civis", seed=0) as emu:
    client = emu.client()
    file_id = civis_io.file_to_civis(big, client=client)
    tracemalloc.start()
    civis_io.civis_to_file(file_id, back, client=client)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
print(peak)
"""


def test_a_download_is_streamed_in_bounded_memory(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(DATA * 256)  # 16 MiB
    back = tmp_path / "back.bin"
    done = subprocess.run(
        [sys.executable, "-c", _DOWNLOAD_SCRIPT, str(big), str(back)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SPECCLIENT_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr
    assert back.read_bytes() == big.read_bytes()
    peak = int(done.stdout.split()[-1])
    assert peak < 4 * 1024 * 1024  # a 16 MiB file never sits in the client's memory


def test_civis_pythons_own_file_helpers_run_with_our_client(emu):
    ours = emu.client()
    file_id = civis.io.file_to_civis(io.BytesIO(DATA), "theirs.bin", client=ours)
    out = io.BytesIO()
    civis.io.civis_to_file(file_id, out, client=ours)
    assert out.getvalue() == DATA
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = civis.APIClient(api_key=CREDENTIALS["api_key"])
    # and files written by ours are read by civis-python's client
    mine = civis_io.file_to_civis(io.BytesIO(b"from specclient"), "ours.txt", client=ours)
    back = io.BytesIO()
    civis.io.civis_to_file(mine, back, client=theirs)
    assert back.getvalue() == b"from specclient"
