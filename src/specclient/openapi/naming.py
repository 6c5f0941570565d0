"""Python names for a spec's operations and parameters.

Three modes (``load(..., naming="auto" | "path" | "operation_id")``)
--------------------------------------------------------------------
In every mode ``x-resource`` / ``x-method`` on an operation win, each on its own (an operation
may set only one of them; the other comes from the mode's rule).

* ``"path"``: the path rule below (civis-python's).
* ``"operation_id"``: names the spec's authors chose. An operationId with a ``/`` or ``.``
  names both (``issues/create`` -> ``client.issues.create``, ``repos/get-content`` ->
  ``repos.get_content``); otherwise the resource is the operation's first tag (with words
  that every tag of the spec starts with dropped: Twilio's ``Api20100401Call`` -> ``call``)
  and the method the operationId in snake_case, without a leading ``<resource>_``
  (``addPet`` under ``pet`` -> ``add_pet``; Slack's ``chat_postMessage`` under ``chat`` ->
  ``post_message``). Without a tag the resource, and without an operationId the method, come
  from the path rule.
* ``"auto"`` (the default) picks one of those for the whole spec: ``"operation_id"`` when every
  operationId is grouped (``x/y``), or when the path rule would group the operations
  uselessly -- one resource holding more than half of at least 10 operations (Twilio: all
  under ``/2010-04-01/Accounts/{Sid}/...``), or more resources than 80% of the operations
  (Slack: ``/chat.postMessage``) -- and every operation has a tag and an operationId;
  otherwise ``"path"``. Specs that name their operations with ``x-`` keys, Civis's (read with
  :data:`CIVIS_PYTHON`, always ``"path"``) and every spec with path-shaped resources keep the
  path rule's names.

The path rule
-------------
* **Resource** = the first literal (non-``{parameter}``) segment of the path, in snake_case
  with ``-`` -> ``_`` (``/cleanroom-questions/{id}`` -> ``cleanroom_questions``). A path with
  no literal segment at all (``/`` or ``/{id}``) belongs to the resource ``root``.
* **Method** = the verb, then the literal segments after the resource joined by ``_``; where
  two path parameters follow each other, the earlier one's name is added (civis-python's
  rule: ``/jobs/{id}/{run_id}`` -> ``get_id``). A ``get`` whose last segment is not a
  parameter becomes ``list`` (``GET /tables`` -> ``list``, ``GET /tables/{id}`` -> ``get``,
  ``GET /tables/{id}/columns`` -> ``list_columns``). Action-style segments keep their action:
  ``/org/{orgGuid}/dataset:view`` -> ``post_dataset_view``, ``/jobs/{id}:cancel`` ->
  ``post_cancel``.
* **Base-path prefixes.** When *every* path starts with the same segments that look like a
  base path -- ``api``, ``rest``, or a version such as ``v1``, ``v2beta``, ``1.0``,
  ``2010-04-01`` -- those
  segments are skipped for naming, because users expect ``client.users.list()`` rather than
  ``client.v1.list_users()``. Only such base-path-like segments are skipped (a common real
  segment such as ``/pets`` in ``/pets`` + ``/pets/{id}`` is a resource, not a prefix), and
  only while every path keeps a literal segment after them. The wire path is unchanged
  (``Operation.path`` is always the spec's own path).
* **Identifiers**: names are snake_case (``camelCase`` -> ``camel_case``, as civis-python's
  ``camel_to_snake``), characters that cannot appear in an identifier become ``_``, leading
  underscores are dropped (``_id`` -> ``id``: the leading underscore belongs to the client's
  per-call options and helpers), a name starting with a digit gets ``n_`` in front (``2fa`` ->
  ``n_2fa``), and a Python keyword gets ``_`` after it (``from`` -> ``from_``).
* **Duplicate argument names within a method** are resolved in signature order: path, query,
  header, cookie, then body fields. The first keeps its name; a later one that collides (or
  that collides with a name in ``NamingRules.reserved_params``; none by default, since the
  per-call options are spelled with a leading underscore) becomes ``<name>_<location>`` (``id`` in the body next to
  an ``id`` in the path -> ``id_body``), then ``<name>_<location>_2``, ``_3`` ... if needed.
* **Format suffixes** (``.json``, ``.xml``, ``.yaml``, ``.csv``) at the end of a segment name
  nothing: ``/Accounts/{Sid}/Calls.json`` is named as ``/Accounts/{Sid}/Calls``.
* **Two operations with the same ``resource.method``** (real specs do this:
  ``DELETE /rooms/{id}/invites`` and ``DELETE /rooms/{id}/invites/{inviteId}`` both give
  ``delete_invites``) both stay callable; the document is never refused for it. The one with
  an explicit ``x-method``/``x-resource`` name, else the first in document order, keeps the
  name; each other one takes its ``operationId`` in snake_case (``deleteInvite`` ->
  ``delete_invite``) when no operation of the resource has that name, else the name with
  ``_2``, ``_3``... (first free). Each shared name gives one line of the load's single
  :class:`~specclient.errors.SpecWarning` naming the operations and where each went. (With
  ``duplicate_operations="last"``, civis-python's behaviour, the later one simply wins.)

Rules for a particular spec family are data, not code: :class:`NamingRules` holds every knob,
and :data:`CIVIS_PYTHON` reproduces civis-python 2.10's names for the Civis API (excluded
resources, operations skipped because their summary says "deprecated", ``list`` only for
array responses, legacy ``list_*`` aliases). The engine never names a platform.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .._records import FrozenRecord, set_fields

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from typing import Literal

__all__ = [
    "CIVIS_PYTHON",
    "DEFAULT_RULES",
    "NAMING_MODES",
    "NamingRules",
    "camel_to_snake",
    "python_name",
    "split_path",
    "strip_base_path",
]

# Patterns, compiled by ``re`` (and kept in its cache) at first use: a warm start names nothing.
# civis-python's camel_to_snake (civis/_camel_to_snake.py), so names match it exactly.
_UNDERSCORER1 = r"(.)([A-Z][a-z]+)"
_UNDERSCORER2 = r"([a-z0-9])([A-Z])"
_NOT_IDENTIFIER = r"(?a)\W+"
_PLACEHOLDER = r"\{[^{}]*\}"
_BASE_PATH_SEGMENT = r"(?i)^(api|rest|v\d+[a-z0-9]*|\d+(\.\d+)*|\d{4}-\d{2}-\d{2})$"
# A format suffix on a path segment names no resource: /Accounts/{Sid}/Calls.json
_FORMAT_SUFFIX = r"(?i)\.(json|xml|yaml|csv)$"
#: What ``naming=`` accepts as a string (see the module docstring).
NAMING_MODES = ("auto", "path", "operation_id")
#: In "auto" mode, a path rule that puts more than this share of at least
#: ``_DEGENERATE_MIN`` operations into one resource is not used when the spec tags them all.
_DEGENERATE_SHARE = 0.5
_DEGENERATE_MIN = 10
#: ... or that makes more resources than this share of its operations.
_SINGLETONS_SHARE = 0.8


@lru_cache(maxsize=8192)  # a handful of field names recur in every reply: convert each once
def camel_to_snake(word: str) -> str:
    """``camelCase`` / ``PascalCase`` -> ``snake_case``, exactly as civis-python does it.

    The one snake_case rule: parameter names, response attributes and stub attributes all use
    it. A ``-`` (header-style keys such as ``x-rate``) also becomes ``_``, so every key of a
    reply is reachable as an attribute; identifiers never contain one, so names from a spec
    are unaffected.
    """
    word = re.sub(_UNDERSCORER1, r"\1_\2", word)
    return re.sub(_UNDERSCORER2, r"\1_\2", word).lower().replace("-", "_")


@lru_cache(maxsize=8192)
def python_name(raw: str, *, fallback: str = "param") -> str:
    """A valid, non-keyword Python identifier in snake_case for a name from a spec.

    >>> python_name("pageNum"), python_name("from"), python_name("X-Request-Id")
    ('page_num', 'from_', 'x_request_id')
    """
    # Punctuation separates words ("X-Request-Id", "dataset:view"); it is dropped at the ends
    # ("$filter", "tags[]"). Leading underscores are dropped too ("_id" -> "id"): a leading
    # underscore is the spelling of the client's own per-call options and helpers (``_body=``,
    # ``client._request``), which no name from a spec may take.
    parts = [camel_to_snake(part) for part in re.split(_NOT_IDENTIFIER, raw) if part]
    name = "_".join(parts).lstrip("_")
    if not name:
        return fallback
    if name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name):
        name += "_"
    return name


def split_path(path: str) -> list[str]:
    """The segments of a path template, without empty ones (leading/trailing slashes)."""
    return [segment for segment in path.split("/") if segment]


def naming_segments(path: str) -> list[str]:
    """The segments names are made from: a format suffix (``Calls.json``) dropped."""
    return [re.sub(_FORMAT_SUFFIX, "", segment) for segment in split_path(path)]


def operation_id_name(operation_id: str) -> tuple[str | None, str]:
    """``issues/create`` -> ``("issues", "create")``; ``addPet`` -> ``(None, "add_pet")``.

    A ``/`` or ``.`` in an operationId separates the group its author chose from the name.
    """
    text = operation_id.strip()
    for separator in ("/", "."):
        group, found, name = text.rpartition(separator)
        if found and group.strip(separator) and name:
            return python_name(group.split(separator)[0], fallback="root"), python_name(name)
    return None, python_name(text)


def is_grouped_operation_id(operation_id: object) -> bool:
    return isinstance(operation_id, str) and operation_id_name(operation_id)[0] is not None


def tag_resources(tags: Iterable[str]) -> dict[str, str]:
    """Each tag's resource name, with words every tag starts with dropped.

    Generated descriptions prefix every tag alike (Twilio: ``Api20100401Call``,
    ``Api20100401Account``); the shared words name no resource.
    """
    words = {tag: python_name(tag, fallback="root").split("_") for tag in tags}
    if len(words) < 2:
        return {tag: "_".join(w) for tag, w in words.items()}
    common = 0
    lists = list(words.values())
    while all(len(w) > common + 1 for w in lists) and len({w[common] for w in lists}) == 1:
        common += 1
    return {tag: python_name("_".join(w[common:]), fallback="root") for tag, w in words.items()}


def is_degenerate(resources: Sequence[str]) -> bool:
    """Whether the path rule groups a spec's operations uselessly: one resource holding most
    of them (Twilio: everything under ``/Accounts/{Sid}/...``), or nearly every operation a
    resource of its own (Slack: ``/chat.postMessage``, ``/chat.delete``...)."""
    if len(resources) < _DEGENERATE_MIN:
        return False
    counts: dict[str, int] = {}
    for resource in resources:
        counts[resource] = counts.get(resource, 0) + 1
    return max(counts.values()) > _DEGENERATE_SHARE * len(resources) or len(
        counts
    ) > _SINGLETONS_SHARE * len(resources)


@lru_cache(maxsize=4096)
def _is_parameter(segment: str) -> bool:
    """A segment that is only placeholders (``{id}``, ``{a}.{b}``) carries no name."""
    return not re.sub(r"[^0-9A-Za-z]", "", re.sub(_PLACEHOLDER, "", segment))


@lru_cache(maxsize=4096)
def _literal(segment: str) -> str:
    """The literal part of a segment: ``dataset:view`` -> ``dataset:view``, ``{id}:cancel`` -> ``cancel``."""
    return re.sub(_PLACEHOLDER, "", segment).strip(":.-_~")


def strip_base_path(paths: Iterable[str]) -> int:
    """How many leading segments all ``paths`` share that look like a base path (``/api/v1``).

    Stops before a segment that is not base-path-like, differs between paths, or would leave
    some path without a literal segment to name its resource by.
    """
    split = [split_path(p) for p in paths]
    if not split:
        return 0
    depth = 0
    while True:
        heads = {segments[depth] if len(segments) > depth else None for segments in split}
        if len(heads) != 1:
            return depth
        (head,) = heads
        if head is None or not re.match(_BASE_PATH_SEGMENT, head):
            return depth
        rest_ok = all(
            any(not _is_parameter(s) for s in segments[depth + 1 :]) for segments in split
        )
        if not rest_ok:
            return depth
        depth += 1


class NamingRules(FrozenRecord):
    """Every choice the engine makes when naming operations, as data.

    Attributes
    ----------
    name : str
        Shown in messages; not part of any name.
    mode : "auto", "path" or "operation_id"
        Where names come from when ``x-resource`` / ``x-method`` do not say (see the module
        docstring): the path rule, the operationId and tags, or ``"auto"``, which picks one
        of them for the whole spec.
    honour_extensions : bool
        Let ``x-resource`` / ``x-method`` override the path rule.
    strip_base_path : bool
        Skip a base-path prefix common to all paths (see the module docstring).
    excluded_resources : frozenset of str
        Resources whose operations are left out entirely.
    skip_summary_containing : str or None
        Leave out operations whose summary contains this text (case-insensitive).
    list_requires_array_response : bool
        ``get`` on a path ending in a literal segment becomes ``list`` only when the success
        response is an array (or the path is in ``array_response_paths``); otherwise it stays
        ``get``. False (the general rule): every such ``get`` becomes ``list``.
    array_response_paths : frozenset of str
        Paths (without leading/trailing ``/``) known to answer with an array although the
        spec says otherwise.
    legacy_list_alias_paths : frozenset of str
        Paths (without leading/trailing ``/``) whose ``get_*`` method also keeps its old
        ``list_*`` name as a deprecated alias (a second :class:`Operation` with
        ``deprecated=True`` and an ``x-deprecation-warning`` extension).
    legacy_alias_warning : str
        The warning for those aliases; ``{resource}``, ``{alias}`` and ``{method}`` are filled.
    infer_page_pagination : tuple of (str, str) or None
        ``(limit, page)``: a ``get`` with both query parameters (Python names) and no
        ``x-pagination`` pages with style ``page`` starting at 1, and stops at the page count
        of the ``X-Pagination-Total-Pages`` header. The default is Civis's
        ``("limit", "page_num")``, recognised in any spec; None turns inference off.
    reserved_params : tuple of str
        Argument names a spec parameter may not take (renamed like any other duplicate).
        Empty by default: per-call options are ``_return_type=``, ``_body=`` ..., which no
        spec name can become, so a body field called ``body`` is simply ``body``.
    duplicate_operations : "rename" or "last"
        Two operations with the same ``resource.method``: ``"rename"`` keeps both, the later
        one renamed (see the module docstring); ``"last"``: the later one replaces the
        earlier (civis-python's behaviour).
    """

    FIELDS = (
        "name",
        "mode",
        "honour_extensions",
        "strip_base_path",
        "excluded_resources",
        "skip_summary_containing",
        "list_requires_array_response",
        "array_response_paths",
        "legacy_list_alias_paths",
        "legacy_alias_warning",
        "infer_page_pagination",
        "reserved_params",
        "duplicate_operations",
    )
    name: str
    mode: Literal["auto", "path", "operation_id"]
    honour_extensions: bool
    strip_base_path: bool
    excluded_resources: frozenset[str]
    skip_summary_containing: str | None
    list_requires_array_response: bool
    array_response_paths: frozenset[str]
    legacy_list_alias_paths: frozenset[str]
    legacy_alias_warning: str
    infer_page_pagination: tuple[str, str] | None
    reserved_params: tuple[str, ...]
    duplicate_operations: Literal["rename", "last"]

    def __init__(
        self,
        name: str = "default",
        mode: Literal["auto", "path", "operation_id"] = "auto",
        honour_extensions: bool = True,
        strip_base_path: bool = True,
        excluded_resources: frozenset[str] = frozenset(),
        skip_summary_containing: str | None = None,
        list_requires_array_response: bool = False,
        array_response_paths: frozenset[str] = frozenset(),
        legacy_list_alias_paths: frozenset[str] = frozenset(),
        legacy_alias_warning: str = "{resource}.{alias} is deprecated; use {resource}.{method}.",
        infer_page_pagination: tuple[str, str] | None = ("limit", "page_num"),
        reserved_params: tuple[str, ...] = (),
        duplicate_operations: Literal["rename", "last"] = "rename",
    ) -> None:
        set_fields(
            self,
            name,
            mode,
            honour_extensions,
            strip_base_path,
            excluded_resources,
            skip_summary_containing,
            list_requires_array_response,
            array_response_paths,
            legacy_list_alias_paths,
            legacy_alias_warning,
            infer_page_pagination,
            reserved_params,
            duplicate_operations,
        )

    def fingerprint(self) -> str:
        """A stable text form (independent of hash seeds) for the cache key: every field's
        ``repr``, sets sorted (the values are text, numbers, bools, None and tuples of them)."""
        shown = []
        for name in self.FIELDS:
            value = getattr(self, name)
            if isinstance(value, set | frozenset):
                value = sorted(value)
            shown.append(f"{name}={value!r}")
        return ";".join(shown)

    # -- operations ---------------------------------------------------------------------

    def resource_for(self, segments: Sequence[str]) -> str:
        for segment in segments:
            if not _is_parameter(segment):
                return python_name(_literal(segment).replace(":", "_"), fallback="root")
        return "root"

    def method_for(self, verb: str, segments: Sequence[str], *, array_response: bool) -> str:
        """civis-python's ``parse_method_name`` on ``segments`` (resource segment first)."""
        # civis-python drops the first segment (the resource) and looks back only within the
        # rest, so a parameter right after the resource never adds a name.
        start = next((i for i, s in enumerate(segments) if not _is_parameter(s)), len(segments))
        rest = list(segments[start + 1 :])
        name_elems: list[str] = []
        for i, segment in enumerate(rest):
            previous = rest[i - 1] if i > 0 else None
            if not _is_parameter(segment):
                name_elems.append(_literal(segment))
            elif previous is not None and _is_parameter(previous):
                name_elems.append(previous.strip("{|}"))
        # A path that ends at the resource, or in a literal segment, names a collection.
        ends_literal = not rest or not _is_parameter(rest[-1])
        if (
            verb == "get"
            and ends_literal
            and (array_response or not self.list_requires_array_response)
        ):
            verb = "list"
        # Only the whole name must start with a letter, and the verb does: civis-python names
        # DELETE /users/{id}/2fa ``delete_2fa``, not ``delete_n_2fa``.
        parts = [verb] + [
            python_name(e, fallback="").removeprefix("n_" if e[:1].isdigit() else "")
            for e in name_elems
        ]
        return python_name("_".join(p for p in parts if p), fallback=verb)

    def legacy_alias_for(self, verb: str, segments: Sequence[str], method: str) -> str | None:
        """The deprecated ``list_*`` name kept for a path listed in ``legacy_list_alias_paths``."""
        if verb != "get" or not method.startswith("get"):
            return None
        if segments and _is_parameter(segments[-1]):
            return None
        if "/".join(segments) not in self.legacy_list_alias_paths:
            return None
        return "list" + method[len("get") :]

    def skips(self, resource: str, summary: str) -> bool:
        if resource in self.excluded_resources:
            return True
        needle = self.skip_summary_containing
        return needle is not None and needle.lower() in summary.lower()

    # -- parameters ---------------------------------------------------------------------

    def unique_names(self, candidates: Sequence[tuple[str, str]]) -> list[str]:
        """Disambiguate ``(python_name, location)`` pairs in order (see the module docstring)."""
        taken = set(self.reserved_params)
        out: list[str] = []
        for name, location in candidates:
            chosen = name
            if chosen in taken:
                chosen = f"{name}_{location}"
                n = 2
                while chosen in taken:
                    chosen = f"{name}_{location}_{n}"
                    n += 1
            taken.add(chosen)
            out.append(chosen)
        return out


DEFAULT_RULES = NamingRules()

_CIVIS_ARRAY_PATHS = frozenset(
    [
        "credentials/types",
        "databases/{id}/users",
        "jobs/{id}/children",
        "jobs/{id}/parents",
        "notebooks/{id}/git/commits",
        "reports/{id}/git/commits",
        "scripts/javascript/{id}/git/commits",
        "scripts/python3/{id}/git/commits",
        "scripts/r/{id}/git/commits",
        "scripts/sql/{id}/git/commits",
        "scripts/{id}/history",
        "workflows/{id}/git/commits",
    ]
)

_CIVIS_LEGACY_LIST_PATHS = frozenset(
    [
        "aliases/{id}/shares",
        "clusters/kubernetes/instance_configs/{instance_config_id}/historical_graphs",
        "clusters/kubernetes/instance_configs/{instance_config_id}/historical_metrics",
        "credentials/{id}/shares",
        "databases/{id}/advanced-settings",
        "endpoints",
        "enhancements/cass-ncoa/{id}/shares",
        "enhancements/civis-data-match/{id}/shares",
        "enhancements/geocode/{id}/shares",
        "enhancements/identity-resolution/{id}/shares",
        "files/{id}/shares",
        "git_repos/{id}/refs",
        "groups/{id}/child_groups",
        "groups/{id}/shares",
        "imports/{id}/shares",
        "jobs/{id}/shares",
        "json_values/{id}/shares",
        "match_targets/{id}/shares",
        "media/optimizations/{id}/shares",
        "media/ratecards/{id}/shares",
        "media/spot_orders/{id}/shares",
        "models/{id}/schedules",
        "models/{id}/shares",
        "notebooks/{id}/git",
        "notebooks/{id}/shares",
        "notebooks/{id}/update-links",
        "notifications",
        "permission_sets/{id}/resources/{name}/shares",
        "permission_sets/{id}/shares",
        "predictions/{id}/schedules",
        "projects/{id}/shares",
        "remote_hosts/{id}/shares",
        "reports/{id}/git",
        "reports/{id}/shares",
        "reports/services/{id}/shares",
        "reports/sql/{id}/shares",
        "scripts/containers/{id}/shares",
        "scripts/custom/{id}/shares",
        "scripts/dbt/{id}/shares",
        "scripts/javascript/{id}/git",
        "scripts/javascript/{id}/shares",
        "scripts/python3/{id}/git",
        "scripts/python3/{id}/shares",
        "scripts/r/{id}/git",
        "scripts/r/{id}/shares",
        "scripts/sql/{id}/git",
        "scripts/sql/{id}/shares",
        "search",
        "services/{id}/shares",
        "storage_hosts/{id}/shares",
        "templates/reports/{id}/shares",
        "templates/scripts/{id}/shares",
        "usage/llm/organization/{org_id}/summary",
        "users/me",
        "workflows/{id}/git",
        "workflows/{id}/shares",
    ]
)

#: civis-python 2.10's naming (civis/resources/_resources.py) as data: the Civis adapter
#: passes it to :func:`specclient.openapi.load` so the client has civis-python's exact names.
CIVIS_PYTHON = NamingRules(
    name="civis-python",
    mode="path",
    honour_extensions=False,
    strip_base_path=False,
    excluded_resources=frozenset({"feature_flags"}),
    skip_summary_containing="deprecated",
    list_requires_array_response=True,
    array_response_paths=_CIVIS_ARRAY_PATHS,
    legacy_list_alias_paths=_CIVIS_LEGACY_LIST_PATHS,
    legacy_alias_warning=(
        "The method name ``<client>.{resource}.{alias}`` is deprecated and will be removed "
        "at civis-python v3.0.0 (scheduled for February 2027). Please switch to "
        "``<client>.{resource}.{method}`` for the same method."
    ),
    infer_page_pagination=("limit", "page_num"),
    # civis-python has no per-call options in its signatures; Civis's own "body" field
    # (media.post_spot_orders) must keep its name for parity.
    reserved_params=("iterator",),
    duplicate_operations="last",
)
