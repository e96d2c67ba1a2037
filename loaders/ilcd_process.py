"""One ILCD processDataSet → a Process record and its exchanges in reference units."""

from __future__ import annotations

from dataclasses import dataclass

from lcagraph.errors import MalformedDataset, UnresolvedReference
from lcagraph.records import DataQuality, Exchange, Process, Uncertainty
from loaders.ilcd_datasets import FlowProperty, ResolvedFlow, UnitGroup, category_path, compose_name
from loaders.xml import Element, check_exchange_count, lang_text, optional_float, text_at, to_float, warning

OLCA_NS = "http://openlca.org/ilcd-extensions"
SYSTEM_TYPES = frozenset({"LCI result", "Partly terminated system", "Avoided product system"})
EF_DQR = "EF DQR"
_REF_FIELD = "quantitativeReference/referenceToReferenceFlow"
# EU PEF / EF data-quality indicators: ILCD names → EF abbreviations; ratings → scores 1 (best) … 5.
DQ_NAMES = {
    "Technological representativeness": "TeR", "Geographical representativeness": "GR",
    "Time representativeness": "TiR", "Precision": "P", "Completeness": "C",
    "Methodological appropriateness and consistency": "M", "Overall quality": "DQR",
}
DQ_SCORES = {"Very good": 1.0, "Good": 2.0, "Fair": 3.0, "Poor": 4.0, "Very poor": 5.0}


@dataclass(frozen=True, slots=True)
class Refs:
    """The resolved reference data a process needs."""

    flows: dict[str, ResolvedFlow]
    properties: dict[str, FlowProperty]
    groups: dict[str, UnitGroup]


@dataclass(frozen=True, slots=True)
class ProcessResult:
    """A process, its exchanges, how many were converted to other units, and warnings."""

    process: Process
    exchanges: tuple[Exchange, ...]
    conversions: int
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Ctx:
    file: str
    dataset: str
    refs: Refs


def read_process(root: Element, file: str, uuid: str, database: str, refs: Refs) -> ProcessResult:
    """Parse one process; amounts converted to each flow's reference unit."""
    ctx = _Ctx(file, uuid, refs)
    ref_ids = [t.text.strip() for t in root.findall(f"processInformation/{_REF_FIELD}")
               if t.text and t.text.strip()]
    warnings: list[str] = []
    if len(ref_ids) > 1:
        warnings.append(warning(f"{len(ref_ids)} reference flows; the first ({ref_ids[0]}) is used",
                                file=file, dataset=uuid, field=_REF_FIELD))
    ref_id = ref_ids[0] if ref_ids else None
    exchanges: list[Exchange] = []
    conversions = 0
    elements = root.findall("exchanges/exchange")
    check_exchange_count(len(elements), file=file, dataset=uuid, field="exchanges")
    for position, el in enumerate(elements):
        exchange, converted = _exchange(el, position, ref_id, ctx)
        exchanges.append(exchange)
        conversions += converted
    reference = next((e for e in exchanges if e.is_reference), None)
    if reference is None:
        warnings.append(warning(f"no reference flow ({ref_id!r} names no exchange); imported without one",
                                file=file, dataset=uuid, field=_REF_FIELD))
    return ProcessResult(_process(root, ctx, database, reference), tuple(exchanges), conversions,
                         tuple(warnings))


def _process(root: Element, ctx: _Ctx, database: str, reference: Exchange | None) -> Process:
    info = root.find("processInformation/dataSetInformation")
    kind = text_at(root, "modellingAndValidation/LCIMethodAndAllocation/typeOfDataSet")
    location = root.find("processInformation/geography/locationOfOperationSupplyOrProduction")
    sources = tuple(r.get("refObjectId", "") for r in root.findall(
        "modellingAndValidation/dataSourcesTreatmentAndRepresentativeness/referenceToDataSource"))
    return Process(
        id=ctx.dataset, name=compose_name(info), database=database,
        type="system" if kind in SYSTEM_TYPES else "unit",
        location=location.get("location", "") if location is not None else "",
        category="/".join(category_path(info.find("classificationInformation/classification")
                                        if info is not None else None, "class")),
        description=lang_text(info, "generalComment"),
        ref_flow=reference.flow if reference else None,
        ref_amount=reference.amount if reference else 1.0,
        ref_unit=reference.unit if reference else "",
        ref_is_input=reference.is_input if reference else False,
        allocation_method=text_at(root, "modellingAndValidation/LCIMethodAndAllocation/LCIMethodApproaches"),
        data_quality=data_quality(root),
        valid_from=text_at(root, "processInformation/time/referenceYear"),
        valid_until=text_at(root, "processInformation/time/dataSetValidUntil"),
        sources=tuple(s for s in sources if s),
    )


