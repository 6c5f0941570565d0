"""An append makes the next chunk's body while the last is in flight, and only once the last
one's bytes are written: made earlier, it would hold the GIL while the sender still needs it.
The bodies go out as plain ``Content-Length`` bodies, byte for byte what was made."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pandas as pd
import pytest

from specclient.platforms.clicdata import workflows


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(rows, dtype="int64"),
            "at": pd.date_range("2024-01-01", periods=rows, freq="s", tz="UTC"),
            "label": [f"r{i}" for i in range(rows)],
        }
    )


class _Recorder:
    """Counts insert bodies as the sender writes them, and what each carried."""

    def __init__(self) -> None:
        self.written = 0
        self.sent: list[tuple[httpx.Headers, bytes, int]] = []

    def take(self, request: httpx.Request, chunks: list[bytes]) -> None:
        self.sent.append((request.headers, b"".join(chunks), len(chunks)))

    def received(self, request: httpx.Request, chunk: bytes, chunks: list[bytes]) -> None:
        chunks.append(chunk)
        # counted when its last byte arrives, before the sender asks for more
        if sum(map(len, chunks)) == int(request.headers["Content-Length"]):
            self.written += 1


@pytest.fixture
def made_after(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], _Recorder]:
    """How many insert bodies had been written when each body was started."""
    recorder = _Recorder()
    starts: list[int] = []
    make = workflows._DataFlows._chunk_body

    def chunk_body(self, names, columns):
        starts.append(recorder.written)
        return make(self, names, columns)

    monkeypatch.setattr(workflows._DataFlows, "_chunk_body", chunk_body)
    return starts, recorder


def _check_bodies(recorder: _Recorder, emu, rec_id: int, df: pd.DataFrame) -> None:
    assert len(recorder.sent) == 4
    for headers, body, chunks in recorder.sent:
        assert "transfer-encoding" not in headers  # not chunk-encoded
        assert int(headers["content-length"]) == len(body)
        assert chunks == 1
        assert headers["content-type"] == "application/json"
    stored = [row for _, body, _ in recorder.sent for row in json.loads(body)["data"]]
    assert [row["id"] for row in stored] == list(range(len(df)))
    table = emu.state.tables[rec_id]
    assert table.data["id"] == list(range(len(df)))
    assert table.data["at"][:2] == ["2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"]


def test_each_body_is_made_once_the_last_is_written(emu, made_after):
    starts, recorder = made_after

    class Sender(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/insert"):
                chunks: list[bytes] = []
                for chunk in request.stream:  # what httpcore does as it writes the body
                    recorder.received(request, chunk, chunks)
                recorder.take(request, chunks)
                request.stream = httpx.ByteStream(b"".join(chunks))
            return super().handle_request(request)

    client = emu.client(http=Sender())
    df = _frame(400)
    rec_id = client.data.create_from_dataframe("t", df.iloc[:0], progress=False)
    assert client.data.append(rec_id, df, chunk_size=100, progress=False) == 400
    # body k was started once k bodies were written: never while one was still being sent
    assert starts == [0, 1, 2, 3]
    _check_bodies(recorder, emu, rec_id, df)


async def test_the_async_client_waits_for_the_written_body_too(emu, made_after):
    starts, recorder = made_after

    class Sender(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/insert"):
                chunks: list[bytes] = []
                async for chunk in request.stream:
                    recorder.received(request, chunk, chunks)
                recorder.take(request, chunks)
                request.stream = httpx.ByteStream(b"".join(chunks))
            return await super().handle_async_request(request)

    df = _frame(400)
    async with emu.async_client(http=Sender()) as client:
        rec_id = await client.data.create_from_dataframe("t", df.iloc[:0], progress=False)
        assert await client.data.append(rec_id, df, chunk_size=100, progress=False) == 400
    assert starts == [0, 1, 2, 3]
    _check_bodies(recorder, emu, rec_id, df)
