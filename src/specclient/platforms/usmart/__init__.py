"""uSmart (UrbanTide): actions, signed uploads, output pipelines, DCAT and the URQL data API.

``connect("usmart")`` reads the key pair (``api-key-id`` / ``api-key-secret`` headers) and the
organisation GUID, specialises the bundled spec to that organisation (so no call takes the GUID)
and points each part of the service at its host:

======================  ================================  =====================================
part                    real service                      derived from ``base_url=B``
======================  ================================  =====================================
actions, downloads      ``https://data.usmart.io``        ``B``
URQL data API           ``https://api.usmart.io``         ``B/api``
DCAT catalogue          ``https://discovery.usmart.io``   ``B/discovery``
signed uploads          whatever URL the service returns  (the emulator returns ``B/storage/...``)
======================  ================================  =====================================

``api_url=`` and ``discovery_url=`` override the derived hosts (UrbanTide has been moving them).
Workflows: ``client.files.upload``, ``client.files.update_revision``,
``client.pipelines.create/process/refresh_all``, ``client.catalog.datasets`` and
``client.data.query`` (see :mod:`specclient.platforms.usmart.workflows`).
"""

from __future__ import annotations

import copy
import re
import tempfile
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from specclient.auth import Secret
from specclient.client import AsyncClient, Client
from specclient.errors import ParameterError
from specclient.openapi import bundled_spec

from .._platform import Connection, Credential, Platform, Setting, auth_from_spec
from .._progress import demo_progress
from .futures import PipelineOutcome, PipelineRefreshError, RefreshFuture
from .workflows import (
    AsyncUsmartCatalog,
    AsyncUsmartData,
    AsyncUsmartDatasets,
    AsyncUsmartFiles,
    AsyncUsmartPipelines,
    AsyncUsmartResource,
    UsmartCatalog,
    UsmartData,
    UsmartDatasets,
    UsmartFiles,
    UsmartPipelines,
    UsmartResource,
    dataset_guid_of,
    iter_json_array,
)

__all__ = [
    "PLATFORM",
    "Hosts",
    "REAL_HOSTS",
    "UsmartKeys",
    "UsmartClient",
    "AsyncUsmartClient",
    "PipelineOutcome",
    "PipelineRefreshError",
    "RefreshFuture",
    "connect",
    "connect_async",
    "command_spec",
    "hosts_for",
    "parse_org_guid",
    "dataset_guid_of",
    "iter_json_array",
    "demo",
]

ENV_KEY_ID = "USMART_API_KEY_ID"
ENV_KEY_SECRET = "USMART_API_KEY_SECRET"
ENV_ORG = "USMART_ORG_GUID"

_GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
_ORG_IN_URL = re.compile(r"/org/([^/?#]+)")
_REAL_DATA_HOST = "data.usmart.io"

RESOURCE_CLASSES: dict[str, type] = {
    "datasets": UsmartDatasets,
    "files": UsmartFiles,
    "pipelines": UsmartPipelines,
    "catalog": UsmartCatalog,
    "data": UsmartData,
    "uploads": UsmartResource,
    "documents": UsmartResource,
}


# The same workflows, awaitable: each pair of classes shares one mixin of flows.
ASYNC_RESOURCE_CLASSES: dict[str, type] = {
    "datasets": AsyncUsmartDatasets,
    "files": AsyncUsmartFiles,
    "pipelines": AsyncUsmartPipelines,
    "catalog": AsyncUsmartCatalog,
    "data": AsyncUsmartData,
    "uploads": AsyncUsmartResource,
    "documents": AsyncUsmartResource,
}


@dataclass(frozen=True)
class Hosts:
    """Where each part of uSmart lives."""

    data: str
    api: str
    discovery: str


REAL_HOSTS = Hosts(
    data="https://data.usmart.io",
    api="https://api.usmart.io",
    discovery="https://discovery.usmart.io",
)


