"""The ClicData emulator: ``running("clicdata")`` builds it with :func:`build`."""

from specclient.emulators.clicdata.handlers import (
    CREDENTIALS,
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SECRETS,
    build,
)

__all__ = [
    "CREDENTIALS",
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "SECRETS",
    "build",
]
