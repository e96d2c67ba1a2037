"""PACT fixtures, defined in pact_harness.py (a plain module, so that tests can import its
names: this folder goes on sys.path, as pytest's importlib mode does not add it)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from pact_harness import openapi, pact, pact_graph, publications, receiver

__all__ = ["openapi", "pact", "pact_graph", "publications", "receiver"]
