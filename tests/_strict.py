"""Warnings as errors around the code under test, and only its warnings.

A test that turns every warning into an error also turned into errors the ResourceWarnings of
sockets earlier tests left behind, whenever the garbage collector happened to run inside the
block (a flaky failure naming a socket the test never opened). Collecting first leaves the
block only what its own code does.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def warnings_as_errors() -> Iterator[None]:
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
