"""The Civis emulator: ``running("civis")`` builds it with :func:`build`."""

from specclient.emulators.civis.handlers import CREDENTIALS, build, served_spec

__all__ = ["CREDENTIALS", "build", "served_spec"]