def _exchange(el: Element, position: int, ref_id: str | None, ctx: _Ctx) -> tuple[Exchange, int]:
    internal = el.get("dataSetInternalID", "").strip() or str(position)
    field = f"exchange[{internal}]"
    kids = _children(el)
    flow_ref = kids.get("referenceToFlowDataSet")
    flow_id = flow_ref.get("refObjectId", "").strip() if flow_ref is not None else ""
    flow = ctx.refs.flows.get(flow_id)
    if flow is None:
        raise UnresolvedReference(f"flow {flow_id!r} is not in the package; add flows/{flow_id}.xml",
                                  file=ctx.file, dataset=ctx.dataset, field=f"{field}/referenceToFlowDataSet")
    direction = _text(kids, "exchangeDirection")
    if direction not in ("Input", "Output"):
        raise MalformedDataset(f"exchange direction {direction!r} is neither Input nor Output",
                               file=ctx.file, dataset=ctx.dataset, field=f"{field}/exchangeDirection")
    amount, formula = _amount(kids, field, ctx)
    unit, factor = _unit_factor(kids, flow, field, ctx)
    # openLCA's extension: an avoided product is written as an output and read back as an input
    avoided = el.get(f"{{{OLCA_NS}}}avoidedProduct", "").strip().lower() == "true"
    exchange = Exchange(
        id=f"{ctx.dataset}/{internal}", process=ctx.dataset, flow=flow_id,
        is_input=direction == "Input" or avoided, is_avoided=avoided,
        amount=amount, unit=unit, amount_ref=amount * factor, is_reference=internal == ref_id,
        default_provider=el.get(f"{{{OLCA_NS}}}defaultProvider") or None,
        allocation=_allocation(el, ref_id, field, ctx), formula=formula,
        uncertainty=_uncertainty(kids, amount, field, ctx),
        description=lang_text(el, "generalComment") if "generalComment" in kids else "",
    )
    return exchange, int(factor != 1.0)


def _children(el: Element) -> dict[str, Element]:
    """Child elements by tag (first of each), then those inside ``common:other`` not given directly.

    One pass over the children instead of a path search per field: USLCI has 32,526 exchanges.
    """
    kids: dict[str, Element] = {}
    for child in el:
        kids.setdefault(child.tag, child)
    other = kids.get("other")
    if other is not None:
        for child in other:
            kids.setdefault(child.tag, child)
    return kids


def _text(kids: dict[str, Element], tag: str) -> str:
    node = kids.get(tag)
    return (node.text or "").strip() if node is not None else ""


def _amount(kids: dict[str, Element], field: str, ctx: _Ctx) -> tuple[float, str]:
    """resultingAmount (= meanAmount × referenceToVariable), else meanAmount."""
    mean_text, result_text = _text(kids, "meanAmount"), _text(kids, "resultingAmount")
    if not mean_text and not result_text:
        raise MalformedDataset("exchange has neither meanAmount nor resultingAmount", file=ctx.file,
                               dataset=ctx.dataset, field=f"{field}/meanAmount")
    tag = "resultingAmount" if result_text else "meanAmount"
    amount = to_float(result_text or mean_text, file=ctx.file, dataset=ctx.dataset, field=f"{field}/{tag}")
    variable = _text(kids, "referenceToVariable")
    if not variable:
        return amount, ""
    mean = mean_text and to_float(mean_text, file=ctx.file, dataset=ctx.dataset, field=f"{field}/meanAmount")
    return amount, variable if not mean or mean == 1.0 else f"{mean_text} * {variable}"


