"""``client.dashboards``: thumbnails and snapshots as image bytes (PNG), sync and async."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from specclient.client import AsyncResource, Resource
from specclient.errors import SpecClientError

from .workflows import payload as _payload
from .workflows import result_of as _result

__all__ = ["ClicDataDashboards", "AsyncClicDataDashboards"]


def _image_bytes(response: Any, what: str) -> bytes:
    body = _payload(response)
    text = _result(body)
    if isinstance(text, Mapping):
        text = text.get("image") or text.get("thumbnail") or text.get("snapshot")
    if not isinstance(text, str):
        raise SpecClientError(f"{what}: ClicData sent no base64 image")
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise SpecClientError(f"{what}: ClicData's image is not valid base64") from None


class ClicDataDashboards(Resource):
    """``client.dashboards``: thumbnails and snapshots come back as image bytes (PNG)."""

    def thumbnail(self, id: int) -> bytes:  # noqa: A002 - the spec's own parameter name
        """The dashboard's thumbnail, decoded from base64: PNG bytes."""
        return _image_bytes(self.method("thumbnail")(id, return_type="raw"), "dashboards.thumbnail")

    def snapshot(self, id: int) -> bytes:  # noqa: A002
        """A full-size snapshot of the dashboard, decoded from base64: PNG bytes."""
        return _image_bytes(self.method("snapshot")(id, return_type="raw"), "dashboards.snapshot")


class AsyncClicDataDashboards(AsyncResource):
    """``client.dashboards`` on an AsyncClient: image bytes, as the sync one."""

    async def thumbnail(self, id: int) -> bytes:  # noqa: A002
        return _image_bytes(
            await self.method("thumbnail")(id, return_type="raw"), "dashboards.thumbnail"
        )

    async def snapshot(self, id: int) -> bytes:  # noqa: A002
        return _image_bytes(
            await self.method("snapshot")(id, return_type="raw"), "dashboards.snapshot"
        )
