"""The rows of the Civis emulator's tables, and the little SQL it answers.

Not a SQL engine: a table keeps its rows as CSV text (comma-delimited, minimal quoting, ``\\n``
line ends, no header), as an unload would write them, and a statement is answered only when it
is one of these (case-insensitive; a trailing ``;`` allowed; names bare or double-quoted, as in
``"schema.has.periods".bar``):

- ``SELECT * FROM schema.table [LIMIT n]``
- ``SELECT col, col, ... FROM schema.table [LIMIT n]`` (plain column names)
- ``SELECT count(*) FROM schema.table``
- ``DROP TABLE [IF EXISTS] schema.table``
- a canned query: its exact text (whitespace collapsed, case ignored) gives a fixed result;
  ``SELECT 1`` is seeded, tests add more with :meth:`Warehouse.can`.

Anything else is refused with :class:`~.state.Invalid` (HTTP 400) naming this list, so a test
never mistakes an unanswered statement for an empty result.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from specclient.emulators.civis.state import Invalid, NotFound

__all__ = ["Result", "Warehouse", "UNDERSTOOD", "split_table_name", "kind_of_sql_type"]

UNDERSTOOD = (
    "the Civis emulator answers only: SELECT * FROM schema.table [LIMIT n]; "
    "SELECT col, ... FROM schema.table [LIMIT n]; SELECT count(*) FROM schema.table; "
    "DROP TABLE [IF EXISTS] schema.table; and its canned queries (SELECT 1)"
)

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_TABLE = rf"(?P<table>{_IDENT}\s*\.\s*{_IDENT})"
_END = r"\s*;?\s*$"
_SELECT = re.compile(
    rf"^\s*select\s+(?P<what>\*|count\s*\(\s*\*\s*\)|{_IDENT}(?:\s*,\s*{_IDENT})*)\s+"
    rf"from\s+{_TABLE}(?:\s+limit\s+(?P<limit>\d+))?{_END}",
    re.IGNORECASE | re.DOTALL,
)
_DROP = re.compile(rf"^\s*drop\s+table\s+(?P<exists>if\s+exists\s+)?{_TABLE}{_END}", re.I | re.S)
_NAME = re.compile(_IDENT)


def _unquote(name: str) -> str:
    name = name.strip()
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()  # unquoted names fold to lower case, as in Redshift and Postgres


def split_table_name(table: str) -> tuple[str, str]:
    """``schema.table`` (either part may be double-quoted) as its two names."""
    names = [_unquote(m.group(0)) for m in _NAME.finditer(table)]
    if len(names) != 2:
        raise Invalid(f"{table!r} is not schema.table")
    return names[0], names[1]


def _canned_key(sql: str) -> str:
    return " ".join(sql.strip().rstrip(";").split()).lower()


#: SQL types by the kind of value they hold (the prefix before any ``(``), for the detection
#: of a CSV's columns and for the client's decoding
_KINDS = {
    "integer": ("smallint", "int", "int2", "int4", "int8", "integer", "bigint"),
    "number": ("real", "float", "float4", "float8", "double precision", "numeric", "decimal"),
    "boolean": ("boolean", "bool"),
    "date": ("date",),
    "timestamp": ("timestamp", "timestamptz", "timestamp without time zone"),
}


def kind_of_sql_type(sql_type: str) -> str:
    base = sql_type.split("(", 1)[0].strip().lower()
    for kind, names in _KINDS.items():
        if base in names or (kind == "timestamp" and base.startswith("timestamp")):
            return kind
    return "string"


@dataclass
class Result:
    """What a statement gives: column names and rows as CSV text (no header)."""

    columns: list[str]
    body: bytes
    rows: int


class Warehouse:
    """Every table's rows (by table id) and the canned queries, over :class:`CivisState`."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.rows: dict[int, bytes] = {}
        self.canned: dict[str, Result] = {}
        self._made: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}
        self.can("SELECT 1", ["?column?"], [["1"]])

    def cached(self, key: tuple[Any, ...], rows: bytes, make: Callable[[], bytes]) -> bytes:
        """``make()``, remembered while the rows it was made from are the same object (an
        export of an unchanged table is compressed once)."""
        made = self._made.get(key)
        if made is None or made[0] is not rows:
            made = self._made[key] = (rows, make())
        return made[1]

    # -- tables -------------------------------------------------------------------------------
    def can(self, sql: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Answer ``sql`` (exact text, whitespace and case aside) with these rows."""
        body, count = encode_rows(rows)
        self.canned[_canned_key(sql)] = Result(list(columns), body, count)

    def find(self, database_id: int, schema: str, name: str) -> dict[str, Any] | None:
        for table in self.state.tables.values():
            if (table["databaseId"], table["schema"], table["name"]) == (database_id, schema, name):
                return table  # type: ignore[no-any-return]
        return None

    def table(self, database_id: int, table: str) -> dict[str, Any]:
        schema, name = split_table_name(table)
        found = self.find(database_id, schema, name)
        if found is None:
            raise NotFound(f'relation "{schema}.{name}" does not exist')
        return found

    def data(self, table: dict[str, Any]) -> bytes:
        """The table's rows; a seeded table's are made on first use, from the seed."""
        if table["id"] not in self.rows:
            self.rows[table["id"]] = _seeded_rows(table, self.state.seed)
        return self.rows[table["id"]]

    def put(self, table: dict[str, Any], body: bytes, rows: int) -> None:
        self.rows[table["id"]] = body
        table["rowCount"] = rows
        table["sizeMb"] = round(len(body) / 1e6, 3)
        table["dataUpdatedAt"] = table["lastRefresh"] = self.state.iso_now()

    def create(
        self, database_id: int, schema: str, name: str, columns: Sequence[dict[str, Any]]
    ) -> dict[str, Any]:
        table = self.state.add_table(database_id, schema, name, columns=columns)
        self.put(table, b"", 0)
        return table

    def drop(self, table: dict[str, Any]) -> None:
        self.state.tables.remove(table["id"])
        self.rows.pop(table["id"], None)

    # -- statements ---------------------------------------------------------------------------
    def check(self, sql: str) -> None:
        """Refuse (400) a statement the emulator cannot answer, before anything runs."""
        if not (_canned_key(sql) in self.canned or _SELECT.match(sql) or _DROP.match(sql or "")):
            raise Invalid(f"{UNDERSTOOD}; not {sql[:200]!r}")

    def execute(self, database_id: int, sql: str) -> Result:
        """Run a statement :meth:`check` accepts; :class:`NotFound` for a missing table."""
        canned = self.canned.get(_canned_key(sql))
        if canned is not None:
            return canned
        if match := _DROP.match(sql):
            schema, name = split_table_name(match.group("table"))
            found = self.find(database_id, schema, name)
            if found is not None:
                self.drop(found)
            elif not match.group("exists"):
                raise NotFound(f'table "{schema}.{name}" does not exist')
            return Result([], b"", 0)
        match = _SELECT.match(sql)
        if match is None:
            raise Invalid(f"{UNDERSTOOD}; not {sql[:200]!r}")
        table = self.table(database_id, match.group("table"))
        names = [c["name"] for c in table["columns"]]
        what = match.group("what")
        if what.lower().replace(" ", "").startswith("count("):
            return Result(["count"], f"{table['rowCount']}\n".encode(), 1)
        body = self.data(table)
        rows = table["rowCount"]
        if what != "*":
            wanted = [_unquote(m.group(0)) for m in _NAME.finditer(what)]
            missing = [w for w in wanted if w not in names]
            if missing:
                raise Invalid(f'column "{missing[0]}" does not exist')
            body = project(body, [names.index(w) for w in wanted])
            names = wanted
        if match.group("limit") is not None and int(match.group("limit")) < rows:
            rows = int(match.group("limit"))
            body = head(body, rows)
        return Result(names, body, rows)


def encode_rows(rows: Iterable[Sequence[Any]], delimiter: str = ",") -> tuple[bytes, int]:
    """Rows as CSV text (minimal quoting, ``\\n``); ``None`` is an empty field."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    return out.getvalue().encode(), count


def decode_rows(body: bytes, delimiter: str = ",") -> Iterable[list[str]]:
    return csv.reader(io.StringIO(body.decode()), delimiter=delimiter)


def project(body: bytes, indexes: Sequence[int]) -> bytes:
    return encode_rows([row[i] for i in indexes] for row in decode_rows(body))[0]


def head(body: bytes, rows: int) -> bytes:
    """The first ``rows`` rows (a quoted field may hold a line break)."""
    kept = []
    for index, row in enumerate(decode_rows(body)):
        if index >= rows:
            break
        kept.append(row)
    return encode_rows(kept)[0]


def _seeded_rows(table: dict[str, Any], seed: int) -> bytes:
    rng = random.Random(f"{seed}:{table['id']}")
    start = 1_700_000_000
    rows = (
        (
            index + 1,
            round(rng.uniform(0, 1000), 2),
            _stamp(start + index * 3600 + rng.randrange(3600)),
        )
        for index in range(table["rowCount"])
    )
    return encode_rows(rows)[0]


def _stamp(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
