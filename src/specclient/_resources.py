"""Where the bundled specs and generated files live, installed or in a checkout."""

from __future__ import annotations

from functools import cache

TYPE_CHECKING = False  # typing's constant, without loading typing (docs/DECISIONS.md)
if TYPE_CHECKING:
    from pathlib import Path  # imported where a path is built: a warm start never needs one


@cache
def bundled_dir(name: str) -> Path:
    """Return the folder ``specs`` or ``generated``: inside the wheel, else the checkout's."""
    from pathlib import Path

    package = Path(__file__).parent
    installed = package / "_bundled" / name
    if installed.is_dir():
        return installed
    return package.parents[1] / name


def bundled_spec(platform: str) -> Path:
    """Path of the authored spec for ``platform`` (``specs/<platform>.yaml``)."""
    return bundled_dir("specs") / f"{platform}.yaml"
