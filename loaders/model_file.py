"""The foreground-model file (docs/model-format.md, schema docs/model.schema.json): read and check.

A model file is JSON. It is read with the line of every object kept, so that each error names
the file, the line and the field (``processes[1].inputs[0].amount``) and says what to write
instead. Reading is pure: providers named by id or by name + database are resolved against the
graph later (api/services/foreground.py); this module only checks the file's own consistency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lcagraph.errors import MalformedDataset
from loaders.located_json import Reader, load_json

FORMAT_VERSION = 1
MAX_BYTES = 5 * 1024 * 1024
#: The life-cycle stages of the EU Battery Regulation (2023/1542, Annex II); the use stage is excluded.
STAGES = ("raw-material-acquisition", "main-production", "distribution", "end-of-life")
LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: The fields each object of a model file may have (docs/model.schema.json lists the same).
FIELDS: dict[str, tuple[str, ...]] = {
    "model": (
        "$schema",
        "lcagraphModel",
        "id",
        "name",
        "version",
        "description",
        "background",
        "parameters",
        "processes",
    ),
    "process": (
        "id",
        "name",
        "location",
        "description",
        "reference",
        "coProducts",
        "allocationMethod",
        "parameters",
        "inputs",
        "emissions",
    ),
    "output": ("product", "amount", "formula", "unit", "allocation"),
    "input": ("provider", "amount", "formula", "unit", "stage", "proxy", "comment"),
    "provider": ("process", "id", "name", "database"),
    "emission": ("substance", "cas", "compartment", "amount", "formula", "unit", "stage", "comment"),
    "parameter": ("name", "value", "formula", "description"),
}
Stage = Literal["raw-material-acquisition", "main-production", "distribution", "end-of-life"]


@dataclass(frozen=True, slots=True)
class Amount:
    """A value or a formula over the model's parameters, in ``unit``."""

    value: float | None
    formula: str
    unit: str


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """Who supplies an input: a process of this model, a background process id, or a name + database."""

    process: str = ""  # a process of this model (its local id)
    id: str = ""  # a background process id (dataset UUID or qualified id)
    name: str = ""
    database: str = ""  # with name: a database id or name

    @property
    def key(self) -> str:
        """A stable text for this reference (what the resolved providers are keyed by)."""
        return (
            f"process:{self.process}"
            if self.process
            else (f"id:{self.id}" if self.id else f"name:{self.database}:{self.name}")
        )


@dataclass(frozen=True, slots=True)
class ModelInput:
    """A product input, supplied by ``provider``, tagged with a life-cycle stage (required unless
    the provider is a process of the model, whose own tags then apply)."""

    provider: ProviderRef
    amount: Amount
    stage: str = ""
    proxy: str = ""  # what the provider stands in for, where it is a proxy
    comment: str = ""
    where: str = ""


@dataclass(frozen=True, slots=True)
class ModelEmission:
    """An elementary flow to air, water or soil (or a resource taken), matched by name and CAS."""

    substance: str
    compartment: str
    amount: Amount
    stage: str
    cas: str = ""
    is_input: bool = False  # a resource taken from nature
    comment: str = ""
    where: str = ""


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """The reference product or a co-product, with its allocation factor (1 without co-products)."""

    product: str
    amount: Amount
    allocation: float = 1.0
    where: str = ""


