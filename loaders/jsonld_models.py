"""openLCA JSON-LD product systems and LCIA methods → ProductSystem, ImpactMethod/Category/Factor.

Product-system process links become ProviderLinks of kind "model": consumer process, its
exchange (by internalId, 1.x exchange @id, else the consumer's single exchange of that flow),
provider process, amount in the flow's reference unit as the consumer's exchange gives it.

Impact factors are converted to "per flow reference unit": a factor ``c`` per unit ``u`` of
property ``P`` is ``c * f_P / factor(u)`` per reference unit (``f_P`` the flow's property
factor, 1 where the factor is given in the flow's reference property).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lcagraph.records import (
    CharacterisationFactor,
    Exchange,
    ImpactCategory,
    ImpactMethod,
    ProductSystem,
    ProviderLink,
)
from loaders.jsonld_common import Context, Json, Where, dicts, number, ref_id, text
from loaders.jsonld_flows import FlowUnits, to_reference
from loaders.jsonld_process import ProcessResult


def read_product_system(
    obj: Json, where: Where, processes: dict[str, ProcessResult], flows: dict[str, FlowUnits], database: str
) -> tuple[ProductSystem, list[str]]:
    """One ProductSystem dataset with its process links; returns it and warnings."""
    sid = text(obj, "@id")
    ref_process = ref_id(obj, "referenceProcess")
    if not sid or ref_process is None:
        raise where.error("product system without '@id' or referenceProcess", "referenceProcess")
    if ref_process not in processes:
        raise where.unresolved(f"reference process {ref_process} is not in the package", "referenceProcess")
    ref = processes[ref_process]
    ref_ex = _find_exchange(ref, obj.get("referenceExchange"), None)
    ref_flow = ref_ex.flow if ref_ex else ref.process.ref_flow
    if ref_flow is None:
        raise where.error(
            "no reference exchange and the reference process has no reference flow", "referenceExchange"
        )
    unit = obj.get("targetUnit")
    links: list[ProviderLink] = []
    warnings: list[str] = []
    for i, link in enumerate(dicts(obj.get("processLinks"))):
        made = _link(link, i, where, processes, flows)
        links.append(made)
        if made.provider not in processes:
            warnings.append(
                where.warning(
                    f"provider {made.provider} is not in the package", f"processLinks[{i}].provider"
                )
            )
    system = ProductSystem(
        id=sid,
        name=text(obj, "name"),
        database=database,
        ref_process=ref_process,
        ref_flow=ref_flow,
        amount=number(obj.get("targetAmount", 1.0), where, "targetAmount"),
        unit=str(unit.get("name", "")) if isinstance(unit, dict) else "",
        links=tuple(links),
        description=text(obj, "description"),
    )
    return system, warnings


def _find_exchange(result: ProcessResult, ref: object, flow: str | None) -> Exchange | None:
    by_id = {e.id: e for e in result.exchanges}
    if isinstance(ref, dict):
        for key in (f"iid:{ref.get('internalId')}", f"uid:{ref.get('@id')}"):
            if key in result.keys:
                return by_id[result.keys[key]]
    if flow is None:
        return None
    # a link names the consumer's input (or waste output) of the flow
    matches = [e for e in result.exchanges if e.flow == flow and not e.is_reference]
    return matches[0] if len(matches) == 1 else None


def _link(
    link: Json, i: int, where: Where, processes: dict[str, ProcessResult], flows: dict[str, FlowUnits]
) -> ProviderLink:
    fld = f"processLinks[{i}]"
    consumer, provider, flow = ref_id(link, "process"), ref_id(link, "provider"), ref_id(link, "flow")
    if consumer is None or provider is None or flow is None:
        raise where.error("process link needs process, provider and flow", fld)
    if consumer not in processes:
        raise where.unresolved(f"linked process {consumer} is not in the package", f"{fld}.process")
    exchange = _find_exchange(processes[consumer], link.get("exchange"), flow)
    if exchange is None or exchange.flow != flow:
        raise where.unresolved(
            f"process {consumer} has no single exchange of flow {flow} to link", f"{fld}.exchange"
        )
    return ProviderLink(
        consumer=consumer,
        provider=provider,
        flow=flow,
        exchange=exchange.id,
        amount_ref=exchange.amount_ref,
        kind="model",
        is_waste=flows[flow].flow.type == "waste" if flow in flows else False,
    )


@dataclass(slots=True)
class MethodsRead:
    """Impact methods, categories and factors of a package, and what the report says about them."""

    methods: list[ImpactMethod] = field(default_factory=list)
    categories: list[ImpactCategory] = field(default_factory=list)
    factors: list[CharacterisationFactor] = field(default_factory=list)
    flows_missing: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def read_methods(
    method_objs: list[tuple[Where, Json]],
    category_objs: list[tuple[Where, Json]],
    flows: dict[str, FlowUnits],
    ctx: Context,
) -> MethodsRead:
    """ImpactMethod and ImpactCategory datasets (lcia_methods/, lcia_categories/)."""
    out = MethodsRead()
    owner: dict[str, str] = {}
    for where, obj in method_objs:
        mid = text(obj, "@id")
        if not mid:
            raise where.error("impact method without '@id'", "@id")
        out.methods.append(
            ImpactMethod(
                id=mid,
                name=text(obj, "name"),
                version=text(obj, "version"),
                description=text(obj, "description"),
            )
        )
        for cat in dicts(obj.get("impactCategories")):
            owner.setdefault(text(cat, "@id"), mid)
    for where, obj in category_objs:
        cid = text(obj, "@id")
        if not cid:
            raise where.error("impact category without '@id'", "@id")
        out.categories.append(
            ImpactCategory(
                id=cid, name=text(obj, "name"), method=owner.get(cid, ""), unit=text(obj, "referenceUnitName")
            )
        )
        kept: dict[str, CharacterisationFactor] = {}
        conflicts: dict[str, list[float]] = {}
        for i, f in enumerate(dicts(obj.get("impactFactors"))):
            factor = _factor(f, i, cid, where, flows, ctx, out.flows_missing)
            first = kept.setdefault(factor.flow, factor)
            if first is not factor and first.value != factor.value:
                conflicts.setdefault(factor.flow, [first.value]).append(factor.value)
        out.factors.extend(kept.values())
        if conflicts:
            # FEDEFL IPCC: two substances whose names differ only in case map to one flow (328 / 229)
            flow, values = next(iter(conflicts.items()))
            out.warnings.append(
                where.warning(
                    f"{len(conflicts)} flows have several different factors; the first given is kept "
                    f"(e.g. flow {flow}: {values})",
                    "impactFactors",
                )
            )
    return out


def _factor(
    f: Json, i: int, category: str, where: Where, flows: dict[str, FlowUnits], ctx: Context, missing: set[str]
) -> CharacterisationFactor:
    fld = f"impactFactors[{i}]"
    flow = ref_id(f, "flow")
    if flow is None:
        raise where.error("impact factor without a flow", f"{fld}.flow")
    value = number(f.get("value"), where, f"{fld}.value")
    fu = flows.get(flow)
    if fu is None:
        # the flow is defined elsewhere (FEDEFL): assume the factor's property is its reference one
        missing.add(flow)
        unit = ctx.units.units.get(ref_id(f, "unit") or "")
        return CharacterisationFactor(category, flow, value / unit.factor if unit else value)
    if ref_id(f, "unit") is None:
        return CharacterisationFactor(category, flow, value)
    # invert the amount conversion: per u  ->  per reference unit
    per_ref = to_reference(1.0, f, fu, ctx, where, fld).amount_ref
    return CharacterisationFactor(category, flow, value / per_ref)
