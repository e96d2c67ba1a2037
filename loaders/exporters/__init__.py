"""Writers of the package formats lcagraph exports (the readers are the loaders beside this package)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lcagraph.records import DatabaseContent
from loaders.exporters.ilcd import write_ilcd
from loaders.exporters.jsonld import write_jsonld

EXPORT_FORMATS = ("ilcd", "jsonld")
WRITERS: dict[str, Callable[[DatabaseContent, Path], tuple[str, ...]]] = {
    "ilcd": write_ilcd, "jsonld": write_jsonld,
}
FORMAT_NAMES = {"ilcd": "ILCD", "jsonld": "openLCA JSON-LD 2"}
