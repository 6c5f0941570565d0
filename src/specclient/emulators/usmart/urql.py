"""A small URQL interpreter for the uSmart emulator's data API.

URQL is uSmart's RQL/FIQL-like query language, sent as the query string of
``GET /org/{org}/{resource}/{revision}/urql?<terms>``; terms are joined with ``&``. This
module answers the subset that clients commonly send, from rows held in memory:

- equality terms ``key=value``; comparisons ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge``;
  ``in(prop,(a,b))``, ``exists(prop)``, ``and(...)``, ``or(...)``;
- shaping ``sort(+a,-b)``, ``select(a,b)``; paging ``limit(n,offset)`` and ``limit(-1)``;
- ``format(json|csv)`` and ``cache=true`` (accepted, ignored).

Anything else raises :class:`URQLError`, which the emulator turns into a 400. The 10,000-record
window of ``limit(n, offset)`` is enforced as on the real service; ``limit(-1)`` streams every
record. Hand-written because no maintained Python RQL library exists on PyPI that speaks
uSmart's dialect (typed literals, ``limit(-1)``); the grammar here is tiny.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

RESULT_WINDOW = 10_000
DEFAULT_LIMIT = 10

Row = dict[str, Any]
Predicate = Callable[[Row], bool]


class URQLError(ValueError):
    """The query cannot be answered; the message says which term and why."""


@dataclass
class Query:
    """A parsed URQL query."""

    predicates: list[Predicate] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    select: list[str] | None = None
    limit: int | None = None  # None: the default page; -1: everything
    offset: int = 0
    format: str = "json"


def parse(query_string: str, *, default_limit: int = DEFAULT_LIMIT) -> Query:
    """Parse a raw query string (the part after ``?``) into a :class:`Query`."""
    query = Query()
    for raw in _split_top(query_string, "&"):
        term = unquote_plus(raw).strip()
        if not term:
            continue
        if "(" not in term and "=" in term:
            key, _, value = term.partition("=")
            if key == "cache":
                continue
            query.predicates.append(_compare("eq", key, _literal(value)))
            continue
        name, args = _call(term)
        if name == "limit":
            _apply_limit(query, args)
        elif name == "sort":
            query.sort = [(a.lstrip("+-").strip(), a.strip().startswith("-")) for a in args]
        elif name == "select":
            query.select = [a.strip() for a in args]
        elif name == "format":
            if args not in (["json"], ["csv"]):
                raise URQLError(f"format() takes json or csv, got {','.join(args)!r}")
            query.format = args[0]
        else:
            query.predicates.append(_predicate(name, args))
    if query.limit is None:
        query.limit = default_limit
    return query


def run(query: Query, rows: Sequence[Row]) -> Iterator[Row]:
    """Yield the rows the query selects, sorted, paged and projected."""
    matched: Sequence[Row] = [r for r in rows if all(p(r) for p in query.predicates)]
    for key, descending in reversed(query.sort):
        # None sorts last either way, as Elasticsearch puts missing values last.
        matched = sorted(matched, key=_missing_last(key), reverse=descending)
    if query.limit is not None and query.limit >= 0:
        matched = matched[query.offset : query.offset + query.limit]
    elif query.offset:
        matched = matched[query.offset :]
    for row in matched:
        if query.select is None:
            yield row
        else:
            yield {k: row.get(k) for k in ["usmart_id", *query.select] if k in row}


def _apply_limit(query: Query, args: list[str]) -> None:
    try:
        numbers = [int(a) for a in args]
    except ValueError:
        raise URQLError(f"limit() takes integers, got {','.join(args)!r}") from None
    if not numbers or len(numbers) > 2:
        raise URQLError("limit() takes (n) or (n,offset)")
    limit, offset = numbers[0], (numbers[1] if len(numbers) == 2 else 0)
    if limit < -1 or offset < 0:
        raise URQLError(f"limit({limit},{offset}): n must be -1 or more, offset 0 or more")
    if limit >= 0 and limit + offset > RESULT_WINDOW:
        raise URQLError(
            f"limit({limit},{offset}) reaches past the first {RESULT_WINDOW} records; "
            "use limit(-1) to stream every record"
        )
    query.limit, query.offset = limit, offset


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _predicate(name: str, args: list[str]) -> Predicate:
    if name in _COMPARISONS:
        if len(args) != 2:
            raise URQLError(f"{name}() takes (property,value)")
        return _compare(name, args[0].strip(), _literal(args[1]))
    if name == "exists":
        prop = args[0].strip() if args else ""
        return lambda r: r.get(prop) is not None
    if name == "in":
        if len(args) != 2:
            raise URQLError("in() takes (property,(a,b,...))")
        prop = args[0].strip()
        values = [_literal(v) for v in _split_top(args[1].strip().strip("()"), ",")]
        return lambda r: _coerce_like(r.get(prop), values) in values
    if name in ("and", "or"):
        parts = [_predicate(*_call(a.strip())) for a in args]
        combine = all if name == "and" else any
        return lambda r: combine(p(r) for p in parts)
    raise URQLError(f"unsupported URQL term {name!r}")


def _compare(op: str, prop: str, value: Any) -> Predicate:
    test = _COMPARISONS[op]

    def predicate(row: Row) -> bool:
        have = row.get(prop)
        if have is None:
            return op == "ne"
        try:
            return test(_coerce(have, value), value)
        except TypeError:
            return False

    return predicate


def _coerce(have: Any, like: Any) -> Any:
    """Compare numbers with numbers and text with text, as a typed index would."""
    if isinstance(like, str) and not isinstance(have, str):
        return str(have)
    if isinstance(like, int | float) and isinstance(have, str):
        try:
            return float(have)
        except ValueError:
            return have
    return have


def _coerce_like(have: Any, values: list[Any]) -> Any:
    return _coerce(have, values[0]) if values else have


def _literal(text: str) -> Any:
    """``string:3`` stays text; bare numbers become numbers; ``true``/``false``/``null``."""
    text = text.strip()
    kind, sep, rest = text.partition(":")
    if sep and kind in ("string", "number", "boolean"):
        if kind == "string":
            return rest
        if kind == "boolean":
            return rest == "true"
        return _literal(rest)
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _call(term: str) -> tuple[str, list[str]]:
    name, paren, rest = term.partition("(")
    if not paren or not rest.endswith(")") or not name.isidentifier():
        raise URQLError(f"cannot read URQL term {term!r}")
    return name, [a for a in _split_top(rest[:-1], ",") if a.strip() != ""]


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise URQLError(f"unbalanced parentheses in {text!r}")
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth:
        raise URQLError(f"unbalanced parentheses in {text!r}")
    parts.append(text[start:])
    return parts


def _missing_last(key: str) -> Callable[[Row], tuple[bool, Any]]:
    """A sort key that puts rows without ``key`` last, as Elasticsearch does."""

    def sort_key(row: Row) -> tuple[bool, Any]:
        value = row.get(key)
        return (value is None, value if value is not None else 0)

    return sort_key