def hosts_for(
    base_url: str | None, *, api_url: str | None = None, discovery_url: str | None = None
) -> Hosts:
    """The hosts for a ``base_url``: the real ones, or paths under one origin (the emulator)."""
    if base_url is None or urlsplit(base_url).hostname == _REAL_DATA_HOST:
        hosts = (
            REAL_HOSTS
            if base_url is None
            else Hosts(base_url.rstrip("/"), REAL_HOSTS.api, REAL_HOSTS.discovery)
        )
    else:
        root = base_url.rstrip("/")
        hosts = Hosts(data=root, api=f"{root}/api", discovery=f"{root}/discovery")
    return Hosts(
        data=hosts.data,
        api=(api_url or hosts.api).rstrip("/"),
        discovery=(discovery_url or hosts.discovery).rstrip("/"),
    )


def parse_org_guid(value: Any) -> str:
    """The organisation GUID from a GUID or a URL holding ``/org/<guid>/`` (e.g. the DCAT)."""
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(
            'connect("usmart")', "org_guid must be a GUID or a DCAT URL", "org_guid"
        )
    text = value.strip()
    if "/" in text:
        found = _ORG_IN_URL.search(urlsplit(text).path)
        if not found:
            raise ParameterError(
                'connect("usmart")', f"cannot find /org/<guid>/ in the URL {text!r}", "org_guid"
            )
        text = found.group(1)
    if not _GUID.match(text):
        raise ParameterError(
            'connect("usmart")',
            f"org_guid {text!r} is not a GUID (8-4-4-4-12 hex digits)",
            "org_guid",
        )
    return text.lower()


class UsmartKeys(httpx.Auth):
    """uSmart's key pair as the two headers every action takes; the secret never shows."""

    def __init__(self, key_id: str, key_secret: str) -> None:
        if not key_id or not key_secret:
            raise ParameterError("UsmartKeys", "both the key id and the key secret are needed")
        self.key_id = str(key_id)
        self._secret = Secret(str(key_secret))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["api-key-id"] = self.key_id
        request.headers["api-key-secret"] = self._secret.reveal()
        yield request

    def __repr__(self) -> str:
        return f"UsmartKeys(key_id={self.key_id!r}, key_secret='***')"


class _Organisation:
    """The organisation and hosts ``connect("usmart")`` settled, from the client's options
    (values the client holds, the same on both clients)."""

    org_guid: str
    hosts: Hosts

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings: Mapping[str, Any] = self.settings  # type: ignore[attr-defined]
        self.org_guid = str(settings.get("org_guid") or "")
        self.hosts = settings.get("hosts") or REAL_HOSTS


class UsmartClient(_Organisation, Client):
    """A :class:`~specclient.Client` that knows its organisation and hosts."""


class AsyncUsmartClient(_Organisation, AsyncClient):
    """The async twin: the spec's calls and the same workflows, awaitable."""


@cache
def _bundled_document() -> dict[str, Any]:
    import yaml

    with bundled_spec("usmart").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def servers_for(hosts: Hosts) -> dict[str, str]:
    """``servers=`` for the client: each of the spec's real hosts -> the configured one."""
    return {
        REAL_HOSTS.data: hosts.data,
        REAL_HOSTS.api: hosts.api,
        REAL_HOSTS.discovery: hosts.discovery,
    }


def specialise(
    document: Mapping[str, Any], org_guid: str, *, org_segment: str | None = None
) -> dict[str, Any]:
    """The spec for one organisation: ``{orgGuid}`` becomes the organisation's GUID in every
    path, so no call takes it. (The hosts are not rewritten here: ``connect()`` maps the spec's
    servers with ``servers=``, see :func:`servers_for`.)
    """
    doc = copy.deepcopy(dict(document))
    paths = {}
    for template, item in (doc.get("paths") or {}).items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            operation["parameters"] = [
                p
                for p in operation.get("parameters", [])
                if p != {"$ref": "#/components/parameters/orgGuid"}
                and not (isinstance(p, dict) and p.get("name") == "orgGuid")
            ]
        segment = org_segment if org_segment is not None else quote(org_guid, safe="")
        paths[template.replace("{orgGuid}", segment)] = item
    doc["paths"] = paths
    return doc


def command_spec() -> Any:
    """The spec the ``specclient usmart ...`` commands are built from.

    ``connect()`` fills the organisation GUID, so no command asks for it; paths read
    ``/org/<org>/...`` in the commands' help.
    """
    from specclient.openapi import load

    return load(specialise(_bundled_document(), "<org>", org_segment="<org>"))


