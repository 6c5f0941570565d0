"""A minimal ASGI app for per-call benchmarks: answers every GET with a small JSON object.

Run in its own process (``python -m uvicorn benchmarks._tiny_server:app``) so the server's work
does not share a GIL with the client being measured.
"""

import json

BODY = json.dumps(
    {
        "id": 1,
        "name": "thing",
        "createdAt": "2026-01-01T00:00:00Z",
        "tags": ["a", "b"],
        "ownerId": 7,
    }
).encode()


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BODY})
