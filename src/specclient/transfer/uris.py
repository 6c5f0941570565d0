"""Sources and destinations spelled as URIs, for ``specclient copy SOURCE DEST``.

=============================================  =====================================
``habu:run/<run_id>``                           a question run's result (source)
``clicdata:data/<rec_id>``                      a data set's rows (source)
``clicdata:data/<rec_id>?mode=append|replace``  a data set (destination; append default)
``usmart:data/<resource_guid>?<options>``       URQL records (source): ``limit``, ``sort``,
                                                ``select``, ``revision``, ``where.<field>``,
                                                ``term`` (raw URQL, repeatable)
``usmart:file/<file_guid>``                     a data file (source)
``usmart:dataset/<guid>/file/<name>``           a new file of a dataset (destination)
``usmart:dataset/<guid>/revision/<file_guid>``  a file's next revision (destination)
``civis:table/<database>/<schema.table>``       a Civis table (source or destination)
``civis:sql/<database>?sql=<query>``            a Civis SQL query's rows (source)
``file:<path>`` or a path ending .csv/.parquet  a local file (source or destination)
``-``                                           CSV on standard output (destination)
=============================================  =====================================

A URI names the table; the client comes from ``connect(platform)`` (credentials from the
environment or the credentials file), made by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..errors import ParameterError

__all__ = ["Spelled", "parse"]


@dataclass(frozen=True)
class Spelled:
    """A parsed URI: the platform whose client it needs (None: local) and what makes the
    descriptor from that client."""

    platform: str | None
    make: Callable[[Any], Any]


def _bad(uri: str, side: str, why: str) -> ParameterError:
    return ParameterError("copy", f"{side} {uri!r}: {why} (see docs/copy.md for the forms)", side)


def parse(uri: str, side: str) -> Spelled:
    """``side`` is "source" or "destination"."""
    from . import destinations, sources

    if uri == "-":
        if side != "destination":
            raise _bad(uri, side, "standard output is a destination only")
        return Spelled(None, lambda _: destinations.stdout_csv())
    from ..catalog import names

    scheme, colon, rest = uri.partition(":")
    if not colon or scheme not in (*names(), "file"):
        if uri.lower().endswith((".csv", ".parquet")):
            scheme, rest = "file", uri
        else:
            raise _bad(uri, side, f"say which platform ({', '.join(names())}) or file:")
    if scheme == "file":
        path = unquote(rest)
        if side == "source":
            return Spelled(None, lambda _: sources.file(path))
        return Spelled(None, lambda _: destinations.to_file(path))
    body, _, query = rest.partition("?")
    parts = [unquote(p) for p in body.split("/")]
    options = parse_qsl(query, keep_blank_values=True)
    maker = _MAKERS.get((scheme, parts[0], side))
    if maker is None:
        raise _bad(uri, side, f"{scheme}:{parts[0]}/... is not a {side}")
    return Spelled(scheme, maker(uri, side, parts[1:], options))


def _one(uri: str, side: str, parts: list[str], count: int) -> list[str]:
    if len(parts) != count or not all(parts):
        raise _bad(uri, side, f"expected {count} path part(s) after the kind")
    return parts


def _int(uri: str, side: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _bad(uri, side, f"{text!r} is not a whole number") from None


def _habu_run(uri: str, side: str, parts: list[str], options: list[tuple[str, str]]) -> Any:
    from .sources import habu_result

    (run_id,) = _one(uri, side, parts, 1)
    return lambda client: habu_result(run_id, client=client)


def _clicdata_source(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from .sources import clicdata_data

    rec_id = _int(uri, side, _one(uri, side, parts, 1)[0])
    return lambda client: clicdata_data(client, rec_id)


def _clicdata_destination(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from .destinations import clicdata_dataset

    rec_id = _int(uri, side, _one(uri, side, parts, 1)[0])
    mode = dict(options).get("mode", "append")
    return lambda client: clicdata_dataset(client, rec_id, mode=mode)


def _usmart_query(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from .sources import usmart_query

    (guid,) = _one(uri, side, parts, 1)
    terms = [v for k, v in options if k == "term"]
    where = {k.removeprefix("where."): v for k, v in options if k.startswith("where.")}
    kwargs: dict[str, Any] = {"where": where} if where else {}
    for key, value in options:
        if key in ("limit", "revision"):
            kwargs[key] = value if value == "latest" else _int(uri, side, value)
        elif key in ("sort", "select"):
            kwargs[key] = value
        elif key != "term" and not key.startswith("where."):
            raise _bad(uri, side, f"unknown option {key!r}")
    return lambda client: usmart_query(client, guid, *terms, **kwargs)


def _usmart_file(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from .sources import usmart_file

    (guid,) = _one(uri, side, parts, 1)
    return lambda client: usmart_file(client, guid)


def _usmart_dataset(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from .destinations import usmart_dataset

    guid, kind, target = _one(uri, side, parts, 3)
    if kind == "file":
        return lambda client: usmart_dataset(client, guid, file_name=target)
    if kind == "revision":
        return lambda client: usmart_dataset(client, guid, file_guid=target)
    raise _bad(uri, side, "after the dataset say file/<name> or revision/<file_guid>")


def _civis_table(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from . import civis

    database, table = _one(uri, side, parts, 2)
    if side == "source":
        return lambda client: civis.civis_table(client, database, table)
    existing = dict(options).get("existing_table_rows", "fail")
    return lambda client: civis.civis_destination(
        client, database, table, existing_table_rows=existing
    )


def _civis_sql(uri: str, side: str, parts: list[str], options: Any) -> Any:
    from . import civis

    (database,) = _one(uri, side, parts, 1)
    sql = dict(options).get("sql")
    if not sql:
        raise _bad(uri, side, "give the query as ?sql=...")
    return lambda client: civis.civis_sql(client, sql, database)


_MAKERS: dict[tuple[str, str, str], Callable[..., Any]] = {
    ("habu", "run", "source"): _habu_run,
    ("clicdata", "data", "source"): _clicdata_source,
    ("clicdata", "data", "destination"): _clicdata_destination,
    ("usmart", "data", "source"): _usmart_query,
    ("usmart", "file", "source"): _usmart_file,
    ("usmart", "dataset", "destination"): _usmart_dataset,
    ("civis", "table", "source"): _civis_table,
    ("civis", "table", "destination"): _civis_table,
    ("civis", "sql", "source"): _civis_sql,
}
