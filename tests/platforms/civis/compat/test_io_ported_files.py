"""civis-python 2.10.1's ``tests/test_io.py``, its file helpers (``civis.io._files``): each
behaviour it asserts with mocks of ``requests`` and of the client, asserted here on
specclient's helpers through the Civis emulator (the request that reached Civis or the
storage host, the file stored, the error raised), or through an in-process transport in
front of it where the test is about a transport detail (a body cut off part-way, S3's error
bodies). The source test is named in each docstring; compat/tally.py accounts for them all."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import httpx
import pandas as pd
import pytest

from specclient.platforms.civis import io as civis_io
from specclient.platforms.civis import io_files

PRESIGNED_QUERY = "?partNumber=1&uploadId=abc&X-Amz-Signature=deadbeefsignature"


def _stored(emu, file_id):
    return emu.state.file_store.blobs[file_id]


def _requests(emu):
    """A client whose every request (API and storage) is recorded in the list returned."""
    seen: list[httpx.Request] = []
    return emu.client(event_hooks={"request": [seen.append]}), seen


def _storage(seen, kind):
    return [r for r in seen if r.url.path.startswith(f"/_storage/{kind}/")]


# -- uploads -------------------------------------------------------------------------------------
def test_bytes_file_to_civis(emu, client):
    """test_bytes_file_to_civis: a BytesIO uploads; the result is the new file's int id."""
    file_id = civis_io.file_to_civis(io.BytesIO(b"a,b,c\n1,2,3"), "somename", client=client)
    assert isinstance(file_id, int)
    assert _stored(emu, file_id) == b"a,b,c\n1,2,3"
    assert emu.state.file_store.files[file_id]["name"] == "somename"


def test_zip_member_to_civis(emu, client, tmp_path):
    """test_zip_member_to_civis: an open member of a zip archive uploads (its inflated bytes)."""
    archive = tmp_path / "tempfile"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("archive_name", "a,b,c\n1,2,3")
    with zipfile.ZipFile(archive) as zipped, zipped.open("archive_name") as member:
        file_id = civis_io.file_to_civis(member, "archive_name", client=client)
    assert isinstance(file_id, int)
    assert _stored(emu, file_id) == b"a,b,c\n1,2,3"


def test_text_file_to_civis(emu, client):
    """test_text_file_to_civis: a text buffer uploads, as UTF-8."""
    file_id = civis_io.file_to_civis(io.StringIO("a,b,c\n1,2,é"), "somename", client=client)
    assert isinstance(file_id, int)
    assert _stored(emu, file_id) == "a,b,c\n1,2,é".encode()


def test_an_upload_starts_at_the_buffers_position(emu, client):
    """(civis-python's _single_upload reads from ``buf.tell()``; found by these ports: the
    first bytes of a buffer already read from were sent too.)"""
    buf = io.BytesIO(b"skip this|a,b\n")
    buf.seek(len(b"skip this|"))
    file_id = civis_io.file_to_civis(buf, "rest.csv", client=client)
    assert _stored(emu, file_id) == b"a,b\n"


@pytest.fixture
def small_parts(monkeypatch):
    """civis-python's own trick (test_large_file_to_civis sets MIN_MULTIPART_SIZE = 1): the
    multipart thresholds made small, so a few bytes go in several parts."""
    monkeypatch.setattr(io_files, "MIN_MULTIPART_SIZE", 1)
    monkeypatch.setattr(io_files, "MIN_PART_SIZE", 3)


def test_large_file_to_civis(emu, small_parts, tmp_path):
    """test_large_file_to_civis: over MIN_MULTIPART_SIZE a file goes by multipart upload
    (``files.post_multipart``, a PUT per part, ``files.post_multipart_complete``)."""
    path = tmp_path / "tempfile"
    path.write_bytes(b"a,b,c\n1,2,3")
    client, seen = _requests(emu)
    with open(path, "r+b") as handle:
        file_id = civis_io.file_to_civis(handle, str(path), client=client)
    assert isinstance(file_id, int)
    assert _stored(emu, file_id) == b"a,b,c\n1,2,3"
    # 11 bytes: parts of max(int(sqrt(3) * sqrt(11)), 3) = 5 bytes, so 3 of them
    assert [r.headers["content-length"] for r in _storage(seen, "part")] == ["5", "5", "1"]
    assert [r.method for r in _storage(seen, "part")] == ["PUT"] * 3
    api = [(r.method, r.url.path) for r in seen if not r.url.path.startswith("/_storage/")]
    assert api == [("POST", "/files/multipart"), ("POST", f"/files/multipart/{file_id}/complete")]


