"""What the Civis API reads on the wire that its spec cannot say.

Array query parameters: civis-python sends ``foo[]=1&foo[]=2`` (its ``_handle_array_params``:
"For Civis API, an array parameter ``foo`` needs to be passed in as ``foo[]``", the Rails
convention). Swagger 2.0 has no style for that, but the engine needs none: a parameter whose
wire name is ``foo[]`` with ``collectionFormat: multi`` is sent exactly so, and its Python name
stays ``foo`` (the naming rules drop the brackets). :func:`bracket_array_queries` declares
every array query parameter that way in the spec a Civis client is built from, whether fetched
from ``/endpoints`` or given as ``spec=`` / ``local_api_spec=``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping

from specclient.openapi.cache import (
    content_hash,
    file_identity,
    remember_content,
    settled,
    write_atomically,
)

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["bracket_array_queries", "civis_document", "civis_python_values"]

_VERBS = ("get", "put", "post", "delete", "options", "head", "patch")


def _bracketed(parameter: Any) -> Any:
    if (
        isinstance(parameter, Mapping)
        and parameter.get("in") == "query"
        and parameter.get("type") == "array"
        and not str(parameter.get("name", "")).endswith("[]")
    ):
        return {**parameter, "name": f"{parameter['name']}[]", "collectionFormat": "multi"}
    return parameter


def _parameters(holder: Mapping[str, Any]) -> Mapping[str, Any]:
    listed = holder.get("parameters")
    if not isinstance(listed, list):
        return holder
    changed = [_bracketed(p) for p in listed]
    return holder if changed == listed else {**holder, "parameters": changed}


def bracket_array_queries(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a Swagger 2.0 ``document`` whose array query parameters are sent as
    ``name[]=a&name[]=b``; the parts it does not change are shared, not copied."""
    paths = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            paths[path] = item
            continue
        item = _parameters(item)
        paths[path] = {
            verb: _parameters(op) if verb in _VERBS and isinstance(op, Mapping) else op
            for verb, op in item.items()
        }
    shared = document.get("parameters")
    out = {**document, "paths": paths}
    if isinstance(shared, Mapping):
        out["parameters"] = {name: _bracketed(p) for name, p in shared.items()}
    return out


def civis_python_values(value: Any, types: tuple[str, ...]) -> Any:
    """Arguments civis-python sends unchecked, as it sends them (the binder's
    ``value_coercion``): ``"1"`` for an integer parameter is the integer 1, and a ``set`` for
    an array is its items (civis-python's ``_handle_array_params`` takes lists, tuples, sets).

    The query and path text of ``"1"`` and ``1`` are the same bytes, and Rails casts the
    string in a body too, so code passing an ID read from a file or an environment variable
    keeps working; a string that is not an integer (``"1.5"``, ``"abc"``, ``" 1"``) is still
    refused before sending (civis-python would send it).
    """
    if (
        isinstance(value, str)
        and "integer" in types
        and "string" not in types
        and value.isascii()
        and value.lstrip("-").isdigit()
        and value.count("-") <= 1
    ):
        return int(value)
    if isinstance(value, set | frozenset) and "array" in types:
        return list(value)
    return value


def civis_document(source: Any, cache_dir: str | os.PathLike[str]) -> Any:
    """The spec a Civis client is built from: ``source`` with array queries bracketed.

    A dict is declared in memory (a fetched ``/endpoints`` spec is one). A local JSON / YAML
    file is declared once per version of the file (its path and identity: device, inode, size,
    modification and status-change times, see :func:`specclient.openapi.cache.file_identity`)
    and kept as JSON in ``cache_dir``, so later starts read that file and the engine's model
    cache still skips parsing. A file changed in the last seconds is declared in memory only
    (a second write in the same timestamp tick would not change its identity). A URL is left
    to the loader (fetched and checked there). Paths are strings here (``os.path``): pathlib
    and the urllib.parse it imports are not part of a start-up.
    """
    if isinstance(source, Mapping):
        return bracket_array_queries(source)
    if not (isinstance(source, str | os.PathLike) and os.path.isfile(source)):
        return source
    path = os.path.realpath(source)  # what Path.resolve() gives: the key stays the same
    read_at = time.time_ns()
    status = os.stat(path)
    key = content_hash(f"{path}|{file_identity(status)}|1".encode())
    declared = os.path.join(cache_dir, f"local-{key[:20]}.json")
    if os.path.isfile(declared):
        return declared
    with open(path, "rb") as handle:
        document = _parse(handle.read())
    if not isinstance(document, Mapping):
        return source  # the loader reports what is wrong with it
    bracketed = bracket_array_queries(document)
    if not settled(status, read_at):
        return bracketed
    import json  # on first use: a start-up does not load json

    text = json.dumps(bracketed).encode()
    if not write_atomically(declared, text):
        return bracketed  # a read-only cache only costs the next start a parse
    # Written once under its own name and never rewritten in place: the model cache may know
    # it by its identity from now on, so the next start does not even read it.
    with contextlib.suppress(OSError):
        remember_content(declared, os.stat(declared), content_hash(text))
    return declared


def _parse(text: bytes) -> Any:
    if text.lstrip()[:1] == b"{":
        import json  # on first use: a start-up does not load json

        return json.loads(text)
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