def _unit_factor(kids: dict[str, Element], flow: ResolvedFlow, field: str, ctx: _Ctx) -> tuple[str, float]:
    """(unit as given, factor to the flow's reference unit); see ilcd_datasets for the equation."""
    prop_ref, unit_el = kids.get("referenceToFlowPropertyDataSet"), kids.get("referenceToUnit")
    if prop_ref is None and unit_el is None:
        return flow.record.unit, 1.0
    prop_id = prop_ref.get("refObjectId", "").strip() if prop_ref is not None else ""
    if prop_id and prop_id not in flow.property_factors:
        raise UnresolvedReference(f"flow property {prop_id!r} is not a property of flow {flow.record.id}",
                                  file=ctx.file, dataset=ctx.dataset,
                                  field=f"{field}/referenceToFlowPropertyDataSet")
    prop = ctx.refs.properties.get(prop_id) if prop_id else None
    group = ctx.refs.groups.get(prop.unit_group) if prop is not None else flow.reference_group
    if group is None:
        raise UnresolvedReference(f"no unit group for flow property {prop_id!r}", file=ctx.file,
                                  dataset=ctx.dataset, field=f"{field}/referenceToFlowPropertyDataSet")
    unit = _unit_name(unit_el, group, field, ctx) if unit_el is not None else group.reference_unit
    return unit, group.factors[unit] / (flow.property_factors[prop_id] if prop_id else 1.0)


def _unit_name(el: Element, group: UnitGroup, field: str, ctx: _Ctx) -> str:
    given = (el.text or "").strip() or el.get("refObjectId", "").strip()
    if given in group.factors:
        return given
    if given in group.internal_ids:
        return group.internal_ids[given]
    raise UnresolvedReference(f"unit {given!r} is not in unit group {group.name!r} ({sorted(group.factors)})",
                              file=ctx.file, dataset=ctx.dataset, field=f"{field}/referenceToUnit")


def _allocation(el: Element, ref_id: str | None, field: str, ctx: _Ctx) -> float:
    """The allocated fraction (in %) towards the reference product, as a factor; 1 when none."""
    for alloc in el.findall("allocations/allocation"):
        if alloc.get("internalReferenceToCoProduct", "").strip() == ref_id:
            return to_float(alloc.get("allocatedFraction"), file=ctx.file, dataset=ctx.dataset,
                            field=f"{field}/allocations/allocation/@allocatedFraction") / 100.0
    return 1.0


def _uncertainty(kids: dict[str, Element], amount: float, field: str, ctx: _Ctx) -> Uncertainty | None:
    """ILCD uncertainty → record.

    ``relativeStandardDeviation95In`` is read as openLCA reads and writes it (the de-facto ILCD
    producer): the geometric standard deviation for log-normal, the standard deviation for normal.
    """
    kind = _text(kids, "uncertaintyDistributionType")
    if not kind:
        return None

    def num(tag: str) -> float | None:
        return optional_float(_text(kids, tag), file=ctx.file, dataset=ctx.dataset, field=f"{field}/{tag}")

    spread, low, high = num("relativeStandardDeviation95In"), num("minimumAmount"), num("maximumAmount")
    if kind == "log-normal" and spread:
        return Uncertainty("lognormal", geomean=amount, geosd=spread)
    if kind == "normal" and spread:
        return Uncertainty("normal", mean=amount, sd=spread)
    if kind == "triangular" and low is not None and high is not None:
        return Uncertainty("triangular", minimum=low, mode=amount, maximum=high)
    if kind == "uniform" and low is not None and high is not None:
        return Uncertainty("uniform", minimum=low, maximum=high)
    return None


def data_quality(root: Element) -> DataQuality | None:
    """EU EF data-quality indicators of the (first) review that gives them; DQR computed if absent."""
    block = root.find("modellingAndValidation/validation/review/dataQualityIndicators")
    if block is None:
        return None
    scores: dict[str, float] = {}
    for indicator in block.findall("dataQualityIndicator"):
        name, value = DQ_NAMES.get(indicator.get("name", "")), indicator.get("value", "").strip()
        score = DQ_SCORES.get(value) or _numeric(value)
        if name and score is not None:
            scores[name] = score
    core = ("TeR", "GR", "TiR", "P")
    if "DQR" not in scores and all(k in scores for k in core):
        scores["DQR"] = sum(scores[k] for k in core) / 4.0  # EF 3.0: DQR = (TeR + GR + TiR + P) / 4
    if not scores:
        return None
    entry = "(" + ";".join(f"{scores[k]:g}" if k in scores else "n.a." for k in (*core, "DQR")) + ")"
    return DataQuality(EF_DQR, entry, tuple(scores.items()))


def _numeric(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None
