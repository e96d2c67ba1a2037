"""The foreground-model file (docs/model-format.md, schema docs/model.schema.json): read and check.

A model file is JSON. It is read with the line of every object kept, so that each error names
the file, the line and the field (``processes[1].inputs[0].amount``) and says what to write
instead. Reading is pure: providers named by id or by name + database are resolved against the
graph later (api/services/foreground.py); this module only checks the file's own consistency.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from lcagraph.errors import MalformedDataset

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


_JSON_OBJECT: Any = getattr(json.decoder, "JSONObject")  # noqa: B009
_MAKE_SCANNER: Any = getattr(json.scanner, "py_make_scanner")  # noqa: B009


class _Located(dict[str, Any]):
    """A JSON object that knows the line it starts on."""

    line: int = 0


def load_json(text: str, file: str) -> Any:
    """Parse JSON keeping each object's line (errors name the line and column)."""
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[_Located, int]:
        pairs, end = _JSON_OBJECT(s_and_end, *args)
        found = _Located(pairs)
        found.line = bisect.bisect_left(newlines, s_and_end[1]) + 1
        return found, end

    # the pure-Python scanner calls parse_object (the C one does not): model files are small
    setattr(decoder, "parse_object", parse_object)  # noqa: B010
    setattr(decoder, "scan_once", _MAKE_SCANNER(decoder))  # noqa: B010
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as e:
        raise MalformedDataset(
            f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", file=file
        ) from e


class _Reader:
    """Typed access to one JSON object, with errors naming file, line and field path."""

    def __init__(self, data: Any, path: str, file: str, dataset: str = "") -> None:
        if not isinstance(data, dict):
            raise MalformedDataset(
                f"expected an object, found {json.dumps(data)[:60]}",
                file=file,
                dataset=dataset,
                field=path or "(top level)",
            )
        self.data: Mapping[str, Any] = data
        self.path, self.file, self.dataset = path, file, dataset
        self.line = getattr(data, "line", 0)

    def fail(self, key: str, message: str) -> MalformedDataset:
        field = f"{self.path}.{key}" if self.path else key
        return MalformedDataset(
            message, file=self.file, dataset=self.dataset, field=f"{field} (line {self.line})"
        )

    def check_keys(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown field {key!r}; allowed here: {', '.join(allowed)}")

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, f"{key!r} is missing; give it as a non-empty string")
            return ""
        if not isinstance(value, str):
            raise self.fail(key, f"{key!r} must be a string, not {json.dumps(value)}")
        return value.strip()

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"{key!r} must be a number, not {json.dumps(value)}")
        return float(value)

    def items(self, key: str, *, required: bool = False) -> list[_Reader]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, f"{key!r} is missing; give a list")
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"{key!r} must be a list")
        return [
            _Reader(v, f"{self.path}.{key}[{i}]" if self.path else f"{key}[{i}]", self.file, self.dataset)
            for i, v in enumerate(value)
        ]

    def child(self, key: str) -> _Reader | None:
        value = self.data.get(key)
        if value is None:
            return None
        return _Reader(value, f"{self.path}.{key}" if self.path else key, self.file, self.dataset)

    def where(self) -> str:
        return f"{self.path} (line {self.line})"


