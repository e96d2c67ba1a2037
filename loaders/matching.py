"""Elementary flow matching: the factors methods declare meet the elementary flows in the graph.

A pure function of two sets - every method's declared factors (:class:`FactorSpec`) and every
elementary flow - so the factors, and every result, never depend on the order in which data
arrived (the import pipeline re-runs it over the whole graph in each unit of work).

Rules, per impact category and flow, first hit wins:

1. ``uuid``: the method keys a factor by the flow's UUID.
2. ``cas``: the flow's CAS number within the same medium and origin.
3. ``name``: a normalised name, inversion or synonym of the flow equals one of the method's,
   within the same medium and origin (brackets, isomers, origins and acronyms kept);
   ``acronym``: the same for acronyms (``CFC-12``), a label tried after the names.
4. ``substance``: the CAS number of the one gas of the substance dictionary that the flow's
   names and formula identify (loaders.substances), within the same medium and origin.
5. ``fedefl``: FEDEFL defines a flow's UUID as ``uuid3(NAMESPACE_OID, "flowable/context/unit")``
   in lower case; a method keyed by FEDEFL UUIDs only (the FEDEFL IPCC pack ships no flow
   records) is reached from the flow's names and its substance's names and acronyms.

A step whose hits disagree in value is ``ambiguous``: reported, never resolved silently.
Media keep resources apart from emissions: a resource (``resource/in air``: CO2 uptake) only
meets factors the method declares for resources. A flow whose compartment names no medium is an
emission to air (loaders.compartments has already turned input-only flows into resources), and
listed in ``FactorMatch.assumed_air``. Origins: a fossil or land-transformation flow falls back
to the plain entry, and so does biogenic methane; biogenic CO2 never does. Factors are per the
flow's reference unit: a factor per kg meets a flow in g, t or lb by conversion; other units are
refused with the reason.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from lcagraph.records import CharacterisationFactor, Exchange, FactorSpec, Flow
from loaders.methods import substance_index
from loaders.substances import (
    SubstanceIndex,
    acronym_names,
    name_keys,
    normalise_cas,
    normalise_name,
    split_origin,
)

# Where a flow of one origin may take the method's entry of another (in this order). Biogenic CO2
# never takes the plain (fossil) CO2 entry: 0 unless the method declares it (AR6 convention);
# biogenic methane does take plain methane where a method has no biogenic entry (FEDEFL).
ORIGIN_FALLBACK = {
    "": ("",), "fossil": ("fossil", ""), "land": ("land", "fossil", ""), "biogenic": ("biogenic", ""),
}
CO2_ORIGIN_FALLBACK = {**ORIGIN_FALLBACK, "biogenic": ("biogenic",)}
CO2_CAS = "124-38-9"
MASS_IN_KG = {"kg": 1.0, "g": 1e-3, "mg": 1e-6, "ug": 1e-9, "µg": 1e-9, "t": 1e3, "kt": 1e6,
              "lb": 0.45359237, "oz": 0.028349523125, "sh tn": 907.18474, "short ton": 907.18474}
MEDIA = tuple((re.compile(rf"\b{word}s?\b"), result) for word, result in (
    ("resource", "resource"), ("groundwater", "water"), ("air", "air"), ("water", "water"), ("soil", "soil"),
))
FEDEFL_AIR_CONTEXT = "emission/air"
RULES = ("uuid", "cas", "name", "acronym", "substance", "fedefl")


@dataclass(frozen=True, slots=True)
class FactorMatch:
    """Factors found; flows refused (flow id, reason); flows with several candidate factors
    (flow id, reason); flows without a medium matched as emissions to air (ids)."""

    factors: tuple[CharacterisationFactor, ...]
    rejected: tuple[tuple[str, str], ...] = ()
    ambiguous: tuple[tuple[str, str], ...] = ()
    assumed_air: tuple[str, ...] = ()


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


class _Found:
    """Hits of one rule: a unique value is a match, several values are ambiguous."""

    def __init__(self, rule: str, specs: Iterable[FactorSpec]) -> None:
        self.rule = rule
        self.specs = sorted({(s.value, s.unit, s.name or s.flow or ""): s for s in specs}.values(),
                            key=lambda s: (s.value, s.unit, s.name, s.flow or ""))

    def values(self) -> set[tuple[float, str]]:
        return {(s.value, s.unit) for s in self.specs}


class _CategoryIndex:
    """The specs of one category by uuid, (medium, cas, origin) and (medium, name key, origin)."""

    def __init__(self, specs: Sequence[FactorSpec], substances: SubstanceIndex) -> None:
        self.substances = substances
        self.by_uuid: dict[str, list[FactorSpec]] = defaultdict(list)
        self.by_cas: dict[tuple[str, str, str], list[FactorSpec]] = defaultdict(list)
        self.by_name: dict[tuple[str, str, str], list[FactorSpec]] = defaultdict(list)
        for spec in specs:
            if spec.flow:
                self.by_uuid[spec.flow].append(spec)
            where = medium(spec.compartment)
            if not spec.name or not where:
                continue
            origin = split_origin(spec.name)[1]
            cas = _cas_of(spec.name, spec.synonyms, spec.cas, substances)
            if cas:
                self.by_cas[(where, cas, origin)].append(spec)
            for key in name_keys(spec.name, spec.synonyms):
                self.by_name[(where, key, origin)].append(spec)

    def find(self, flow: Flow, seen: _FlowKeys) -> _Found | None:
        """The hits of the first rule that finds any, or None."""
        if flow.id in self.by_uuid:
            return _Found("uuid", self.by_uuid[flow.id])
        names = [k for k in seen.keys if not k.startswith("acronym:")]
        acronyms = [k for k in seen.keys if k.startswith("acronym:")]
        lookups = ((self.by_cas, [seen.cas] if seen.cas else [], "cas"), (self.by_name, names, "name"),
                   (self.by_name, acronyms, "acronym"),
                   (self.by_cas, [seen.substance_cas] if seen.substance_cas else [], "substance"))
        for table, wanted, rule in lookups:
            for fallback in seen.fallbacks:
                hits = [s for key in wanted for s in table.get((seen.where, key, fallback), [])]
                if hits:
                    return _Found(rule, hits)
        for uuids in seen.fedefl:
            hits = [s for u in uuids for s in self.by_uuid.get(u, [])]
            if hits:
                return _Found("fedefl", hits)
        return None


@dataclass(frozen=True, slots=True)
class _FlowKeys:
    """What a flow is looked up by, worked out once for all categories: its medium (no medium:
    air), origin, CAS, name keys, and the FEDEFL UUIDs of its names per origin fallback."""

    where: str
    origin: str
    fallbacks: tuple[str, ...]
    cas: str
    keys: list[str]
    substance_cas: str
    fedefl: tuple[tuple[str, ...], ...]


def _flow_keys(flow: Flow, substances: SubstanceIndex) -> _FlowKeys:
    where = medium(flow.compartment) or "air"
    base, origin = split_origin(flow.name)
    keys = name_keys(flow.name, flow.synonyms)
    identity = substances.identify(flow.name, flow.synonyms, flow.cas, flow.formula)
    known = identity.substance if not identity.conflict else None
    cas = "" if identity.conflict else normalise_cas(flow.cas)
    is_co2 = (known.cas if known else cas) == CO2_CAS or base == "carbon dioxide"
    fallbacks = (CO2_ORIGIN_FALLBACK if is_co2 else ORIGIN_FALLBACK)[origin]
    fedefl: tuple[tuple[str, ...], ...] = ()
    if where == "air" and not identity.conflict:
        # the flow's own names, then its gas's names, then acronyms (a label, tried last)
        groups = [{k for k in keys if not k.startswith("acronym:")}]
        if known is not None:
            groups.append({normalise_name(n) for n in (known.name, *known.synonyms)}
                          | acronym_names(name_keys(known.name, known.synonyms)))
        groups.append(acronym_names(keys))
        fedefl = tuple(tuple(fedefl_uuid(f"{n}, {fallback}" if fallback else n) for n in sorted(group))
                       for group in groups for fallback in fallbacks)
    substance_cas = normalise_cas(known.cas) if known else ""
    return _FlowKeys(where, origin, fallbacks, cas, sorted(keys), substance_cas, fedefl)


def _cas_of(
    name: str, synonyms: Sequence[str], cas: str, substances: SubstanceIndex, formula: str = "",
) -> str:
    """The flow's own CAS, else the CAS of the one substance its data identify ('' on conflict)."""
    own = normalise_cas(cas)
    identity = substances.identify(name, synonyms, cas, formula)
    if identity.conflict:
        return ""
    return own or (normalise_cas(identity.substance.cas) if identity.substance else "")


