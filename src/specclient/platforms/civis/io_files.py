"""``civis.io``'s file helpers: :func:`file_to_civis`, :func:`civis_to_file`,
:func:`file_id_from_run_output`, :func:`file_to_dataframe`, :func:`dataframe_to_file`,
:func:`file_to_json`, :func:`json_to_file`.

Contents go through the presigned URLs Civis hands out, streamed in chunks (a file of any size
costs a chunk of memory; the API key is never sent to the storage host): one POST up to 50 MB,
S3 multipart beyond, as civis-python. A download cut off part-way is fetched again into the same
place of the output, as civis-python's is; a storage host's error is told as civis-python
tells it (status, URL without its query, S3's error code and message), never with the
presigned URL's signature or the rest of S3's error body.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import IO, Any

from specclient.errors import APIError, SpecClientError, TransportError
from specclient.platforms._flows import BodyCutOff, Call, Download, Flow, Request, Sleep, Upload
from specclient.platforms.civis.io_common import CHUNK_SIZE, EmptyResultError, call, drive

__all__ = [
    "StorageError",
    "civis_to_file",
    "dataframe_to_file",
    "download",
    "download_url",
    "file_id_from_run_output",
    "file_to_civis",
    "file_to_dataframe",
    "file_to_json",
    "json_to_file",
    "stream",
    "upload",
]

_MAX_DESCRIPTION = 512
#: civis-python's multipart thresholds: more than 50 MB goes in parts of at least 5 MiB
MIN_MULTIPART_SIZE = 50 * 2**20
MIN_PART_SIZE = 5 * 2**20
MAX_FILE_SIZE = 5 * 2**40
#: attempts at a presigned upload or download (civis-python's default retrying: 10)
TRANSFER_ATTEMPTS = 10
#: a file's extension -> pandas' ``compression`` (civis-python's ``file_to_dataframe``)
_COMPRESSIONS = {".gz": "gzip", ".xz": "xz", ".bz2": "bz2", ".zip": "zip"}
#: a downloaded file kept in memory up to this size, then spilled to a temporary file
_SPOOL_BYTES = 32 * 2**20


class StorageError(SpecClientError):
    """The storage host refused a presigned upload or download (civis-python raises
    ``requests.HTTPError`` with the same text). ``status_code`` is its HTTP status (``None``:
    the connection failed)."""

    def __init__(self, message: str, status_code: int | None) -> None:
        super().__init__(message)
        self.status_code = status_code


def _file_name(buf: Any, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(buf, str | bytes | os.PathLike):
        return os.path.basename(os.fsdecode(buf))
    if isinstance(getattr(buf, "name", None), str):
        return os.path.basename(buf.name)
    raise TypeError(
        "`buf` is a file-like object, but its name cannot be inferred. "
        "Please provide `name` explicitly."
    )


def _file_fields(expires_at: str | None, description: str | None) -> dict[str, Any]:
    """``files.post``'s options as civis-python sends them (an unset one is left out)."""
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
    return fields


def file_to_civis(
    buf: IO[bytes] | IO[str] | str | bytes | os.PathLike[str],
    name: str | None = None,
    expires_at: str | None = "DEFAULT",
    description: str | None = None,
    client: Any = None,
) -> Any:
    """Upload a file to Civis and return its file ID (``civis.io.file_to_civis``).

    Parameters
    ----------
    buf : file-like object or path-like object
        A file object, binary or text (text is sent as UTF-8), read from its current
        position; or a local path (``str``, ``bytes`` or ``os.PathLike``).
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

    Raises
    ------
    ValueError
        If ``description`` is over 512 characters (before anything is sent).
    StorageError
        If the storage host refuses the upload (after retries).
    """
    name = _file_name(buf, name)
    fields = _file_fields(expires_at, description)
    if isinstance(buf, str | bytes | os.PathLike):
        return drive(_upload_path(os.fsdecode(buf), name, fields), client)
    return drive(upload(buf, name, fields), client)


