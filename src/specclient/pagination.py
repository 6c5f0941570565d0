"""Walking the pages of a list operation (``iterator=True``), without doing any I/O.

A :class:`Page` is one page read from the server: its items and the arguments of the call that
fetches the next page (``None`` on the last one). The client's sync and async drivers only send
``page.next_arguments`` until it is ``None``; everything about offsets, page numbers (Civis's
``page_num`` with its ``X-Pagination-*`` headers), cursors and totals is decided here, once.

Which operations page, and how, is the model's business (``x-pagination``, or the naming rules'
inferred page convention, see :mod:`specclient.openapi.naming`): this module reads
:class:`~specclient.openapi.model.Pagination` and infers nothing itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._jsonpath import dig
from .openapi.model import Pagination

__all__ = ["Page", "first_page_arguments", "read_page"]


@dataclass(frozen=True)
class Page:
    """One page of a list call.

    Attributes
    ----------
    items : list
        The page's items, as sent (wire names).
    arguments : dict
        The call's keyword arguments (Python names) that fetched this page.
    next_arguments : dict or None
        The arguments that fetch the following page; None when this page is the last.
    seen : int
        Items on this page and every page before it.
    """

    items: list[Any]
    arguments: dict[str, Any]
    next_arguments: dict[str, Any] | None
    seen: int


def _position_param(pagination: Pagination) -> str | None:
    return {
        "offset": pagination.offset_param,
        "page": pagination.page_param,
        "cursor": pagination.cursor_param,
    }[pagination.style]


def first_page_arguments(pagination: Pagination, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The first page's call: the caller's own arguments, with the page size and the starting
    offset or page number filled in where the caller gave none."""
    args = dict(arguments)
    limit = _limit(pagination, args)
    if pagination.limit_param and limit is not None:
        args[pagination.limit_param] = limit
    position = _position_param(pagination)
    if position and pagination.style != "cursor":
        args[position] = args.get(position) or pagination.start
    elif position and args.get(position) is None:
        args.pop(position, None)  # no cursor yet: the server starts at the beginning
    return args


def read_page(
    pagination: Pagination,
    arguments: Mapping[str, Any],
    payload: Any,
    headers: Mapping[str, str],
    seen_before: int = 0,
) -> Page:
    """The :class:`Page` a reply to the call with ``arguments`` holds, knowing its successor.

    The last page is the one that is empty; or that reaches the total the server announced
    (``total``: a count of items, or of pages when its name ends in ``pages``); or, when the
    server announces nothing, that is shorter than the page size; or whose cursor is missing or
    repeats.
    """
    items = _items(pagination, payload)
    count = len(items)
    seen = seen_before + count
    next_arguments = (
        None if count == 0 else _next(pagination, arguments, payload, headers, count, seen)
    )
    return Page(items, dict(arguments), next_arguments, seen)


def _next(
    p: Pagination,
    arguments: Mapping[str, Any],
    payload: Any,
    headers: Mapping[str, str],
    count: int,
    seen: int,
) -> dict[str, Any] | None:
    position_param = _position_param(p)
    if position_param is None:
        return None  # the spec names no parameter to move on with: one page is all there is
    position: Any = arguments.get(position_param)
    if p.style == "cursor":
        cursor = dig(payload, p.next_path) if p.next_path else None
        if not cursor or cursor == position:
            return None
        return {**arguments, position_param: cursor}
    total = _total(p, payload, headers)
    limit = _limit(p, arguments)
    short = limit is not None and count < limit
    if p.style == "page":
        if total is not None and p.total and p.total.lower().endswith("pages"):
            last = position >= total
        else:
            last = seen >= total if total is not None else short
        return None if last else {**arguments, position_param: position + 1}
    following = position + count  # offset: the next page starts after this one's items
    last = following >= total if total is not None else short
    return None if last else {**arguments, position_param: following}


def _limit(p: Pagination, arguments: Mapping[str, Any]) -> int | None:
    limit = arguments.get(p.limit_param) if p.limit_param else None
    return p.default_limit if limit is None else limit


def _items(p: Pagination, payload: Any) -> list[Any]:
    found = dig(payload, p.items)
    if found is None:
        return []
    if not isinstance(found, list):
        raise TypeError(f"expected a list at {p.items!r}, got {type(found).__name__}")
    return found


def _total(p: Pagination, payload: Any, headers: Mapping[str, str]) -> int | None:
    where = p.total
    if not where:
        return None
    if where.lower().startswith("header:"):
        value = headers.get(where.split(":", 1)[1])
    else:
        value = dig(payload, where)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
