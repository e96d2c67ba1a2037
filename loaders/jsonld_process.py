"""One openLCA JSON-LD Process → a Process record and its Exchange records.

Parameters are evaluated first (process parameters shadow global ones), then every exchange
amount given as a formula. Exchange ids are ``<process id>/<internalId>`` where the dataset gives
distinct internal ids (openLCA 1.7+, 2.x), else ``<process id>/<position>`` (1-based, stable for
a given file: USLCI 1.x repeats exchange ``@id``s inside ten processes, so those cannot serve).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from lcagraph.config import LIMIT_VARIABLES
from lcagraph.errors import LimitExceeded, MalformedDataset
from lcagraph.records import DataQuality, Exchange, Parameter, Process, Uncertainty
from loaders.formulas import evaluate, parse, variables_of
from loaders.jsonld_allocation import apply_allocation, is_provided
from loaders.jsonld_common import (
    Context,
    Json,
    Where,
    dicts,
    flag,
    number,
    object_list,
    optional_number,
    ref_id,
    ref_name,
    text,
)
from loaders.jsonld_flows import FlowUnits, to_reference
from loaders.parameters import ParameterDef, evaluate_parameters

_DISTRIBUTIONS = {
    "LOG_NORMAL_DISTRIBUTION": "lognormal",
    "NORMAL_DISTRIBUTION": "normal",
    "TRIANGLE_DISTRIBUTION": "triangular",
    "UNIFORM_DISTRIBUTION": "uniform",
}
_UNCERTAINTY_FIELDS = {
    "geomMean": "geomean",
    "geomSd": "geosd",
    "mean": "mean",
    "sd": "sd",
    "minimum": "minimum",
    "mode": "mode",
    "maximum": "maximum",
}


@dataclass(slots=True)
class ProcessResult:
    """A process read: its records plus what the import report counts about it."""

    process: Process
    exchanges: list[Exchange]
    keys: dict[str, str] = field(default_factory=dict)  # "iid:3" / "uid:<@id>" -> exchange id
    formulas: int = 0
    conversions: int = 0
    co_products: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_process(
    obj: Json, where: Where, ctx: Context, flows: dict[str, FlowUnits], database: str
) -> ProcessResult:
    """Read one Process dataset (schema 1.x or 2.x)."""
    pid = text(obj, "@id")
    if not pid:
        raise where.error("process without '@id'", "@id")
    raw = object_list(obj, "exchanges", where)
    if len(raw) > ctx.limits.exchanges:
        raise LimitExceeded(
            f"{len(raw)} exchanges in one process, more than {LIMIT_VARIABLES['exchanges']}="
            f"{ctx.limits.exchanges}; refused",
            file=where.file, dataset=where.dataset, field="exchanges",
        )
    scope, formulas, params = _parameters(obj, where, ctx)
    iids = [e.get("internalId") for e in raw]
    use_iid = all(isinstance(i, int) and not isinstance(i, bool) for i in iids) and len(set(iids)) == len(
        iids
    )
    result = ProcessResult(_process_record(obj, pid, ctx, database), [], formulas=formulas)
    for pos, ex in enumerate(raw, start=1):
        local = iids[pos - 1] if use_iid else pos
        exchange = _exchange(ex, f"{pid}/{local}", pid, pos, where, ctx, flows, scope)
        if exchange.formula:
            result.formulas += 1
            _check_stored(ex, exchange, pos, where, result.warnings)
        result.exchanges.append(exchange)
        result.conversions += exchange.unit != flows[exchange.flow].ref_unit.name
        if isinstance(ex.get("internalId"), int):
            result.keys[f"iid:{ex['internalId']}"] = exchange.id
        if isinstance(ex.get("@id"), str):
            result.keys.setdefault(f"uid:{ex['@id']}", exchange.id)
    if ctx.global_params:
        texts = [p.formula for p in params if p.formula] + [e.formula for e in result.exchanges if e.formula]
        params += _used_globals(texts, params, ctx)
    result.process = replace(result.process, parameters=tuple(params))
    _set_reference(result, where, flows)
    result.exchanges, co_products, warnings, alloc_formulas = apply_allocation(
        obj, result.process, result.exchanges, raw, flows, scope, where
    )
    result.co_products.extend(co_products)
    result.warnings.extend(warnings)
    result.formulas += alloc_formulas
    return result


def _parameters(obj: Json, where: Where, ctx: Context) -> tuple[dict[str, float], int, list[Parameter]]:
    defs: list[ParameterDef] = []
    descriptions: list[str] = []
    for i, p in enumerate(object_list(obj, "parameters", where)):
        name = text(p, "name").strip()
        if not name:
            raise where.error("parameter without a name", f"parameters[{i}].name")
        formula = text(p, "formula").strip()
        value = None if formula else optional_number(p, "value", where, f"parameters.{name}.value")
        defs.append(ParameterDef(name, value, formula))
        descriptions.append(text(p, "description"))
    try:
        scope = evaluate_parameters(defs, ctx.globals, ctx.limits)
    except MalformedDataset as e:
        raise where.relocate(e, "") from e
    records = [
        Parameter(d.name, scope[d.name.lower()], d.formula, "process", desc)
        for d, desc in zip(defs, descriptions, strict=True)
    ]
    return scope, sum(1 for d in defs if d.formula), records


def _used_globals(formulas: list[str], local: list[Parameter], ctx: Context) -> list[Parameter]:
    """Global parameters the process's formulas use (directly or through other globals)."""
    names = {p.name.lower() for p in local}
    todo = [v for f in formulas for v in variables_of(parse(f))]
    used: dict[str, Parameter] = {}
    while todo:
        key = todo.pop()
        if key in names or key in used or key not in ctx.global_params:
            continue
        used[key] = ctx.global_params[key]
        if used[key].formula:
            todo.extend(variables_of(parse(used[key].formula)))
    return sorted(used.values(), key=lambda p: p.name.lower())


