"""A decoded table becomes a DataFrame without a second copy of its data.

What a user of ``read_civis_sql(..., return_as="pandas")`` (and every platform's frames)
depends on: the decoders' Arrow data lives in :func:`table_pool` (where freed memory goes
back to the system at once), each column's Arrow memory is let go as it converts, and the
frame's arrays are the only copy (no consolidating copy in the DataFrame constructor).
Measured in a process of its own: tracemalloc counts every thread's allocations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, tracemalloc
import pyarrow as pa
from specclient.tables.csv_batches import CsvBatches
from specclient.tables.frames import columns_of, to_pandas
from specclient.tables.memory import table_pool

rows = 200_000
lines = ["a,b,c,d,e,t"] + [
    f"{i},{i * 2},{i % 7 if i % 10 else ''},{i / 3},{'t' if i % 2 else 'f'},note {i}"
    for i in range(rows)
]
kinds = {"a": "integer", "b": "integer", "c": "integer", "d": "number", "e": "boolean",
         "t": "string"}
pool = table_pool()
pool_start, default_start = pool.bytes_allocated(), pa.total_allocated_bytes()
decoder = CsvBatches(kinds, block_size=256 * 1024)
batches = decoder.feed(("\n".join(lines) + "\n").encode()) + decoder.close()
table = pa.Table.from_batches(batches, schema=decoder.schema)
# pandas imports modules on its first conversion: not what is measured
to_pandas(pa.Table.from_batches([batches[0].slice(0, 20)]), decoder.columns)
batches = lines = None
out = {
    "chunks": table.column("a").num_chunks,
    "table": table.nbytes,
    "text": table.column("t").nbytes,
    "in_pool": pool.bytes_allocated() - pool_start,
    "in_default_pool": pa.total_allocated_bytes() - default_start,
    "same_pool": pool.backend_name == pa.default_memory_pool().backend_name,
}
by_name, table = columns_of(table), None
tracemalloc.start()
frame = to_pandas(by_name, decoder.columns)
out["peak"] = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
out["left_in_pool"] = pool.bytes_allocated() - pool_start
numeric = frame.drop(columns="t")
out["numeric"] = int(numeric.memory_usage(index=False).sum())
out["dtypes"] = [str(t) for t in frame.dtypes]
out["rows"] = len(frame)
print(json.dumps(out))
"""


def _measure() -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_decoded_table_converts_into_one_copy_and_gives_its_memory_back():
    got = _measure()
    assert got["rows"] == 200_000
    assert got["dtypes"] == ["Int64", "Int64", "Int64", "Float64", "boolean", "string"]
    assert got["chunks"] > 1  # decoded block by block, as a download is
    # the decoder's data is in the tables' pool, not Arrow's default pool
    assert got["in_pool"] >= got["table"]
    if not got["same_pool"]:  # unless the process chose the same backend as its default
        assert got["in_default_pool"] < got["table"] / 20
    # each column's Arrow memory was released as it converted: at most the text (which a
    # pandas string array may keep as it is) is still held
    assert got["left_in_pool"] <= got["text"]
    # the frame's numeric arrays (9 bytes a row per Int64/Float64) are the only copy made:
    # a consolidating copy in the DataFrame constructor would double the peak
    assert got["numeric"] == 200_000 * (9 * 4 + 2)
    assert got["peak"] < 1.3 * got["numeric"]
