"""Format detection from content, not from file names.

File names lie: a USLCI release named ``…ecospold2.zip`` holds EcoSpold1 datasets. We look at
what is inside: JSON-LD packages have ``.json`` datasets in the openLCA folders; EcoSpold and
ILCD files are recognised by the namespace of their root element (parsed safely).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

from lcagraph.config import input_limits
from lcagraph.errors import MalformedDataset, UnsupportedFormat
from loaders.archive import check_file_size, open_archive
from loaders.jsonld import is_jsonld_member
from loaders.xml import local_name, namespace_of, parse_xml

Format = Literal["jsonld", "ecospold2", "ilcd", "ecospold1"]

NS_ECOSPOLD1 = "http://www.EcoInvent.org/EcoSpold01"
NS_ECOSPOLD2 = "http://www.EcoInvent.org/EcoSpold02"
NS_ILCD = "http://lca.jrc.it/ILCD/"

_SNIFF_MEMBERS = 8
_TRIED = (
    "tried a zip or folder package (openLCA JSON-LD, EcoSpold2, ILCD), an EcoSpold2 XML file and an "
    "ILCD XML file"
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # markup, or a byte-order mark first


def check_xml_shape(data: bytes, file: str) -> None:
    """Refuse a single file that is neither a zip nor XML, saying what was tried and what it is."""
    if data.startswith(_ZIP_MAGIC):
        raise MalformedDataset(
            "a zip file that cannot be read (truncated or damaged: its central directory is missing); "
            "download or create it again", file=file)
    if not data.strip():
        raise UnsupportedFormat(f"{file}: the file is empty; {_TRIED}")
    if not data.lstrip().startswith(_XML_STARTS):
        raise UnsupportedFormat(
            f"{file}: {_TRIED}; the file is none of them (it starts with bytes {data[:8]!r})")


def detect_format(path: Path) -> Format:
    """The format of a zip, folder or single XML file, judged from its content."""
    path = Path(path)
    if not path.exists():
        raise MalformedDataset("no such file or folder; check the path", file=str(path))
    if path.is_file() and not zipfile.is_zipfile(path):
        check_file_size(path, input_limits())
        data = path.read_bytes()
        check_xml_shape(data, str(path))
        found = format_of_xml(data, str(path))
        if found is None:
            raise UnsupportedFormat(f"{path}: {_TRIED}; it is XML of none of these formats")
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