def read_model_text(text: str, file: str = "model.json") -> ModelFile:
    """The model a file's text describes (MalformedDataset naming line and field otherwise)."""
    if len(text.encode()) > MAX_BYTES:
        raise MalformedDataset(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB", file=file)
    top = _Reader(load_json(text, file), "", file)
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


def _process(r: _Reader, file: str) -> ModelProcess:
    ident = r.text("id", required=True)
    r = _Reader(r.data, r.path, file, dataset=ident)
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


def _amount(r: _Reader) -> Amount:
    value, formula = r.number("amount"), r.text("formula")
    if value is None and not formula:
        raise r.fail("amount", 'give an "amount" (a number) or a "formula" over the parameters')
    if value is not None and formula:
        raise r.fail("formula", 'give either "amount" or "formula", not both')
    return Amount(value, formula, r.text("unit", required=True))


def _output(r: _Reader, *, allocation_required: bool) -> ModelOutput:
    r.check_keys(FIELDS["output"])
    allocation = r.number("allocation")
    if allocation is None:
        if allocation_required:
            raise r.fail("allocation", "give each co-product's allocation factor (0 to 1)")
        allocation = 1.0
    if not 0.0 <= allocation <= 1.0:
        raise r.fail("allocation", f"allocation factor {allocation!r} is not between 0 and 1")
    return ModelOutput(r.text("product", required=True), _amount(r), allocation, r.where())


def _input(r: _Reader) -> ModelInput:
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


def _emission(r: _Reader) -> ModelEmission:
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


def _stage(r: _Reader, *, required: bool) -> str:
    stage = r.text("stage", required=required)
    if stage and stage not in STAGES:
        raise r.fail("stage", f"stage {stage!r} is not one of {', '.join(STAGES)}")
    return stage


def _parameters(r: _Reader) -> tuple[tuple[str, float | None, str], ...]:
    out = []
    for p in r.items("parameters"):
        p.check_keys(FIELDS["parameter"])
        name, value, formula = p.text("name", required=True), p.number("value"), p.text("formula")
        if (value is None) == (not formula):
            raise p.fail("value", f'parameter {name!r}: give a "value" or a "formula", one of the two')
        out.append((name, value, formula))
    return tuple(out)


def _check_unique(ids: Sequence[str], what: str, r: _Reader) -> None:
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


def model_to_json(model: ModelFile) -> dict[str, Any]:
    """The model as a file gives it (read_model_text of its dump gives the same model back)."""
    out: dict[str, Any] = {"lcagraphModel": FORMAT_VERSION, "id": model.id, "name": model.name}
    out |= {k: v for k, v in (("version", model.version), ("description", model.description)) if v}
    if model.background:
        out["background"] = list(model.background)
    if model.parameters:
        out["parameters"] = _parameters_json(model.parameters)
    out["processes"] = [_process_json(p) for p in model.processes]
    return out


def _process_json(p: ModelProcess) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "name": p.name}
    out |= {k: v for k, v in (("location", p.location), ("description", p.description)) if v}
    out["reference"] = _output_json(p.reference, bool(p.co_products))
    if p.co_products:
        out["coProducts"] = [_output_json(c, True) for c in p.co_products]
    if p.allocation_method:
        out["allocationMethod"] = p.allocation_method
    if p.parameters:
        out["parameters"] = _parameters_json(p.parameters)
    if p.inputs:
        out["inputs"] = [_input_json(x) for x in p.inputs]
    if p.emissions:
        out["emissions"] = [_emission_json(e) for e in p.emissions]
    return out


def _amount_json(a: Amount) -> dict[str, Any]:
    return {"formula": a.formula, "unit": a.unit} if a.formula else {"amount": a.value, "unit": a.unit}


def _output_json(o: ModelOutput, allocated: bool) -> dict[str, Any]:
    out = {"product": o.product, **_amount_json(o.amount)}
    return out | ({"allocation": o.allocation} if allocated else {})


def _input_json(x: ModelInput) -> dict[str, Any]:
    ref = x.provider
    provider = (
        {"process": ref.process}
        if ref.process
        else {"id": ref.id}
        if ref.id
        else {"name": ref.name, "database": ref.database}
    )
    out: dict[str, Any] = {"provider": provider, **_amount_json(x.amount)}
    return out | {k: v for k, v in (("stage", x.stage), ("proxy", x.proxy), ("comment", x.comment)) if v}


def _emission_json(e: ModelEmission) -> dict[str, Any]:
    out: dict[str, Any] = {"substance": e.substance, "compartment": e.compartment}
    out |= ({"cas": e.cas} if e.cas else {}) | _amount_json(e.amount) | {"stage": e.stage}
    return out | ({"comment": e.comment} if e.comment else {})


def _parameters_json(params: Sequence[tuple[str, float | None, str]]) -> list[dict[str, Any]]:
    return [{"name": n, "formula": f} if f else {"name": n, "value": v} for n, v, f in params]