def _upload_path(path: str, name: str, fields: Mapping[str, Any]) -> Flow[int]:
    with open(path, "rb") as handle:
        return (yield from upload(handle, name, fields))


class _FromHere:
    """``buf`` from its current position, as the one file part of an upload: httpx measures a
    file part by seeking to its end and rewinds it (``seek(0)``) before each attempt, which on
    ``buf`` itself would send what lies before the caller's position. Text is sent as UTF-8
    (its length then unknown: the form goes chunked)."""

    def __init__(self, buf: IO[Any]) -> None:
        self._buf = buf
        self._text = isinstance(buf.read(0), str)
        try:
            self._start: int | None = buf.tell()
        except (OSError, ValueError):
            self._start = None  # not seekable: sent once, never rewound

    @property
    def seekable(self) -> bool:
        return self._start is not None

    def rewind(self) -> None:
        self.seek(0)

    def read(self, size: int = -1) -> bytes:
        data = self._buf.read(size)
        return data.encode("utf-8") if isinstance(data, str) else data

    def tell(self) -> int:
        if self._text or self._start is None:
            raise io.UnsupportedOperation("no byte position")
        return int(self._buf.tell()) - self._start

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if self._start is None or (self._text and (offset, whence) != (0, os.SEEK_SET)):
            raise io.UnsupportedOperation("not seekable")
        if whence == os.SEEK_SET:
            return int(self._buf.seek(self._start + offset)) - self._start
        return int(self._buf.seek(offset, whence)) - self._start


def _bytes_left(buf: IO[Any]) -> int | None:
    """How many bytes ``buf`` holds from its position, when it can say (a binary, seekable
    file); its position is kept."""
    try:
        if isinstance(buf.read(0), str):
            return None
        here = buf.tell()
        end = buf.seek(0, os.SEEK_END)
        buf.seek(here)
    except (OSError, ValueError, AttributeError):
        return None
    return int(end - here)


def upload(buf: IO[Any], name: str, fields: Mapping[str, Any]) -> Flow[int]:
    """``buf`` from its position as Civis file ``name``: one POST up to
    :data:`MIN_MULTIPART_SIZE`, S3 multipart beyond (civis-python's rule)."""
    size = _bytes_left(buf)
    if size is not None and size > MAX_FILE_SIZE:
        raise ValueError("File is greater than the maximum allowable file size (5TB)")
    if size is not None and size > MIN_MULTIPART_SIZE:
        return (yield from _multipart_upload(buf, name, size, fields))
    return (yield from _single_upload(buf, name, fields))


def _single_upload(buf: IO[Any], name: str, fields: Mapping[str, Any]) -> Flow[int]:
    # not io_common.call, which leaves out None: expires_at=None means "never expires"
    created = yield Call("files.post", (name,), {**fields, "return_type": "snake"})
    form = created.upload_fields.json(snake_case=False)
    # S3's POST policy: "key" first, the file last (httpx streams the file part in chunks)
    data = {"key": form.pop("key"), **form}
    part = _FromHere(buf)
    options = {"data": data, "files": {"file": (name, part)}, "auth": False, "idempotent": True}

    def send() -> Flow[None]:
        yield Request("POST", created.upload_url, options)

    yield from _transfer(send, rewind=part.rewind if part.seekable else None)
    return created.id  # type: ignore[no-any-return]