def _process_record(obj: Json, pid: str, ctx: Context, database: str) -> Process:
    doc = obj.get("processDocumentation")
    doc = doc if isinstance(doc, dict) else {}
    # USLCI lists some sources several times; keep each once, in order
    sources = tuple(
        dict.fromkeys(ctx.sources.get(str(s.get("@id", ""))) or str(s.get("name") or s.get("@id", "")).strip()
                      for s in dicts(doc.get("sources")))
    )
    dq_id = ref_id(obj, "dqSystem")
    dq_system = ctx.dq_systems.get(dq_id or "")
    dq_name = dq_system.name if dq_system else ref_name(obj, "dqSystem")
    entry = text(obj, "dqEntry").strip()
    quality = None
    if dq_id or entry:
        quality = DataQuality(system=dq_name, entry=entry, indicators=_indicators(entry, dq_system))
    exchange_dq = obj.get("exchangeDqSystem")
    return Process(
        id=pid,
        name=text(obj, "name"),
        database=database,
        type="system" if text(obj, "processType") == "LCI_RESULT" else "unit",
        location=ctx.location(obj.get("location")),
        category="/".join(ctx.category_path(obj.get("category"))),
        description=text(obj, "description"),
        allocation_method=text(obj, "defaultAllocationMethod"),
        data_quality=quality,
        exchange_dq_system=str(exchange_dq.get("name", "")) if isinstance(exchange_dq, dict) else "",
        valid_from=text(doc, "validFrom"),
        valid_until=text(doc, "validUntil"),
        sources=sources,
    )


def _indicators(entry: str, system: object) -> tuple[tuple[str, float], ...]:
    names = getattr(system, "indicators", ())
    scores = [s.strip() for s in entry.strip("()").split(";")] if entry else []
    return tuple(
        (names[i], float(s))
        for i, s in enumerate(scores)
        if i < len(names) and s.replace(".", "", 1).isdigit()
    )


