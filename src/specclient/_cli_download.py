"""A download on the command line: the answer's bytes streamed to standard output as they
arrive (memory stays flat whatever the size), with a byte-count progress bar on a terminal.

A spec operation whose success answer is not JSON (``application/octet-stream``, a file) is a
download. Its request is made and checked exactly as the Python method makes it (the method's
own binding, request and error mapping); only the body is read as a stream instead of at once.
"""

from __future__ import annotations

from typing import IO, Any

from .openapi.model import Operation


def is_download(operation: Operation) -> bool:
    media_type = operation.success.media_type if operation.success is not None else None
    return bool(media_type) and "json" not in str(media_type)


def stream_download(
    client: Any, method: Any, args: Any, kwargs: Any, out: IO[bytes], *, show: bool
) -> int:
    """Send ``method(*args, **kwargs)`` and copy its answer to ``out``; the bytes written.

    ``show``: draw a tqdm bar of bytes (its total from ``Content-Length`` when the server
    sends one) on stderr; the command passes "stderr is a terminal", so pipes and CI logs
    stay clean."""
    from tqdm import tqdm

    from .response import raise_for_status

    parts = method._bind(args, dict(kwargs))
    response = client._send(**method._request(parts), stream=True)
    try:
        raise_for_status(response, method.operation, now=client._clock.time())
        length = response.headers.get("content-length", "")
        written = 0
        with tqdm(
            total=int(length) if length.isdigit() else None,
            desc="download",
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            leave=False,
            disable=not show,
        ) as bar:
            for chunk in response.iter_bytes():
                out.write(chunk)
                written += len(chunk)
                bar.update(len(chunk))
        out.flush()
        return written
    finally:
        response.close()
