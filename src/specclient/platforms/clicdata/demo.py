"""``specclient demo clicdata``: data sets, a DataFrame round trip, append, rebuild, schedules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._progress import demo_progress
from .workflows import payload as _payload
from .workflows import result_of as _result

__all__ = ["demo"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def demo(client: Any, echo: Callable[[str], None]) -> None:
    """List data sets, round-trip a DataFrame, append, rebuild, trigger a schedule, thumbnail."""
    import pandas as pd

    tables = _result(_payload(client.data.list(return_type="raw")), "data") or []
    echo(f"data sets: {', '.join(t['name'] for t in tables)}")
    frame = pd.DataFrame(
        {
            "city": ["Montreal", "Lyon", "Austin"],
            "visits": pd.array([120, None, 75], dtype="Int64"),
            "share": [0.5, 0.25, float("nan")],
            "active": [True, False, True],
            "seen": pd.to_datetime(["2025-01-02 10:00", None, "2025-03-04 08:30"], utc=True),
        }
    )
    taken = {t["name"] for t in tables}
    name = next(
        f"specclient demo {n}".strip()
        for n in ["", *range(2, 1000)]
        if f"specclient demo {n}".strip() not in taken
    )
    rec_id = client.data.create_from_dataframe(name, frame, progress=False)
    echo(f"created data set {rec_id} from a {len(frame)}-row DataFrame")
    back = client.data.get(rec_id)
    echo(f"read back {len(back)} rows: {', '.join(f'{c}:{t}' for c, t in back.dtypes.items())}")
    appended = client.data.append(rec_id, frame.iloc[[0, 2]], progress=False)
    echo(f"appended {appended} rows: {client.data.row_count(rec_id)} rows now")
    deleted = client.data.delete_rows(rec_id, {"city": "Lyon"})
    echo(f"deleted {deleted} row(s) where city == 'Lyon'")
    sales = next((t for t in tables if t["name"] == "Sales"), tables[0] if tables else None)
    if sales is not None:
        rebuilt = client.data.rebuild(sales["id"], method="rebuild").result()
        echo(
            f"rebuilt {sales['name']!r}: {rebuilt['row_count']} rows, "
            f"{len(client.data.history(sales['id']))} version(s)"
        )
    schedules = _result(_payload(client.schedules.list(return_type="raw")), "schedules") or []
    if schedules:
        future = client.schedules.trigger(schedules[0]["id"], progress=demo_progress(echo))
        run = future.result()
        echo(
            f"triggered schedule {schedules[0]['name']!r}: run {future.run_id} "
            f"{run['status']}, refreshed {run['refreshed']}"
        )
    dashboards = _result(_payload(client.dashboards.list(return_type="raw")), "dashboards") or []
    if dashboards:
        image = client.dashboards.thumbnail(dashboards[0]["id"])
        kind = "PNG" if image.startswith(_PNG_SIGNATURE) else "unknown data"
        echo(f"thumbnail of {dashboards[0]['name']!r}: {len(image)} bytes of {kind}")