def _multipart_upload(buf: IO[Any], name: str, size: int, fields: Mapping[str, Any]) -> Flow[int]:
    """civis-python's part sizes (the geometric mean of 5 MiB and the size, at least 5 MiB),
    each part streamed from the file with a PUT to its presigned URL, one after another (a
    part's memory is a chunk), then ``files.post_multipart_complete``."""
    part_size = max(int(math.sqrt(MIN_PART_SIZE) * math.sqrt(size)), MIN_PART_SIZE)
    count = math.ceil(size / part_size)
    created = yield Call("files.post_multipart", (name, count), {**fields, "return_type": "snake"})
    start = buf.tell()
    for number, url in enumerate(created.upload_urls, 1):
        offset = start + (number - 1) * part_size
        body = _Part(buf, offset, min(part_size, start + size - offset))
        options = {"auth": False, "idempotent": True, "headers": body.headers}
        try:
            yield from _transfer(functools.partial(_put, url, body, options), rewind=_noop)
        except (StorageError, TransportError) as error:
            status = error.status_code if isinstance(error, StorageError) else None
            raise StorageError(
                f"Failed to upload part {number} of {count} for Civis file {created.id}: {error}",
                status,
            ) from None
    yield call("files.post_multipart_complete", created.id)
    return created.id  # type: ignore[no-any-return]


def _put(url: str, body: _Part, options: Mapping[str, Any]) -> Flow[None]:
    yield Upload("PUT", url, body, options)


def _noop() -> None:
    """Nothing to put back: a part's body starts from its offset on every attempt."""


class _Part:
    """Bytes ``offset`` to ``offset + length`` of ``buf``, read a chunk at a time from the
    start on every iteration (so a retried PUT sends the same part)."""

    def __init__(self, buf: IO[bytes], offset: int, length: int) -> None:
        self._buf, self._offset, self._length = buf, offset, length
        # S3 refuses a chunked PUT: the length is said up front
        self.headers = {"Content-Length": str(length)}

    def __iter__(self) -> Iterator[bytes]:
        self._buf.seek(self._offset)
        left = self._length
        while left > 0:
            chunk = self._buf.read(min(CHUNK_SIZE, left))
            if not chunk:
                raise ValueError("the file ended before its part did (was it changed?)")
            left -= len(chunk)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def _transfer(send: Callable[[], Flow[None]], rewind: Callable[[], Any] | None) -> Flow[None]:
    """One presigned transfer, attempted up to :data:`TRANSFER_ATTEMPTS` times (``rewind``
    puts the body or the output back first; ``None``: it cannot be, so no second attempt).

    The client's sender already retries what the Civis API promises (429, 502-504, a lost
    connection, each up to its attempts); this adds what only a storage transfer has: a reply
    cut off part-way (:class:`BodyCutOff`: the sender never sees it), and S3's
    ``500 InternalError``, which AWS says to retry. A 4xx (an expired or wrong signature) is
    not retried: it cannot get better (civis-python tries it 10 times).
    """
    for attempt in range(1, TRANSFER_ATTEMPTS + 1):
        try:
            yield from send()
            return
        except (TransportError, APIError) as error:
            # any other TransportError: the sender has tried already
            again = isinstance(error, BodyCutOff) or getattr(error, "status_code", 0) == 500
            if not again or rewind is None or attempt == TRANSFER_ATTEMPTS:
                if isinstance(error, APIError):
                    raise _storage_error(error) from None
                raise
            rewind()
            yield Sleep(min(0.5 * 2 ** (attempt - 1), 30.0))


def _storage_error(error: APIError) -> StorageError:
    """civis-python's ``_get_aws_error_message``: the status, the URL without its query (the
    signature), and only S3's error code and message from its body."""
    import html
    from http import HTTPStatus

    response = getattr(error, "response", None)
    status = error.status_code
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    url = re.sub(r"\?[^\s'\"]*", "", str(response.url) if response is not None else error.url)
    kind = "Client" if 400 <= status < 500 else "Server"
    message = f"{status} {kind} Error: {reason} for url: {url}"
    text = response.text if response is not None else str(error.body or "")
    code = re.search(r"<Code>(.*?)</Code>", text, re.DOTALL)
    detail = re.search(r"<Message>(.*?)</Message>", text, re.DOTALL)
    if code and detail:
        message += f"\nAWS Error: {html.unescape(code.group(1))}: {html.unescape(detail.group(1))}"
    return StorageError(message, status)