@dataclass(frozen=True, slots=True)
class ModelProcess:
    """A foreground process: its reference product, co-products, inputs and emissions."""

    id: str
    name: str
    reference: ModelOutput
    co_products: tuple[ModelOutput, ...] = ()
    inputs: tuple[ModelInput, ...] = ()
    emissions: tuple[ModelEmission, ...] = ()
    location: str = ""
    description: str = ""
    allocation_method: str = ""
    parameters: tuple[tuple[str, float | None, str], ...] = ()  # (name, value, formula)
    where: str = ""


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A whole foreground model as the file gives it."""

    id: str
    name: str
    version: str
    description: str
    background: tuple[str, ...]
    parameters: tuple[tuple[str, float | None, str], ...]
    processes: tuple[ModelProcess, ...]
    file: str = ""


def read_model_text(text: str, file: str = "model.json") -> ModelFile:
    """The model a file's text describes (MalformedDataset naming line and field otherwise)."""
    if len(text.encode()) > MAX_BYTES:
        raise MalformedDataset(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB", file=file)
    top = Reader(load_json(text, file), "", file)
    top.check_keys(FIELDS["model"])
    if top.data.get("lcagraphModel") != FORMAT_VERSION:
        raise top.fail("lcagraphModel", f'give "lcagraphModel": {FORMAT_VERSION} (the format version)')
    ident = top.text("id", required=True)
    if not LOCAL_ID.match(ident):
        raise top.fail("id", f"model id {ident!r} must be letters, digits, '.', '_' or '-' (64 at most)")
    background = top.data.get("background") or []
    if not isinstance(background, list) or not all(isinstance(b, str) and b for b in background):
        raise top.fail("background", "give the background databases as a list of names or ids")
    processes = tuple(_process(r, file) for r in top.items("processes", required=True))
    if not processes:
        raise top.fail("processes", "a model needs at least one process")
    _check_unique([p.id for p in processes], "process id", top)
    _check_local_providers(processes, file)
    return ModelFile(
        id=ident,
        name=top.text("name") or ident,
        version=top.text("version"),
        description=top.text("description"),
        background=tuple(background),
        parameters=_parameters(top),
        processes=processes,
        file=file,
    )


def _process(r: Reader, file: str) -> ModelProcess:
    ident = r.text("id", required=True)
    r = Reader(r.data, r.path, file, dataset=ident)
    r.check_keys(FIELDS["process"])
    if not LOCAL_ID.match(ident):
        raise r.fail("id", f"process id {ident!r} must be letters, digits, '.', '_' or '-' (64 at most)")
    ref = r.child("reference")
    if ref is None:
        raise r.fail(
            "reference",
            f'process {ident!r} has no reference product; give "reference": '
            '{"product": …, "amount": 1, "unit": …}',
        )
    reference = _output(ref, allocation_required=False)
    co_products = tuple(_output(c, allocation_required=True) for c in r.items("coProducts"))
    if co_products:
        if ref.number("allocation") is None:
            raise ref.fail("allocation", "with co-products, give the reference product's allocation factor")
        total = reference.allocation + sum(c.allocation for c in co_products)
        if abs(total - 1.0) > 1e-9:
            raise r.fail(
                "coProducts",
                f"allocation factors of the reference and co-products sum to {total!r}, not 1; correct them",
            )
    return ModelProcess(
        id=ident,
        name=r.text("name") or ident,
        reference=reference,
        co_products=co_products,
        inputs=tuple(_input(i) for i in r.items("inputs")),
        emissions=tuple(_emission(e) for e in r.items("emissions")),
        location=r.text("location"),
        description=r.text("description"),
        allocation_method=r.text("allocationMethod"),
        parameters=_parameters(r),
        where=r.where(),
    )


def _amount(r: Reader) -> Amount:
    value, formula = r.number("amount"), r.text("formula")
    if value is None and not formula:
        raise r.fail("amount", 'give an "amount" (a number) or a "formula" over the parameters')
    if value is not None and formula:
        raise r.fail("formula", 'give either "amount" or "formula", not both')
    return Amount(value, formula, r.text("unit", required=True))


def _output(r: Reader, *, allocation_required: bool) -> ModelOutput:
    r.check_keys(FIELDS["output"])
    allocation = r.number("allocation")
    if allocation is None:
        if allocation_required:
            raise r.fail("allocation", "give each co-product's allocation factor (0 to 1)")
        allocation = 1.0
    if not 0.0 <= allocation <= 1.0:
        raise r.fail("allocation", f"allocation factor {allocation!r} is not between 0 and 1")
    return ModelOutput(r.text("product", required=True), _amount(r), allocation, r.where())


def _input(r: Reader) -> ModelInput:
    r.check_keys(FIELDS["input"])
    ref = r.child("provider")
    if ref is None:
        raise r.fail(
            "provider",
            'give the provider: {"process": <id in this model>}, '
            '{"id": <process id>} or {"name": …, "database": …}',
        )
    ref.check_keys(FIELDS["provider"])
    provider = ProviderRef(ref.text("process"), ref.text("id"), ref.text("name"), ref.text("database"))
    given = [bool(provider.process), bool(provider.id), bool(provider.name)]
    if sum(given) != 1 or bool(provider.name) != bool(provider.database):
        raise ref.fail("id", 'give exactly one of "process", "id" or "name" with "database"')
    stage = _stage(r, required=not provider.process)
    return ModelInput(provider, _amount(r), stage, r.text("proxy"), r.text("comment"), r.where())


def _emission(r: Reader) -> ModelEmission:
    r.check_keys(FIELDS["emission"])
    compartment = r.text("compartment", required=True)
    if compartment not in ("air", "water", "soil", "resource"):
        raise r.fail("compartment", f"compartment {compartment!r}: use air, water, soil or resource")
    return ModelEmission(
        r.text("substance", required=True),
        compartment,
        _amount(r),
        _stage(r, required=True),
        r.text("cas"),
        compartment == "resource",
        r.text("comment"),
        r.where(),
    )


def _stage(r: Reader, *, required: bool) -> str:
    stage = r.text("stage", required=required)
    if stage and stage not in STAGES:
        raise r.fail("stage", f"stage {stage!r} is not one of {', '.join(STAGES)}")
    return stage


def _parameters(r: Reader) -> tuple[tuple[str, float | None, str], ...]:
    out = []
    for p in r.items("parameters"):
        p.check_keys(FIELDS["parameter"])
        name, value, formula = p.text("name", required=True), p.number("value"), p.text("formula")
        if (value is None) == (not formula):
            raise p.fail("value", f'parameter {name!r}: give a "value" or a "formula", one of the two')
        out.append((name, value, formula))
    return tuple(out)


def _check_unique(ids: Sequence[str], what: str, r: Reader) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise r.fail("processes", f"{what} {ident!r} is given twice; ids must be unique")
        seen.add(ident)


def _check_local_providers(processes: Sequence[ModelProcess], file: str) -> None:
    ids = {p.id for p in processes}
    for p in processes:
        for x in p.inputs:
            if x.provider.process and x.provider.process not in ids:
                raise MalformedDataset(
                    f"provider process {x.provider.process!r} is not a process of this model "
                    f"(processes: {', '.join(sorted(ids))})",
                    file=file,
                    dataset=p.id,
                    field=x.where.replace(" (", ".provider.process (", 1),
                )
