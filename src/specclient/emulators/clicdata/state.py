"""The ClicData emulator's state: typed tables with rows and history, dashboards, schedules,
teams, users and tokens. No HTTP here; :mod:`specclient.emulators.clicdata` serves it.

Rows are stored column by column (one Python list per column) because a benchmark appends a
million ten-column rows: one list per column costs a fraction of a dict or list per row.
Every mutation validates the whole request before it changes anything, so a refused chunk leaves
a table exactly as it was.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
import math
import operator
import random
import secrets
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from specclient.emulators.core import Collection, EmuError

__all__ = [  # COLUMN_TYPES too, read from the spec on first use (module __getattr__)
    "column_types",
    "REFRESH_MODES",
    "ClicDataError",
    "ClicDataState",
    "Table",
    "png",
]


@functools.cache
def column_types() -> tuple[str, ...]:
    """The ``data_type`` values a table accepts: the spec's enum, the one place they are
    written (the client reads the same one)."""
    import yaml

    from specclient.openapi import bundled_spec

    document = yaml.safe_load(bundled_spec("clicdata").read_text(encoding="utf-8"))
    return tuple(document["components"]["schemas"]["Column"]["properties"]["data_type"]["enum"])


def __getattr__(name: str) -> Any:
    if name == "COLUMN_TYPES":  # kept importable; read from the spec on first use
        return column_types()
    raise AttributeError(name)


# Legacy paths spell the wrapper's "reload" as /rebuild; the versioned body says "reload".
REFRESH_MODES = ("recreate", "rebuild", "append", "update", "updateappend")
VERSIONED_REFRESH_MODES = {
    "reload": "rebuild",
    "rebuild": "rebuild",
    "update": "update",
    "append": "append",
    "updateappend": "updateappend",
}


class ClicDataError(EmuError):
    """A request the platform refuses: ``status`` and ``code`` become the error envelope."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(status, description, code=code)
        self.code = code
        self.description = description


def _things(noun: str, not_found: str = "no {noun} with id {id}") -> Collection[int, Any]:
    """A collection keyed by ClicData's integer ids, answering 404 ``NotFound``."""
    return Collection(
        noun,
        key=int,
        not_found=not_found,
        error=lambda status, message: ClicDataError(status, "NotFound", message),
    )


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- cells -------------------------------------------------------------------------------------


def _bad_cell(column: str, data_type: str, value: Any) -> ClicDataError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ClicDataError(
        400, "InvalidValue", f"column {column!r} ({data_type}) cannot hold {shown}"
    )


