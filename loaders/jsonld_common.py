"""Shared pieces of the openLCA JSON-LD reader: error locations, typed field access, the context.

Schema 1.x and 2.x differ in names (``input`` / ``isInput``, ``quantitativeReference`` /
``isQuantitativeReference``, ``avoidedProduct`` / ``isAvoidedProduct``, ``referenceFlowProperty``
/ ``isRefFlowProperty``) and in categories (a reference to a Category dataset, a ``categoryPath``
list, or a path string ``"a/b/c"``); the helpers here accept both.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from lcagraph.config import LIMIT_VARIABLES, InputLimits, input_limits
from lcagraph.errors import LimitExceeded, MalformedDataset, UnresolvedReference, quoted
from lcagraph.records import Parameter
from loaders.units import UnitTable

Json = dict[str, object]

_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as int8
_ID_CHARS = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def decode_json(data: bytes, file: str, limits: InputLimits) -> object:
    """Parse one JSON file after checking string lengths, nesting depth and NUL characters in the
    bytes (cheap scans, only where the file is big or deep enough to matter)."""
    # A file shorter than the string limit holds no longer string; one with fewer opening
    # brackets than the depth limit nests no deeper: most files need no scan.
    long = len(data) > limits.string_bytes
    deep = data.count(b"[") + data.count(b"{") > limits.json_depth
    if long or deep:
        _check_shape(data, file, limits, long, deep)
    if b"\\u0000" in data:
        raise MalformedDataset("contains a NUL character (\\u0000); remove it from the dataset", file=file)
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        reason = quoted(str(e))[1:-1]
        raise MalformedDataset(f"not valid JSON ({reason}); re-export the dataset", file=file) from e
    except ValueError as e:  # the one other failure of json.loads: int() refuses a too long integer
        raise MalformedDataset(
            f"an integer of more than {sys.get_int_max_str_digits()} digits is too large for a number; "
            "give a value below 1e308",
            file=file,
        ) from e


def _check_shape(data: bytes, file: str, limits: InputLimits, long: bool, deep: bool) -> None:
    # Escapes become two placeholder bytes (same length, no quote), so the remaining quotes are
    # exactly the string delimiters: odd pieces of a split on them are strings, even ones structure.
    plain = data.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b'\\"' in data else data
    if long:
        longest = max(map(len, plain.split(b'"')[1::2]), default=0)
        if longest > limits.string_bytes:
            raise LimitExceeded(
                f"a string of {longest} bytes, more than "
                f"{LIMIT_VARIABLES['string_bytes']}={limits.string_bytes}; refused",
                file=file,
            )
    if deep:
        brackets = b"".join(plain.translate(None, _NOT_STRUCTURE).split(b'"')[0::2]).translate(_STEPS)
        depth = int(np.frombuffer(brackets, dtype=np.int8).cumsum(dtype=np.int64).max(initial=0))
        if depth > limits.json_depth:
            raise LimitExceeded(
                f"arrays and objects nested {depth} deep, more than "
                f"{LIMIT_VARIABLES['json_depth']}={limits.json_depth}; refused",
                file=file,
            )


def check_id(value: str, where: Where, field: str) -> str:
    """A dataset id of at most 255 printable characters (ids end up in URLs, QR codes and every
    message about the dataset; openLCA's are 36-character UUIDs)."""
    if len(value) > _ID_CHARS:
        raise where.error(f"id {quoted(value)} is longer than {_ID_CHARS} characters; use a UUID", field)
    if _CONTROL.search(value):
        raise where.error(f"id {quoted(value)} contains a control character; use printable ids", field)
    return value


@dataclass(frozen=True, slots=True)
class Where:
    """The file and dataset being read, for error messages."""

    file: str
    dataset: str = ""

    def error(self, message: str, field: str = "") -> MalformedDataset:
        return MalformedDataset(message, file=self.file, dataset=self.dataset, field=field)

    def unresolved(self, message: str, field: str = "") -> UnresolvedReference:
        return UnresolvedReference(message, file=self.file, dataset=self.dataset, field=field)

    def warning(self, message: str, field: str = "") -> str:
        """A report warning naming the dataset and field."""
        where = ", ".join(
            p
            for p in (
                f"dataset {self.dataset!r}" if self.dataset else "",
                f"field {field!r}" if field else "",
            )
            if p
        )
        return f"{where}: {message}" if where else message

    def relocate(self, e: MalformedDataset, field: str) -> MalformedDataset:
        """The same error (same class), placed in this file and dataset; `field` prefixes e.field."""
        full = f"{field}.{e.field}" if e.field and field else (e.field or field)
        return type(e)(bare_message(e), file=self.file, dataset=self.dataset, field=full)


def bare_message(e: MalformedDataset) -> str:
    """The message of `e` without its "file ..., field ...: " prefix."""
    parts = [
        f"file {e.file!r}" if e.file else "",
        f"dataset {e.dataset!r}" if e.dataset else "",
        f"field {e.field!r}" if e.field else "",
    ]
    prefix = ", ".join(p for p in parts if p)
    message = str(e)
    return message[len(prefix) + 2 :] if prefix and message.startswith(prefix + ": ") else message


@dataclass(frozen=True, slots=True)
class DqSystem:
    """A data-quality system: its name and indicator names by position (1-based)."""

    name: str
    indicators: tuple[str, ...] = ()


@dataclass(slots=True)
class Context:
    """What the package defines besides processes: units, categories, locations, DQ systems."""

    units: UnitTable
    categories: dict[str, Json] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    dq_systems: dict[str, DqSystem] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # source @id -> full name (jsonld.source_citation)
    limits: InputLimits = field(default_factory=input_limits)
    globals: dict[str, float] = field(default_factory=dict)  # lower-case name -> value
    global_params: dict[str, Parameter] = field(default_factory=dict)  # lower-case name -> record
    global_formulas: int = 0

    def category_path(self, value: object) -> tuple[str, ...]:
        """Category path of a dataset: 2.x string, 1.x reference (resolved) or categoryPath list."""
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split("/") if p.strip())
        if not isinstance(value, dict):
            return ()
        listed = value.get("categoryPath")
        if isinstance(listed, list) and "@id" not in self.categories.get(str(value.get("@id")), {}):
            return (*(str(p) for p in listed), str(value.get("name", "")))
        path: list[str] = []
        seen: set[str] = set()
        current: object = value
        while isinstance(current, dict):
            cid = str(current.get("@id", ""))
            full = self.categories.get(cid, current)
            if cid in seen:
                break  # a category loop in broken data; the path read so far is kept
            seen.add(cid)
            path.append(str(full.get("name", "")).strip())
            current = full.get("category")
        return tuple(reversed([p for p in path if p]))

    def location(self, value: object) -> str:
        """Location code (from the locations folder) or the reference's name."""
        if isinstance(value, dict):
            return self.locations.get(str(value.get("@id", "")), str(value.get("name", "") or ""))
        return str(value) if isinstance(value, str) else ""