def test_file_multipart_upload_retries(emu, small_parts):
    """test_file_multipart_upload_retries: a part answered 500 twice is sent again and the
    upload completes."""
    emu.faults.add("/_storage/part/*", "500", count=2)
    client, seen = _requests(emu)
    file_id = civis_io.file_to_civis(io.BytesIO(b"abcdef"), "filename", client=client)
    assert _stored(emu, file_id) == b"abcdef"
    # 6 bytes in parts of 4: the first part three times, the second once
    sizes = [r.headers["content-length"] for r in _storage(seen, "part")]
    assert sizes == ["4", "4", "4", "2"]
    assert [r.url.path for r in seen].count(f"/files/multipart/{file_id}/complete") == 1


def test_file_multipart_upload_part_failure_raises(emu, small_parts, monkeypatch):
    """test_file_multipart_upload_part_failure_raises: the second of two parts keeps failing
    (500): it is tried 3 times (as civis-python's test sets its retrying), then an error
    names the part, the count and the file, with the storage host's status and the URL
    without its query; the upload is not completed."""
    monkeypatch.setattr(io_files, "TRANSFER_ATTEMPTS", 3)
    parts: list[str] = []

    def second_part_fails(request):
        if request.method == "PUT" and request.url.path not in parts:
            parts.append(request.url.path)
        if request.method == "PUT" and len(parts) > 1 and request.url.path == parts[1]:
            return httpx.Response(500, text="<Error><Code>InternalError</Code></Error>")
        return None

    seen: list[httpx.Request] = []
    client = emu.client(http=_Storage(second_part_fails), event_hooks={"request": [seen.append]})
    with pytest.raises(civis_io.StorageError) as info:
        civis_io.file_to_civis(io.BytesIO(b"abcdef"), "filename", client=client)
    file_id = max(emu.state.file_store.files)
    assert str(info.value) == (
        f"Failed to upload part 2 of 2 for Civis file {file_id}: "
        f"500 Server Error: Internal Server Error for url: {emu.base_url}{parts[1]}"
    )
    assert info.value.status_code == 500
    assert [r.url.path for r in _storage(seen, "part")] == [parts[0]] + [parts[1]] * 3
    assert not any(r.url.path.endswith("/complete") for r in seen)
    assert file_id not in emu.state.file_store.blobs


class _Storage(httpx.BaseTransport):
    """The emulator behind a stand-in for S3: presigned URLs carry S3's query (signature
    included), and ``answer(request)`` may reply for the storage host instead."""

    def __init__(self, answer):
        self._inner = httpx.HTTPTransport()
        self._answer = answer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/_storage/"):
            replied = self._answer(request)
            if replied is not None:
                return replied
            request.url = request.url.copy_with(query=None)
        response = self._inner.handle_request(request)
        if request.url.path in ("/files/", "/files/multipart") or (
            request.method == "GET" and request.url.path.startswith("/files/")
        ):
            response.read()
            body = json.loads(response.content)
            for key in ("uploadUrl", "fileUrl", "downloadUrl"):
                if body.get(key):
                    body[key] += PRESIGNED_QUERY
            body["uploadUrls"] = [u + PRESIGNED_QUERY for u in body.get("uploadUrls") or []]
            return httpx.Response(response.status_code, json=body, request=request)
        return response

    def close(self) -> None:
        self._inner.close()


def test_file_multipart_upload_connection_error_omits_presigned_url(emu, small_parts):
    """test_file_multipart_upload_connection_error_omits_presigned_url: a part whose
    connection keeps failing is tried as often as any request (civis-python's test: as its
    retrying says), then raises an error naming the part, without the presigned URL's query
    (its signature)."""

    attempts = []

    def refuse(request):
        attempts.append(request)
        raise httpx.ConnectError(f"Max retries exceeded with url: {request.url}")

    client = emu.client(http=_Storage(refuse))
    with pytest.raises(civis_io.StorageError) as info:
        civis_io.file_to_civis(io.BytesIO(b"abc"), "filename", client=client)
    file_id = max(emu.state.file_store.files)
    message = str(info.value)
    assert message.startswith(f"Failed to upload part 1 of 1 for Civis file {file_id}: ")
    assert "Max retries exceeded with url" in message
    assert "deadbeefsignature" not in message
    assert info.value.__suppress_context__
    assert file_id not in emu.state.file_store.blobs
    # the sender's 10 attempts (civis-python's count), not retried again on top of them
    assert len(attempts) == 10


