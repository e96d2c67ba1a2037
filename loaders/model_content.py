"""A foreground model (loaders/model_file.py) as domain records: one database of its own.

Pure steps, in order: evaluate the parameters and amount formulas (loaders/formulas.py);
convert each amount into its flow's reference unit (an input into the unit of its provider's
reference product: a unit of another quantity is an error); make the product flows of the
model's processes and its elementary flows (matched onto method factors by name and CAS like
any flow); make the exchanges, each input naming its provider as default provider (linking
then follows loaders/linking.py); allocate inputs and emissions to the reference product with
its allocation factor. (That the model's own supply loops can be solved is checked after
linking, by loaders/solvability.py, as for every import.)

Ids are stable: process ``<model>:<local id>``, exchange ``<process>/in<i>`` (inputs),
``/em<i>`` (emissions), ``/ref`` and ``/co<i>`` (outputs); flow ids are name-based UUIDs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from lcagraph.errors import MalformedDataset, UnitMismatch, UnresolvedReference
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, ImportReport, Parameter, Process
from loaders.formulas import evaluate
from loaders.model_file import Amount, ModelEmission, ModelFile, ModelInput, ModelOutput, ModelProcess
from loaders.parameters import ParameterDef, evaluate_parameters
from loaders.units import unit_factor_by_name
from loaders.xml import slug

FORMAT = "lcagraph-model"
NAMESPACE = uuid.UUID("5f0c6a52-3c1e-4b8e-9f53-7a1d2c0b9e41")


@dataclass(frozen=True, slots=True)
class ResolvedProvider:
    """A background process an input names, with the reference product it supplies."""

    process: str
    database: str
    flow: str
    unit: str
    name: str = ""


def database_id(model: ModelFile) -> str:
    """The model's database id (slug of its id)."""
    return slug(model.id)


def process_id(model: ModelFile, local: str) -> str:
    """The graph id of a model process."""
    return f"{database_id(model)}:{local}"


def input_id(process: str, index: int) -> str:
    return f"{process}/in{index}"


def emission_id(process: str, index: int) -> str:
    return f"{process}/em{index}"


def stage_tags(model: ModelFile) -> dict[str, str]:
    """Exchange id -> life-cycle stage, for every tagged input and emission."""
    tags: dict[str, str] = {}
    for p in model.processes:
        pid = process_id(model, p.id)
        tags |= {input_id(pid, i): x.stage for i, x in enumerate(p.inputs) if x.stage}
        tags |= {emission_id(pid, i): e.stage for i, e in enumerate(p.emissions)}
    return tags


def model_content(model: ModelFile, providers: Mapping[str, ResolvedProvider]) -> DatabaseContent:
    """The model's database content (not linked yet: inputs carry their provider as default)."""
    db = database_id(model)
    outer = _evaluate(model.parameters, {}, model, "", "parameters")
    flows: dict[str, Flow] = {}
    processes: list[Process] = []
    exchanges: list[Exchange] = []
    reference = {p.id: _product_flow(model, p, p.reference) for p in model.processes}
    for p in model.processes:
        scope = _evaluate(p.parameters, outer, model, p.id, f"{p.where} parameters")
        built = _Process(model, p, scope)
        flows[reference[p.id].id] = reference[p.id]
        own = [built.output(reference[p.id], p.reference, "ref", is_reference=True)]
        for i, co in enumerate(p.co_products):
            flow = _product_flow(model, p, co)
            flows[flow.id] = flow
            own.append(built.output(flow, co, f"co{i}", is_reference=False))
        for i, x in enumerate(p.inputs):
            provider = (
                _local_provider(model, x, reference) if x.provider.process else providers[x.provider.key]
            )
            own.append(built.input(i, x, provider))
        for i, e in enumerate(p.emissions):
            flow = _elementary_flow(e)
            flows[flow.id] = flow
            own.append(built.emission(i, e, flow))
        processes.append(built.record(reference[p.id], own))
        exchanges.extend(own)
    return DatabaseContent(
        database=Database(
            id=db,
            name=model.name,
            source=model.file,
            version=model.version,
            format=FORMAT,
            kind="foreground",
            description=model.description,
        ),
        flows=tuple(flows.values()),
        processes=tuple(processes),
        exchanges=tuple(exchanges),
        report=ImportReport(
            database=db,
            file=model.file,
            format=FORMAT,
            datasets=(("processes", len(processes)), ("flows", len(flows))),
            exchanges=len(exchanges),
            formulas_evaluated=sum(1 for x in exchanges if x.formula),
            unit_conversions=sum(1 for x in exchanges if x.amount_ref != x.amount),
            co_products=tuple(f"{x.process}: {flows[x.flow].name}" for x in exchanges
                              if not x.is_input and not x.is_reference and x.flow in flows
                              and flows[x.flow].type == "product"),
        ),
    )


