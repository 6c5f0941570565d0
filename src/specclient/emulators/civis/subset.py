"""The part of Civis's published spec that the Civis emulator serves and keeps state for.

Why a subset and not the whole published spec (2.5 MB, 910 operations): every operation the
emulator serves from ``/endpoints`` should work offline, and the emulator keeps state only for
users, credentials, databases, tables, scripts, jobs and their runs. Serving the other ~850
operations would build a client full of methods that can only answer "not emulated", and would
put 2.5 MB into every wheel and every emulator start. The operations kept are copied verbatim
(with every definition they reference), so a client built from this subset has exactly
civis-python's names, signatures and docstrings for them; ``tests/platforms/civis`` proves it
against the spec civis-python bundles. Then :func:`correct` applies :data:`FIXES`, what the
published document says wrongly about Civis's answers (found by the property runs, issue 17;
listed in the document's ``info.x-fixes`` and in docs/platforms/civis.md).

Regenerate ``specs/civis.yaml`` from a full published spec with::

    python -m specclient.emulators.civis.subset civis-api-spec.json > specs/civis.yaml
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["FIXES", "OPERATIONS", "SOURCE", "correct", "trim"]

# (verb, path) as the published spec spells them; civis-python's name in the comment.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/users/"),  # users.list
    ("get", "/users/me"),  # users.list_me
    ("get", "/users/{id}"),  # users.get
    ("get", "/credentials/types"),  # credentials.list_types
    ("get", "/credentials/"),  # credentials.list
    ("post", "/credentials/"),  # credentials.post
    ("get", "/credentials/{id}"),  # credentials.get
    ("delete", "/credentials/{id}"),  # credentials.delete
    ("get", "/databases/"),  # databases.list
    ("get", "/storage_hosts/"),  # storage_hosts.list
    ("get", "/databases/{id}"),  # databases.get
    ("get", "/databases/{id}/schemas"),  # databases.list_schemas
    ("get", "/databases/{id}/schemas/{schema_name}/tables"),  # databases.list_schemas_tables
    ("get", "/databases/{id}/schemas/{schema_name}/tables/{table_name}"),  # ..._schemas_tables
    ("get", "/tables/"),  # tables.list
    ("get", "/tables/{id}"),  # tables.get
    ("get", "/tables/{id}/columns"),  # tables.list_columns
    ("get", "/scripts/"),  # scripts.list
    ("get", "/scripts/{id}"),  # scripts.get
    ("post", "/scripts/containers"),  # scripts.post_containers
    ("get", "/scripts/containers/{id}"),  # scripts.get_containers
    ("post", "/scripts/containers/{id}/runs"),  # scripts.post_containers_runs
    ("get", "/scripts/containers/{id}/runs"),  # scripts.list_containers_runs
    ("get", "/scripts/containers/{id}/runs/{run_id}"),  # scripts.get_containers_runs
    ("delete", "/scripts/containers/{id}/runs/{run_id}"),  # scripts.delete_containers_runs
    ("get", "/scripts/containers/{id}/runs/{run_id}/outputs"),  # ..._runs_outputs
    ("post", "/scripts/sql"),  # scripts.post_sql
    ("get", "/scripts/sql/{id}"),  # scripts.get_sql
    ("post", "/scripts/sql/{id}/runs"),  # scripts.post_sql_runs
    ("get", "/scripts/sql/{id}/runs"),  # scripts.list_sql_runs
    ("get", "/scripts/sql/{id}/runs/{run_id}"),  # scripts.get_sql_runs
    ("delete", "/scripts/sql/{id}/runs/{run_id}"),  # scripts.delete_sql_runs
    ("get", "/scripts/sql/{id}/runs/{run_id}/outputs"),  # scripts.list_sql_runs_outputs
    ("get", "/jobs/"),  # jobs.list
    ("get", "/jobs/{id}"),  # jobs.get
    ("post", "/jobs/{id}/runs"),  # jobs.post_runs
    ("get", "/jobs/{id}/runs"),  # jobs.list_runs
    ("get", "/jobs/{id}/runs/{run_id}"),  # jobs.get_runs
    ("delete", "/jobs/{id}/runs/{run_id}"),  # jobs.delete_runs
    ("get", "/jobs/{id}/runs/{run_id}/outputs"),  # jobs.list_runs_outputs
    ("get", "/jobs/{id}/runs/{run_id}/logs"),  # jobs.list_runs_logs
    ("post", "/files/"),  # files.post (a presigned upload)
    ("post", "/files/multipart"),  # files.post_multipart (presigned part uploads)
    ("post", "/files/multipart/{id}/complete"),  # files.post_multipart_complete
    ("get", "/files/{id}"),  # files.get (a presigned download)
    ("post", "/files/preprocess/csv"),  # files.post_preprocess_csv
    ("get", "/files/preprocess/csv/{id}"),  # files.get_preprocess_csv
    ("post", "/imports/files/csv"),  # imports.post_files_csv
    ("get", "/imports/files/csv/{id}"),  # imports.get_files_csv
    ("post", "/imports/"),  # imports.post
    ("get", "/imports/{id}"),  # imports.get
    ("post", "/imports/{id}/syncs"),  # imports.post_syncs
    ("post", "/imports/{id}/runs"),  # imports.post_runs
    ("get", "/imports/files/{id}/runs/{run_id}"),  # imports.get_files_runs
    ("post", "/exports/files/csv"),  # exports.post_files_csv
    ("get", "/exports/files/csv/{id}"),  # exports.get_files_csv
    ("post", "/exports/files/csv/{id}/runs"),  # exports.post_files_csv_runs
    ("get", "/exports/files/csv/{id}/runs/{run_id}"),  # exports.get_files_csv_runs
    ("get", "/exports/files/csv/{id}/runs/{run_id}/outputs"),  # ..._csv_runs_outputs
    ("post", "/queries/"),  # queries.post
    ("get", "/queries/{id}"),  # queries.get
)


#: The corrections :func:`correct` makes, in words (``info.x-fixes`` of ``specs/civis.yaml``).
FIXES: tuple[str, ...] = (
    "Every field of a response may be null: Civis sends null for what is unset (its own "
    "examples show it; civis-python reads None), which the published document never says. "
    "Non-array properties of the definitions a response reaches carry `x-nullable: true`.",
    "Timestamps typed `format: time` (`createdAt`, `updatedAt`...) are ISO 8601 date-times "
    "on the wire: authored `format: date-time`.",
    "Paging parameters take what Civis takes: `page_num` from 1 (its description: "
    "the first page is 1), `limit` from 1 up to the maximum its description names.",
    "Required strings of a request body are non-empty (`minLength: 1`): Civis refuses a blank "
    "name, type or SQL as it refuses a missing one.",
    "A request field whose description says to send null for a meaning (`expiresAt`: "
    '"To keep a file indefinitely, specify null") takes null: `x-nullable: true`.',
    "`numParts` of a multipart upload is 1 to 10,000 (one presigned URL per part; S3's "
    "limit on parts): `minimum`/`maximum`.",
    "The published document declares only success statuses. Declared the errors Civis answers "
    "in its error body `{error, errorDescription, code}`: 401 on every operation (a missing or "
    "unknown key), 404 where the path or the body names an object, 400 where the operation takes "
    "parameters or a body.",
)

ERROR = {
    "type": "object",
    "description": "Civis's error body (authored: the published document has none).",
    "required": ["error", "errorDescription", "code"],
    "properties": {
        "error": {"type": "string", "description": "A slug, e.g. `not_found`."},
        "errorDescription": {"type": "string"},
        "code": {"type": "integer", "description": "The HTTP status."},
    },
}
_ERRORS = {
    "400": "The parameters or the body are refused.",
    "401": "The API key is missing or unknown.",
    "404": "No object with this id (or not visible to this user).",
}


def correct(document: Mapping[str, Any]) -> dict[str, Any]:
    """Apply :data:`FIXES` to a (trimmed) Civis document; returns a corrected copy."""
    fixed = json.loads(json.dumps(document))
    definitions = fixed.setdefault("definitions", {})
    reached: set[str] = set()
    for item in fixed["paths"].values():
        for verb, operation in item.items():
            if verb == "parameters":
                continue
            _refs(operation.get("responses", {}), reached)
            declared = operation.setdefault("responses", {})
            params = [*item.get("parameters", []), *operation.get("parameters", [])]
            wanted = ["401"]
            if any(p.get("in") in ("path", "body") for p in params):
                wanted.append("404")
            if params:
                wanted.append("400")
            for status in sorted(wanted):
                declared.setdefault(
                    status,
                    {"description": _ERRORS[status], "schema": {"$ref": "#/definitions/Error"}},
                )
    pending = list(reached)
    while pending:
        more: set[str] = set()
        _refs(definitions[pending.pop()], more)
        pending += sorted(more - reached)
        reached |= more
    for name in reached:
        _nullable(definitions[name])
    for name in _body_definitions(fixed) - reached:
        _non_blank(definitions[name])
        _request_fixes(definitions[name])
    for item in fixed["paths"].values():
        for verb, operation in item.items():
            for param in operation.get("parameters", []) if verb != "parameters" else ():
                _paging(param)
    _date_times(fixed)
    definitions["Error"] = ERROR
    fixed.setdefault("info", {})["x-fixes"] = list(FIXES)
    return fixed


def _nullable(schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    for prop in (schema.get("properties") or {}).values():
        if not isinstance(prop, dict):
            continue
        if prop.get("type") != "array":  # beside a $ref too: Swagger 2.0 tools read it there
            prop["x-nullable"] = True
        _nullable(prop)
        _nullable(prop.get("items"))
    _nullable(schema.get("items"))


def _request_fixes(schema: Any) -> None:
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if isinstance(prop, dict) and "specify null" in (prop.get("description") or ""):
            prop["x-nullable"] = True
        if name == "numParts" and isinstance(prop, dict):
            prop.update(minimum=1, maximum=10_000)


def _body_definitions(document: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for item in document["paths"].values():
        for verb, operation in item.items():
            if verb == "parameters":
                continue
            for param in operation.get("parameters", []):
                if param.get("in") == "body":
                    _refs(param.get("schema"), found)
    pending = list(found)  # and what they refer to: a nested object is part of the body too
    while pending:
        more: set[str] = set()
        _refs(document["definitions"][pending.pop()], more)
        pending += sorted(more - found)
        found |= more
    return found


def _non_blank(schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties") or {}
    for name in schema.get("required") or ():
        prop = properties.get(name)
        if isinstance(prop, dict) and prop.get("type") == "string":
            prop.setdefault("minLength", 1)
    for prop in properties.values():
        _non_blank(prop)


_MAXIMUM = re.compile(r"[Mm]aximum (?:allowed )?(?:is|of) (\d+)")


def _paging(param: dict[str, Any]) -> None:
    if param.get("in") != "query" or param.get("type") != "integer":
        return
    if param["name"] in ("page_num", "limit"):
        param.setdefault("minimum", 1)
    found = _MAXIMUM.search(param.get("description") or "")
    if param["name"] == "limit" and found:
        param.setdefault("maximum", int(found.group(1)))


def _date_times(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            node["format"] = "date-time"
        for value in node.values():
            _date_times(value)
    elif isinstance(node, list):
        for value in node:
            _date_times(value)


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


SOURCE = (
    "Civis's published API spec (what api.civisanalytics.com/endpoints answers), "
    "the operations and definitions copied verbatim"
)


def trim(full: Mapping[str, Any]) -> dict[str, Any]:
    """Keep :data:`OPERATIONS` of a full Civis spec and the definitions they reach.

    Parameters
    ----------
    full : Mapping
        The published Swagger 2.0 document (what ``/endpoints`` answers).

    Returns
    -------
    dict
        A Swagger 2.0 document with the same top-level keys, the kept operations verbatim.

    Raises
    ------
    KeyError
        If the full spec lacks one of :data:`OPERATIONS` (the published spec changed).
    """
    paths: dict[str, dict[str, Any]] = {}
    for verb, path in OPERATIONS:
        item = full["paths"][path]
        kept = paths.setdefault(path, {})
        if "parameters" in item:
            kept["parameters"] = item["parameters"]
        kept[verb] = item[verb]
    definitions = full.get("definitions", {})
    wanted: set[str] = set()
    _refs(paths, wanted)
    pending = list(wanted)
    while pending:  # definitions refer to other definitions
        more: set[str] = set()
        _refs(definitions[pending.pop()], more)
        for name in more - wanted:
            wanted.add(name)
            pending.append(name)
    trimmed = {key: value for key, value in full.items() if key not in ("paths", "definitions")}
    # what every shape rests on (the docs' guesses table reads it; nothing here is a guess)
    trimmed["info"] = {**(trimmed.get("info") or {}), "x-source": SOURCE}
    trimmed["paths"] = paths
    trimmed["definitions"] = {name: definitions[name] for name in sorted(wanted)}
    return trimmed


def _main(argv: list[str]) -> None:
    import yaml

    with open(argv[1], encoding="utf-8") as handle:
        full = json.load(handle)
    sys.stdout.write(
        "# Subset of Civis's published API spec served by the Civis emulator.\n"
        "# Generated by `python -m specclient.emulators.civis.subset`; do not edit.\n"
    )
    yaml.dump(
        correct(trim(full)),
        sys.stdout,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )


if __name__ == "__main__":
    _main(sys.argv)
