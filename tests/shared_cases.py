"""Test modules whose hand-solved systems and helpers other test modules reuse, loaded once each
from their files (the tests are not a package; pytest imports them with importlib)."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parent


@functools.cache
def load_test_module(relative: str) -> ModuleType:
    """The module of ``tests/<relative>`` (e.g. ``graph/test_technosphere.py``), loaded once."""
    path = TESTS / relative
    name = "shared_cases." + relative.removesuffix(".py").replace("/", ".")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def technosphere_hand() -> ModuleType:
    """tests/graph/test_technosphere.py: the two-database hand system solved in its docstring."""
    return load_test_module("graph/test_technosphere.py")


def tree_store_hand() -> ModuleType:
    """tests/graph/test_tree_store.py: the hand system of the upstream tree."""
    return load_test_module("graph/test_tree_store.py")
