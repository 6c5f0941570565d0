"""Civis lookups by name: civis-python's ``find``/``find_one``/``split_schema_tablename``, and
the choices behind the client helpers (``get_database_id`` ...), kept free of I/O so the sync
and async clients share them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["find", "find_one", "split_schema_tablename"]

AWS = "Amazon Web Services S3"
DB_CREDENTIAL_DEPRECATED = (
    "get_database_credential_id is deprecated (as in civis-python 2.4+); consider "
    "default_database_credential_id."
)


def _value(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def find(
    object_list: Iterable[Any], filter_func: Callable[[Any], Any] | None = None, **kwargs: Any
) -> list[Any]:
    """Filter responses as ``civis.find`` does: by a function, or by field values.

    A value that is a function is called on the field; ``True``/``False`` match by identity;
    anything else by equality. Objects lacking a field never match.
    """
    items = list(object_list)
    if filter_func is not None:
        return [item for item in items if filter_func(item)]

    def matches(item: Any) -> bool:
        for key, wanted in kwargs.items():
            present = key in item if isinstance(item, Mapping) else hasattr(item, key)
            if not present:
                return False
            value = _value(item, key)
            if callable(wanted):
                if not wanted(value):
                    return False
            elif wanted is True or wanted is False:
                if value is not wanted:
                    return False
            elif value != wanted:
                return False
        return True

    return [item for item in items if matches(item)]


def find_one(
    object_list: Iterable[Any], filter_func: Callable[[Any], Any] | None = None, **kwargs: Any
) -> Any:
    """The first object :func:`find` keeps, or ``None``."""
    found = find(object_list, filter_func, **kwargs)
    return found[0] if found else None


def split_schema_tablename(table: str) -> tuple[str | None, str]:
    """Split ``schema.table`` as ``civis.io.split_schema_tablename``: double quotes protect dots.

    Raises
    ------
    ValueError
        If the name has more than two parts.
    """
    import csv  # imported where used: a client that never splits a name does not load it
    import io

    reader = csv.reader(io.StringIO(str(table)), delimiter=".", quotechar='"', doublequote=True)
    parts = next(reader, [])
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError(
        f"Cannot parse schema and table. Does {table!r} follow the pattern 'schema.table'?"
    )


def pick_database(databases: Iterable[Any], database: str) -> int:
    found = find_one(databases, name=database)
    if not found:
        raise ValueError(f"Database {database} not found.")
    return found["id"]


def pick_database_credential(
    credentials: Iterable[Any], username: str, database_name: str | int
) -> int:
    filters: dict[str, Any] = {"username": username}
    if isinstance(database_name, int):
        filters["remote_host_id"] = database_name
    else:
        filters["remote_host_name"] = database_name
    found = find_one(credentials, **filters)
    if found is None:
        raise ValueError(f"Credential ID for {username} on {database_name} not found.")
    return found["id"]


def aws_candidates(credentials: Iterable[Any], cred_name: str, owner: str | None) -> list[Any]:
    found = find(credentials, name=cred_name)
    if owner is not None:
        found = find(found, owner=owner)
    if not found:
        owned = "" if owner is None else f" owned by {owner}"
        raise ValueError(f"AWS credential ID for {cred_name}{owned} cannot be found")
    return found


def pick_aws(candidates: list[Any], cred_name: str, owner: str | None, me: str | None) -> int:
    """Among namesakes, prefer those owned by ``me`` (when no owner was asked)."""
    if len(candidates) > 1 and owner is None and me is not None:
        owner = me
        candidates = find(candidates, owner=me) or candidates
    if len(candidates) > 1:
        import logging

        logging.getLogger("specclient.platforms.civis").warning(
            "Found %d AWS credentials with name %s and owner %s. Returning the first.",
            len(candidates),
            cred_name,
            owner,
        )
    return candidates[0]["id"]


def table_query(database_id: int, table: str) -> dict[str, Any]:
    schema, name = split_schema_tablename(table)
    query: dict[str, Any] = {"database_id": database_id, "name": name}
    if schema is not None:
        query["schema"] = schema
    return query


def pick_table(tables: list[Any], table: str, database: str | int) -> int:
    if not tables:
        raise ValueError(f"No tables found for {table} in database {database}")
    return tables[0]["id"]


def first_id(credentials: list[Any]) -> int | None:
    return credentials[0]["id"] if len(credentials) > 0 else None


def me_method(spec: Any) -> str:
    """The operation that answers "who am I": civis-python 2.10 calls it ``users.get_me``;
    specs older than the list/get naming fix have only ``users.list_me``. One rule for the
    sync and the async client."""
    return "get_me" if "get_me" in spec.method_names("users") else "list_me"
