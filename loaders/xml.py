"""Safe XML parsing and small helpers shared by the EcoSpold2 and ILCD loaders.

Everything goes through :func:`parse_xml`: no DTDs, no entity expansion, no network (defusedxml),
so a billion-laughs file or an external entity gets :class:`~lcagraph.errors.UnsafeArchive`
naming the file. Tags are stripped of their namespaces after parsing: real ILCD files bind the
same namespaces to different prefixes (``common:``, ``ns2:``, default), and readers only need
local names. Members of a package are read through :func:`loaders.archive.open_archive`.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import fromstring as safe_fromstring

from lcagraph.config import LIMIT_VARIABLES, input_limits
from lcagraph.errors import InvalidArgument, LimitExceeded, MalformedDataset, UnsafeArchive, quoted
from lcagraph.records import Database, Exchange, Process
from loaders.archive import check_file_size, open_archive

Element = ET.Element
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_xml(data: bytes, file: str, *, strip: bool = True) -> Element:
    """Parse `data` refusing DTDs and entities; with `strip`, tags lose their ``{namespace}``.

    Without a DTD no entity can be declared nor anything external fetched, so a document whose
    bytes show no ``<!DOCTYPE``/``<!ENTITY`` (and whose encoding keeps ASCII readable) is parsed by
    the C parser, about four times faster; anything else goes through defusedxml.
    """
    try:
        if _plain_ascii_compatible(data):
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise DTDForbidden("DOCTYPE", None, None)
            root = ET.fromstring(data)  # noqa: S314 - no DTD (checked above), hence no entities
        else:
            root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise UnsafeArchive(
            f"XML with a DTD or entity declarations is refused ({type(e).__name__}); "
            "EcoSpold and ILCD files need neither, remove the <!DOCTYPE ...> block",
            file=file,
        ) from e
    except ET.ParseError as e:
        line, column = e.position
        raise MalformedDataset(
            f"not well-formed XML at line {line}, column {column} ({e}); fix or re-export the file",
            file=file,
        ) from e
    except (ValueError, LookupError) as e:  # expat: a multi-byte or unknown declared encoding
        declared = _DECLARED_ENCODING.match(data[:200].removeprefix(b"\xef\xbb\xbf"))
        encoding = declared.group(1).decode("ascii") if declared else "?"
        raise MalformedDataset(
            f"XML declares encoding {encoding!r}, which lcagraph cannot read ({e}); "
            "re-save the file as UTF-8",
            file=file,
        ) from e
    if len(data) > input_limits().string_bytes:
        check_xml_strings(root, file, input_limits().string_bytes)
    return strip_namespaces(root) if strip else root


def check_xml_strings(root: Element, file: str, limit: int) -> None:
    """Refuse text or an attribute value longer than `limit` bytes (UTF-8), naming the element."""
    for el in root.iter():
        for where, value in (("text", el.text), ("tail", el.tail), *el.attrib.items()):
            size = len(value.encode("utf-8")) if value and len(value) * 4 > limit else 0
            if size > limit:
                raise LimitExceeded(
                    f"{where} of <{local_name(el.tag)}> is {size} bytes long, more than "
                    f"{LIMIT_VARIABLES['string_bytes']}={limit}; refused",
                    file=file,
                    field=local_name(el.tag),
                )


_ASCII_ENCODINGS = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"})
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _plain_ascii_compatible(data: bytes) -> bool:
    """True when markup is plain ASCII in the bytes: UTF-8 (BOM or not), ASCII or Latin-1."""
    head = data[:200].removeprefix(b"\xef\xbb\xbf")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        return False
    declared = _DECLARED_ENCODING.match(head)
    return declared is None or declared.group(1).decode("ascii").lower() in _ASCII_ENCODINGS


def check_exchange_count(count: int, *, file: str, dataset: str, field: str) -> None:
    """Refuse a process with more exchanges than the limit, before reading them."""
    limit = input_limits().exchanges
    if count > limit:
        raise LimitExceeded(
            f"{count} exchanges in one process, more than {LIMIT_VARIABLES['exchanges']}={limit}; refused",
            file=file, dataset=dataset, field=field,
        )


def strip_namespaces(root: Element) -> Element:
    """Drop ``{namespace}`` from every tag below and including `root` (in place)."""
    for el in root.iter():
        if el.tag[:1] == "{":
            el.tag = el.tag.split("}", 1)[1]
    return root


def namespace_of(tag: str) -> str:
    """The namespace URI of an unstripped tag ('' when none)."""
    return tag[1:].split("}", 1)[0] if tag[:1] == "{" else ""


def local_name(tag: str) -> str:
    """A tag without its namespace."""
    return tag.split("}", 1)[1] if tag[:1] == "{" else tag


def text_at(el: Element | None, path: str = "") -> str:
    """Stripped text of the first element at `path` below `el` ('' when absent)."""
    if el is None:
        return ""
    node = el.find(path) if path else el
    return (node.text or "").strip() if node is not None else ""


def lang_text(el: Element | None, path: str, lang: str = "en") -> str:
    """Text of the element at `path` in language `lang`, else the first one with text."""
    return "" if el is None else text_in_lang(el.iterfind(path), lang)


def children_by_tag(el: Element) -> dict[str, list[Element]]:
    """The direct children of `el` by tag, in document order (one pass: a reader that asks a dozen
    questions of each of 600,000 exchanges spent a quarter of its time in ElementPath)."""
    kids: dict[str, list[Element]] = {}
    for child in el:
        kids.setdefault(child.tag, []).append(child)
    return kids


def text_in_lang(nodes: Iterable[Element], lang: str = "en") -> str:
    """Text of the node in language `lang`, else the first one with text ('' when none)."""
    first = ""
    for node in nodes:
        text = (node.text or "").strip()
        if text and node.get(XML_LANG, lang) == lang:
            return text
        first = first or text
    return first


def to_float(value: str | None, *, file: str, dataset: str, field: str) -> float:
    """A finite number from XML text; MalformedDataset naming file, dataset and field otherwise."""
    try:
        number = float((value or "").strip())
    except ValueError as e:
        raise MalformedDataset(
            f"{quoted(value)} is not a number; give a decimal number such as 1.5E-3", file=file,
            dataset=dataset, field=field,
        ) from e
    if not math.isfinite(number):
        raise MalformedDataset(f"{quoted(value)} is not a finite number", file=file, dataset=dataset,
                               field=field)
    return number


def optional_float(value: str | None, *, file: str, dataset: str, field: str) -> float | None:
    """Like :func:`to_float`, but None for an absent or empty value."""
    if value is None or not value.strip():
        return None
    return to_float(value, file=file, dataset=dataset, field=field)


def iter_members(path: Path, wanted: Callable[[str], bool]) -> Iterator[tuple[str, str, bytes]]:
    """Yield ``(member, file label, bytes)`` for members of a zip/folder (or a single file).

    The file label (``package.zip!member``) is what error messages name.
    """
    path = Path(path)
    if path.is_file() and not zipfile.is_zipfile(path):
        check_file_size(path, input_limits())
        yield path.name, str(path), path.read_bytes()
        return
    with open_archive(path) as archive:
        for name in archive.names():
            if wanted(name):
                yield name, f"{path}!{name}", archive.read(name)


def slug(name: str) -> str:
    """A database id from its name: lower case, other characters → '-' ("US LCI FY17" → "us-lci-fy17")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def database_record(database: Database | str, fmt: str, file: str) -> Database:
    """The Database record of an import: given, or made from a name (id = slug of the name)."""
    if isinstance(database, Database):
        return database if database.format else replace(database, format=fmt)
    if not slug(database):
        raise InvalidArgument(
            f"database name {database!r} has no letters or digits; give a name such as 'USLCI'")
    return Database(id=slug(database), name=database, format=fmt, source=Path(file).name)


def co_product_processes(processes: list[Process], exchanges: tuple[Exchange, ...],
                         flow_types: dict[str, str]) -> tuple[str, ...]:
    """Ids of processes with more than one product output (multi-output: allocation matters)."""
    outputs = Counter(e.process for e in exchanges if not e.is_input and flow_types.get(e.flow) == "product")
    return tuple(p.id for p in processes if outputs[p.id] > 1)


def warning(message: str, *, file: str = "", dataset: str = "", field: str = "") -> str:
    """A report warning placed like a MalformedDataset message: file, dataset and field first."""
    where = ", ".join(f"{k} {v!r}" for k, v in (("file", file), ("dataset", dataset), ("field", field)) if v)
    return f"{where}: {message}" if where else message
