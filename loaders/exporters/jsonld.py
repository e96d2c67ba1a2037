"""DatabaseContent → an openLCA JSON-LD 2.x zip (processes, flows, units, methods, product systems).

Written: ``olca-schema.json`` ({"version": 2}), ``processes/``, ``flows/``, ``flow_properties/`` and
``unit_groups/`` for the units used, ``parameters/`` (global parameters the processes use),
``dq_systems/`` (where indicators are known), ``lcia_methods/``, ``lcia_categories/`` and
``product_systems/``. Exchange ``internalId`` is the number after ``<process id>/`` in the
exchange id where it is one (so ids survive a round trip), else the 1-based position.
Amounts are written as given with their formulas and the process parameters they use.
The zip is written to a temporary file and moved into place: nothing is left half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

from lcagraph.errors import InvalidArgument
from lcagraph.records import DatabaseContent, Exchange, Flow, Parameter, Process
from loaders.exporters.jsonld_datasets import add_methods, flow_json, product_system_json
from loaders.exporters.jsonld_units import ExportUnits, name_id

_DISTRIBUTIONS = {
    "lognormal": "LOG_NORMAL_DISTRIBUTION",
    "normal": "NORMAL_DISTRIBUTION",
    "triangular": "TRIANGLE_DISTRIBUTION",
    "uniform": "UNIFORM_DISTRIBUTION",
}
_UNCERTAINTY = {
    "geomean": "geomMean",
    "geosd": "geomSd",
    "mean": "mean",
    "sd": "sd",
    "minimum": "minimum",
    "mode": "mode",
    "maximum": "maximum",
}
Obj = dict[str, object]


def write_jsonld(content: DatabaseContent, out: Path) -> tuple[str, ...]:
    """Write `content` as a JSON-LD 2.x zip at `out`; returns warnings (units written in ref units)."""
    flows = {f.id: f for f in content.flows}
    by_process: dict[str, list[Exchange]] = defaultdict(list)
    for e in content.exchanges:
        if e.flow not in flows:
            raise InvalidArgument(
                f"exchange {e.id} refers to flow {e.flow}, which the content lacks; "
                "include every exchanged flow"
            )
        by_process[e.process].append(e)
    units = ExportUnits()
    members: dict[str, Obj] = {"olca-schema.json": {"version": 2}}
    iids: dict[str, int] = {}
    for p in content.processes:
        obj = _process(p, by_process.get(p.id, []), flows, units, iids)
        members[f"processes/{p.id}.json"] = obj
    for q in _global_parameters(content.processes):
        members[f"parameters/{name_id('parameter', q.name.lower())}.json"] = _parameter(q, "GLOBAL_SCOPE")
    for f in content.flows:
        members[f"flows/{f.id}.json"] = flow_json(f, units)
    for s in content.product_systems:
        members[f"product_systems/{s.id}.json"] = product_system_json(s, iids, by_process, flows, units)
    add_methods(content, flows, units, members)
    for g in units.unit_groups_json():
        members[f"unit_groups/{g['@id']}.json"] = g
    for fp in units.flow_properties_json():
        members[f"flow_properties/{fp['@id']}.json"] = fp
    for p in content.processes:
        if p.data_quality and p.data_quality.indicators:
            dq = p.data_quality
            members[f"dq_systems/{name_id('dq', dq.system)}.json"] = {
                "@type": "DQSystem",
                "@id": name_id("dq", dq.system),
                "name": dq.system,
                "indicators": [
                    {"@type": "DQIndicator", "name": n, "position": i}
                    for i, (n, _) in enumerate(dq.indicators, start=1)
                ],
            }
    _write_zip(members, Path(out))
    return tuple(units.warnings)


def _write_zip(members: dict[str, Obj], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, obj in members.items():
                zf.writestr(name, json.dumps(obj, ensure_ascii=False, indent=1))
        Path(tmp).replace(out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _internal_ids(p: Process, exchanges: list[Exchange]) -> list[int]:
    suffixes = [e.id.removeprefix(f"{p.id}/") for e in exchanges]
    if all(s.isdigit() and s != e.id for s, e in zip(suffixes, exchanges, strict=True)) and len(
        set(suffixes)
    ) == len(suffixes):
        return [int(s) for s in suffixes]
    return list(range(1, len(exchanges) + 1))


def _process(
    p: Process, exchanges: list[Exchange], flows: dict[str, Flow], units: ExportUnits, iids: dict[str, int]
) -> Obj:
    ids = _internal_ids(p, exchanges)
    iids.update({e.id: i for e, i in zip(exchanges, ids, strict=True)})
    obj: Obj = {
        "@type": "Process",
        "@id": p.id,
        "name": p.name,
        "description": p.description,
        "category": p.category,
        "processType": "LCI_RESULT" if p.type == "system" else "UNIT_PROCESS",
        "processDocumentation": {
            "validFrom": p.valid_from,
            "validUntil": p.valid_until,
            "sources": [units.ref("Source", name_id("source", s), s) for s in p.sources],
        },
        "exchanges": [_exchange(e, i, flows[e.flow], units) for e, i in zip(exchanges, ids, strict=True)],
    }
    if p.location:
        obj["location"] = units.ref("Location", name_id("location", p.location), p.location)
    if p.allocation_method:
        obj["defaultAllocationMethod"] = p.allocation_method
        obj["allocationFactors"] = _allocation(p, exchanges, ids)
    if p.data_quality:
        obj["dqSystem"] = units.ref("DQSystem", name_id("dq", p.data_quality.system), p.data_quality.system)
        obj["dqEntry"] = p.data_quality.entry
    if p.exchange_dq_system:
        obj["exchangeDqSystem"] = units.ref(
            "DQSystem", name_id("dq", p.exchange_dq_system), p.exchange_dq_system
        )
    obj["parameters"] = [_parameter(q, "PROCESS_SCOPE", p.id) for q in p.parameters if q.scope == "process"]
    return obj


def _exchange(e: Exchange, iid: int, flow: Flow, units: ExportUnits) -> Obj:
    unit, prop, amount = units.exchange_unit(e, flow)
    obj: Obj = {
        "@type": "Exchange",
        "internalId": iid,
        "amount": amount,
        "isInput": e.is_input,
        "isQuantitativeReference": e.is_reference,
        "isAvoidedProduct": e.is_avoided,
        "flow": units.ref("Flow", flow.id, flow.name),
        "unit": units.ref("Unit", unit.id, unit.name),
        "flowProperty": units.ref("FlowProperty", prop.id, prop.name),
    }
    if e.formula and amount == e.amount:
        obj["amountFormula"] = e.formula
    if e.default_provider:
        obj["defaultProvider"] = {"@type": "Process", "@id": e.default_provider}
    if e.data_quality:
        obj["dqEntry"] = e.data_quality
    if e.description:
        obj["description"] = e.description
    if e.uncertainty:
        u = e.uncertainty
        obj["uncertainty"] = {
            "@type": "Uncertainty",
            "distributionType": _DISTRIBUTIONS[u.distribution],
            **{k: getattr(u, a) for a, k in _UNCERTAINTY.items() if getattr(u, a) is not None},
        }
    return obj


def _allocation(p: Process, exchanges: list[Exchange], ids: list[int]) -> list[Obj]:
    if p.ref_flow is None or all(e.allocation == 1.0 for e in exchanges):
        return []
    product = {"@type": "Flow", "@id": p.ref_flow}
    if p.allocation_method == "CAUSAL_ALLOCATION":
        return [
            {
                "@type": "AllocationFactor",
                "allocationType": p.allocation_method,
                "product": product,
                "exchange": {"@type": "Exchange", "internalId": i},
                "value": e.allocation,
            }
            for e, i in zip(exchanges, ids, strict=True)
            if not e.is_reference
        ]
    ref = next((e for e in exchanges if e.is_reference), exchanges[0])
    return [
        {
            "@type": "AllocationFactor",
            "allocationType": p.allocation_method,
            "product": product,
            "value": ref.allocation,
        }
    ]


def _parameter(q: Parameter, scope: str, owner: str = "") -> Obj:
    obj: Obj = {
        "@type": "Parameter",
        "@id": name_id("parameter", owner, q.name.lower()),
        "name": q.name,
        "parameterScope": scope,
        "isInputParameter": not q.formula,
        "value": q.value,
        "description": q.description,
    }
    if q.formula:
        obj["formula"] = q.formula
    return obj


def _global_parameters(processes: tuple[Process, ...]) -> list[Parameter]:
    found: dict[str, Parameter] = {}
    for p in processes:
        for q in p.parameters:
            if q.scope == "global":
                found.setdefault(q.name.lower(), q)
    return list(found.values())
