"""``specclient demo``: each platform's end-to-end workflow, on its emulator or live.

Each platform's declaration names its ``demo(client, echo)``; this module only starts the emulator
(``specclient.emulators.running``), hands the demo a connected client, times it and prints a
short report. A platform whose adapter or emulator is missing is reported and skipped, so
the command stays useful while parts are being built; a demo that fails is reported with its
error (never a traceback) and makes the command exit 1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import SpecClientError

Echo = Callable[[str], None]


@dataclass
class Outcome:
    platform: str
    status: str  # "ok", "failed", "skipped"
    seconds: float = 0.0
    detail: str = ""


def _indented(echo: Echo, prefix: str = "  ") -> Echo:
    """An echo for a demo: every line of what it prints is indented under its heading."""

    def indented(text: str) -> None:
        for line in str(text).splitlines() or [""]:
            echo(prefix + line)

    return indented


def _demo_function(platform: str) -> Callable[..., None] | None:
    """The demo the platform's declaration names (``None``: it has none, or cannot load)."""
    from .platforms import get

    try:
        return get(platform).demo
    except ImportError:
        return None


def _describe(exc: BaseException) -> str:
    from .http.redact import redact_text_urls

    if isinstance(exc, SpecClientError):
        return f"{type(exc).__name__}: {exc}"
    # A bug in a demo, not a user error: name it plainly, still without a traceback dump, and
    # without the query values of any URL it quotes (signed links carry credentials).
    return f"unexpected {type(exc).__name__}: {redact_text_urls(str(exc))}"


def run_one(platform: str, echo: Echo, *, seed: int = 0) -> Outcome:
    """Start ``platform``'s emulator, run its demo, and say how it went."""
    demo = _demo_function(platform)
    if demo is None:
        return Outcome(platform, "skipped", detail="no demo in specclient.platforms yet")
    from .emulators import running

    started = time.perf_counter()
    try:
        with running(platform, seed=seed) as emulator:
            echo(f"  emulator at {emulator.base_url}")
            client = emulator.client()
            try:
                demo(client, _indented(echo))
            finally:
                client.close()
    except (ImportError, LookupError) as exc:
        if isinstance(exc, ImportError) or "emulator" in str(exc).lower():
            return Outcome(platform, "skipped", detail=f"no emulator yet ({exc})")
        return Outcome(platform, "failed", time.perf_counter() - started, _describe(exc))
    except Exception as exc:  # report and carry on with the next platform
        return Outcome(platform, "failed", time.perf_counter() - started, _describe(exc))
    return Outcome(platform, "ok", time.perf_counter() - started)


def run_demo(platforms: Iterable[str], echo: Echo, *, seed: int = 0) -> bool:
    """Run the offline demo of each platform; True when none failed."""
    outcomes = []
    for platform in platforms:
        echo(f"== {platform} ==")
        outcome = run_one(platform, echo, seed=seed)
        if outcome.status != "ok":
            echo(f"  {outcome.status}: {outcome.detail}")
        outcomes.append(outcome)
        echo("")
    echo("== summary ==")
    for outcome in outcomes:
        timing = f"{outcome.seconds:6.2f}s" if outcome.status != "skipped" else "      -"
        echo(f"  {outcome.platform:<9} {outcome.status:<8} {timing}")
    ok = [o for o in outcomes if o.status == "ok"]
    echo(
        f"  {len(ok)} of {len(outcomes)} workflows ran offline in "
        f"{sum(o.seconds for o in outcomes):.2f}s"
    )
    return all(outcome.status != "failed" for outcome in outcomes)


def run_live(platform: str, echo: Echo) -> bool:
    """Run ``platform``'s demo against the real service with the user's own credentials."""
    demo = _demo_function(platform)
    if demo is None:
        echo(f"error: {platform} has no demo")
        return False
    from .platforms import connect

    echo(f"== {platform} (live) ==")
    started = time.perf_counter()
    try:
        with connect(platform) as client:
            echo(f"  connected to {client.base_url}")
            demo(client, _indented(echo))
    except Exception as exc:
        echo(f"  failed: {_describe(exc)}")
        return False
    echo(f"  ok in {time.perf_counter() - started:.2f}s")
    return True
