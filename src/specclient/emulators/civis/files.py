"""Civis files: ``POST /files`` hands out a presigned S3-style upload (a multipart POST with
``uploadFields`` first and ``file`` last, as AWS's POST policy), ``POST /files/multipart``
one presigned PUT URL per part (joined by ``/files/multipart/{id}/complete``),
``GET /files/{id}`` a
presigned download URL (``fileUrl`` / ``downloadUrl``). Both URLs are on the emulator's own
origin under :data:`STORAGE_PREFIX` and carry a token, not the API key: as on S3, whoever
holds the URL may use it, and nothing else."""

from __future__ import annotations

import secrets
from datetime import UTC
from typing import Any

from specclient.emulators.civis.handlers import routes
from specclient.emulators.civis.state import CivisState, Invalid, NotFound
from specclient.emulators.core import EmuRequest, EmuResponse

__all__ = ["STORAGE_PREFIX", "FileStore"]

STORAGE_PREFIX = "/_storage"
DEFAULT_EXPIRY_DAYS = 30  # Civis keeps files 30 days unless told otherwise


class FileStore:
    """Files by id, and their bytes by upload / download token."""

    def __init__(self, state: CivisState) -> None:
        self.state = state
        self.files: dict[int, dict[str, Any]] = {}
        self.uploads: dict[str, int] = {}
        self.downloads: dict[str, int] = {}
        self.blobs: dict[int, bytes] = {}
        #: multipart uploads in progress: each file's parts (None: not uploaded yet)
        self.parts: dict[int, list[bytes | None]] = {}
        self.part_uploads: dict[str, tuple[int, int]] = {}

    def create(self, body: dict[str, Any], author: dict[str, Any], origin: str) -> dict:
        file_id = self._new_record(body, author)
        token = secrets.token_urlsafe(16)
        self.uploads[token] = file_id
        name = self.files[file_id]["name"]
        return {
            **self.files[file_id],
            "uploadUrl": f"{origin}{STORAGE_PREFIX}/upload/{token}",
            # What S3 checks the POST against; the emulator checks the key.
            "uploadFields": {"key": f"files/{file_id}/{name}", "policy": "emulated"},
        }

    def create_multipart(self, body: dict[str, Any], author: dict[str, Any], origin: str) -> dict:
        """A file uploaded in ``numParts`` parts, each PUT to its own presigned URL, joined in
        order by ``/files/multipart/{id}/complete`` (S3's multipart upload)."""
        parts = body.get("numParts")
        if not isinstance(parts, int) or isinstance(parts, bool) or not 1 <= parts <= 10_000:
            raise Invalid("numParts must be a whole number from 1 to 10000 (S3's limit)")
        file_id = self._new_record(body, author)
        self.parts[file_id] = [None] * parts
        urls = []
        for number in range(parts):
            token = secrets.token_urlsafe(16)
            self.part_uploads[token] = (file_id, number)
            urls.append(f"{origin}{STORAGE_PREFIX}/part/{token}")
        return {**self.files[file_id], "uploadUrls": urls}

    def store_part(self, token: str, data: bytes) -> None:
        # As S3's: a part may be sent again (a retried part replaces the first)
        if token not in self.part_uploads:
            raise NotFound("upload URL unknown")
        file_id, number = self.part_uploads[token]
        if file_id not in self.parts:
            raise Invalid("this multipart upload is complete already")
        self.parts[file_id][number] = data

    def complete(self, file_id: int) -> None:
        self.record(file_id)
        parts = self.parts.get(file_id)
        if parts is None:
            raise Invalid(f"file {file_id} has no multipart upload in progress")
        missing = [str(n + 1) for n, part in enumerate(parts) if part is None]
        if missing:
            raise Invalid(f"parts {', '.join(missing)} of {len(parts)} were not uploaded")
        data = b"".join(part for part in parts if part is not None)
        del self.parts[file_id]
        self.blobs[file_id] = data
        self.files[file_id]["fileSize"] = len(data)

    def _new_record(self, body: dict[str, Any], author: dict[str, Any]) -> int:
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise Invalid("name is required")
        now = self.state.now()
        file_id = self.state.new_id()
        # null: kept forever (the spec's word); left out: Civis's default expiry
        default = _iso(now + DEFAULT_EXPIRY_DAYS * 86400)
        expires = body.get("expiresAt", default)
        self.files[file_id] = {
            "id": file_id,
            "name": name,
            "createdAt": _iso(now),
            "fileSize": None,
            "expiresAt": expires,
            "description": body.get("description"),
            "author": {k: author.get(k) for k in ("id", "name", "username", "initials")},
            "myPermissionLevel": "manage",
        }
        return file_id

    def add(self, name: str, data: bytes, author: dict[str, Any]) -> int:
        """A file the platform writes itself (a run's output), uploaded already."""
        file_id = self.create({"name": name}, author, "")["id"]
        self.blobs[file_id] = data
        self.files[file_id]["fileSize"] = len(data)
        return file_id  # type: ignore[no-any-return]

    def record(self, file_id: int) -> dict[str, Any]:
        if file_id not in self.files:
            raise NotFound(f"The requested file {file_id} could not be found.")
        return self.files[file_id]

    def blob(self, file_id: int) -> bytes:
        self.record(file_id)
        if file_id not in self.blobs:
            raise Invalid(f"file {file_id} has no contents (never uploaded)")
        return self.blobs[file_id]

    def download_url(self, file_id: int, origin: str | None = None) -> str:
        """A new presigned URL for the file's contents (on ``origin``, default the origin
        the API was last called at)."""
        token = secrets.token_urlsafe(16)
        self.downloads[token] = file_id
        return f"{origin or self.state.origin}{STORAGE_PREFIX}/download/{token}"

    def get(self, file_id: int, origin: str) -> dict[str, Any]:
        record = self.record(file_id)
        url = self.download_url(file_id, origin) if file_id in self.blobs else None
        return {"detectedInfo": None, **record, "downloadUrl": url, "fileUrl": url}

    def store(self, token: str, key: str | None, data: bytes) -> None:
        # As S3's: the URL may be used again (a retried upload replaces the object).
        file_id = self.uploads.get(token)
        if file_id is None:
            raise NotFound("upload URL unknown")
        expected = f"files/{file_id}/{self.files[file_id]['name']}"
        if key != expected:
            raise Invalid(f"form field 'key' must be {expected!r} (the uploadFields' key)")
        self.blobs[file_id] = data
        self.files[file_id]["fileSize"] = len(data)