def civis_to_file(
    file_id: int, buf: IO[bytes] | str | bytes | os.PathLike[str], client: Any = None
) -> Any:
    """Download Civis file ``file_id`` into ``buf`` (``civis.io.civis_to_file``).

    ``buf`` is a binary file object (written from its current position) or a local path;
    the download is streamed in :data:`CHUNK_SIZE` chunks, and one cut off part-way is
    fetched again into the same place (up to :data:`TRANSFER_ATTEMPTS` times). With an async
    client, returns a coroutine.

    Raises
    ------
    EmptyResultError
        If the file has no contents (never uploaded, or expired).
    """
    if isinstance(buf, str | bytes | os.PathLike):
        return drive(_download_path(file_id, os.fsdecode(buf)), client)
    return drive(download(file_id, buf), client)


def _download_path(file_id: int, path: str) -> Flow[None]:
    with open(path, "wb") as handle:
        yield from download(file_id, handle)


def download(file_id: int, buf: IO[bytes]) -> Flow[None]:
    url = yield from download_url(file_id)
    start = buf.tell() if buf.seekable() else None

    def rewind() -> None:
        # written again from where it started, over what is there already (as civis-python)
        buf.seek(start or 0)

    yield from _transfer(lambda: stream(url, buf.write), None if start is None else rewind)
    if hasattr(buf, "flush"):
        buf.flush()


def download_url(file_id: int) -> Flow[str]:
    """The presigned URL of file ``file_id``'s contents."""
    url, _ = yield from _located(file_id)
    return url


def _located(file_id: int) -> Flow[tuple[str, str]]:
    found = yield call("files.get", file_id)
    url = found.file_url
    if not url:
        raise EmptyResultError(
            f"Unable to locate file {file_id}. If it previously existed, it may have expired."
        )
    return url, found.name


def stream(url: str, each: Callable[[bytes], Any]) -> Flow[None]:
    """Hand each chunk of presigned ``url``'s contents to ``each`` (no API key sent there)."""

    def consume(chunk: bytes) -> bool:
        each(chunk)
        return False  # read to the end

    yield Download(Request("GET", url, {"auth": False}), CHUNK_SIZE, consume)


# -- run outputs -----------------------------------------------------------------------------
def file_id_from_run_output(
    name: str, job_id: int, run_id: int, regex: bool = False, client: Any = None
) -> Any:
    """The file ID of the ``File`` run output named ``name`` (civis-python's
    ``civis.io.file_id_from_run_output``); with ``regex``, the first whose name matches
    ``name`` as a regular expression (``".*?"``: the first file output).

    Raises
    ------
    IOError
        If job ``job_id`` has no run ``run_id``.
    FileNotFoundError
        If the run has no such file output.
    """
    return drive(_output_file(name, job_id, run_id, regex), client)


def _output_file(name: str, job_id: int, run_id: int, regex: bool) -> Flow[int]:
    try:
        outputs = yield call("jobs.list_runs_outputs", job_id, run_id)
    except APIError as error:
        if error.status_code == 404:
            raise OSError(f"Could not find job/run ID {job_id}/{run_id}") from error
        raise
    files = [o for o in outputs if o["object_type"] == "File"]
    if regex:
        found = [o for o in files if re.search(name, o["name"])]
    else:
        found = [o for o in files if o["name"] == name]
    if not found:
        prefix = "A file containing the pattern" if regex else "File"
        raise FileNotFoundError(
            f'{prefix} "{name}" is not an output of job/run ID {job_id}/{run_id}.'
        )
    return found[0]["object_id"]  # type: ignore[no-any-return]


