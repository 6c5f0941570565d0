"""Where the bundled specs and generated files live, installed or in a checkout."""

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).parent


@cache
def bundled_dir(name: str) -> Path:
    """Return the folder ``specs`` or ``generated``: inside the wheel, else the checkout's."""
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parents[1] / name


def bundled_spec(platform: str) -> Path:
    """Path of the authored spec for ``platform`` (``specs/<platform>.yaml``)."""
    return bundled_dir("specs") / f"{platform}.yaml"