def _specialised(spec: Any, org_guid: str) -> Any:
    """The spec for this organisation: the bundled one, or ``spec=`` as a mapping or a local
    file (a URL or a loaded Spec is used as it is)."""
    if spec is None:
        return specialise(_bundled_document(), org_guid)
    if isinstance(spec, Mapping):
        return specialise(spec, org_guid)
    if isinstance(spec, str | Path) and not str(spec).startswith(("http://", "https://")):
        import yaml

        document = yaml.safe_load(Path(spec).read_text(encoding="utf-8"))
        return specialise(document, org_guid)
    return spec


def _prepare(conn: Connection) -> None:
    """The organisation (a GUID or a DCAT URL holding one) and the hosts decide the spec."""
    org_guid = parse_org_guid(conn.require("org_guid"))
    settings = conn.settings
    hosts = hosts_for(
        conn.options.get("base_url"),
        api_url=settings["api_url"],
        discovery_url=settings["discovery_url"],
    )
    settings.update(org_guid=org_guid, hosts=hosts)
    conn.options["base_url"] = conn.options.get("base_url") or hosts.data
    # the spec's own hosts, mapped; a servers= the caller gave wins
    conn.options["servers"] = {**servers_for(hosts), **(conn.options.get("servers") or {})}
    conn.options["spec"] = _specialised(conn.options.get("spec"), org_guid)


def _auth(conn: Connection) -> Any:
    return None if conn.settings["anonymous"] else auth_from_spec(conn)


def demo(client: UsmartClient, echo: Callable[[str], None]) -> None:
    """Catalogue → upload a CSV → its next revision → refresh the pipelines → read the data."""
    catalogue = client.catalog.datasets(private=True)
    echo(
        f"catalogue: {len(catalogue)} datasets "
        f"({(catalogue['accessLevel'] == 'public').sum()} public)"
    )
    dataset = catalogue.iloc[0]
    echo(f"dataset {dataset['guid']}: {dataset['title']}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "counts_update.csv"
        path.write_text(
            "site,date,count\nRiver Walk,2026-07-01,123\nRiver Walk,2026-07-02,98\n",
            encoding="utf-8",
        )
        created = client.files.upload(dataset["guid"], path, progress=False)
        echo(
            f"uploaded {created['file_name']} ({created['file_size']} bytes) as file "
            f"{created['file_guid']} revision {created['revision']}"
        )
        # the corrected file a data owner sends again: same name, next revision
        revised = client.files.update_revision(created["file_guid"], path, progress=False)
        echo(f"updated {revised['file_name']} to revision {revised['revision']}")
    # wait=True: the refresh future's result(timeout), its state changes shown on a terminal
    refresh = client.pipelines.refresh_all
    for outcome in refresh(dataset["guid"], wait=True, timeout=30, progress=demo_progress(echo)):
        echo(f"pipeline {outcome.pipeline_id}: {outcome.state}")
    view = client.datasets.get(dataset["guid"])
    api = next(c for c in view["resource_containers"] if c["pipeline_id"] == "data-api")
    frame = client.data.query(api["resource_container_guid"], where={"site": "River Walk"})
    echo(f"URQL site=River Walk: {len(frame)} records, counts {sorted(frame['count'])}")


PLATFORM = Platform(
    name="usmart",
    spec="usmart",
    credentials_file_env="USMART_CREDENTIALS_FILE",
    credentials=(
        Credential("api_key_id", env=(ENV_KEY_ID,), secret=False, scheme=("apiKeyId", "value")),
        Credential("api_key_secret", env=(ENV_KEY_SECRET,), scheme=("apiKeySecret", "value")),
        Credential("org_guid", env=(ENV_ORG,), secret=False),
    ),
    settings=(Setting("api_url"), Setting("discovery_url"), Setting("anonymous", False)),
    prepare=_prepare,
    auth=_auth,
    client=UsmartClient,
    async_client=AsyncUsmartClient,
    resources=RESOURCE_CLASSES,
    async_resources=ASYNC_RESOURCE_CLASSES,
    command_spec=command_spec,
    emulator="specclient.emulators.usmart",
    demo=demo,
)

connect, connect_async = PLATFORM.connect, PLATFORM.connect_async