def test_file_single_upload_retries(emu):
    """test_file_single_upload_retries: the presigned POST answered 500 twice is sent again;
    the third attempt stores the file."""
    emu.faults.add("/_storage/upload/*", "500", count=2)
    client, seen = _requests(emu)
    file_id = civis_io.file_to_civis(io.BytesIO(b"abcdef"), "filename", client=client)
    assert len(_storage(seen, "upload")) == 3
    assert _stored(emu, file_id) == b"abcdef"


S3_403 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
    "<Code>SignatureDoesNotMatch</Code>"
    "<Message>The request signature we calculated doesn&apos;t match.</Message>"
    "<SignatureProvided>deadbeefsignature</SignatureProvided>"
    "<CanonicalRequest>PUT uploadId=abc</CanonicalRequest></Error>"
)


def test_get_aws_error_message_omits_presigned_url_signature(emu):
    """test_get_aws_error_message_omits_presigned_url_signature: S3's 403 is told as its
    status, the URL without its query, and S3's code and message only: not the signature
    its body repeats (found by these ports: the engine's error excerpt showed it)."""

    def forbidden(request):
        return httpx.Response(403, text=S3_403, headers={"Content-Type": "application/xml"})

    client = emu.client(http=_Storage(forbidden))
    with pytest.raises(civis_io.StorageError) as info:
        civis_io.file_to_civis(io.BytesIO(b"abc"), "x.csv", client=client)
    upload_url = str(info.value).split("for url: ")[1].split("\n")[0]
    assert upload_url.startswith(f"{emu.base_url}/_storage/upload/") and "?" not in upload_url
    assert str(info.value) == (
        f"403 Client Error: Forbidden for url: {upload_url}\n"
        "AWS Error: SignatureDoesNotMatch: The request signature we calculated doesn't match."
    )
    assert "deadbeefsignature" not in repr(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "<html>upstream error for https://bucket.s3.amazonaws.com/key?uploadId=abc"
        "&X-Amz-Signature=deadbeefsignature</html>",
        "",
    ],
)
def test_get_aws_error_message_omits_unparseable_body(emu, text):
    """test_get_aws_error_message_omits_unparseable_body: a body that is not S3's XML error
    is left out altogether (a download here; the upload is the case above)."""

    def forbidden(request):
        if request.method == "GET":
            return httpx.Response(403, text=text, headers={"Content-Type": "text/html"})
        return None

    client = emu.client(http=_Storage(forbidden))
    file_id = civis_io.file_to_civis(io.BytesIO(b"abc"), "x.csv", client=client)
    with pytest.raises(civis_io.StorageError) as info:
        civis_io.civis_to_file(file_id, io.BytesIO(), client=client)
    assert str(info.value).startswith(f"403 Client Error: Forbidden for url: {emu.base_url}/")
    assert "\n" not in str(info.value) and "?" not in str(info.value)
    assert "deadbeefsignature" not in str(info.value)


@pytest.mark.parametrize("input_filename", ["newname", None])
def test_file_to_civis(emu, tmp_path, input_filename):
    """test_file_to_civis: ``files.post`` gets the name (by default the path's) and
    ``expires_at=None`` as sent (the file never expires); the contents go by POST to the
    presigned URL."""
    path = tmp_path / "newname"
    path.write_text("abcdef")
    client, seen = _requests(emu)
    file_id = civis_io.file_to_civis(str(path), input_filename, expires_at=None, client=client)
    (created,) = [r for r in seen if r.url.path == "/files/"]
    assert json.loads(created.content) == {"name": "newname", "expiresAt": None}
    assert [r.method for r in _storage(seen, "upload")] == ["POST"]
    assert _stored(emu, file_id) == b"abcdef"
    assert client.files.get(file_id).expires_at is None


def test_file_to_civis_error_for_description_too_long(emu, tmp_path):
    """test_file_to_civis_error_for_description_too_long: refused before anything is sent."""
    path = tmp_path / "some_data"
    path.write_bytes(b"foobar")
    client, seen = _requests(emu)
    with pytest.raises(ValueError, match="longer than 512 characters"):
        civis_io.file_to_civis(str(path), client=client, description="a" * 513)
    assert seen == []


