"""What a table-shaped call gives back, decided once for every platform.

``return_type="pandas"`` (the default) a DataFrame with honest dtypes, ``"arrow"`` a
``pyarrow.Table``; ``to_parquet=path`` / ``to_csv=path`` write the rows there as pages arrive
(one page in memory) and give the path back. The choice is checked before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError
from .columns import Column, arrow_schema
from .sinks import Collect, Sink, sink_for

__all__ = [
    "TABLE_RETURN_TYPES",
    "TableOutput",
    "deliver",
    "table_output",
    "table_return_type",
]

TABLE_RETURN_TYPES = ("pandas", "arrow")


@dataclass(frozen=True)
class TableOutput:
    return_type: str
    sink: Sink


def table_output(
    where: str, return_type: str | None, to_parquet: Any = None, to_csv: Any = None
) -> TableOutput:
    """The output a call asks for; a ``ParameterError`` naming ``where`` when it is not one."""
    return TableOutput(table_return_type(where, return_type), sink_for(to_parquet, to_csv))


def table_return_type(where: str, return_type: str | None) -> str:
    """``return_type`` checked (None: ``"pandas"``)."""
    return_type = return_type or "pandas"
    if return_type not in TABLE_RETURN_TYPES:
        raise ParameterError(
            where,
            f"return_type must be one of {TABLE_RETURN_TYPES} for a table, not {return_type!r}",
            "return_type",
        )
    return return_type


def deliver(output: TableOutput, columns: Sequence[Column]) -> Any:
    """Close the sink; a collected table becomes the return type asked for."""
    result = output.sink.close(arrow_schema(list(columns)))
    if isinstance(output.sink, Collect) and output.return_type == "pandas":
        from .frames import columns_of, to_pandas

        # handed over by column, so each column's memory goes as it converts
        by_name, result = columns_of(result), None
        return to_pandas(by_name, columns)
    return result