def _number(column: str, data_type: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _bad_cell(column, data_type, value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise _bad_cell(column, data_type, value)
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise _bad_cell(column, data_type, value) from None
        if not math.isfinite(number):
            raise _bad_cell(column, data_type, value)
        return (
            int(number)
            if number.is_integer() and "." not in value and "e" not in value.lower()
            else number
        )
    raise _bad_cell(column, data_type, value)


def _text(column: str, data_type: str, value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        raise _bad_cell(column, data_type, value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _checkbox(column: str, data_type: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad_cell(column, data_type, value)


def _datetime(column: str, data_type: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad_cell(column, data_type, value)
    try:
        _dt.datetime.fromisoformat(value)
    except ValueError:
        raise _bad_cell(column, data_type, value) from None
    return value


def _date(column: str, data_type: str, value: Any) -> Any:
    value = _datetime(column, data_type, value)
    return None if value is None else value[:10]


_NUMBER_TYPES = {int, float, type(None)}
_TEXT_TYPES = {str, type(None)}
_BOOL_TYPES = {bool, type(None)}


def _already_typed(kind: str, values: list[Any]) -> bool:
    """Whether a whole column already holds what the type stores (checked by type, in bulk).

    A well-behaved client sends exactly this, and checking a column's set of types is several
    times faster than coercing cell by cell; anything else takes the per-cell path.
    """
    types = set(map(type, values))
    if kind in ("number", "percentage", "rec_id"):
        if not types <= _NUMBER_TYPES:
            return False
        return float not in types or all(math.isfinite(v) for v in values if type(v) is float)
    if kind in ("text", "dropdown"):
        return types <= _TEXT_TYPES
    if kind == "checkbox":
        return types <= _BOOL_TYPES
    if kind == "datetime" and types <= _TEXT_TYPES:
        try:  # every text an ISO 8601 date and time (the error path names the bad cell)
            for value in values:
                if value is not None:
                    _dt.datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    return False


_COERCE: dict[str, Callable[[str, str, Any], Any]] = {
    "text": _text,
    "dropdown": _text,
    "number": _number,
    "percentage": _number,
    "rec_id": _number,
    "checkbox": _checkbox,
    "datetime": _datetime,
    "date": _date,
}


# --- PNG ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)  # the same seed draws the same pictures: draw them once
def png(
    width: int, height: int, colour: tuple[int, int, int], *, stripe: tuple[int, int, int]
) -> bytes:
    """A real, valid PNG (RGB, 8 bits): a background with a bar chart of stripes.

    Hand-written with zlib and struct because the format needs only three chunks, and an image
    library would be a dependency for a handful of test pictures.
    """
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type 0 for this scanline
        for x in range(width):
            bar_top = height - (height * ((x * 7) % 10 + 1)) // 12
            row += bytes(stripe if (x // 4) % 2 == 0 and y >= bar_top else colour)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- tables ------------------------------------------------------------------------------------


@dataclass
class Version:
    number: int
    created: float
    reason: str
    columns: dict[str, list[Any]]

    @property
    def row_count(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def describe(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "created_date": _iso(self.created),
            "reason": self.reason,
            "row_count": self.row_count,
        }


@dataclass
class Table:
    rec_id: int
    name: str
    columns: list[dict[str, str]]
    created: float
    description: str = ""
    source: str = "api"  # "api" = custom table; anything else has a generator behind it
    history_enabled: bool = False
    data: dict[str, list[Any]] = field(default_factory=dict)
    updated: float = 0.0
    versions: list[Version] = field(default_factory=list)
    generator: Callable[[int, int], list[dict[str, Any]]] | None = None
    source_rows: int = 0  # how many rows the generator's source holds now
    generation: int = 0  # bumps on each refresh, so "update" changes values
    # rows [0, len) as the bytes of one JSON object each (see encoded_rows); an append keeps
    # them, any other change to the rows drops them
    _encoded: list[bytes] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            self.data.setdefault(column["name"], [])
        self.updated = self.updated or self.created

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    @property
    def row_count(self) -> int:
        return len(self.data[self.columns[0]["name"]]) if self.columns else 0

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.rec_id,
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "creation_date": _iso(self.created),
            "last_data_update_date": _iso(self.updated),
            "history_enabled": self.history_enabled,
            "row_count": self.row_count,
            "columns": [dict(c) for c in self.columns],
        }

    # rows in --------------------------------------------------------------------------------

    def _typed_columns(self, records: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        """Validate and type every cell of ``records``; raises before anything is stored."""
        known = set(self.names)
        if not all(isinstance(record, Mapping) for record in records):
            raise ClicDataError(400, "InvalidRow", "each row must be an object of column values")
        unknown = set().union(*records) - known  # every key of every row, in one pass
        if unknown:
            raise ClicDataError(
                400,
                "UnknownColumn",
                f"unknown column(s) {sorted(unknown)} in table {self.name!r}",
            )
        # rows that name every column (what a well-behaved client sends) are read by
        # itemgetter, several times faster than .get; the others by .get (missing = null)
        whole = all(len(record) == len(known) for record in records)
        typed: dict[str, list[Any]] = {}
        for column in self.columns:
            name, kind = column["name"], column["data_type"]
            if whole:
                values = list(map(operator.itemgetter(name), records))
            else:
                values = [record.get(name) for record in records]
            if _already_typed(kind, values):
                typed[name] = values
            else:
                coerce = _COERCE[kind]
                typed[name] = [coerce(name, kind, value) for value in values]
        return typed

    def append(self, records: Sequence[Mapping[str, Any]]) -> int:
        typed = self._typed_columns(records)
        for name, values in typed.items():
            self.data[name].extend(values)
        return len(records)

    def cells_to_records(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """Legacy ``[[{column, value}, ...], ...]`` rows -> ``{column: value}`` records."""
        records = []
        for row in rows:
            if not isinstance(row, list):
                raise ClicDataError(
                    400, "InvalidRow", "each row must be a list of {column, value} cells"
                )
            record: dict[str, Any] = {}
            for cell in row:
                if not isinstance(cell, Mapping) or "column" not in cell:
                    raise ClicDataError(
                        400, "InvalidCell", "each cell must be an object with 'column' and 'value'"
                    )
                record[str(cell["column"])] = cell.get("value")
            records.append(record)
        return records

    def positional_to_records(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        names = self.names
        records = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(names):
                raise ClicDataError(
                    400, "InvalidRow", f"each positional row must list {len(names)} values"
                )
            records.append(dict(zip(names, row, strict=True)))
        return records

    # rows out -------------------------------------------------------------------------------

    def encoded_rows(self, start: int, stop: int) -> bytes:
        """Rows ``[start, stop)`` as the bytes of a JSON array of ``{column: value}`` objects.

        Each row is encoded once and kept until the rows change otherwise than by an append:
        a table read again (a benchmark reads a million rows several times) costs a join, not
        a million dicts and their encoding.
        """
        if len(self._encoded) > self.row_count:  # rows went away behind our back
            self._encoded.clear()
        done = len(self._encoded)
        if done < stop:
            self._encoded.extend(map(orjson.dumps, self.rows(done, stop)))
        return b"[" + b",".join(self._encoded[start:stop]) + b"]"

    def rows(
        self, start: int, stop: int, columns: Mapping[str, list[Any]] | None = None
    ) -> list[dict[str, Any]]:
        source = self.data if columns is None else columns
        names = list(source)
        slices = [source[name][start:stop] for name in names]
        return [dict(zip(names, values, strict=True)) for values in zip(*slices, strict=True)]

    # matching -------------------------------------------------------------------------------

    def _matches(self, find: Sequence[Mapping[str, Any]]) -> list[int]:
        if not find:
            raise ClicDataError(
                400, "InvalidFilter", "'find' must name at least one column and value"
            )
        tests = []
        for cell in find:
            if not isinstance(cell, Mapping) or "column" not in cell:
                raise ClicDataError(
                    400, "InvalidFilter", "each 'find' item must be {column, value}"
                )
            name = str(cell["column"])
            if name not in self.data:
                raise ClicDataError(
                    400, "UnknownColumn", f"unknown column {name!r} in table {self.name!r}"
                )
            kind = next(c["data_type"] for c in self.columns if c["name"] == name)
            tests.append((self.data[name], _COERCE[kind](name, kind, cell.get("value"))))
        return [i for i in range(self.row_count) if all(col[i] == want for col, want in tests)]

    def delete(self, find: Sequence[Mapping[str, Any]], multiple: str) -> int:
        hits = self._matches(find)
        if multiple == "first":
            hits = hits[:1]
        doomed = set(hits)
        self._encoded.clear()
        for name, values in self.data.items():
            self.data[name] = [v for i, v in enumerate(values) if i not in doomed]
        return len(hits)

    def update(
        self, find: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]], multiple: str
    ) -> int:
        hits = self._matches(find)
        if multiple == "first":
            hits = hits[:1]
        typed = self._typed_columns([{str(c.get("column")): c.get("value") for c in changes}])
        wanted = {str(c.get("column")) for c in changes}
        self._encoded.clear()
        for name in wanted:
            for i in hits:
                self.data[name][i] = typed[name][0]
        return len(hits)

    # refresh --------------------------------------------------------------------------------

    def refresh(self, mode: str, now: float, *, reason: str | None = None) -> None:
        """Reload from the source the way ``mode`` says; a custom table only gets a new date."""
        if self.generator is not None:
            self.generation += 1
            self.source_rows += 10  # the source grows between refreshes
            if mode in ("recreate", "rebuild"):
                self._replace(self.generator(0, self.source_rows))
            if mode in ("update", "updateappend"):
                fresh = self.generator(0, self.row_count)
                self._replace(fresh + self.rows(len(fresh), self.row_count))
            if mode in ("append", "updateappend"):
                self.append(self.generator(self.row_count, self.source_rows - self.row_count))
        # A refresh takes time on the real service, so two never share a date; on the emulator's
        # clock (which stands still between sleeps) each is dated at least a second (the date's
        # resolution) after the last, so a client can tell from the date whether one happened.
        self.updated = max(now, self.updated + 1.0)
        if self.history_enabled:
            self.versions.append(
                Version(
                    len(self.versions) + 1,
                    self.updated,
                    reason or mode,
                    {k: list(v) for k, v in self.data.items()},
                )
            )

    def _replace(self, records: list[dict[str, Any]]) -> None:
        typed = self._typed_columns(records)
        self._encoded.clear()
        self.data = typed


def _sales_generator(seed: int, table: Table) -> Callable[[int, int], list[dict[str, Any]]]:
    regions = ["North", "South", "East", "West"]

    def rows(start: int, count: int) -> list[dict[str, Any]]:
        out = []
        for i in range(start, start + max(count, 0)):
            rng = random.Random(f"{seed}:{i}:{table.generation}")
            out.append(
                {
                    "order_id": i + 1,
                    "region": regions[(i + seed) % 4],
                    "amount": round(rng.uniform(5, 500), 2),
                    "paid": i % 3 != 0,
                    "ordered_at": _iso(1_700_000_000 + 3600 * i),
                }
            )
        return out

    return rows


def _customers_generator(seed: int, table: Table) -> Callable[[int, int], list[dict[str, Any]]]:
    def rows(start: int, count: int) -> list[dict[str, Any]]:
        return [
            {
                "customer_id": i + 1,
                "name": f"Customer {i + 1}",
                "score": (i * 37 + seed + table.generation) % 100 / 100,
            }
            for i in range(start, start + max(count, 0))
        ]

    return rows


# --- the account -------------------------------------------------------------------------------


@dataclass
class Token:
    expires: float
    scopes: frozenset[str]


ALL_SCOPES = frozenset({"account_read", "data_read", "data_write", "table_read", "table_write"})


class ClicDataState:
    """Everything one emulated ClicData account holds.

    Parameters
    ----------
    seed : int
        Makes the demo data and ids deterministic.
    now : callable
        The emulator clock's ``time``.
    client_id, client_secret, api_key, email, password : str
        The credentials accepted (OAuth client credentials, the ``CLICDATA-API-KEY`` header, the
        nested Basic form).
    page_size : int
        Rows a legacy page (the real server's is unknown); also the versioned default.
    max_page_size : int
        The largest ``page_size`` the versioned API accepts.
    insert_cap : int or None
        Rows an insert call may carry (500, as activepieces enforces); ``None`` or 0 = no cap.
    token_lifetime : float
        Seconds an access token lives.
    scopes : iterable of str
        Scopes granted to every credential; a route needing another answers with HTTP 200 and
        ``{"success": false, "error": {"code": "unauthorized", "description": "Missing scope"}}``
        on the versioned API, as activepieces' fixtures show.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        now: Callable[[], float],
        client_id: str,
        client_secret: str,
        api_key: str,
        email: str,
        password: str,
        page_size: int = 1000,
        max_page_size: int = 10_000,
        insert_cap: int | None = 500,
        token_lifetime: float = 3600.0,
        scopes: Iterable[str] = ALL_SCOPES,
        require_version: bool = False,
    ) -> None:
        self.seed = seed
        self.now = now
        self.lock = threading.RLock()
        self.client_id = client_id
        self.client_secret = client_secret
        self.api_key = api_key
        self.email = email
        self.password = password
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.insert_cap = insert_cap or None
        self.token_lifetime = token_lifetime
        self.scopes = frozenset(scopes)
        self.require_version = require_version
        self.tokens: dict[str, Token] = {}
        self.tokens_issued = 0
        self.account = {
            "id": 1000 + seed,
            "name": "Demo Account",
            "domain": "demo",
            "plan": "Standard",
            "data_rows_limit": 50_000_000,
            "users_limit": 25,
        }
        self.tables: Collection[int, Table] = _things("data set", "no {noun} with RecId {id}")
        self.dashboards: Collection[int, dict[str, Any]] = _things("dashboard")
        self.schedules: Collection[int, dict[str, Any]] = _things("schedule")
        self.teams: Collection[int, dict[str, Any]] = _things("team")
        self.users: Collection[int, dict[str, Any]] = _things("user")
        self.passwords: dict[int, str] = {}  # sha256 hex; never served
        self._next_id = 100 + seed
        self._seed_data()

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # seed data -------------------------------------------------------------------------------

    def _seed_data(self) -> None:
        start = self.now()
        sales = self.add_table(
            "Sales",
            [
                {"name": "order_id", "data_type": "number"},
                {"name": "region", "data_type": "text"},
                {"name": "amount", "data_type": "number"},
                {"name": "paid", "data_type": "checkbox"},
                {"name": "ordered_at", "data_type": "datetime"},
            ],
            description="Orders, refreshed nightly",
            source="sql:orders",
            history=True,
        )
        sales.generator = _sales_generator(self.seed, sales)
        sales.source_rows = 120
        sales.append(sales.generator(0, 120))
        customers = self.add_table(
            "Customers",
            [
                {"name": "customer_id", "data_type": "number"},
                {"name": "name", "data_type": "text"},
                {"name": "score", "data_type": "percentage"},
            ],
            description="CRM export",
            source="crm:contacts",
        )
        customers.generator = _customers_generator(self.seed, customers)
        customers.source_rows = 40
        customers.append(customers.generator(0, 40))
        rng = random.Random(self.seed)
        for name in ("Sales Overview", "Customer Map"):
            colour = (rng.randrange(40, 220), rng.randrange(40, 220), rng.randrange(40, 220))
            stripe = (255 - colour[0], 255 - colour[1], 255 - colour[2])
            dashboard_id = self.next_id()
            self.dashboards[dashboard_id] = {
                "id": dashboard_id,
                "name": name,
                "creation_date": _iso(start),
                "views": rng.randrange(10, 500),
                "_thumbnail": png(64, 36, colour, stripe=stripe),
                "_snapshot": png(320, 180, colour, stripe=stripe),
            }
        for name, table, mode in (
            ("Nightly sales", sales, "rebuild"),
            ("Hourly customers", customers, "update"),
        ):
            schedule_id = self.next_id()
            self.schedules[schedule_id] = {
                "id": schedule_id,
                "name": name,
                "data": [table.rec_id],
                "mode": mode,
                "enabled": True,
                "runs": [],
            }
        admin = self.add_user(self.email, "Demo", "Admin", "admin")
        analyst = self.add_user("analyst@example.com", "Ana", "Lyst", "editor")
        team_id = self.next_id()
        self.teams[team_id] = {
            "id": team_id,
            "name": "Analysts",
            "description": "",
            "users": [admin["id"], analyst["id"]],
            "parameters": {},
        }

    def add_table(
        self,
        name: Any,
        columns: Sequence[Mapping[str, Any]],
        *,
        description: str = "",
        source: str = "api",
        history: bool = False,
    ) -> Table:
        if not isinstance(name, str) or not name.strip():
            raise ClicDataError(400, "InvalidName", "a data set needs a non-empty name")
        if any(t.name == name for t in self.tables.values()):
            raise ClicDataError(409, "DuplicateName", f"a data set named {name!r} already exists")
        if not columns:
            raise ClicDataError(400, "InvalidColumns", "a data set needs at least one column")
        clean = []
        for column in columns:
            if not isinstance(column, Mapping) or not column.get("name"):
                raise ClicDataError(
                    400, "InvalidColumns", "each column needs a name and a data_type"
                )
            kind = column.get("data_type")
            if kind not in column_types():
                raise ClicDataError(
                    400,
                    "InvalidDataType",
                    f"column {column['name']!r}: data_type {kind!r} is not one of {list(column_types())}",
                )
            clean.append({"name": str(column["name"]), "data_type": str(kind)})
        names = [c["name"] for c in clean]
        if len(set(names)) != len(names):
            raise ClicDataError(400, "InvalidColumns", "column names must be unique")
        table = Table(
            self.next_id(),
            name,
            clean,
            self.now(),
            description=description,
            source=source,
            history_enabled=history,
        )
        self.tables[table.rec_id] = table
        return table

    def add_user(
        self, email: str, first: str = "", last: str = "", role: str = "viewer"
    ) -> dict[str, Any]:
        if any(u["email_address"] == email for u in self.users.values()):
            raise ClicDataError(409, "DuplicateUser", f"a user with email {email!r} already exists")
        user_id = self.next_id()
        self.users[user_id] = {
            "id": user_id,
            "email_address": email,
            "first_name": first,
            "last_name": last,
            "role": role,
            "last_login_date": _iso(self.now()),
            "logins": 0,
        }
        return self.users[user_id]

    # auth ------------------------------------------------------------------------------------

    def issue_token(self, client_id: str | None, client_secret: str | None) -> dict[str, Any]:
        if not (
            client_id
            and client_secret
            and secrets.compare_digest(client_id, self.client_id)
            and secrets.compare_digest(client_secret, self.client_secret)
        ):
            raise ClicDataError(401, "invalid_client", "Unknown client or wrong secret")
        token = secrets.token_urlsafe(24)
        self.tokens[token] = Token(self.now() + self.token_lifetime, self.scopes)
        self.tokens_issued += 1
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime),
        }

    def basic_value(self) -> str:
        """The Authorization value a correct client sends for the nested Basic scheme."""
        inner = base64.b64encode(f"{self.email}:{self.password}".encode()).decode()
        return "Basic " + base64.b64encode(f"{self.client_id}:{inner}".encode()).decode()

    def authorise(self, headers: Mapping[str, str]) -> frozenset[str]:
        """The scopes of the request's credentials; raises 401 when there are none that work."""
        key = headers.get("clicdata-api-key")
        if key is not None:
            if secrets.compare_digest(key, self.api_key):
                return self.scopes
            raise ClicDataError(401, "401", "Invalid API key")
        authorization = headers.get("authorization", "")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            token = self.tokens.get(value.strip())
            if token is None:
                raise ClicDataError(401, "401", "Unauthorized")
            if token.expires <= self.now():
                raise ClicDataError(401, "token_expired", "The access token has expired")
            return token.scopes
        if scheme.lower() == "basic":
            if secrets.compare_digest(authorization, self.basic_value()):
                return self.scopes
            raise ClicDataError(401, "401", "Invalid Basic credentials")
        raise ClicDataError(401, "401", "Unauthorized")

    # schedules -------------------------------------------------------------------------------

    def trigger(self, schedule_id: Any) -> dict[str, Any]:
        schedule = self.schedules.find(schedule_id)
        now = self.now()
        for rec_id in schedule["data"]:
            if rec_id in self.tables:
                self.tables[rec_id].refresh(
                    schedule["mode"], now, reason=f"schedule {schedule['id']}"
                )
        run = {
            "run_id": len(schedule["runs"]) + 1,
            "started_date": _iso(now),
            "status": "Completed",
            "refreshed": list(schedule["data"]),
        }
        schedule["runs"].append(run)
        return run

    def describe_schedule(self, schedule: Mapping[str, Any]) -> dict[str, Any]:
        runs = schedule["runs"]
        return {
            "id": schedule["id"],
            "name": schedule["name"],
            "data": list(schedule["data"]),
            "mode": schedule["mode"],
            "enabled": schedule["enabled"],
            "last_run_date": runs[-1]["started_date"] if runs else None,
            "runs": list(runs[-10:]),
        }

    def set_password(self, user_id: Any, password: Any) -> None:
        user = self.users.find(user_id)
        if not isinstance(password, str) or len(password) < 8:
            raise ClicDataError(400, "InvalidPassword", "a password needs at least 8 characters")
        self.passwords[user["id"]] = hashlib.sha256(password.encode()).hexdigest()
