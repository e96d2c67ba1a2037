"""Substance identity of elementary flows: names, origins, CAS numbers, formulas and acronyms.

Normalisation keeps every part of a name that tells substances apart: a bracketed formula
(``Nitrogen oxide (N2O)`` stays distinct from ``Nitrogen oxide``, which is NOx), isomer
prefixes, origins (``fossil``, ``biogenic``/``non-fossil``, ``land transformation``) and
acronyms. It only removes what never names a substance: case, dashes of other widths, repeated
or trailing whitespace, and a trailing square-bracket annotation (``[Inorganic emissions to
air]``). A flow can be known by several *keys*: its normalised name, ecoinvent's inversion
(``Methane, dichlorodifluoro-`` = ``dichlorodifluoromethane``), its acronym (``CFC-12``) and its
synonyms.

The substance dictionary is the built-in IPCC AR6 table (every gas with a GWP): name, CAS,
formula and synonyms/acronyms. :func:`identify` resolves a flow (or a method's factor) to one
substance of that table from its CAS number, its keys and its formula; when these disagree (a
bracketed ``N2O`` on a name the table knows as another gas) the flow is a conflict, never a match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ORIGINS = {
    "fossil": "fossil",
    "biogenic": "biogenic", "non-fossil": "biogenic", "non fossil": "biogenic", "nonfossil": "biogenic",
    "biotic": "biogenic",
    "land transformation": "land", "from soil or biomass stock": "land", "land use change": "land",
}
_SQUARE_ANNOTATION = re.compile(r"\s*\[[^\]]*\]\s*$")
_TRAILING_ROUND = re.compile(r"^(?P<head>.*\S)\s*\((?P<inner>[^()]*)\)\s*$")
_ACRONYM = re.compile(r"^(cfc|hcfc|hfc|pfc|fc|hfe|hfo|hcfo|hcc|halon|r)[- ]?\d", re.IGNORECASE)
# A trailing bracket of plain words ("laughing gas", "unspecified") annotates; isomer or
# stereo markers ("iso", "cis", "alpha", "m-") name the substance and are never dropped.
_ANNOTATION = re.compile(r"^[a-z][a-z ]{3,}$")
_ISOMER_WORDS = {"iso", "cis", "trans", "ortho", "meta", "para", "alpha", "beta", "gamma", "delta", "tert",
                 "sec", "neo", "endo", "exo", "syn", "anti", "racemic", "mixed isomers"}
_FORMULA = re.compile(r"^(?:[A-Z][a-z]?\d*|\((?:[A-Z][a-z]?\d*)+\)\d*)+$")


@dataclass(frozen=True, slots=True)
class Substance:
    """One gas of the dictionary: its name, CAS number, formula and other names."""

    name: str
    cas: str
    formula: str = ""
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Identity:
    """What a flow's own data say it is: the substance (or None) and a conflict description."""

    substance: Substance | None
    conflict: str = ""


def normalise_name(name: str) -> str:
    """Lower case, unified dashes, single inner spaces, no trailing square-bracket annotation."""
    text = " ".join(name.replace("\u2010", "-").replace("\u2013", "-").split()).lower()
    stripped = _SQUARE_ANNOTATION.sub("", text)
    return (stripped or text).strip().rstrip(",").strip()


def split_origin(name: str) -> tuple[str, str]:
    """``'Carbon dioxide, fossil '`` -> ``('carbon dioxide', 'fossil')``; no qualifier -> origin ''."""
    text = normalise_name(name)
    head, sep, tail = text.rpartition(",")
    if sep and tail.strip() in ORIGINS:
        return head.strip(), ORIGINS[tail.strip()]
    return text, ""


def is_formula(text: str) -> bool:
    """``N2O``, ``CO2``, ``SF6``, ``CH2FCF3`` (case as written): a chemical formula."""
    compact = text.replace(" ", "")
    return bool(_FORMULA.fullmatch(compact)) and any(c.isupper() for c in compact)


def bracket_formula(name: str) -> str:
    """The formula a name gives in a trailing round bracket (``'Nitrogen oxide (N2O)'`` -> ``'N2O'``)."""
    found = _TRAILING_ROUND.match(" ".join(name.split()))
    inner = found.group("inner").strip() if found else ""
    return inner.replace(" ", "") if inner and is_formula(inner) else ""


def acronym_key(text: str) -> str:
    """``'CFC-12'``, ``'cfc 12'`` -> ``'acronym:cfc12'``."""
    return "acronym:" + re.sub(r"[\s-]+", "", text.strip().lower())


def name_keys(name: str, synonyms: Iterable[str] = ()) -> set[str]:
    """Keys a name is known by (origin stripped): itself, its ecoinvent inversion, its acronym."""
    keys: set[str] = set()
    for text in (name, *synonyms):
        keys |= _keys_of(text, keep_origin=text is not name)
    return {k for k in keys if k}


