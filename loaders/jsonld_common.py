"""Shared pieces of the openLCA JSON-LD reader: error locations, typed field access, the context.

Schema 1.x and 2.x differ in names (``input`` / ``isInput``, ``quantitativeReference`` /
``isQuantitativeReference``, ``avoidedProduct`` / ``isAvoidedProduct``, ``referenceFlowProperty``
/ ``isRefFlowProperty``) and in categories (a reference to a Category dataset, a ``categoryPath``
list, or a path string ``"a/b/c"``); the helpers here accept both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from lcagraph.errors import MalformedDataset, UnresolvedReference
from lcagraph.records import Parameter
from loaders.units import UnitTable

Json = dict[str, object]


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
        raise where.error(f"{value!r} is not a number; give a numeric value", field)
    result = float(value)
    if not math.isfinite(result):
        raise where.error(f"{value!r} is not a finite number", field)
    return result


def optional_number(obj: Mapping[str, object], key: str, where: Where, field: str) -> float | None:
    """A numeric field or None where absent/null."""
    value = obj.get(key)
    return None if value is None else number(value, where, field)


def dicts(value: object) -> list[Json]:
    """The dict items of a JSON list (others dropped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
