"""``return_type="pandas"`` hides what a ``Response`` repr hides (issue 12 item 10)."""

from __future__ import annotations

import httpx

from specclient import Client

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "http://api.example"}],
    "paths": {
        "/keys": {
            "get": {
                "operationId": "keys",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string"},
                                            "apiKey": {"type": "string"},
                                            "hint": {"type": "string", "x-secret": True},
                                        },
                                    },
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}
ROWS = [
    {"name": "a", "apiKey": "frame-key-1", "hint": "frame-hint-1"},
    {"name": "b", "apiKey": None, "hint": "frame-hint-2"},
]


def test_a_frame_shows_the_mask_where_the_response_repr_does() -> None:
    client = Client(SPEC, http=httpx.MockTransport(lambda r: httpx.Response(200, json=ROWS)))
    frame = client.keys.list(return_type="pandas")
    assert list(frame["name"]) == ["a", "b"]
    assert frame["apiKey"].tolist()[0] == "***" and frame["apiKey"].isna().tolist()[1]
    assert frame["hint"].tolist() == ["***", "***"]
    shown = repr(frame) + frame.to_csv()
    assert "frame-key-1" not in shown and "frame-hint" not in shown
    assert "frame-key-1" not in repr(client.keys.list())  # the Response view, for comparison
    assert client.keys.list()[0].api_key == "frame-key-1"  # still readable there
