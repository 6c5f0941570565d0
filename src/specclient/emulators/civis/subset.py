"""The part of Civis's published spec that the Civis emulator serves and keeps state for.

Why a subset and not the whole published spec (2.5 MB, 910 operations): every operation the
emulator serves from ``/endpoints`` should work offline, and the emulator keeps state only for
users, credentials, databases, tables, scripts, jobs and their runs. Serving the other ~850
operations would build a client full of methods that can only answer "not emulated", and would
put 2.5 MB into every wheel and every emulator start. The operations kept are copied verbatim
(with every definition they reference), so a client built from this subset has exactly
civis-python's names, signatures and docstrings for them; ``tests/platforms/civis`` proves it
against the spec civis-python bundles.

Regenerate ``specs/civis.yaml`` from a full published spec with::

    python -m specclient.emulators.civis.subset civis-api-spec.json > specs/civis.yaml
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["OPERATIONS", "trim"]

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
    ("get", "/databases/{id}"),  # databases.get
    ("get", "/databases/{id}/schemas"),  # databases.list_schemas
    ("get", "/databases/{id}/schemas/{schema_name}/tables"),  # databases.list_schemas_tables
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
    ("get", "/files/{id}"),  # files.get (a presigned download)
)


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
        trim(full),
        sys.stdout,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )


if __name__ == "__main__":
    _main(sys.argv)
