"""Civis tables and SQL queries as copy sources and destinations (on civis.io's helpers)."""

from __future__ import annotations

from typing import Any

from ..errors import SpecClientError

__all__ = ["civis_table", "civis_sql", "civis_destination"]


def _not_yet() -> SpecClientError:
    return SpecClientError(
        "copy: Civis sources and destinations are not available yet in this version"
    )


def civis_table(client: Any, database: Any, table: str) -> Any:
    raise _not_yet()


def civis_sql(client: Any, sql: str, database: Any) -> Any:
    raise _not_yet()


def civis_destination(client: Any, database: Any, table: str, **options: Any) -> Any:
    raise _not_yet()
