"""The package formats lcagraph reads: one registry of readers, chosen by content for ``auto``.

Writers of the formats lcagraph exports are in loaders/exporters (``WRITERS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from lcagraph.errors import InvalidArgument
from lcagraph.records import Database, DatabaseContent
from loaders.detect import detect_supported_format
from loaders.ecospold2 import read_ecospold2
from loaders.ilcd import read_ilcd
from loaders.jsonld import read_jsonld

FORMATS = ("auto", "jsonld", "ecospold2", "ilcd")
READERS: dict[str, Callable[[Path, Database], DatabaseContent]] = {
    "jsonld": read_jsonld, "ecospold2": read_ecospold2, "ilcd": read_ilcd,
}


def read_package(path: Path, database: Database, fmt: str = "auto") -> DatabaseContent:
    """Read a package with the reader of its format (detected from content for 'auto')."""
    if fmt not in FORMATS:
        raise InvalidArgument(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    found = detect_supported_format(path) if fmt == "auto" else fmt
    return READERS[found](path, replace(database, format=found))