@pytest.mark.parametrize(
    "helper",
    [
        lambda **kw: civis_io.file_to_civis(io.BytesIO(b"some_data"), name="abc", **kw),
        lambda **kw: civis_io.dataframe_to_file(pd.DataFrame({"a": [1]}), name="abc", **kw),
        lambda **kw: civis_io.json_to_file({"a": 1}, name="abc", **kw),
    ],
    ids=["file_to_civis", "dataframe_to_file", "json_to_file"],
)
@pytest.mark.parametrize("should_add_description", [True, False])
def test_file_description_attribute_added_or_not(emu, helper, should_add_description):
    """test_file_description_attribute_added_or_not: ``files.post`` gets ``description``
    only when one is given, from each of the three helpers."""
    client, seen = _requests(emu)
    if should_add_description:
        file_id = helper(description="some_description", client=client)
    else:
        file_id = helper(client=client)
    (created,) = [r for r in seen if r.url.path == "/files/"]
    expected = {"name": "abc", "description": "some_description"}
    assert json.loads(created.content) == (expected if should_add_description else {"name": "abc"})
    assert emu.state.file_store.files[file_id]["name"] == "abc"


@pytest.mark.parametrize(
    "path", ["some/path", b"some/path", Path("some/path")], ids=["str", "bytes", "Path"]
)
def test_type_path_like(emu, client, tmp_path, monkeypatch, path):
    """test_type_path_like (civis-python's ``TypePathLike``: str, bytes and os.PathLike are
    paths, numbers are not): each spelling of a path uploads and downloads."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "some").mkdir()
    (tmp_path / "some" / "path").write_bytes(b"x,y\n")
    file_id = civis_io.file_to_civis(path, client=client)
    assert emu.state.file_store.files[file_id]["name"] == "path"
    (tmp_path / "some" / "path").unlink()
    civis_io.civis_to_file(file_id, path, client=client)
    assert (tmp_path / "some" / "path").read_bytes() == b"x,y\n"
    with pytest.raises(TypeError, match="Please provide `name` explicitly"):
        civis_io.file_to_civis(12345, client=client)  # type: ignore[arg-type]


# -- downloads -----------------------------------------------------------------------------------
def test_civis_to_file(emu, client):
    """test_civis_to_file: a file's contents into a BytesIO."""
    file_id = civis_io.file_to_civis(io.BytesIO(b"a,b,c\n1,2,3"), "x", client=client)
    buf = io.BytesIO()
    civis_io.civis_to_file(file_id, buf, client=client)
    buf.seek(0)
    assert buf.read() == b"a,b,c\n1,2,3"


def test_civis_to_file_local(emu, tmp_path):
    """test_civis_to_file_local: ``files.get`` once, then one GET of its presigned URL,
    written to the path."""
    client, seen = _requests(emu)
    file_id = civis_io.file_to_civis(io.BytesIO(b"abcdef"), "x", client=client)
    seen.clear()
    civis_io.civis_to_file(file_id, str(tmp_path / "testfile"), client=client)
    assert (tmp_path / "testfile").read_text() == "abcdef"
    assert [(r.method, r.url.path) for r in seen][0] == ("GET", f"/files/{file_id}")
    assert [r.method for r in seen[1:]] == ["GET"] and len(_storage(seen, "download")) == 1


class _CutOnce(httpx.BaseTransport):
    """The emulator, except that the first download's body breaks off after 3 bytes."""

    def __init__(self):
        self._inner = httpx.HTTPTransport()
        self.downloads = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if not request.url.path.startswith("/_storage/download/"):
            return response
        self.downloads += 1
        if self.downloads > 1:
            return response
        body = response.read()

        class Broken(httpx.SyncByteStream):
            def __iter__(self):
                yield body[:3]
                raise httpx.ReadError("connection reset by peer")

        return httpx.Response(200, headers=response.headers, stream=Broken(), request=request)

    def close(self) -> None:
        self._inner.close()


def test_civis_to_file_retries(emu):
    """test_civis_to_file_retries: a download cut off part-way is fetched again and written
    from where the output started (``0123`` kept before it; not ``abcabcdef``)."""
    cut = _CutOnce()
    client = emu.client(http=cut)
    file_id = civis_io.file_to_civis(io.BytesIO(b"abcdef"), "x", client=client)
    buf = io.BytesIO(b"0123")
    buf.seek(4)
    civis_io.civis_to_file(file_id, buf, client=client)
    buf.seek(0)
    assert buf.read() == b"0123abcdef"
    assert cut.downloads == 2


