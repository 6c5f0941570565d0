"""The uSmart emulator: ``running("usmart")`` builds it with :func:`build`."""

from specclient.emulators.usmart.handlers import CREDENTIALS, ORG_GUID, VIEWER_CREDENTIALS, build

__all__ = ["CREDENTIALS", "ORG_GUID", "VIEWER_CREDENTIALS", "build"]
