"""Arrow tables to pandas DataFrames with honest dtypes.

Integers stay integers with gaps as ``<NA>`` (``Int64``), booleans with gaps are ``boolean``,
text is pandas' ``string`` dtype (Arrow-backed when pyarrow is installed, so no Python object
per cell), dates and timestamps ``datetime64[ns]`` (UTC for timestamps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .columns import NULLABLE_PANDAS, Column

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["to_pandas"]


def to_pandas(
    table: pa.Table,
    columns: Sequence[Column],
    dtypes: Mapping[str, str] = NULLABLE_PANDAS,
) -> pd.DataFrame:
    """``table`` (decoded with ``columns``) as a DataFrame, each column of the dtype its kind
    has in ``dtypes``."""
    import pandas as pd

    data = {}
    for column in columns:
        values = table.column(column.name)
        dtype = dtypes.get(column.kind, "object")
        if dtype in ("Int64", "Float64", "boolean", "string"):
            data[column.name] = pd.Series(
                pd.array(values, dtype=pd.StringDtype() if dtype == "string" else dtype),
                copy=False,
            )
        else:
            data[column.name] = values.to_pandas().astype(dtype)
    if not data:
        return pd.DataFrame()
    return pd.DataFrame(data)