# -- run outputs ---------------------------------------------------------------------------------
@pytest.fixture
def run_with_outputs(emu, client):
    """A finished SQL run (job id, run id) whose outputs are the files ``spam`` and
    ``spam.csv.gz`` / ``eggs.csv.gz`` as the test says, and a JSONValue output."""
    future = civis_io.export_to_civis_file("SELECT 1", 1, client=client)
    future.result()

    def outputs(*named):
        with emu.app.lock:
            run = emu.state.runs[future.job_id][-1]
            run.outputs = [
                {"objectType": "JSONValue", "objectId": 1, "name": "spam", "value": 1},
                *(
                    {"objectType": "File", "objectId": object_id, "name": name, "value": None}
                    for name, object_id in named
                ),
            ]
        return future.job_id, future.run_id

    return outputs


def test_file_id_from_run_output_exact(client, run_with_outputs):
    """test_file_id_from_run_output_exact"""
    job_id, run_id = run_with_outputs(("spam", 2013))
    assert civis_io.file_id_from_run_output("spam", job_id, run_id, client=client) == 2013


def test_file_id_from_run_output_approximate(client, run_with_outputs):
    """test_file_id_from_run_output_approximate"""
    job_id, run_id = run_with_outputs(("spam.csv.gz", 2013))
    found = civis_io.file_id_from_run_output("^spam", job_id, run_id, regex=True, client=client)
    assert found == 2013


def test_file_id_from_run_output_approximate_multiple(client, run_with_outputs):
    """test_file_id_from_run_output_approximate_multiple: the first match."""
    job_id, run_id = run_with_outputs(("spam.csv.gz", 2013), ("eggs.csv.gz", 2014))
    found = civis_io.file_id_from_run_output(".csv", job_id, run_id, regex=True, client=client)
    assert found == 2013


def test_file_id_from_run_output_no_file(client, run_with_outputs):
    """test_file_id_from_run_output_no_file"""
    job_id, run_id = run_with_outputs(("spam", 2013))
    with pytest.raises(FileNotFoundError) as err:
        civis_io.file_id_from_run_output("eggs", job_id, run_id, client=client)
    assert str(err.value) == f'File "eggs" is not an output of job/run ID {job_id}/{run_id}.'


def test_file_id_from_run_output_no_run(client, run_with_outputs):
    """test_file_id_from_run_output_no_run: a missing run is an IOError naming it."""
    job_id, _ = run_with_outputs(("spam", 2013))
    with pytest.raises(IOError) as err:
        civis_io.file_id_from_run_output("name", job_id, 424242, client=client)
    assert f"could not find job/run id {job_id}/424242" in str(err.value).lower()


def test_file_id_from_run_output_platform_error(emu, client, run_with_outputs):
    """test_file_id_from_run_output_platform_error: any other API error is raised as is
    (civis-python's ``CivisAPIError``)."""
    from specclient.platforms.civis.errors import CivisAPIError

    job_id, run_id = run_with_outputs(("spam", 2013))
    emu.faults.add("jobs.list_runs_outputs", "500")
    with pytest.raises(CivisAPIError) as err:
        civis_io.file_id_from_run_output("name", job_id, run_id, client=client)
    assert err.value.status_code == 500


def test_file_id_from_run_output_no_filename(client, run_with_outputs):
    """test_file_id_from_run_output_no_filename: ``.*?`` with regex is the first file."""
    job_id, run_id = run_with_outputs(("spam.csv.gz", 2013), ("eggs.csv.gz", 2014))
    found = civis_io.file_id_from_run_output(".*?", job_id, run_id, regex=True, client=client)
    assert found == 2013


# -- frames and JSON -----------------------------------------------------------------------------
def test_file_to_dataframe_expired(emu, client):
    """test_file_to_dataframe_expired: a file without contents (``file_url`` null)."""
    created = client.files.post("spam.csv")  # never uploaded: Civis gives no URL
    expected = f"Unable to locate file {created.id}. If it previously existed, it may have expired."
    with pytest.raises(civis_io.EmptyResultError, match=expected):
        civis_io.file_to_dataframe(created.id, client=client)


