"""DatabaseContent → an ILCD 1.1 zip (``ILCD/processes``, ``flows``, ``flowproperties``, ``unitgroups``,
``lciamethods``).

Amounts are written as ILCD expects them: ``meanAmount`` = ``resultingAmount`` = ``amount_ref``,
in the reference unit of the flow's reference flow property (formulas are not exported: their
variables would need ILCD parameters; the evaluated value is what is written). Flow properties and
unit groups come from openLCA's reference units (loaders.exporters.jsonld_units.ExportUnits, shared
with the JSON-LD exporter). A supplier is written as openLCA's ``olca:defaultProvider``
extension attribute: the exchange's default provider, else the provider linked to it; an avoided
product as openLCA writes it (an output with ``olca:avoidedProduct="true"``). The zip is
written to a temporary file and moved into place, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from lcagraph.errors import UnresolvedReference
from lcagraph.records import CharacterisationFactor, DatabaseContent, Exchange, Flow, Process, Uncertainty
from loaders.exporters.ilcd_datasets import (
    COMMON,
    OLCA,
    PROCESS,
    admin,
    flow_dataset,
    flow_property_dataset,
    lang,
    method_dataset,
    number,
    reference,
    root_element,
    sub,
    to_bytes,
    unit_group_dataset,
)
from loaders.exporters.jsonld_units import ExportUnits
from loaders.ilcd_process import DQ_NAMES

ALLOCATION_APPROACHES = {
    "PHYSICAL_ALLOCATION": "Allocation - physical causality",
    "ECONOMIC_ALLOCATION": "Allocation - market value",
    "CAUSAL_ALLOCATION": "Allocation - other explicit assignment",
    "USE_DEFAULT_ALLOCATION": "Not applicable",
    "NO_ALLOCATION": "Not applicable",
}
_DQ_LABELS = {v: k for k, v in DQ_NAMES.items()}
_DQ_RATINGS = {1: "Very good", 2: "Good", 3: "Fair", 4: "Poor", 5: "Very poor"}


def write_ilcd(content: DatabaseContent, out_zip: Path) -> tuple[str, ...]:
    """Write `content` as an ILCD zip at `out_zip`; returns warnings (approximations made)."""
    flows = {f.id: f for f in content.flows}
    units = ExportUnits()
    members: list[tuple[str, bytes]] = []
    providers = {link.exchange: link.provider for link in content.links}
    by_process: dict[str, list[Exchange]] = {}
    for e in content.exchanges:
        by_process.setdefault(e.process, []).append(e)
    for process in content.processes:
        root = process_dataset(process, by_process.get(process.id, []), flows, providers)
        members.append((f"ILCD/processes/{process.id}.xml", to_bytes(root)))
    used = sorted({e.flow for e in content.exchanges} | {f.flow for f in content.factors} | set(flows))
    for flow_id in used:
        flow = _flow(flow_id, flows)
        members.append((f"ILCD/flows/{flow.id}.xml", to_bytes(flow_dataset(flow, units.flow_property(flow)))))
    members.extend(_method_members(content, flows, units))
    members.extend(_unit_members(units))
    _write_zip(Path(out_zip), members)
    return tuple(units.warnings)


def process_dataset(process: Process, exchanges: list[Exchange], flows: dict[str, Flow],
                    providers: dict[str, str]) -> ET.Element:
    """A processDataSet; exchange ids ``<process>/<n>`` keep ``n`` as dataSetInternalID."""
    internal = _internal_ids(process.id, exchanges)
    root = root_element(PROCESS, "processDataSet", OLCA)
    info = sub(root, PROCESS, "processInformation")
    data = sub(info, PROCESS, "dataSetInformation")
    sub(data, COMMON, "UUID", process.id)
    lang(sub(data, PROCESS, "name"), PROCESS, "baseName", process.name)
    if process.category:
        classification = sub(sub(data, PROCESS, "classificationInformation"), COMMON, "classification")
        for level, name in enumerate(p for p in process.category.split("/") if p):
            sub(classification, COMMON, "class", name, level=str(level))
    if process.description:
        lang(data, COMMON, "generalComment", process.description)
    reference_exchange = next((e for e in exchanges if e.is_reference), None)
    if reference_exchange is not None:
        quantitative = sub(info, PROCESS, "quantitativeReference", type="Reference flow(s)")
        sub(quantitative, PROCESS, "referenceToReferenceFlow", internal[reference_exchange.id])
    _time(info, process)
    if process.location:
        sub(sub(info, PROCESS, "geography"), PROCESS, "locationOfOperationSupplyOrProduction",
            location=process.location)
    _modelling(root, process)
    admin(root, PROCESS)
    block = sub(root, PROCESS, "exchanges")
    ref_id = internal[reference_exchange.id] if reference_exchange is not None else None
    for e in exchanges:
        _exchange(block, e, internal[e.id], ref_id, _flow(e.flow, flows), providers)
    return root


def _internal_ids(process_id: str, exchanges: list[Exchange]) -> dict[str, str]:
    """dataSetInternalID per exchange: the id's own number where it has one, else the next free one."""
    own = {e.id: e.id.removeprefix(f"{process_id}/") for e in exchanges}
    numeric = {e: i for e, i in own.items() if i.isdigit()}
    if len(set(numeric.values())) != len(numeric):
        numeric = {}
    taken, ids, counter = set(numeric.values()), dict(numeric), 0
    for e in exchanges:
        if e.id not in ids:
            while str(counter) in taken:
                counter += 1
            ids[e.id] = str(counter)
            taken.add(str(counter))
    return ids