class _Process:
    """The exchanges of one model process, in reference units, allocated to its reference product."""

    def __init__(self, model: ModelFile, p: ModelProcess, scope: Mapping[str, float]) -> None:
        self.model, self.p, self.scope = model, p, scope
        self.id = process_id(model, p.id)
        self.allocation = p.reference.allocation

    def value(self, amount: Amount, where: str) -> float:
        if amount.value is not None:
            return amount.value
        try:
            return evaluate(amount.formula, self.scope)
        except MalformedDataset as e:
            raise MalformedDataset(
                str(e), file=self.model.file, dataset=self.p.id, field=where.replace(" (", ".formula (", 1)
            ) from e

    def output(self, flow: Flow, out: ModelOutput, suffix: str, *, is_reference: bool) -> Exchange:
        amount = self.value(out.amount, out.where)
        if is_reference and amount <= 0:
            raise MalformedDataset(
                f"the reference amount is {amount!r}; give a positive amount",
                file=self.model.file,
                dataset=self.p.id,
                field=out.where,
            )
        return Exchange(
            id=f"{self.id}/{suffix}",
            process=self.id,
            flow=flow.id,
            is_input=False,
            amount=amount,
            unit=out.amount.unit,
            amount_ref=amount,
            is_reference=is_reference,
            allocation=1.0 if is_reference else out.allocation,
            formula=out.amount.formula,
        )

    def input(self, index: int, x: ModelInput, provider: ResolvedProvider) -> Exchange:
        amount = self.value(x.amount, x.where)
        factor = _conversion(
            x.amount.unit,
            provider.unit,
            self.model,
            self.p.id,
            x.where,
            f"the reference product of provider {provider.process!r}",
        )
        return Exchange(
            id=input_id(self.id, index),
            process=self.id,
            flow=provider.flow,
            is_input=True,
            amount=amount,
            unit=x.amount.unit,
            amount_ref=amount * factor,
            default_provider=provider.process,
            allocation=self.allocation,
            formula=x.amount.formula,
            description=_describe(x),
        )

    def emission(self, index: int, e: ModelEmission, flow: Flow) -> Exchange:
        amount = self.value(e.amount, e.where)
        factor = _conversion(
            e.amount.unit, "kg", self.model, self.p.id, e.where, "an elementary flow (a mass)"
        )
        return Exchange(
            id=emission_id(self.id, index),
            process=self.id,
            flow=flow.id,
            is_input=e.is_input,
            amount=amount,
            unit=e.amount.unit,
            amount_ref=amount * factor,
            allocation=self.allocation,
            formula=e.amount.formula,
        )

    def record(self, flow: Flow, own: list[Exchange]) -> Process:
        ref = next(x for x in own if x.is_reference)
        params = tuple(
            Parameter(name=n, value=self.scope[n.lower()], formula=f) for n, _v, f in self.p.parameters
        )
        return Process(
            id=self.id,
            name=self.p.name,
            database=database_id(self.model),
            location=self.p.location,
            description=self.p.description,
            ref_flow=flow.id,
            ref_amount=ref.amount,
            ref_unit=ref.unit,
            allocation_method=self.p.allocation_method or ("physical" if self.p.co_products else ""),
            parameters=params,
        )


def _describe(x: ModelInput) -> str:
    parts = [f"proxy: {x.proxy}" if x.proxy else "", x.comment]
    return "; ".join(p for p in parts if p)


def _evaluate(
    params: tuple[tuple[str, float | None, str], ...],
    outer: Mapping[str, float],
    model: ModelFile,
    dataset: str,
    where: str,
) -> dict[str, float]:
    try:
        return evaluate_parameters([ParameterDef(n, v, f) for n, v, f in params], outer)
    except MalformedDataset as e:
        raise MalformedDataset(str(e), file=model.file, dataset=dataset, field=f"{where}: {e.field}") from e


def _conversion(unit: str, target: str, model: ModelFile, dataset: str, where: str, what: str) -> float:
    """Factor from ``unit`` to ``target`` (UnresolvedReference where they measure different things)."""
    try:
        given, target_property = unit_factor_by_name(unit), unit_factor_by_name(target)
    except UnresolvedReference as e:
        raise UnresolvedReference(
            str(e), file=model.file, dataset=dataset, field=where.replace(" (", ".unit (", 1)
        ) from e
    if given[0] != target_property[0]:
        raise UnitMismatch(
            f"unit mismatch: {unit!r} cannot be converted into {target!r}, the unit of {what}; give the "
            f"amount in {target!r} or a unit of the same quantity",
            file=model.file,
            dataset=dataset,
            field=where.replace(" (", ".unit (", 1),
        )
    return given[1] / target_property[1]


def _product_flow(model: ModelFile, p: ModelProcess, out: ModelOutput) -> Flow:
    try:
        unit_factor_by_name(out.amount.unit)
    except UnresolvedReference as e:
        raise UnresolvedReference(
            str(e), file=model.file, dataset=p.id, field=out.where.replace(" (", ".unit (", 1)
        ) from e
    ident = str(uuid.uuid5(NAMESPACE, f"{database_id(model)}/{p.id}/{out.product}"))
    return Flow(id=ident, name=out.product, type="product", unit=out.amount.unit, location=p.location)


def _local_provider(model: ModelFile, x: ModelInput, reference: Mapping[str, Flow]) -> ResolvedProvider:
    flow = reference[x.provider.process]
    return ResolvedProvider(process_id(model, x.provider.process), database_id(model), flow.id, flow.unit)


def _elementary_flow(e: ModelEmission) -> Flow:
    ident = str(uuid.uuid5(NAMESPACE, f"elementary/{e.substance.lower()}/{e.compartment}/{e.cas}"))
    return Flow(
        id=ident, name=e.substance, type="elementary", unit="kg", cas=e.cas, compartment=(e.compartment,)
    )
