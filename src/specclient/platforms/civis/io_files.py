"""``civis.io``'s file helpers: :func:`file_to_civis` and :func:`civis_to_file`, through the
presigned URLs Civis hands out, streamed in chunks (a file of any size costs a chunk of
memory; the API key is never sent to the storage host). Single-POST uploads, as civis-python
does below 50 MB."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import IO, Any

from specclient.platforms._flows import Download, Flow, Request
from specclient.platforms.civis.io_common import CHUNK_SIZE, EmptyResultError, call, drive

__all__ = ["file_to_civis", "civis_to_file", "upload", "download", "download_url", "stream"]

_MAX_DESCRIPTION = 512


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
        return drive(_upload_path(os.fspath(buf), name, fields), client)
    return drive(upload(buf, name, fields), client)


def _upload_path(path: str, name: str, fields: Mapping[str, Any]) -> Flow[int]:
    with open(path, "rb") as handle:
        return (yield from upload(handle, name, fields))


def upload(buf: IO[bytes], name: str, fields: Mapping[str, Any]) -> Flow[int]:
    created = yield call("files.post", name, **fields)
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
        return drive(_download_path(file_id, os.fspath(buf)), client)
    return drive(download(file_id, buf), client)


def _download_path(file_id: int, path: str) -> Flow[None]:
    with open(path, "wb") as handle:
        yield from download(file_id, handle)


def download(file_id: int, buf: IO[bytes]) -> Flow[None]:
    url = yield from download_url(file_id)
    yield from stream(url, buf.write)


def download_url(file_id: int) -> Flow[str]:
    """The presigned URL of file ``file_id``'s contents."""
    found = yield call("files.get", file_id)
    url = found.file_url
    if not url:
        raise EmptyResultError(
            f"Unable to locate file {file_id}. If it previously existed, it may have expired."
        )
    return url  # type: ignore[no-any-return]


def stream(url: str, each: Callable[[bytes], Any]) -> Flow[None]:
    """Hand each chunk of presigned ``url``'s contents to ``each`` (no API key sent there)."""

    def consume(chunk: bytes) -> bool:
        each(chunk)
        return False  # read to the end

    yield Download(Request("GET", url, {"auth": False}), CHUNK_SIZE, consume)