def _time(info: ET.Element, process: Process) -> None:
    start, end = process.valid_from[:4], process.valid_until[:4]
    if start.isdigit() or end.isdigit():
        time = sub(info, PROCESS, "time")
        if start.isdigit():
            sub(time, COMMON, "referenceYear", start)
        if end.isdigit():
            sub(time, COMMON, "dataSetValidUntil", end)


def _modelling(root: ET.Element, process: Process) -> None:
    modelling = sub(root, PROCESS, "modellingAndValidation")
    method = sub(modelling, PROCESS, "LCIMethodAndAllocation")
    kind = "LCI result" if process.type == "system" else "Unit process, black box"
    sub(method, PROCESS, "typeOfDataSet", kind)
    approach = process.allocation_method
    if approach:
        approach = ALLOCATION_APPROACHES.get(approach, approach if approach.startswith(
            ("Allocation - ", "Substitution - ", "Consequential effects", "Not applicable")) else "Other")
        sub(method, PROCESS, "LCIMethodApproaches", approach)
    # ILCD rates each EF indicator in words (Very good … Very poor): scores are rounded to the nearest
    ratings = [(_DQ_LABELS[n], _DQ_RATINGS[round(v)]) for n, v in process.data_quality.indicators
               if n in _DQ_LABELS and round(v) in _DQ_RATINGS] if process.data_quality else []
    if ratings:
        review = sub(sub(modelling, PROCESS, "validation"), PROCESS, "review", type="Not reviewed")
        indicators = sub(review, COMMON, "dataQualityIndicators")
        for label, rating in ratings:
            sub(indicators, COMMON, "dataQualityIndicator", name=label, value=rating)


def _exchange(block: ET.Element, e: Exchange, internal: str, ref_id: str | None, flow: Flow,
              providers: dict[str, str]) -> None:
    attrs = {"dataSetInternalID": internal}
    provider = e.default_provider or providers.get(e.id)
    if provider:
        attrs["olca:defaultProvider"] = provider
    if e.is_avoided:
        attrs["olca:avoidedProduct"] = "true"
    el = sub(block, PROCESS, "exchange", **attrs)
    reference(el, PROCESS, "referenceToFlowDataSet", "flow data set", "flows", flow.id, flow.name)
    # openLCA keeps an avoided product on the input side and writes it to ILCD as an output
    # flagged olca:avoidedProduct (its ILCD import moves it back): the same here
    sub(el, PROCESS, "exchangeDirection", "Input" if e.is_input and not e.is_avoided else "Output")
    sub(el, PROCESS, "meanAmount", number(e.amount_ref))
    sub(el, PROCESS, "resultingAmount", number(e.amount_ref))
    _uncertainty(el, e)
    if e.allocation != 1.0 and ref_id is not None:
        allocations = sub(el, PROCESS, "allocations")
        sub(allocations, PROCESS, "allocation", internalReferenceToCoProduct=ref_id,
            allocatedFraction=number(e.allocation * 100.0))
    if e.description:
        lang(el, PROCESS, "generalComment", e.description)


def _uncertainty(el: ET.Element, e: Exchange) -> None:
    """Parameters scaled to the reference unit; log-normal/normal spread as openLCA writes it."""
    u: Uncertainty | None = e.uncertainty
    if u is None or e.amount == 0:
        return
    k = e.amount_ref / e.amount
    low, high = (u.minimum, u.maximum) if u.distribution in ("triangular", "uniform") else (None, None)
    if low is not None:
        sub(el, PROCESS, "minimumAmount", number(low * k))
    if high is not None:
        sub(el, PROCESS, "maximumAmount", number(high * k))
    kinds = {"lognormal": "log-normal", "normal": "normal", "triangular": "triangular", "uniform": "uniform"}
    sub(el, PROCESS, "uncertaintyDistributionType", kinds[u.distribution])
    spread = u.geosd if u.distribution == "lognormal" else (u.sd * abs(k) if u.sd is not None else None)
    if spread is not None and u.distribution in ("lognormal", "normal"):
        sub(el, PROCESS, "relativeStandardDeviation95In", number(spread))


def _flow(flow_id: str, flows: dict[str, Flow]) -> Flow:
    flow = flows.get(flow_id)
    if flow is None:
        raise UnresolvedReference(f"flow {flow_id} is used by an exchange or factor but not among the "
                                  "content's flows; export it with its flows", dataset=flow_id, field="flow")
    return flow


def _method_members(content: DatabaseContent, flows: dict[str, Flow],
                    units: ExportUnits) -> list[tuple[str, bytes]]:
    """One LCIAMethodDataSet per impact category; its reference quantity measures the category unit."""
    methods = {m.id: m for m in content.methods}
    by_category: dict[str, list[CharacterisationFactor]] = {}
    for factor in content.factors:
        _flow(factor.flow, flows)
        by_category.setdefault(factor.category, []).append(factor)
    members = []
    for category in content.categories:
        holder = Flow(id=f"impact/{category.id}", name=category.name, type="elementary",
                      unit=category.unit or "1")
        root = method_dataset(category, methods.get(category.method), units.flow_property(holder),
                              by_category.get(category.id, []), flows)
        members.append((f"ILCD/lciamethods/{category.id}.xml", to_bytes(root)))
    return members


def _unit_members(units: ExportUnits) -> list[tuple[str, bytes]]:
    props = sorted(units.used_props)
    members = [(f"ILCD/flowproperties/{p}.xml",
                to_bytes(flow_property_dataset(units.table.properties[p], units.table))) for p in props]
    groups = sorted({units.table.properties[p].unit_group for p in props})
    members += [(f"ILCD/unitgroups/{g}.xml", to_bytes(unit_group_dataset(g, units.table))) for g in groups]
    return members


def _write_zip(target: Path, members: list[tuple[str, bytes]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
