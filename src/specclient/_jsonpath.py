"""Dotted paths into decoded JSON (``result.rows``, ``items.0.id``).

Spec annotations name places in a reply this way (``x-pagination`` items and totals,
``x-records``, ``x-waiter`` fields); pagination, tables, waiters and the CLI all read them here.
"""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["dig"]


def dig(payload: Any, dotted: str | None) -> Any:
    """Follow a dotted path (``result.rows``) into a JSON payload; "" or None is the payload."""
    if not dotted:
        return payload
    current = payload
    for part in dotted.split("."):
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit():
            current = current[int(part)] if int(part) < len(current) else None
        else:
            return None
    return current