def test_file_to_dataframe_infer(client):
    """test_file_to_dataframe_infer: ``spam.csv`` is read uncompressed."""
    file_id = civis_io.file_to_civis(io.BytesIO(b"a,b\n1,x\n"), "spam.csv", client=client)
    frame = civis_io.file_to_dataframe(file_id, compression="infer", client=client)
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1], "b": ["x"]}))


def test_file_to_dataframe_infer_gzip(client):
    """test_file_to_dataframe_infer_gzip: ``spam.csv.gz`` is read as gzip (from its name)."""
    data = gzip.compress(b"a,b\n1,x\n")
    file_id = civis_io.file_to_civis(io.BytesIO(data), "spam.csv.gz", client=client)
    frame = civis_io.file_to_dataframe(file_id, compression="infer", client=client)
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1], "b": ["x"]}))


def test_file_to_dataframe_kwargs(client):
    """test_file_to_dataframe_kwargs: ``compression`` and other keywords go to read_csv."""
    text = "a|b\n" + "".join(f"{i}|{i * 2}\n" for i in range(20))
    file_id = civis_io.file_to_civis(io.BytesIO(text.encode()), "spam.csv", client=client)
    frame = civis_io.file_to_dataframe(
        file_id, compression="infer", client=client, delimiter="|", nrows=10
    )
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": range(10), "b": range(0, 20, 2)}))
    with pytest.raises(ValueError, match="compression"):
        civis_io.file_to_dataframe(file_id, compression="special", client=client)


def test_file_to_dataframe_polars(client):
    """test_file_to_dataframe_polars: ``return_as="polars"`` reads with polars.read_csv and
    its keywords."""
    pl = pytest.importorskip("polars")
    text = "a|b\n" + "".join(f"{i}|x{i}\n" for i in range(20))
    file_id = civis_io.file_to_civis(io.BytesIO(text.encode()), "spam.csv", client=client)
    frame = civis_io.file_to_dataframe(
        file_id, return_as="polars", client=client, separator="|", n_rows=10
    )
    expected = pl.DataFrame({"a": list(range(10)), "b": [f"x{i}" for i in range(10)]})
    assert frame.equals(expected)
    with pytest.raises(ValueError, match="unsupported return_as option: arrow"):
        civis_io.file_to_dataframe(file_id, return_as="arrow", client=client)


def test_load_json(client):
    """test_load_json: ``file_to_json`` of a file holding JSON (written by json_to_file)."""
    obj = {"spam": "eggs"}
    assert civis_io.file_to_json(civis_io.json_to_file(obj, client=client), client=client) == obj


async def test_the_file_helpers_run_on_the_async_client(emu):
    """(each helper is one flow: the same on an async client, awaited)"""
    async with emu.async_client() as client:
        file_id = await civis_io.json_to_file([1, 2], client=client)
        assert await civis_io.file_to_json(file_id, client=client) == [1, 2]
        frame_id = await civis_io.dataframe_to_file(pd.DataFrame({"a": [1]}), client=client)
        frame = await civis_io.file_to_dataframe(frame_id, client=client)
    assert list(frame.columns) == ["Unnamed: 0", "a"]  # pandas wrote the index, as there


class _AsyncCutOnce(httpx.AsyncBaseTransport):
    """:class:`_CutOnce` for the async client."""

    def __init__(self):
        self._inner = httpx.AsyncHTTPTransport()
        self.downloads = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if not request.url.path.startswith("/_storage/download/"):
            return response
        self.downloads += 1
        if self.downloads > 1:
            return response
        body = await response.aread()

        class Broken(httpx.AsyncByteStream):
            async def __aiter__(self):
                yield body[:3]
                raise httpx.ReadError("connection reset by peer")

        return httpx.Response(200, headers=response.headers, stream=Broken(), request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_multipart_upload_and_a_cut_off_download_on_the_async_client(emu, small_parts):
    """(the same flows awaited: parts streamed by the async driver, a download cut off
    part-way fetched again and written from where the output started)"""
    cut = _AsyncCutOnce()
    async with emu.async_client(http=cut) as client:
        file_id = await civis_io.file_to_civis(io.BytesIO(b"0123456789ab"), "big", client=client)
        assert _stored(emu, file_id) == b"0123456789ab"
        assert emu.state.file_store.files[file_id]["fileSize"] == 12
        out = io.BytesIO(b"xy")
        out.seek(2)
        await civis_io.civis_to_file(file_id, out, client=client)
    assert out.getvalue() == b"xy0123456789ab"
    assert cut.downloads == 2