def enrich_specs(specs: Sequence[FactorSpec], flows: Sequence[Flow]) -> list[FactorSpec]:
    """Specs keyed by a UUID only, completed with the name, CAS, compartment, unit and synonyms of
    the graph's flow of that UUID (a set-wise step: the result does not depend on order)."""
    by_id = {f.id: f for f in flows}
    enriched = []
    for spec in specs:
        flow = by_id.get(spec.flow or "")
        if flow is not None and not spec.name and flow.name:
            spec = replace(spec, name=flow.name, cas=spec.cas or flow.cas, compartment=flow.compartment,
                           synonyms=flow.synonyms, unit=flow.unit or spec.unit)
        enriched.append(spec)
    return enriched


def match_factors_detailed(
    specs: Sequence[FactorSpec], flows: Sequence[Flow], substances: SubstanceIndex | None = None,
) -> FactorMatch:
    """Match every category's specs against the elementary flows; keep refusals with reasons."""
    index_of_substances = substances or substance_index()
    elementary = sorted((f for f in flows if f.type == "elementary"), key=lambda f: f.id)
    seen = {f.id: _flow_keys(f, index_of_substances) for f in elementary}
    by_category: dict[str, list[FactorSpec]] = defaultdict(list)
    for spec in enrich_specs(specs, elementary):
        by_category[spec.category].append(spec)
    factors: list[CharacterisationFactor] = []
    rejected: list[tuple[str, str]] = []
    ambiguous: list[tuple[str, str]] = []
    assumed: dict[str, None] = {}
    for category in sorted(by_category):
        index = _CategoryIndex(by_category[category], index_of_substances)
        for flow in elementary:
            found = index.find(flow, seen[flow.id])
            if found is None:
                continue
            if len(found.values()) > 1:
                said = ", ".join(f"{s.value:g} per {s.unit} ({s.name or s.flow})" for s in found.specs)
                ambiguous.append((flow.id, f"{category}: {found.rule} finds several factors: {said}"))
                continue
            spec = found.specs[0]
            scale = unit_factor(spec.unit, flow.unit)
            if scale is None:
                rejected.append((flow.id, f"{category}: factor is per {spec.unit}, flow reference unit is "
                                          f"{flow.unit or 'missing'} (not convertible)"))
                continue
            factors.append(CharacterisationFactor(category, flow.id, spec.value * scale, found.rule))
            if found.rule != "uuid" and not medium(flow.compartment):
                assumed[flow.id] = None
    return FactorMatch(tuple(factors), tuple(rejected), tuple(ambiguous), tuple(assumed))


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
