"""State model of the uSmart emulator: datasets, files with revisions, signed uploads,
resource containers (output pipelines) with revisions, and the DCAT catalogue built from them.

Plain Python with no HTTP: :mod:`specclient.emulators.usmart` maps routes onto these methods.
Every action raises :class:`ActionError` (status, code, message) for bad input *before* it
changes anything, so a refused call never leaves half a change behind.

What the real service does not document (see ``docs/platforms/usmart.md``) is chosen here and
kept configurable: the ``dataset:view`` layout, the responses of the write actions, the
pipeline list, signed-URL lifetime, processing delay, error bodies.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import mimetypes
import random
import shutil
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from specclient._clock import Clock
from specclient.emulators.core import EmuError

PROVIDER = "provider"
VIEWER = "viewer"
VIEWER_ACTIONS = frozenset({"dataset:view"})

# Pipeline ids are elided in UrbanTide's published page; these stand in for them and can be
# replaced with ``build(pipelines=...)``. The real-time Data API is listed but refused, as
# UrbanTide says the actions do not support it.
DEFAULT_PIPELINES: dict[str, dict[str, Any]] = {
    "data-api": {"title": "API", "kind": "api", "supported": True},
    "download-csv": {"title": "CSV download", "kind": "download", "supported": True},
    "download-json": {"title": "JSON download", "kind": "download", "supported": True},
    "realtime-data-api": {"title": "Real-time Data API", "kind": "api", "supported": False},
}

DATA_MEDIA_TYPES = {"text/csv", "application/json"}


class ActionError(EmuError):
    """An action was refused; becomes ``status`` with ``{"error": code, "message": ...}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message, code=code)
        self.code = code

    def body(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class StorageError(Exception):
    """A signed PUT was refused; becomes an S3-style XML error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")

    def xml(self, resource: str, request_id: str) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message>"
            f"<Resource>{resource}</Resource><RequestId>{request_id}</RequestId></Error>"
        )


@dataclass
class Blob:
    """Bytes held on disk."""

    path: Path
    size: int
    sha256: str


@dataclass
class Upload:
    """One ``s3:generatePutRequest``: a reference, its signed URL's terms, and what arrived."""

    reference: str
    file_name: str
    content_type: str
    issued_at: float
    expires_in: int
    blob: Blob | None = None
    used_by: str | None = None  # the file GUID that registered it; a reference is single-use
    puts: int = 0


@dataclass
class FileRevision:
    number: int
    reference: str
    blob: Blob
    created_at: float


@dataclass
class DataFile:
    guid: str
    file_name: str
    media_type: str
    revisions: list[FileRevision] = field(default_factory=list)

    @property
    def latest(self) -> FileRevision:
        return self.revisions[-1]


@dataclass
class ResourceContainer:
    guid: str
    pipeline_id: str
    revision: int = 0  # the newest processed revision; URQL "latest" reads this one
    state: str = "created"  # created | processing | processed | failed
    processed_at: float | None = None
    pending_until: float | None = None
    failure: str | None = None
    process_count: int = 0
    snapshots: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Dataset:
    guid: str
    title: str
    description: str
    access_level: str = "public"  # public | private
    status: str = "Published"
    keywords: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    periodicity: str | None = "Irregular"
    created_at: float = 0.0
    modified_at: float = 0.0
    files: list[DataFile] = field(default_factory=list)
    containers: list[ResourceContainer] = field(default_factory=list)


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def content_type_for(file_name: str) -> str:
    """The content type the signed URL requires, from the file-name extension."""
    if file_name.lower().endswith(".geojson"):
        return "application/geo+json"
    guessed, _ = mimetypes.guess_type(file_name)
    return guessed or "application/octet-stream"


class UsmartState:
    """Everything one emulated organisation holds.

    Parameters
    ----------
    seed:
        Makes GUIDs and demo data repeatable.
    clock:
        The emulator's clock: signed-URL expiry and pipeline processing read it.
    keys:
        ``{api_key_id: (api_key_secret, role)}``.
    pipelines:
        ``{pipeline_id: {"title", "kind", "supported"}}``.
    signed_url_ttl:
        Seconds a signed upload URL stays valid.
    process_delay:
        Seconds (on ``clock``) between ``resourceContainer:process`` and the new revision.
    max_upload_bytes:
        Largest PUT accepted (S3's single-PUT limit is 5 GB).
    """

    def __init__(
        self,
        *,
        seed: int,
        clock: Clock,
        org_guid: str,
        keys: dict[str, tuple[str, str]],
        pipelines: dict[str, dict[str, Any]] | None = None,
        signed_url_ttl: int = 900,
        process_delay: float = 2.0,
        max_upload_bytes: int = 5 * 1024**3,
        root: Path | None = None,
        demo_data: bool = True,
    ) -> None:
        self._rng = random.Random(seed)
        self.clock = clock
        self.org_guid = org_guid
        self.org_slug = "demo-council"
        self.org_title = "Demo Council"
        self.keys = dict(keys)
        self.pipelines = dict(DEFAULT_PIPELINES if pipelines is None else pipelines)
        self.signed_url_ttl = signed_url_ttl
        self.process_delay = process_delay
        self.max_upload_bytes = max_upload_bytes
        self._signing_key = hashlib.sha256(f"usmart-emulator-{seed}".encode()).digest()
        self.root = root or Path(tempfile.mkdtemp(prefix="usmart-emulator-"))
        if root is None:
            weakref.finalize(self, shutil.rmtree, str(self.root), True)
        (self.root / "blobs").mkdir(parents=True, exist_ok=True)
        self.datasets: dict[str, Dataset] = {}
        self.uploads: dict[str, Upload] = {}
        self.fail_next_process: set[str] = set()  # container GUIDs whose next process fails
        self.action_log: list[tuple[str, dict[str, Any]]] = []
        # Header names (lower case) of every PUT that reached storage: tests check that no
        # uSmart key ever travels to the storage host.
        self.storage_requests: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        if demo_data:
            self._seed_demo()

    # -- identity -----------------------------------------------------------------------

    def new_guid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def role_of(self, key_id: str | None, key_secret: str | None) -> str | None:
        """The role of a key pair, or None when the pair is unknown or the secret wrong."""
        if not key_id or key_secret is None or key_id not in self.keys:
            return None
        secret, role = self.keys[key_id]
        return role if hmac.compare_digest(secret, key_secret) else None

    # -- lookups ------------------------------------------------------------------------

    def dataset(self, guid: Any) -> Dataset:
        self._tick()
        if not isinstance(guid, str) or guid not in self.datasets:
            raise ActionError(404, "NotFound", f"no dataset with datasetGUID {guid!r}")
        return self.datasets[guid]

    def find_file(self, guid: Any) -> tuple[Dataset, DataFile]:
        for ds in self.datasets.values():
            for f in ds.files:
                if f.guid == guid:
                    return ds, f
        raise ActionError(404, "NotFound", f"no file with fileGUID {guid!r}")

    def find_container(self, guid: Any) -> tuple[Dataset, ResourceContainer]:
        self._tick()
        for ds in self.datasets.values():
            for c in ds.containers:
                if c.guid == guid:
                    return ds, c
        raise ActionError(404, "NotFound", f"no resource container with GUID {guid!r}")

    # -- actions ------------------------------------------------------------------------

    def dataset_view(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"result": self._dataset_json(self.dataset(body.get("datasetGUID")))}

    def generate_put_request(self, body: dict[str, Any], storage_base: str) -> dict[str, Any]:
        name = _file_name(body)
        with self._lock:
            reference = f"uploads/{self.new_guid()}"
            upload = Upload(
                reference=reference,
                file_name=name,
                content_type=content_type_for(name),
                issued_at=self.clock.time(),
                expires_in=self.signed_url_ttl,
            )
            self.uploads[reference] = upload
        return {
            "result": {
                "signedRequest": self.signed_url(upload, storage_base),
                "contentType": upload.content_type,
                "reference": reference,
            }
        }

    def file_create(self, body: dict[str, Any]) -> dict[str, Any]:
        ds = self.dataset(body.get("datasetGUID"))
        with self._lock:
            upload, name, size = self._claimable_upload(body)
            data_file = DataFile(
                guid=self.new_guid(), file_name=name, media_type=upload.content_type
            )
            self._add_revision(ds, data_file, upload)
            ds.files.append(data_file)
        return {"result": self._file_json(data_file, ds)}

    def file_update_revision(self, body: dict[str, Any]) -> dict[str, Any]:
        ds, data_file = self.find_file(body.get("fileGUID"))
        with self._lock:
            upload, name, size = self._claimable_upload(body)
            data_file.file_name = name
            data_file.media_type = upload.content_type
            self._add_revision(ds, data_file, upload)
        return {"result": self._file_json(data_file, ds)}

    def container_create(self, body: dict[str, Any]) -> dict[str, Any]:
        ds = self.dataset(body.get("datasetGUID"))
        pipeline_id = _require_str(body, "pipelineId")
        pipeline = self.pipelines.get(pipeline_id)
        if pipeline is None:
            known = ", ".join(sorted(self.pipelines))
            raise ActionError(
                400, "BadRequest", f"unknown pipelineId {pipeline_id!r}; known: {known}"
            )
        if not pipeline.get("supported", True):
            raise ActionError(
                400, "Unsupported", f"pipeline {pipeline_id!r} cannot be created through actions"
            )
        with self._lock:
            container = ResourceContainer(guid=self.new_guid(), pipeline_id=pipeline_id)
            ds.containers.append(container)
            ds.modified_at = self.clock.time()
        return {"result": self._container_json(container)}

    def container_process(self, body: dict[str, Any]) -> dict[str, Any]:
        ds, container = self.find_container(body.get("resourceContainerGUID"))
        with self._lock:
            if container.guid in self.fail_next_process:
                self.fail_next_process.discard(container.guid)
                container.state = "failed"
                container.failure = "pipeline worker crashed"
                raise ActionError(
                    500, "ProcessingFailed", f"resource container {container.guid} failed to start"
                )
            container.process_count += 1
            container.state = "processing"
            container.failure = None
            container.pending_until = self.clock.time() + self.process_delay
            self._tick()
        return {"result": self._container_json(container)}

    # -- storage (the fake S3) ------------------------------------------------------------

    def signed_url(self, upload: Upload, storage_base: str) -> str:
        amz_date = datetime.fromtimestamp(upload.issued_at, UTC).strftime("%Y%m%dT%H%M%SZ")
        query = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": str(upload.expires_in),
            "X-Amz-SignedHeaders": "content-type;host",
            "X-Amz-Signature": self._sign(
                upload.reference, upload.content_type, amz_date, upload.expires_in
            ),
        }
        return f"{storage_base.rstrip('/')}/{upload.reference}?{urlencode(query)}"

    def check_put(
        self,
        reference: str,
        query: dict[str, str],
        content_type: str | None,
        content_length: int | None,
    ) -> Upload:
        """Refuse a PUT as S3 would, before a byte is stored."""
        upload = self.uploads.get(reference)
        try:
            amz_date = query["X-Amz-Date"]
            expires = int(query["X-Amz-Expires"])
            signature = query["X-Amz-Signature"]
        except (KeyError, ValueError):
            raise StorageError(
                403, "AccessDenied", "Query-string authentication requires the X-Amz- parameters"
            ) from None
        if upload is None:
            raise StorageError(
                403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
            )
        expected = self._sign(reference, content_type or "", amz_date, expires)
        if not hmac.compare_digest(expected, signature):
            raise StorageError(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the "
                "signature you provided. Check your key and signing method.",
            )
        if self.clock.time() > upload.issued_at + expires:
            raise StorageError(403, "AccessDenied", "Request has expired")
        if content_length is None:
            raise StorageError(
                411, "MissingContentLength", "You must provide the Content-Length HTTP header."
            )
        if content_length > self.max_upload_bytes:
            raise StorageError(
                400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
            )
        return upload

    def store_put(
        self, upload: Upload, partial: Path, size: int, sha256: str, expected_length: int
    ) -> Blob:
        """Keep a streamed PUT body (already on disk at ``partial``); a short body keeps nothing.

        A retried PUT replaces the object, as on S3.
        """
        if size != expected_length:
            raise StorageError(
                400,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the "
                "Content-Length HTTP header",
            )
        final = self.root / "blobs" / hashlib.sha256(upload.reference.encode()).hexdigest()
        partial.replace(final)
        blob = Blob(path=final, size=size, sha256=sha256)
        upload.blob = blob
        upload.puts += 1
        return blob

    def _sign(self, reference: str, content_type: str, amz_date: str, expires: int) -> str:
        message = f"PUT\n/{reference}\n{content_type}\n{amz_date}\n{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()

    # -- data ---------------------------------------------------------------------------

    def rows(self, resource_guid: str, revision: str) -> list[dict[str, Any]]:
        """Rows of a processed container revision (``latest`` = the newest processed)."""
        _, container = self.find_container(resource_guid)
        if revision == "latest":
            number = container.revision
        else:
            try:
                number = int(revision)
            except ValueError:
                raise ActionError(
                    400, "BadRequest", f"revision must be an integer or 'latest', got {revision!r}"
                ) from None
        if number not in container.snapshots:
            raise ActionError(
                404, "NotFound", f"resource {resource_guid} has no processed revision {revision}"
            )
        return container.snapshots[number]

    def file_blob(self, file_guid: str) -> tuple[DataFile, Blob]:
        _, data_file = self.find_file(file_guid)
        return data_file, data_file.latest.blob

    def is_public_resource(self, guid: str) -> bool:
        for ds in self.datasets.values():
            if any(c.guid == guid for c in ds.containers) or any(f.guid == guid for f in ds.files):
                return ds.access_level == "public"
        return False

    # -- DCAT ---------------------------------------------------------------------------

    def dcat(
        self, *, private: bool, catalogue_url: str, data_base: str, api_base: str
    ) -> dict[str, Any]:
        """The Project Open Data v1.1 catalogue, generated from state."""
        self._tick()
        entries = [
            self._dcat_dataset(ds, data_base, api_base)
            for ds in self.datasets.values()
            if private or ds.access_level == "public"
        ]
        return {
            "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
            "@id": catalogue_url,
            "@type": "dcat:Catalog",
            "title": f"{self.org_title} data catalogue",
            "description": f"Datasets published by {self.org_title} on uSmart",
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
            "dataset": entries,
        }

    # -- internals ----------------------------------------------------------------------

    def _tick(self) -> None:
        """Finish processing whose delay has passed on the clock."""
        now = self.clock.time()
        with self._lock:
            for ds in self.datasets.values():
                for c in ds.containers:
                    if (
                        c.state == "processing"
                        and c.pending_until is not None
                        and now >= c.pending_until
                    ):
                        self._finish_processing(ds, c, now)

    def _finish_processing(self, ds: Dataset, container: ResourceContainer, now: float) -> None:
        try:
            rows = self._rows_of(ds)
        except ValueError as exc:
            container.state, container.failure = "failed", str(exc)
            container.pending_until = None
            return
        container.revision += 1
        container.snapshots[container.revision] = rows
        container.state, container.pending_until = "processed", None
        container.processed_at = now

    def _rows_of(self, ds: Dataset) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for data_file in ds.files:
            if data_file.media_type not in DATA_MEDIA_TYPES:
                continue
            path = data_file.latest.blob.path
            if data_file.media_type == "text/csv":
                with path.open(newline="", encoding="utf-8-sig") as handle:
                    rows.extend(
                        {k: _typed(v) for k, v in r.items()} for r in csv.DictReader(handle)
                    )
            else:
                with path.open(encoding="utf-8") as handle:
                    loaded = json.load(handle)
                if isinstance(loaded, dict):
                    loaded = [loaded]
                if not all(isinstance(r, dict) for r in loaded):
                    raise ValueError(f"{data_file.file_name}: JSON must hold records")
                rows.extend(loaded)
        for number, row in enumerate(rows):
            digest = hashlib.sha1(f"{ds.guid}:{number}".encode()).digest()
            row["usmart_id"] = _es_id(digest)
        return rows

    def _claimable_upload(self, body: dict[str, Any]) -> tuple[Upload, str, int]:
        reference = _require_str(body, "reference")
        name = _file_name(body)
        size = body.get("fileSize")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ActionError(400, "BadRequest", "fileSize must be a whole number of bytes")
        upload = self.uploads.get(reference)
        if upload is None:
            raise ActionError(404, "NotFound", f"no upload with reference {reference!r}")
        if upload.used_by is not None:
            raise ActionError(
                409,
                "Conflict",
                f"reference {reference!r} was already registered as file {upload.used_by}",
            )
        if upload.blob is None:
            raise ActionError(
                400, "BadRequest", f"nothing was uploaded to the signed URL of {reference!r}"
            )
        if upload.blob.size != size:
            raise ActionError(
                400,
                "BadRequest",
                f"fileSize {size} does not match the {upload.blob.size} bytes uploaded",
            )
        if name != upload.file_name:
            raise ActionError(
                400,
                "BadRequest",
                f"fileName {name!r} differs from the signed upload's {upload.file_name!r}",
            )
        return upload, name, size

    def _add_revision(self, ds: Dataset, data_file: DataFile, upload: Upload) -> None:
        assert upload.blob is not None
        now = self.clock.time()
        data_file.revisions.append(
            FileRevision(
                number=len(data_file.revisions) + 1,
                reference=upload.reference,
                blob=upload.blob,
                created_at=now,
            )
        )
        upload.used_by = data_file.guid
        ds.modified_at = now

    def _file_json(self, data_file: DataFile, ds: Dataset) -> dict[str, Any]:
        latest = data_file.latest
        return {
            "fileGUID": data_file.guid,
            "datasetGUID": ds.guid,
            "fileName": data_file.file_name,
            "fileSize": latest.blob.size,
            "mediaType": data_file.media_type,
            "revision": latest.number,
            "reference": latest.reference,
            "updatedAt": _iso(latest.created_at),
        }

    def _container_json(self, c: ResourceContainer) -> dict[str, Any]:
        return {
            "resourceContainerGUID": c.guid,
            "pipelineId": c.pipeline_id,
            "title": self.pipelines.get(c.pipeline_id, {}).get("title", c.pipeline_id),
            "revision": c.revision,
            "state": c.state,
            "failureReason": c.failure,
            "processedAt": _iso(c.processed_at),
        }

    def _dataset_json(self, ds: Dataset) -> dict[str, Any]:
        return {
            "datasetGUID": ds.guid,
            "organisationGUID": self.org_guid,
            "title": ds.title,
            "description": ds.description,
            "accessLevel": ds.access_level,
            "status": ds.status,
            "keyword": list(ds.keywords),
            "theme": list(ds.theme),
            "createdAt": _iso(ds.created_at),
            "modified": _iso(ds.modified_at),
            "files": [self._file_json(f, ds) for f in ds.files],
            "resourceContainers": [self._container_json(c) for c in ds.containers],
        }

    def _dcat_dataset(self, ds: Dataset, data_base: str, api_base: str) -> dict[str, Any]:
        org = f"{data_base}/org/{self.org_guid}"
        distributions = []
        for c in ds.containers:
            if self.pipelines.get(c.pipeline_id, {}).get("kind") == "api" and c.revision:
                distributions.append(
                    {
                        "@type": "dcat:Distribution",
                        "accessURL": f"{api_base}/org/{self.org_guid}/{c.guid}/{c.revision}/urql",
                        "mediaType": "application/json",
                        "title": "API",
                    }
                )
        for f in ds.files:
            distributions.append(
                {
                    "@type": "dcat:Distribution",
                    "accessURL": f"{org}/resource?resourceGUID={f.guid}",
                    "mediaType": f.media_type,
                    "title": f.file_name,
                }
            )
        created, modified = _iso(ds.created_at), _iso(ds.modified_at)
        return {
            "@type": "dcat:Dataset",
            "accessLevel": ds.access_level,
            "title": ds.title,
            "description": ds.description,
            "notes": "",
            "lineage": "",
            "language": "en",
            "identifier": f"{org}/dataset:viewDiscovery?datasetGUID={ds.guid}",
            "landingPage": f"https://usmart.io/org/{self.org_slug}/discovery/"
            f"discovery-view-detail/{ds.guid}",
            "licence": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "publisher": {
                "@type": "org:Organization",
                "name": f"https://usmart.io/org/{self.org_slug}",
            },
            "contactPoint": {
                "@type": "vcard:Contact",
                "fn": "Open Data Team",
                "email": "mailto:opendata@example.org",
            },
            "createdAt": created,
            "issued": created,
            "issueDate": created,
            "modified": modified,
            "lastModificationDate": modified,
            "accrualPeriodicity": ds.periodicity,
            "status": ds.status,
            "targetDate": None,
            "boundingBoxEast": None,
            "boundingBoxNorth": None,
            "boundingBoxSouth": None,
            "boundingBoxWest": None,
            "coverageArea": None,
            "spatialReferenceSystem": None,
            "spatialResolution": None,
            "verticalExtent": None,
            "temporalCoverageStart": None,
            "temporalCoverageEnd": None,
            "temporalNotes": None,
            "conformsTo": None,
            "keyword": list(ds.keywords),
            "theme": list(ds.theme),
            "distribution": distributions,
        }

    def _store_bytes(self, reference: str, data: bytes) -> Blob:
        path = self.root / "blobs" / hashlib.sha256(reference.encode()).hexdigest()
        path.write_bytes(data)
        return Blob(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def add_dataset(
        self,
        title: str,
        *,
        description: str = "",
        access_level: str = "public",
        status: str = "Published",
        keywords: Iterable[str] = (),
        theme: Iterable[str] = (),
    ) -> Dataset:
        """Create a dataset directly (datasets are made in the UI; no action creates one)."""
        now = self.clock.time()
        ds = Dataset(
            guid=self.new_guid(),
            title=title,
            description=description,
            access_level=access_level,
            status=status,
            keywords=list(keywords),
            theme=list(theme),
            created_at=now,
            modified_at=now,
        )
        self.datasets[ds.guid] = ds
        return ds

    def add_file(self, ds: Dataset, file_name: str, data: bytes) -> DataFile:
        """Attach a file directly, as if uploaded and registered earlier."""
        reference = f"uploads/{self.new_guid()}"
        upload = Upload(
            reference=reference,
            file_name=file_name,
            content_type=content_type_for(file_name),
            issued_at=self.clock.time(),
            expires_in=0,
            blob=self._store_bytes(reference, data),
        )
        self.uploads[reference] = upload
        data_file = DataFile(
            guid=self.new_guid(), file_name=file_name, media_type=upload.content_type
        )
        self._add_revision(ds, data_file, upload)
        ds.files.append(data_file)
        return data_file

    def add_container(
        self, ds: Dataset, pipeline_id: str, *, processed: bool = True
    ) -> ResourceContainer:
        container = ResourceContainer(guid=self.new_guid(), pipeline_id=pipeline_id)
        ds.containers.append(container)
        if processed:
            self._finish_processing(ds, container, self.clock.time())
        return container

    def _seed_demo(self) -> None:
        rng = self._rng
        counters = self.add_dataset(
            "Cycle counter daily totals",
            description="Daily bicycle counts from automatic counters across the district.",
            keywords=["cycling", "active travel"],
            theme=["Transport / Mobility"],
        )
        lines = ["site,date,count"]
        for day in range(1, 31):
            for site in ("Bridge Street", "Canal Path", "High Street"):
                lines.append(f"{site},2026-06-{day:02d},{rng.randint(20, 400)}")
        self.add_file(counters, "cycle_counts.csv", ("\n".join(lines) + "\n").encode())
        self.add_container(counters, "data-api")
        self.add_container(counters, "download-csv")

        air = self.add_dataset(
            "Air quality monitoring sites",
            description="Locations and pollutants measured at monitoring sites.",
            keywords=["air quality"],
            theme=["Environment"],
        )
        sites = [
            {
                "site": f"AQ{n:02d}",
                "pollutant": rng.choice(["NO2", "PM10", "PM2.5"]),
                "lat": round(55.0 + rng.random(), 5),
                "lon": round(-3.9 + rng.random(), 5),
            }
            for n in range(1, 13)
        ]
        self.add_file(air, "sites.json", json.dumps(sites).encode())
        self.add_container(air, "data-api")

        self.add_dataset(
            "Staff travel survey (internal)",
            description="Survey answers not yet cleared for publication.",
            access_level="private",
            status="Planned",
            keywords=["survey"],
        )


def _typed(value: str | None) -> Any:
    """CSV cells become numbers where they read as numbers, as the data API indexes them."""
    if value is None or value == "":
        return None
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


_ES_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _es_id(digest: bytes) -> str:
    """A 20-character document id in the style of Elasticsearch's."""
    number = int.from_bytes(digest[:15], "big")
    return "".join(_ES_ALPHABET[(number >> (6 * i)) & 63] for i in range(20))


def _require_str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ActionError(400, "BadRequest", f"{key} is required and must be a string")
    return value


def _file_name(body: dict[str, Any]) -> str:
    """The base name of ``fileName``: UrbanTide's own example sends the local path, which the
    service accepts (its UI then shows the path, which UrbanTide warns about); the emulator
    stores only the base name (issue 16)."""
    given = _require_str(body, "fileName")
    name = given.replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise ActionError(400, "BadRequest", f"fileName {given!r} names no file")
    return name


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """Rows as CSV, for URQL's ``format(csv)``."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue().encode()


def iter_json_array(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Stream a JSON array a row at a time, so ``limit(-1)`` never builds one big string."""
    yield b"["
    first = True
    batch: list[str] = []
    for row in rows:
        batch.append(("" if first else ",") + json.dumps(row))
        first = False
        if len(batch) >= 500:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()
    yield b"]"
