"""Walking the pages of a list operation (``iterator=True``).

One ``PageWalker`` decides, from a page just read, what to ask for next — offset/limit, page
numbers (Civis's ``page_num`` with its ``X-Pagination-*`` headers), or cursors — so the sync and
async clients share the logic and differ only in how they send. Items are yielded lazily: a page
is fetched only when the previous one has been consumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .openapi.model import Operation, Pagination
from .response import dig

__all__ = ["PageWalker", "civis_style_pagination"]


def civis_style_pagination(operation: Operation) -> Pagination | None:
    """Civis's convention, recognised without ``x-pagination``: a GET with ``page_num`` and
    ``limit`` query parameters returning a list."""
    names = {p.name for p in operation.params if p.location == "query"}
    if operation.verb == "get" and {"page_num", "limit"} <= names:
        return Pagination(
            style="page",
            page_param="page_num",
            limit_param="limit",
            start=1,
            total="header:X-Pagination-Total-Pages",
        )
    return None


class PageWalker:
    """Page-by-page state for one ``iterator=True`` call.

    ``arguments`` are the call's own keyword arguments by Python name; the walker overrides the
    page/offset/cursor argument for each page and leaves the rest alone.
    """

    def __init__(self, pagination: Pagination, arguments: Mapping[str, Any]) -> None:
        self.pagination = pagination
        self.base = dict(arguments)
        self.limit = arguments.get(pagination.limit_param) if pagination.limit_param else None
        if self.limit is None:
            self.limit = pagination.default_limit
        self.position: Any = None
        self.seen = 0
        self.done = False
        style = pagination.style
        if style == "offset" and pagination.offset_param:
            self.position = arguments.get(pagination.offset_param) or pagination.start
        elif style == "page" and pagination.page_param:
            self.position = arguments.get(pagination.page_param) or pagination.start
        elif style == "cursor" and pagination.cursor_param:
            self.position = arguments.get(pagination.cursor_param)

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for the next page's call."""
        p = self.pagination
        args = dict(self.base)
        if p.limit_param and self.limit is not None:
            args[p.limit_param] = self.limit
        if p.style == "offset" and p.offset_param:
            args[p.offset_param] = self.position
        elif p.style == "page" and p.page_param:
            args[p.page_param] = self.position
        elif p.style == "cursor" and p.cursor_param:
            if self.position is None:
                args.pop(p.cursor_param, None)
            else:
                args[p.cursor_param] = self.position
        return args

    def items(self, payload: Any) -> list[Any]:
        found = dig(payload, self.pagination.items)
        if found is None:
            return []
        if not isinstance(found, list):
            raise TypeError(
                f"expected a list at {self.pagination.items!r}, got {type(found).__name__}"
            )
        return found

    def advance(self, payload: Any, headers: Mapping[str, str], count: int) -> None:
        """Record a page of ``count`` items; sets ``done`` when there is nothing more."""
        p = self.pagination
        self.seen += count
        total = self._total(payload, headers)
        if count == 0:
            self.done = True
        elif p.style == "cursor":
            cursor = dig(payload, p.next_path) if p.next_path else None
            if not cursor or cursor == self.position:
                self.done = True
            self.position = cursor
        elif p.style == "page":
            if total is not None and p.total and p.total.lower().endswith("pages"):
                self.done = self.position >= total
            elif total is not None:
                self.done = self.seen >= total
            elif self.limit is not None and count < self.limit:
                self.done = True
            self.position += 1
        else:  # offset
            self.position += count
            if total is not None:
                self.done = self.position >= total
            elif self.limit is not None and count < self.limit:
                self.done = True

    def _total(self, payload: Any, headers: Mapping[str, str]) -> int | None:
        spec = self.pagination.total
        if not spec:
            return None
        if spec.lower().startswith("header:"):
            value = headers.get(spec.split(":", 1)[1])
        else:
            value = dig(payload, spec)
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None
