"""Elementary flow matching: a method's factor specs meet the flows of a database.

Order, per impact category and flow: (1) the flow UUID the method keys the factor by; (2) the CAS
number within the same medium (air, water, soil, resource); (3) the normalised name within the
same medium: case, inner and trailing whitespace, bracketed annotations (``[Inorganic emissions to
air]``, `` (laughing gas)``), ecoinvent inversions (``Methane, dichlorodifluoro-`` =
``dichlorodifluoromethane``), trailing acronyms (``..., HFC-134a``) and the spec's synonyms;
(3b) FEDEFL flow UUIDs derived from the name: FEDEFL defines a flow's UUID as
``uuid3(NAMESPACE_OID, "flowable/context/unit")`` in lower case, so a method keyed by FEDEFL UUIDs
only (the FEDEFL IPCC pack ships no flow records) still finds ``Carbon dioxide`` in any database.

Origins are kept apart: ``Carbon dioxide, fossil`` / ``, biogenic`` (= ``non-fossil``) / ``, land
transformation`` and the same for methane are distinct keys. A fossil or land-transformation flow
falls back to the method's plain entry (FEDEFL's plain ``Carbon dioxide`` and ``Methane`` are the
fossil or unspecified ones); a biogenic flow never does: without a biogenic entry it stays
unmatched and is reported. Plain names stay plain.

A flow whose compartment names no medium at all (EcoSpold2 exports without MasterData, USLCI's
bare ``Elementary Flows`` folder) is looked up as an emission to air - every substance of a GWP
method is a gas - and listed in ``FactorMatch.assumed_air`` for the import report to show.

Factors are per unit of the flow's reference unit: a spec per kg meets a flow in g, t or lb by
conversion; a flow whose reference unit is not a mass is rejected with the reason recorded.
Several specs for one key with different values (the source table repeats a name for two
isomers) are not matched by that key.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lcagraph.records import CharacterisationFactor, Exchange, FactorSpec, Flow

ORIGINS = {
    "fossil": "fossil",
    "biogenic": "biogenic", "non-fossil": "biogenic", "non fossil": "biogenic", "nonfossil": "biogenic",
    "biotic": "biogenic",
    "land transformation": "land", "from soil or biomass stock": "land", "land use change": "land",
}
# Where a flow of one origin may take the method's entry of another (in this order).
ORIGIN_FALLBACK = {
    "": ("",), "fossil": ("fossil", ""), "land": ("land", "fossil", ""), "biogenic": ("biogenic",),
}
MASS_IN_KG = {"kg": 1.0, "g": 1e-3, "mg": 1e-6, "ug": 1e-9, "µg": 1e-9, "t": 1e3, "kt": 1e6,
              "lb": 0.45359237, "oz": 0.028349523125, "sh tn": 907.18474, "short ton": 907.18474}
MEDIA = tuple((re.compile(rf"\b{word}s?\b"), result) for word, result in (
    ("resource", "resource"), ("groundwater", "water"), ("air", "air"), ("water", "water"), ("soil", "soil"),
))
FEDEFL_AIR_CONTEXT = "emission/air"
_BRACKETS = re.compile(r"\s*\[[^\]]*\]\s*$")
_TRAILING_PARENS = re.compile(r"\s+\([^()]*\)\s*$")
_ACRONYM = re.compile(r"^(cfc|hcfc|hfc|pfc|fc|hfe|hfo|hcfo|hcc|halon|r)[- ]?\d", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FactorMatch:
    """Factors found, flows refused with the reason (flow id, reason), and the flows without any
    compartment that were matched as emissions to air (ids)."""

    factors: tuple[CharacterisationFactor, ...]
    rejected: tuple[tuple[str, str], ...] = ()
    assumed_air: tuple[str, ...] = ()


def normalise_name(name: str) -> str:
    """Lower case, unified dashes, single inner spaces, no bracketed annotation."""
    text = " ".join(name.replace("\u2010", "-").replace("\u2013", "-").split()).lower()
    text = _BRACKETS.sub("", text)
    stripped = _TRAILING_PARENS.sub("", text)
    return (stripped or text).strip().rstrip(",").strip()


def split_origin(name: str) -> tuple[str, str]:
    """``'Carbon dioxide, fossil '`` -> ``('carbon dioxide', 'fossil')``; no qualifier -> origin ''."""
    text = normalise_name(name)
    head, sep, tail = text.rpartition(",")
    if sep and tail.strip() in ORIGINS:
        return head.strip(), ORIGINS[tail.strip()]
    return text, ""


def name_keys(name: str, synonyms: Iterable[str] = ()) -> set[str]:
    """Keys a name is known by (origin stripped): itself, its ecoinvent inversion, its acronym."""
    base, _ = split_origin(name)
    keys = {base}
    parts = [p.strip() for p in base.split(", ")]
    if len(parts) >= 2 and parts[1].endswith("-"):
        keys.add(parts[1][:-1] + parts[0])
    if len(parts) >= 2 and _ACRONYM.match(parts[-1]):
        keys.add(_acronym_key(parts[-1]))
    for synonym in synonyms:
        keys.add(normalise_name(synonym))
        if _ACRONYM.match(synonym.strip()):
            keys.add(_acronym_key(synonym))
    return {k for k in keys if k}


def _acronym_key(text: str) -> str:
    return "acronym:" + re.sub(r"[\s-]+", "", text.strip().lower())


def normalise_cas(cas: str) -> str:
    """``'000124-38-9'`` -> ``'124-38-9'``; anything not shaped like a CAS number -> ''."""
    text = cas.strip()
    match = re.fullmatch(r"0*(\d{1,7})-(\d{2})-(\d)", text)
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else ""


def medium(compartment: Sequence[str]) -> str:
    """The environmental medium of a compartment path ('' where the path names none)."""
    tokens = [t.strip().lower() for part in compartment for t in part.split("/") if t.strip()]
    for token in tokens:
        for pattern, result in MEDIA:
            if pattern.search(token):
                return result
    return ""


def fedefl_uuid(flowable: str, context: str = FEDEFL_AIR_CONTEXT, unit: str = "kg") -> str:
    """The FEDEFL flow UUID of a flowable in a context and unit (FEDEFL's own definition)."""
    path = "/".join(part.strip().lower() for part in (flowable, context, unit))
    return str(uuid.uuid3(uuid.NAMESPACE_OID, path))


def unit_factor(spec_unit: str, flow_unit: str) -> float | None:
    """Spec-unit amount per flow-unit amount (kg per g = 0.001); None if not both masses."""
    if spec_unit == flow_unit:
        return 1.0
    a, b = MASS_IN_KG.get(spec_unit.strip()), MASS_IN_KG.get(flow_unit.strip())
    return None if a is None or b is None else b / a


class _CategoryIndex:
    """The specs of one impact category, indexed by uuid, (cas, origin) and (name key, origin)."""

    def __init__(self, specs: Sequence[FactorSpec]) -> None:
        self.by_uuid: dict[str, FactorSpec] = {}
        self.by_cas: dict[tuple[str, str, str], list[FactorSpec]] = defaultdict(list)
        self.by_name: dict[tuple[str, str, str], list[FactorSpec]] = defaultdict(list)
        for spec in specs:
            if spec.flow:
                self.by_uuid.setdefault(spec.flow, spec)
            where = medium(spec.compartment)
            if not spec.name or not where:
                continue
            origin = split_origin(spec.name)[1]
            cas = normalise_cas(spec.cas)
            if cas:
                self.by_cas[(where, cas, origin)].append(spec)
            for key in name_keys(spec.name, spec.synonyms):
                self.by_name[(where, key, origin)].append(spec)

    def find(self, flow: Flow) -> tuple[FactorSpec, str] | None:
        """The spec for this flow and how it was found, or None."""
        spec = self.by_uuid.get(flow.id)
        if spec is not None:
            return spec, "uuid"
        # No compartment at all (EcoSpold2 exports without MasterData, USLCI's bare 'Elementary
        # Flows' folder): looked up as an emission to air, and reported as such by the caller.
        where = medium(flow.compartment) or "air"
        keys, origin = name_keys(flow.name, flow.synonyms), split_origin(flow.name)[1]
        cas = normalise_cas(flow.cas)
        lookups = ((self.by_cas, [cas] if cas else [], "cas"), (self.by_name, sorted(keys), "name"))
        for table, wanted, how in lookups:
            for fallback in ORIGIN_FALLBACK[origin]:
                for key in wanted:
                    found = _unique_value(table.get((where, key, fallback), []))
                    if found is not None:
                        return found, how
        return self._find_fedefl(keys, origin) if where == "air" else None

    def _find_fedefl(self, keys: set[str], origin: str) -> tuple[FactorSpec, str] | None:
        for fallback in ORIGIN_FALLBACK[origin]:
            for key in sorted(k for k in keys if not k.startswith("acronym:")):
                flowable = f"{key}, {fallback}" if fallback else key
                spec = self.by_uuid.get(fedefl_uuid(flowable))
                if spec is not None:
                    return spec, "name"
        return None


def _unique_value(specs: list[FactorSpec]) -> FactorSpec | None:
    if not specs or len({(s.value, s.unit) for s in specs}) > 1:
        return None
    return specs[0]


def match_factors_detailed(specs: Sequence[FactorSpec], flows: Sequence[Flow]) -> FactorMatch:
    """Match every category's specs against the elementary flows; keep refusals with reasons."""
    by_category: dict[str, list[FactorSpec]] = defaultdict(list)
    for spec in specs:
        by_category[spec.category].append(spec)
    factors: list[CharacterisationFactor] = []
    rejected: list[tuple[str, str]] = []
    assumed: dict[str, None] = {}
    elementary = [f for f in flows if f.type == "elementary"]
    for category in sorted(by_category):
        index = _CategoryIndex(by_category[category])
        for flow in elementary:
            found = index.find(flow)
            if found is None:
                continue
            spec, how = found
            scale = unit_factor(spec.unit, flow.unit)
            if scale is None:
                rejected.append((flow.id, f"{category}: factor is per {spec.unit}, flow reference unit is "
                                          f"{flow.unit or 'missing'} (not convertible)"))
                continue
            factors.append(CharacterisationFactor(category, flow.id, spec.value * scale, how))
            if how != "uuid" and not medium(flow.compartment):
                assumed[flow.id] = None
    return FactorMatch(tuple(factors), tuple(rejected), tuple(assumed))


def match_factors(specs: Sequence[FactorSpec], flows: Sequence[Flow]) -> list[CharacterisationFactor]:
    """Characterisation factors of ``flows`` (elementary ones) under the categories of ``specs``."""
    return list(match_factors_detailed(specs, flows).factors)


def find_unmatched_flows(
    exchanges: Sequence[Exchange],
    flows: Sequence[Flow],
    factors: Iterable[CharacterisationFactor],
    rejected: Sequence[tuple[str, str]] = (),
) -> tuple[str, ...]:
    """Elementary flows with a non-zero exchange and no factor in any category, one line each:
    ``<flow id> '<name>' [<compartment>]`` plus the refusal reason where there was one."""
    characterised = {f.flow for f in factors}
    by_id = {f.id: f for f in flows if f.type == "elementary"}
    reasons: dict[str, list[str]] = defaultdict(list)
    for flow_id, reason in rejected:
        reasons[flow_id].append(reason)
    used = {e.flow for e in exchanges if e.amount != 0 and e.flow in by_id} - characterised
    lines = []
    for flow in sorted((by_id[i] for i in used), key=lambda f: (normalise_name(f.name), f.id)):
        where = "/".join(flow.compartment) or "no compartment"
        why = "; ".join(reasons.get(flow.id, []))
        lines.append(f"{flow.id} {flow.name!r} [{where}]" + (f": {why}" if why else ""))
    return tuple(lines)