def _keys_of(text: str, *, keep_origin: bool) -> set[str]:
    base = normalise_name(text) if keep_origin else split_origin(text)[0]
    keys = {base}
    if _ACRONYM.match(text.strip()):
        keys.add(acronym_key(text))
    bracket = _TRAILING_ROUND.match(base)
    inner = bracket.group("inner").strip() if bracket else ""
    if bracket and _ACRONYM.match(inner):  # 'dichlorodifluoromethane (cfc-12)'
        keys |= {acronym_key(inner), bracket.group("head")}
    elif bracket and _ANNOTATION.match(inner) and inner not in _ISOMER_WORDS:  # "x (laughing gas)"
        keys.add(bracket.group("head"))
    parts = [p.strip() for p in base.split(", ")]
    if len(parts) >= 2 and _ACRONYM.match(parts[-1]):  # 'methane, dichlorodifluoro-, cfc-12'
        keys.add(acronym_key(parts[-1]))
        parts = parts[:-1]
        keys.add(", ".join(parts))
    if len(parts) == 2 and parts[1].endswith("-"):
        keys.add(parts[1][:-1] + parts[0])
    return keys


def acronym_names(keys: Iterable[str]) -> set[str]:
    """Acronym keys back in their usual written forms (``acronym:cfc12`` -> ``cfc-12``, ``cfc 12``),
    as FEDEFL names halocarbons (its flowables are ``cfc-12``, ``hcfc-22``, ``halon 1301``)."""
    names = set()
    for key in keys:
        if key.startswith("acronym:"):
            found = re.fullmatch(r"([a-z]+)(\d.*)", key.removeprefix("acronym:"))
            if found:  # FEDEFL writes 'cfc-12' but 'halon 1301'
                names |= {f"{found.group(1)}-{found.group(2)}", f"{found.group(1)} {found.group(2)}"}
    return names


def normalise_cas(cas: str) -> str:
    """``'000124-38-9'`` -> ``'124-38-9'``; anything not shaped like a CAS number -> ''."""
    match = re.fullmatch(r"0*(\d{1,7})-(\d{2})-(\d)", cas.strip())
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else ""


class SubstanceIndex:
    """The dictionary's substances by CAS, by name key and by (unambiguous) formula."""

    def __init__(self, substances: Sequence[Substance]) -> None:
        self.by_cas: dict[str, Substance] = {}
        by_key: dict[str, set[Substance]] = defaultdict(set)
        by_formula: dict[str, set[Substance]] = defaultdict(set)
        for s in substances:
            cas = normalise_cas(s.cas)
            if cas and split_origin(s.name)[1] == "":
                self.by_cas.setdefault(cas, s)
            for key in name_keys(s.name, s.synonyms):
                by_key[key].add(s)
            if s.formula:
                by_formula[s.formula.replace(" ", "")].add(s)
        # A key or formula two different gases share (isomers: C2H2F4) identifies neither.
        self.by_key = {k: next(iter(v)) for k, v in by_key.items() if len({x.cas for x in v}) == 1}
        self.by_formula = {k: next(iter(v)) for k, v in by_formula.items() if len({x.cas for x in v}) == 1}

    def identify(self, name: str, synonyms: Sequence[str] = (), cas: str = "", formula: str = "") -> Identity:
        """The substance a flow's own data point to: its CAS number, else its (systematic) name,
        else its acronym - an acronym is a label, and where it disagrees with the name the name
        wins (ecoinvent's 'Ethane, 1,2-dichloro-1,1,2-trifluoro-, HCFC-123' is HCFC-123a, CAS
        354-23-4). A conflict: a name or a formula (the flow's own, or bracketed in its name or
        synonyms) that points to another gas than the CAS, or names that point to two gases."""
        keys = name_keys(name)
        by_cas = self.by_cas.get(normalise_cas(cas))
        named = {self.by_key[k] for k in keys if k in self.by_key and not k.startswith("acronym:")}
        labelled = {self.by_key[k] for k in keys if k in self.by_key and k.startswith("acronym:")}
        formulas = {f"{shown} in {text.strip()!r}": self.by_formula[shown] for text in (name, *synonyms)
                    for shown in [bracket_formula(text)] if shown in self.by_formula}
        given = formula.replace(" ", "")
        if given and is_formula(given) and given in self.by_formula:
            formulas[given] = self.by_formula[given]
        if len(named) > 1:
            return Identity(None, f"its name points to {' and '.join(sorted(s.name for s in named))}")
        primary = by_cas or next(iter(named), None) or (next(iter(labelled)) if len(labelled) == 1 else None)
        against = [(f"name {name.strip()!r}", s) for s in named if by_cas] + [
            (f"formula {why}", s) for why, s in sorted(formulas.items())]
        if primary is None and formulas:
            primary = against[0][1]
        clash = [f"{why} -> {s.name}" for why, s in against if primary is not None and s.cas != primary.cas]
        if clash:
            return Identity(None, f"its own data name different gases ({primary.name if primary else ''}; "
                                  + "; ".join(clash) + ")")
        return Identity(primary)