def flag(obj: Mapping[str, object], *names: str) -> bool:
    """First present boolean among 2.x/1.x names (string "TRUE"/"FALSE" tolerated)."""
    for name in names:
        if name in obj:
            value = obj[name]
            return value.strip().lower() == "true" if isinstance(value, str) else bool(value)
    return False


def ref_id(obj: Mapping[str, object], key: str) -> str | None:
    """The @id of a reference field, or None where absent."""
    value = obj.get(key)
    if isinstance(value, dict) and isinstance(value.get("@id"), str) and value["@id"]:
        return str(value["@id"])
    return None


def ref_name(obj: Mapping[str, object], key: str) -> str:
    """The name of a reference field ('' where absent)."""
    value = obj.get(key)
    return str(value.get("name", "") or "") if isinstance(value, dict) else ""


def text(obj: Mapping[str, object], key: str) -> str:
    """A string field ('' where absent or not a string)."""
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def number(value: object, where: Where, field: str) -> float:
    """A finite number; raises MalformedDataset naming the field otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(f"{quoted(value)} is not a number; give a numeric value", field)
    try:
        result = float(value)
    except OverflowError as e:  # an integer beyond the float range
        raise where.error(f"{quoted(value)} is too large for a number; give a value below 1e308",
                          field) from e
    if not math.isfinite(result):
        raise where.error(f"{quoted(value)} is not a finite number", field)
    return result


def object_list(obj: Mapping[str, object], key: str, where: Where) -> list[Json]:
    """A list of JSON objects (absent or null: empty); anything else is refused, naming the field."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(f"{quoted(value)} is a {type(value).__name__}, not a list of objects", key)
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise where.error(f"{quoted(item)} is a {type(item).__name__}, not an object", f"{key}[{i}]")
    return value


def optional_number(obj: Mapping[str, object], key: str, where: Where, field: str) -> float | None:
    """A numeric field or None where absent/null."""
    value = obj.get(key)
    return None if value is None else number(value, where, field)


def dicts(value: object) -> list[Json]:
    """The dict items of a JSON list (others dropped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
