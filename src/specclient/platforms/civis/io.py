"""``civis.io`` in specclient: the same names and parameters, on a specclient Civis client.

Each helper is one flow (:mod:`specclient.platforms._flows`) driven by the client it is given:
with a :class:`~specclient.platforms.civis.CivisClient` it runs and returns the result, with an
:class:`~specclient.platforms.civis.AsyncCivisClient` it returns a coroutine to await. Files
travel through the presigned URLs Civis hands out, streamed in chunks: a file of any size
costs a chunk of memory, and the API key is never sent to the storage host.

Served so far: :func:`file_to_civis` and :func:`civis_to_file` (single-POST uploads, as
civis-python does below 50 MB). The table and SQL helpers of ``civis.io`` are not yet here
(see docs/platforms/civis.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Any

from specclient.client import AsyncClient
from specclient.platforms._flows import Call, Download, Flow, Request, arun, run, spec_caller

__all__ = ["file_to_civis", "civis_to_file", "EmptyResultError", "CHUNK_SIZE"]

#: bytes read or written at a time (civis-python's ``CHUNK_SIZE``)
CHUNK_SIZE = 32 * 1024
_MAX_DESCRIPTION = 512


class EmptyResultError(LookupError):
    """A file has no contents to download (never uploaded, or expired)."""


def _drive(flow: Flow, client: Any) -> Any:
    if client is None:
        from specclient.platforms.civis import APIClient

        client = APIClient()
    if isinstance(client, AsyncClient):
        return arun(flow, client, spec_caller(client))
    return run(flow, client, spec_caller(client))


def _file_name(buf: Any, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(buf, str | os.PathLike):
        return os.path.basename(os.fspath(buf))
    if isinstance(getattr(buf, "name", None), str):
        return os.path.basename(buf.name)
    raise TypeError(
        "`buf` is a file-like object, but its name cannot be inferred. "
        "Please provide `name` explicitly."
    )


def file_to_civis(
    buf: IO[bytes] | str | os.PathLike[str],
    name: str | None = None,
    expires_at: str | None = "DEFAULT",
    description: str | None = None,
    client: Any = None,
) -> Any:
    """Upload a file to Civis and return its file ID (``civis.io.file_to_civis``).

    Parameters
    ----------
    buf : file-like object or path-like object
        A binary file object (read from its current position) or a local path.
    name : str, optional
        The file's name in Civis; by default the path's or the file object's name.
    expires_at : str, optional
        ISO-8601 date-time after which Civis deletes the file; ``"DEFAULT"`` keeps Civis's
        default (30 days), ``None`` keeps it forever.
    description : str, optional
        At most 512 characters.
    client : CivisClient or AsyncCivisClient, optional
        Default: ``APIClient()`` from ``CIVIS_API_KEY``.

    Returns
    -------
    file_id : int
        (a coroutine giving it, with an async client)
    """
    name = _file_name(buf, name)
    if description is not None and len(description) > _MAX_DESCRIPTION:
        raise ValueError(
            "file description is longer than 512 characters - "
            f"length is {len(description)} from {description!r}"
        )
    fields: dict[str, Any] = {}
    if expires_at != "DEFAULT":
        fields["expires_at"] = expires_at
    if description:
        fields["description"] = description
    if isinstance(buf, str | os.PathLike):
        return _drive(_upload_path(os.fspath(buf), name, fields), client)
    return _drive(_upload(buf, name, fields), client)


def _upload_path(path: str, name: str, fields: Mapping[str, Any]) -> Flow[int]:
    with open(path, "rb") as handle:
        return (yield from _upload(handle, name, fields))


def _upload(buf: IO[bytes], name: str, fields: Mapping[str, Any]) -> Flow[int]:
    created = yield Call("files.post", (name,), {**fields, "return_type": "snake"})
    form = created.upload_fields.json(snake_case=False)
    # S3's POST policy: "key" first, the file last (httpx streams the file part in chunks)
    data = {"key": form.pop("key"), **form}
    yield Request(
        "POST",
        created.upload_url,
        {"data": data, "files": {"file": (name, buf)}, "auth": False, "idempotent": True},
    )
    return created.id  # type: ignore[no-any-return]


def civis_to_file(file_id: int, buf: IO[bytes] | str | os.PathLike[str], client: Any = None) -> Any:
    """Download Civis file ``file_id`` into ``buf`` (``civis.io.civis_to_file``).

    ``buf`` is a binary file object (written from its current position) or a local path;
    the download is streamed in :data:`CHUNK_SIZE` chunks. With an async client, returns a
    coroutine.

    Raises
    ------
    EmptyResultError
        If the file has no contents (never uploaded, or expired).
    """
    if isinstance(buf, str | os.PathLike):
        return _drive(_download_path(file_id, os.fspath(buf)), client)
    return _drive(_download(file_id, buf), client)


def _download_path(file_id: int, path: str) -> Flow[None]:
    with open(path, "wb") as handle:
        yield from _download(file_id, handle)


def _download(file_id: int, buf: IO[bytes]) -> Flow[None]:
    found = yield Call("files.get", (file_id,), {"return_type": "snake"})
    url = found.file_url
    if not url:
        raise EmptyResultError(
            f"Unable to locate file {file_id}. If it previously existed, it may have expired."
        )

    def write(chunk: bytes) -> bool:
        buf.write(chunk)
        return False  # read to the end

    yield Download(Request("GET", url, {"auth": False}), CHUNK_SIZE, write)
