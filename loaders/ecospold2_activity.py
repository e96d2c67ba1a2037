"""One EcoSpold2 activity dataset → a Process, its exchanges, and what it says about each flow.

Directions come from the groups: ``inputGroup`` (1–5) is an input, ``outputGroup`` (0–4) an
output; the reference product is the intermediate exchange in ``outputGroup`` 0. A reference with
a negative amount is ecoinvent's waste-treatment convention: it becomes a positive waste input
(openLCA reads it the same way). Other negative amounts are kept as given. Each exchange keeps its
own unit; ``amount_ref`` is converted by unit name (loaders.ecospold2_units).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lcagraph.errors import MalformedDataset, UnresolvedReference
from lcagraph.records import Exchange, FlowType, Process, Uncertainty
from loaders.ecospold2_units import unit_of
from loaders.xml import (
    Element,
    check_exchange_count,
    children_by_tag,
    lang_text,
    text_in_lang,
    to_float,
    warning,
)

PEDIGREE = ("reliability", "completeness", "temporalCorrelation", "geographicalCorrelation",
            "furtherTechnologyCorrelation")
PEDIGREE_SYSTEM = "ecoinvent pedigree matrix"


@dataclass(frozen=True, slots=True)
class FlowSeen:
    """What one exchange says about its flow (merged across activities later)."""

    id: str
    name: str
    type: FlowType
    property: str
    file: str
    dataset: str
    cas: str = ""
    formula: str = ""
    compartment: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActivityResult:
    """A process with its exchanges, flow observations, conversions and warnings."""

    process: Process
    exchanges: tuple[Exchange, ...]
    flows: tuple[FlowSeen, ...]
    conversions: int
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Ctx:
    file: str
    dataset: str


def read_activity(root: Element, file: str, database: str) -> ActivityResult:
    """Parse one ``ecoSpold`` root (namespaces stripped)."""
    ad = root.find("activityDataset")
    if ad is None:
        ad = root.find("childActivityDataset")
    activity = ad.find("activityDescription/activity") if ad is not None else None
    pid = activity.get("id", "").strip() if activity is not None else ""
    if ad is None or activity is None or not pid:
        raise MalformedDataset("no activityDataset/activityDescription/activity with an id", file=file,
                               field="activityDescription/activity/@id")
    ctx = _Ctx(file, pid)
    elements = _exchange_elements(ad)
    check_exchange_count(len(elements), file=file, dataset=pid, field="flowData")
    parsed = [_exchange(el, i, ctx) for i, el in enumerate(elements)]
    exchanges = tuple(e for e, _, _ in parsed)
    refs = [e for e in exchanges if e.is_reference]
    warnings = []
    dropped = [e.id for e, _, lost in parsed if lost]
    if dropped:
        warnings.append(warning(f"uncertainty of {len(dropped)} exchange(s) dropped, its parameters are not "
                                f"finite (Infinity/NaN variance); first {dropped[0]}", file=file, dataset=pid,
                                field="uncertainty"))
    if not refs:
        name = lang_text(activity, "activityName")
        warnings.append(warning(f"{name!r} has no reference product (intermediate exchange in outputGroup "
                                "0); imported without a quantitative reference", file=file, dataset=pid,
                                field="intermediateExchange/outputGroup"))
    elif len(refs) > 1:
        warnings.append(warning(f"{len(refs)} reference products; the first ({refs[0].flow}) is used",
                                file=file, dataset=pid, field="intermediateExchange/outputGroup"))
    process = _process(ad, activity, ctx, database, refs[0] if refs else None, exchanges)
    conversions = sum(1 for e in exchanges if e.amount_ref != e.amount)
    return ActivityResult(process, exchanges, tuple(s for _, s, _ in parsed), conversions, tuple(warnings))


def _exchange_elements(ad: Element) -> list[Element]:
    flow_data = ad.find("flowData")
    if flow_data is None:
        return []
    return [el for el in flow_data if el.tag in ("intermediateExchange", "elementaryExchange")]


def _process(ad: Element, activity: Element, ctx: _Ctx, database: str, ref: Exchange | None,
             exchanges: tuple[Exchange, ...]) -> Process:
    description = ad.find("activityDescription")
    period = description.find("timePeriod") if description is not None else None
    classes = [lang_text(c, "classificationValue") for c in ad.findall("activityDescription/classification")]
    source = ad.find("administrativeInformation/dataGeneratorAndPublication")
    comment = [(t.text or "").strip() for t in activity.findall("generalComment/text")]
    return Process(
        id=ctx.dataset, name=lang_text(activity, "activityName"), database=database,
        type="system" if activity.get("type") == "2" else "unit",
        location=lang_text(description, "geography/shortname"),
        category=next((c for c in classes if c), ""),
        description="\n".join(c for c in comment if c),
        ref_flow=ref.flow if ref else None, ref_amount=ref.amount if ref else 1.0,
        ref_unit=ref.unit if ref else "", ref_is_input=ref.is_input if ref else False,
        exchange_dq_system=PEDIGREE_SYSTEM if any(e.data_quality for e in exchanges) else "",
        valid_from=period.get("startDate", "") if period is not None else "",
        valid_until=period.get("endDate", "") if period is not None else "",
        sources=tuple(s for s in [source.get("publishedSourceId", "") if source is not None else ""] if s),
    )


def _exchange(el: Element, position: int, ctx: _Ctx) -> tuple[Exchange, FlowSeen, bool]:
    elementary = el.tag == "elementaryExchange"
    id_attr = "elementaryExchangeId" if elementary else "intermediateExchangeId"
    flow = el.get(id_attr, "").strip()
    own = el.get("id", "").strip() or str(position)
    field = f"{el.tag}[{own}]"
    if not flow:
        raise MalformedDataset("exchange names no flow", file=ctx.file, dataset=ctx.dataset,
                               field=f"{field}/@{id_attr}")
    amount = to_float(el.get("amount"), file=ctx.file, dataset=ctx.dataset, field=f"{field}/@amount")
    kids = children_by_tag(el)
    is_input = _is_input(kids, field, ctx)
    is_reference = not elementary and not is_input and (kids["outputGroup"][0].text or "").strip() == "0"
    kind: FlowType = "elementary" if elementary else "product"
    if is_reference and amount < 0:
        is_input, amount, kind = True, -amount, "waste"
    unit = text_in_lang(kids.get("unitName", ()))
    prop, factor, _ = _unit(unit, field, ctx)
    block = kids.get("uncertainty", [None])[0]
    uncertainty, dropped = _uncertainty(block, field, ctx)
    exchange = Exchange(
        id=f"{ctx.dataset}/{own}", process=ctx.dataset, flow=flow, is_input=is_input, amount=amount,
        unit=unit, amount_ref=amount * factor, is_reference=is_reference,
        default_provider=el.get("activityLinkId") or None, formula=el.get("mathematicalRelation", ""),
        data_quality=_pedigree(block), uncertainty=uncertainty,
        description=text_in_lang(kids.get("comment", ())),
    )
    seen = FlowSeen(flow, text_in_lang(kids.get("name", ())), kind, prop, ctx.file, ctx.dataset,
                    el.get("casNumber", "").strip(), el.get("formula", "").strip(),
                    _compartment(kids.get("compartment", [None])[0]))
    return exchange, seen, dropped


def _is_input(kids: dict[str, list[Element]], field: str, ctx: _Ctx) -> bool:
    if "inputGroup" in kids:
        return True
    if "outputGroup" in kids:
        return False
    raise MalformedDataset("exchange has neither inputGroup nor outputGroup", file=ctx.file,
                           dataset=ctx.dataset, field=f"{field}/inputGroup")


def _unit(name: str, field: str, ctx: _Ctx) -> tuple[str, float, str]:
    try:
        return unit_of(name)
    except UnresolvedReference as e:
        raise UnresolvedReference(f"{e}; or add it to loaders.ecospold2_units.ECOSPOLD2_ALIASES",
                                  file=ctx.file, dataset=ctx.dataset, field=f"{field}/unitName") from e


def _compartment(block: Element | None) -> tuple[str, ...]:
    if block is None:
        return ()
    kids = children_by_tag(block)
    parts = (text_in_lang(kids.get("compartment", ())), text_in_lang(kids.get("subcompartment", ())))
    return tuple(p for p in parts if p)


def _pedigree(block: Element | None) -> str:
    matrix = block.find("pedigreeMatrix") if block is not None else None
    if matrix is None:
        return ""
    return "(" + ";".join(matrix.get(k, "n.a.").strip() for k in PEDIGREE) + ")"


def _uncertainty(block: Element | None, field: str, ctx: _Ctx) -> tuple[Uncertainty | None, bool]:
    """(uncertainty, dropped); EcoSpold2 variances are of the underlying normal (log scale for lognormal).

    openLCA's export writes ``Infinity``/``NaN`` variances where it had no usable spread (USLCI:
    about 4,800 exchanges); such uncertainty is dropped (``dropped`` True, reported once per dataset).
    """
    node = next((n for n in block if n.tag in _DISTRIBUTIONS), None) if block is not None else None
    if node is None:
        return None, False
    p = _params(node, f"{field}/uncertainty/{node.tag}", ctx)
    nan = math.nan
    variance = p.get("varianceWithPedigreeUncertainty", p.get("variance", nan))
    sd = math.sqrt(variance) if variance >= 0 else nan  # NaN stays NaN, negative → NaN
    if node.tag == "lognormal":
        geomean = p.get("meanValue", math.exp(p.get("mu", nan)))
        made = Uncertainty("lognormal", geomean=geomean, geosd=math.exp(sd))
    elif node.tag == "normal":
        made = Uncertainty("normal", mean=p.get("meanValue", nan), sd=sd)
    elif node.tag == "triangular":
        made = Uncertainty("triangular", minimum=p.get("minValue", nan), mode=p.get("mostLikelyValue", nan),
                           maximum=p.get("maxValue", nan))
    else:
        made = Uncertainty("uniform", minimum=p.get("minValue", nan), maximum=p.get("maxValue", nan))
    values = (made.geomean, made.geosd, made.mean, made.sd, made.minimum, made.mode, made.maximum)
    return (made, False) if all(math.isfinite(v) for v in values if v is not None) else (None, True)


_DISTRIBUTIONS = ("lognormal", "normal", "triangular", "uniform")


def _params(node: Element, field: str, ctx: _Ctx) -> dict[str, float]:
    """Numeric attributes of a distribution element (``Infinity``/``NaN`` kept as such)."""
    params: dict[str, float] = {}
    for name, value in node.attrib.items():
        try:
            params[name] = float(value)
        except ValueError as e:
            raise MalformedDataset(f"{value!r} is not a number", file=ctx.file, dataset=ctx.dataset,
                                   field=f"{field}/@{name}") from e
    return params
