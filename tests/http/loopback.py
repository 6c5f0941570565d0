"""A real HTTP server on 127.0.0.1 for tests that need real sockets: connection pools,
deadlines over trickling replies, size limits over compressed replies.

``serve(handler)`` runs ``handler(method, path, headers, body) -> Reply`` per request in a
thread per connection. A ``Reply`` may trickle its body (``pause`` seconds between chunks).
Kept out of conftest.py so tests import it by a name no other test directory uses.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    pause: float = 0.0  # seconds before each chunk (a trickling server)
    head_pause: float = 0.0  # seconds before the status line


Handler = Callable[[str, str, dict[str, str], bytes], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    handler: Handler
    requests: list[tuple[str, str, dict[str, str], bytes]]
    stopping: threading.Event

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client closing its pooled connection is not news


def _handler_class() -> type[BaseHTTPRequestHandler]:
    class _Handle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server: _Server

        def log_message(self, *args: object) -> None:  # quiet
            return

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            self.server.requests.append((self.command, self.path, headers, body))
            reply = self.server.handler(self.command, self.path, headers, body)
            try:
                if reply.head_pause and self.server.stopping.wait(reply.head_pause):
                    return
                self.send_response(reply.status)
                total = sum(len(c) for c in reply.chunks)
                names = {k.lower() for k in reply.headers}
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if "content-length" not in names:
                    self.send_header("Content-Length", str(total))
                self.end_headers()
                for chunk in reply.chunks:
                    if reply.pause and self.server.stopping.wait(reply.pause):
                        return
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    return _Handle


@contextlib.contextmanager
def serve(handler: Handler) -> Iterator[_Server]:
    """Serve ``handler`` on a free loopback port; yields the server (``.url``, ``.requests``)."""
    server = _Server(("127.0.0.1", 0), _handler_class())
    server.handler = handler
    server.requests = []
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()


def trickle(body: bytes, pause: float) -> Reply:
    """A reply that sends one byte every ``pause`` seconds."""
    return Reply(chunks=[body[i : i + 1] for i in range(len(body))], pause=pause)


__all__ = ["Reply", "serve", "trickle"]
