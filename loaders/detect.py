"""Format detection from content, not from file names.

File names lie: a USLCI release named ``…ecospold2.zip`` holds EcoSpold1 datasets. We look at
what is inside: JSON-LD packages have ``.json`` datasets in the openLCA folders; EcoSpold and
ILCD files are recognised by the namespace of their root element (parsed safely).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from lcagraph.errors import MalformedDataset, UnsafeArchive, UnsupportedFormat
from loaders.archive import MAX_MEMBER_BYTES, open_archive
from loaders.jsonld import is_jsonld_member
from loaders.xml import local_name, namespace_of, parse_xml

Format = Literal["jsonld", "ecospold2", "ilcd", "ecospold1"]

NS_ECOSPOLD1 = "http://www.EcoInvent.org/EcoSpold01"
NS_ECOSPOLD2 = "http://www.EcoInvent.org/EcoSpold02"
NS_ILCD = "http://lca.jrc.it/ILCD/"

_SNIFF_MEMBERS = 8


def detect_format(path: Path) -> Format:
    """The format of a zip, folder or single XML file, judged from its content."""
    path = Path(path)
    if not path.exists():
        raise MalformedDataset("no such file or folder; check the path", file=str(path))
    if path.is_file() and not zipfile.is_zipfile(path):
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise UnsafeArchive(f"file is larger than {MAX_MEMBER_BYTES} bytes; refused", file=str(path))
        found = format_of_xml(path.read_bytes(), str(path))
        if found is None:
            raise UnsupportedFormat(f"{path}: not an EcoSpold or ILCD XML file, nor a zip or folder")
        return found
    with open_archive(path) as archive:
        names = archive.names()
        if archive.find_root(is_jsonld_member) is not None:
            return "jsonld"
        for name in _xml_candidates(names)[:_SNIFF_MEMBERS]:
            found = format_of_xml(archive.read(name), f"{path}!{name}")
            if found is not None:
                return found
    shown = ", ".join(names[:5]) or "nothing"
    raise UnsupportedFormat(
        f"{path}: found no JSON-LD, EcoSpold2 or ILCD datasets (it holds {len(names)} files: {shown}); "
        "lcagraph reads openLCA JSON-LD, EcoSpold2 (.spold) and ILCD XML packages"
    )


def detect_supported_format(path: Path) -> Literal["jsonld", "ecospold2", "ilcd"]:
    """Like :func:`detect_format`, but EcoSpold1 raises UnsupportedFormat with the fix."""
    found = detect_format(path)
    if found == "ecospold1":
        raise ecospold1_error(str(path))
    return found


def ecospold1_error(file: str) -> UnsupportedFormat:
    """The error for EcoSpold1 content, whatever the file is called."""
    return UnsupportedFormat(
        f"{file} holds EcoSpold1 datasets (namespace {NS_ECOSPOLD1}), not EcoSpold2, whatever its name says; "
        "lcagraph reads EcoSpold2, ILCD and JSON-LD: open it in openLCA and export as JSON-LD or EcoSpold2"
    )


def format_of_xml(data: bytes, file: str) -> Format | None:
    """The format of one XML document from its root namespace; None when unknown."""
    root = parse_xml(data, file, strip=False)
    namespace = namespace_of(root.tag)
    if namespace == NS_ECOSPOLD2:
        return "ecospold2"
    if namespace == NS_ECOSPOLD1:
        return "ecospold1"
    if namespace.startswith(NS_ILCD):
        return "ilcd"
    if local_name(root.tag) == "ecoSpold":
        return "ecospold1" if root.find("dataset") is not None else "ecospold2"
    return None


def _xml_candidates(names: tuple[str, ...]) -> list[str]:
    """XML members, the likeliest datasets first (.spold, then processes/, then other .xml)."""
    def rank(name: str) -> int:
        lower = name.lower()
        if lower.endswith(".spold"):
            return 0
        return 1 if "processes/" in lower else 2
    xml = [n for n in names if n.lower().endswith((".spold", ".xml"))]
    return sorted(xml, key=rank)
