"""A foreground model back to its file form (``lcagraph model export``): reading the dump gives the
same model (loaders/model_file.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from loaders.model_file import (
    FORMAT_VERSION,
    Amount,
    ModelEmission,
    ModelFile,
    ModelInput,
    ModelOutput,
    ModelProcess,
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
