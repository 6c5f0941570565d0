"""Pagination helpers for platform handlers: offset/limit, page numbers (Civis headers), cursors."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any, TypeVar

from specclient.emulators.core.messages import EmuError, EmuResponse, whole

__all__ = ["paginate_cursor", "paginate_offset", "paginate_page"]

T = TypeVar("T")


def paginate_offset(items: Sequence[T], limit: Any, offset: Any = 0) -> list[T]:
    """The slice ``items[offset:offset+limit]``; bad numbers answer 400 naming the parameter."""
    size = whole(limit, "limit", 0)
    start = whole(offset if offset is not None else 0, "offset", 0)
    return list(items[start : start + size])


def paginate_page(
    items: Sequence[Any], page_num: Any = 1, limit: Any = 50, *, status: int = 200
) -> EmuResponse:
    """One page (1-based) as a JSON array with Civis's pagination headers.

    Returns
    -------
    EmuResponse
        ``json`` is the page's items; headers ``X-Pagination-Current-Page``,
        ``X-Pagination-Per-Page``, ``X-Pagination-Total-Entries``, ``X-Pagination-Total-Pages``.
    """
    page = whole(page_num if page_num is not None else 1, "page_num", 1)
    size = whole(limit, "limit", 1)
    total = len(items)
    start = (page - 1) * size
    headers = {
        "X-Pagination-Current-Page": str(page),
        "X-Pagination-Per-Page": str(size),
        "X-Pagination-Total-Entries": str(total),
        "X-Pagination-Total-Pages": str(math.ceil(total / size)),
    }
    return EmuResponse(status, json=list(items[start : start + size]), headers=headers)


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"o:{position}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        if not text.startswith("o:"):
            raise ValueError(text)
        return whole(text[2:], "cursor", 0)
    except (ValueError, EmuError):
        raise EmuError(400, f"invalid cursor {cursor!r}", field="cursor") from None


def paginate_cursor(
    items: Sequence[T], cursor: str | None, limit: Any
) -> tuple[list[T], str | None]:
    """One page after an opaque ``cursor`` (None or "" = the start).

    Returns
    -------
    (list, str or None)
        The page, and the cursor of the next page (None on the last page).
    """
    size = whole(limit, "limit", 1)
    start = _decode_cursor(cursor) if cursor else 0
    page = list(items[start : start + size])
    following = start + size
    return page, (_encode_cursor(following) if following < len(items) else None)