# -- frames and JSON in files ----------------------------------------------------------------
def file_to_dataframe(
    file_id: int,
    return_as: str = "pandas",
    compression: str = "infer",
    client: Any = None,
    **read_kwargs: Any,
) -> Any:
    """A DataFrame of the CSV in Civis file ``file_id`` (``civis.io.file_to_dataframe``).

    The file is downloaded through its presigned URL (held in memory up to 32 MiB, beyond
    that in a temporary file) and read by ``pandas.read_csv`` or ``polars.read_csv`` with
    ``read_kwargs``. With ``return_as="pandas"`` and ``compression="infer"``, the compression
    comes from the file's name (``.gz``, ``.xz``, ``.bz2``, ``.zip``), as civis-python does.

    Raises
    ------
    ValueError
        If ``return_as`` is not ``"pandas"`` or ``"polars"``.
    ImportError
        If the library asked for is not installed.
    EmptyResultError
        If the file has no contents (never uploaded, or expired).
    """
    if return_as not in ("pandas", "polars"):
        raise ValueError(f"unsupported return_as option: {return_as}")
    try:
        __import__(return_as)
    except ImportError:
        raise ImportError(f"return_as is {return_as!r} but {return_as} is not installed.") from None
    return drive(_frame_of(file_id, return_as, compression, read_kwargs), client)


def _frame_of(
    file_id: int, return_as: str, compression: str, read_kwargs: Mapping[str, Any]
) -> Flow[Any]:
    url, name = yield from _located(file_id)
    with tempfile.SpooledTemporaryFile(_SPOOL_BYTES) as spool:
        yield from stream(url, spool.write)
        spool.seek(0)
        if return_as == "polars":
            import polars

            return polars.read_csv(spool, **read_kwargs)
        import pandas

        if compression == "infer":
            compression = _COMPRESSIONS.get(os.path.splitext(name)[-1], "infer")
        return pandas.read_csv(spool, compression=compression, **read_kwargs)


def dataframe_to_file(
    df: Any,
    name: str = "data.csv",
    expires_at: str | None = "DEFAULT",
    description: str | None = None,
    client: Any = None,
    **to_csv_kws: Any,
) -> Any:
    """Store a pandas or polars DataFrame as a CSV Civis file; its ID
    (``civis.io.dataframe_to_file``). ``to_csv_kws`` go to ``DataFrame.to_csv`` (pandas,
    which writes the index unless told ``index=False``, as civis-python's) or ``write_csv``.

    Raises
    ------
    ValueError
        If ``df`` is neither, or ``description`` is over 512 characters.
    """
    fields = _file_fields(expires_at, description)
    kind = type(df).__module__.split(".")[0]
    if kind not in ("pandas", "polars") or type(df).__name__ != "DataFrame":
        raise ValueError(
            f"unsuppported dataframe type {type(df)!r} -- only pandas and polars are supported"
        )
    return drive(_upload_frame(df, kind, name, fields, to_csv_kws), client)


def _upload_frame(
    df: Any, kind: str, name: str, fields: Mapping[str, Any], to_csv_kws: Mapping[str, Any]
) -> Flow[int]:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, os.path.basename(name) or "data.csv")
        if kind == "polars":
            df.write_csv(path, **to_csv_kws)
        else:
            df.to_csv(path, **to_csv_kws)
        return (yield from _upload_path(path, name, fields))


def file_to_json(file_id: int, client: Any = None, **json_kwargs: Any) -> Any:
    """The JSON value stored in Civis file ``file_id`` (``civis.io.file_to_json``);
    ``json_kwargs`` go to :func:`json.loads`."""
    return drive(_json_of(file_id, json_kwargs), client)


def _json_of(file_id: int, json_kwargs: Mapping[str, Any]) -> Flow[Any]:
    buf = io.BytesIO()
    yield from download(file_id, buf)
    return json.loads(buf.getvalue().decode("utf-8"), **json_kwargs)


def json_to_file(
    obj: Any,
    name: str | None = "file.json",
    expires_at: str | None = "DEFAULT",
    description: str | None = None,
    client: Any = None,
    **json_kwargs: Any,
) -> Any:
    """Store ``obj`` as JSON in a Civis file; its ID (``civis.io.json_to_file``).
    ``json_kwargs`` go to :func:`json.dumps`."""
    data = io.BytesIO(json.dumps(obj, **json_kwargs).encode("utf-8"))
    return file_to_civis(data, name, expires_at, description, client)
