"""The Habu (LiveRamp Clean Room) emulator: ``running("habu")`` builds it with :func:`build`."""

from specclient.emulators.habu.handlers import CREDENTIALS, build

__all__ = ["CREDENTIALS", "build"]