def _exchange(
    ex: Json,
    xid: str,
    pid: str,
    pos: int,
    where: Where,
    ctx: Context,
    flows: dict[str, FlowUnits],
    scope: dict[str, float],
) -> Exchange:
    fld = f"exchanges[{pos}]"
    flow_id = ref_id(ex, "flow")
    if flow_id is None:
        raise where.error("exchange without a flow", f"{fld}.flow")
    fu = flows.get(flow_id)
    if fu is None:
        raise where.unresolved(
            f"flow {flow_id} ({ref_name(ex, 'flow')!r}) is not in the package's flows", f"{fld}.flow"
        )
    formula = text(ex, "amountFormula").strip()
    if formula:
        try:
            amount = evaluate(formula, scope, ctx.limits)
        except MalformedDataset as e:
            raise where.relocate(e, f"{fld}.amountFormula") from e
    else:
        given = ex.get("amount")
        # fast path for plain floats; number() checks everything else and names the field
        amount = (
            given if type(given) is float and math.isfinite(given) else number(given, where, f"{fld}.amount")
        )
    qty = to_reference(amount, ex, fu, ctx, where, fld)
    return Exchange(
        id=xid,
        process=pid,
        flow=flow_id,
        is_input=flag(ex, "isInput", "input"),
        amount=amount,
        unit=qty.unit.name,
        amount_ref=qty.amount_ref,
        is_reference=flag(ex, "isQuantitativeReference", "quantitativeReference"),
        default_provider=ref_id(ex, "defaultProvider"),
        is_avoided=flag(ex, "isAvoidedProduct", "avoidedProduct"),
        formula=formula,
        data_quality=(text(ex, "dqEntry") or text(ex, "pedigreeUncertainty")).strip(),
        uncertainty=_uncertainty(ex["uncertainty"], where, f"{fld}.uncertainty")
        if "uncertainty" in ex
        else None,
        description=text(ex, "description"),
    )


def _check_stored(ex: Json, exchange: Exchange, pos: int, where: Where, warnings: list[str]) -> None:
    # openLCA stores the last evaluated amount next to the formula; a mismatch means stale data
    stored = ex.get("amount")
    if (
        isinstance(stored, int | float)
        and not isinstance(stored, bool)
        and not math.isclose(stored, exchange.amount, rel_tol=1e-9, abs_tol=1e-300)
    ):
        warnings.append(
            where.warning(
                f"formula {exchange.formula!r} gives {exchange.amount!r}, the stored amount is {stored!r}; "
                "the formula's value is used",
                f"exchanges[{pos}].amountFormula",
            )
        )


def _uncertainty(value: object, where: Where, fld: str) -> Uncertainty | None:
    if not isinstance(value, dict):
        return None
    dist = _DISTRIBUTIONS.get(text(value, "distributionType"))
    if dist is None:
        return None  # NO_DISTRIBUTION or an unknown type: no uncertainty
    params = {
        attr: optional_number(value, key, where, f"{fld}.{key}") for key, attr in _UNCERTAINTY_FIELDS.items()
    }
    return Uncertainty(distribution=dist, **params)  # type: ignore[arg-type]


def _set_reference(result: ProcessResult, where: Where, flows: dict[str, FlowUnits]) -> None:
    refs = [e for e in result.exchanges if e.is_reference]
    if not refs:
        provided = [e for e in result.exchanges if is_provided(e, flows)]
        if len(provided) != 1:
            result.warnings.append(
                where.warning("no quantitative reference; the process cannot be a provider", "exchanges")
            )
            return
        # beef-cattle sample: a single product output but no flag; it can only be the reference
        result.warnings.append(
            where.warning(
                f"no quantitative reference; the only product output {provided[0].id} is taken", "exchanges"
            )
        )
        refs = [replace(provided[0], is_reference=True)]
        result.exchanges = [refs[0] if e.id == refs[0].id else e for e in result.exchanges]
    if len(refs) > 1:
        result.warnings.append(
            where.warning(f"{len(refs)} quantitative references; the first is used", "exchanges")
        )
        keep = refs[0].id
        result.exchanges = [
            replace(e, is_reference=e.id == keep) if e.is_reference else e for e in result.exchanges
        ]
    ref = refs[0]
    result.process = replace(
        result.process, ref_flow=ref.flow, ref_amount=ref.amount, ref_unit=ref.unit, ref_is_input=ref.is_input
    )
