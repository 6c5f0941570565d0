"""Which memory pool decoded tables live in, so that a frame made from a table takes back
the memory the table frees.

A table decoded block by block is many small buffers per column; :func:`.frames.to_pandas`
frees them one column at a time while numpy allocates the frame. Arrow's default pool
(mimalloc) keeps what is freed for its own later allocations, per thread and per size class,
so the frame grew beside the freed table: 196 MiB peak for a 1,000,000-row x 10-column Civis
read whose table is 75 MiB. Decoders therefore allocate from Arrow's jemalloc pool with
purging at once (``jemalloc_set_decay_ms(0)``): a freed column goes back to the system as
it is converted (153 MiB; BENCHMARKS.md, civis.io section). The system allocator was
measured too and did not help (192-198 MiB: its freed small buffers stay in its heaps).

Only the decoders use this pool; the process's default pool (which the user may have
chosen) is left as it is. The decay setting belongs to the jemalloc pool alone, which
nothing else in specclient uses. Without jemalloc (some platforms' pyarrow builds) the
decoders use the system allocator.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["table_pool"]


@functools.cache
def table_pool() -> pa.MemoryPool:
    """The memory pool table decoders allocate Arrow data from."""
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc
        return pa.system_memory_pool()
    pa.jemalloc_set_decay_ms(0)
    return pool