def _iso(seconds: float) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _origin(req: EmuRequest) -> str:
    return f"http://{req.headers['host']}"


@routes("POST /files/")
def files_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = req.json()
    if not isinstance(body, dict):
        raise Invalid("a JSON object body is required")
    return EmuResponse(201, json=state.file_store.create(body, req.principal, _origin(req)))


@routes("POST /files/multipart")
def files_multipart_post(state: CivisState, req: EmuRequest) -> EmuResponse:
    body = req.json()
    if not isinstance(body, dict):
        raise Invalid("a JSON object body is required")
    created = state.file_store.create_multipart(body, req.principal, _origin(req))
    return EmuResponse(201, json=created)


@routes("POST /files/multipart/{id}/complete")
def files_multipart_complete(state: CivisState, req: EmuRequest) -> EmuResponse:
    state.file_store.complete(int(req.path_params["id"]))
    return EmuResponse(204, body=b"")


@routes.extra("PUT", STORAGE_PREFIX + "/part/{token}", name="storage.upload_part", stream=True)
async def storage_upload_part(state: CivisState, req: EmuRequest) -> EmuResponse:
    data = await req.load()
    with req.app.lock:
        state.file_store.store_part(req.path_params["token"], data)
    return EmuResponse(200, body=b"", headers={"ETag": f'"{len(data)}"'})


@routes("GET /files/{id}")
def files_get(state: CivisState, req: EmuRequest) -> dict[str, Any]:
    return state.file_store.get(int(req.path_params["id"]), _origin(req))


@routes.extra("POST", STORAGE_PREFIX + "/upload/{token}", name="storage.upload", stream=True)
async def storage_upload(state: CivisState, req: EmuRequest) -> EmuResponse:
    fields = _multipart(req.headers.get("content-type", ""), await req.load())
    if "file" not in fields:
        raise Invalid("the multipart form has no 'file' part")
    key = fields.get("key")
    with req.app.lock:
        state.file_store.store(
            req.path_params["token"], key.decode() if key is not None else None, fields["file"]
        )
    return EmuResponse(204, body=b"")


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    """The parts of a multipart/form-data body by name, as bytes.

    Parsed here rather than by starlette: requests (civis-python) sends every part, ``file``
    too, without a filename, and starlette would decode such parts as text (and cap them at
    1 MB); S3 reads them as bytes, whatever their size.
    """
    from email.parser import BytesParser
    from email.policy import HTTP

    if not content_type.lower().startswith("multipart/form-data"):
        raise Invalid("an upload is a multipart/form-data POST (S3's POST policy form)")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts[name] = payload
    return parts


@routes.extra("GET", STORAGE_PREFIX + "/download/{token}", name="storage.download")
def storage_download(state: CivisState, req: EmuRequest) -> EmuResponse:
    file_id = state.file_store.downloads.get(req.path_params["token"])
    if file_id is None:
        raise NotFound("download URL unknown")
    return EmuResponse(
        200, body=state.file_store.blobs[file_id], media_type="application/octet-stream"
    )
