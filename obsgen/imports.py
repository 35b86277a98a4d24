"""Importing a command's heavy dependencies without the cyclic garbage collector watching.

Importing the build path (pydantic's models and validators, grafanalib's attrs classes, the model's
dataclasses) creates about 40,000 objects that live as long as the process, and almost no garbage:
every collection pass during the import walked them all again for a few thousand temporary objects,
about 40 ms of CPU of a one-journey build (BENCHMARKS.md, "Emitting faster").
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


@contextmanager
def unwatched() -> Iterator[None]:
    """Import inside the block with the collector off; what was imported is then frozen (left out of
    later passes, as modules are never freed), and the collector is back as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def late(name: str) -> ModuleType:
    """The module, imported (unwatched) the first time it is asked for rather than with its importer's."""
    module = sys.modules.get(name)
    if module is None:
        with unwatched():
            module = importlib.import_module(name)
    return module
