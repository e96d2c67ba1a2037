"""Parameters of a process or package: input values and formulas over each other, evaluated in
dependency order (cycles reported by the names on the cycle), names checked as formula names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lcagraph.config import InputLimits
from lcagraph.errors import MalformedDataset, quoted
from loaders.formulas import Node, evaluate_node, parse, variables_of

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class ParameterDef:
    """A named parameter: an input value or a formula over other parameters."""

    name: str
    value: float | None = None
    formula: str = ""


def evaluate_parameters(
    params: Sequence[ParameterDef],
    outer: Mapping[str, float] | None = None,
    limits: InputLimits | None = None,
) -> dict[str, float]:
    """Values of all `params` (lower-case names); formulas may use each other and `outer`.

    Local parameters shadow outer (global) ones. Raises MalformedDataset on a cycle (naming
    its parameters), a duplicate name or a name that is no identifier, UnresolvedReference on an
    undefined name.
    """
    defs: dict[str, ParameterDef] = {}
    for p in params:
        key = p.name.lower()
        if not _NAME.fullmatch(p.name):
            raise MalformedDataset(
                f"parameter name {quoted(p.name)} is not a name formulas can use (letters, digits and '_', "
                "not starting with a digit); rename the parameter",
                field="parameters",
            )
        if key in defs:
            raise MalformedDataset(
                f"parameter {p.name!r} is defined twice (names are case-insensitive)",
                field=f"parameters.{p.name}",
            )
        defs[key] = p
    scope: dict[str, float] = {k.lower(): v for k, v in (outer or {}).items() if k.lower() not in defs}
    trees = {k: parse_parameter(p, limits) for k, p in defs.items() if p.formula.strip()}
    for key, p in defs.items():
        if key not in trees:
            if p.value is None:
                raise MalformedDataset(
                    f"parameter {p.name!r} has neither a value nor a formula", field=f"parameters.{p.name}"
                )
            scope[key] = p.value
    for key in trees:
        _resolve(key, trees, defs, scope)
    return scope


def parse_parameter(p: ParameterDef, limits: InputLimits | None = None) -> Node:
    """Parse a parameter's formula, naming the parameter on failure."""
    try:
        return parse(p.formula, limits)
    except MalformedDataset as e:
        raise type(e)(str(e), field=f"parameters.{p.name}.formula") from e


def _resolve(
    key: str, trees: Mapping[str, Node], defs: Mapping[str, ParameterDef], scope: dict[str, float]
) -> None:
    """Evaluate parameter `key` after the parameters it depends on (depth-first, with an explicit
    stack: a chain of 3,000 parameters each using the previous one must not exhaust Python's)."""
    path: list[str] = []  # parameters being resolved, outermost first
    todo: list[tuple[str, bool]] = [(key, False)]
    while todo:
        name, ready = todo.pop()
        if ready:
            path.pop()
            _evaluate_parameter(defs[name], trees[name], scope)
            continue
        if name in scope:
            continue
        if name in path:
            cycle = [*path[path.index(name) :], name]
            raise MalformedDataset(
                "parameters form a cycle: " + " -> ".join(defs[k].name for k in cycle),
                field=f"parameters.{defs[name].name}.formula",
            )
        path.append(name)
        todo.append((name, True))
        todo.extend((dep, False) for dep in sorted(variables_of(trees[name])) if dep in trees)


def _evaluate_parameter(p: ParameterDef, tree: Node, scope: dict[str, float]) -> None:
    try:
        scope[p.name.lower()] = evaluate_node(tree, scope, p.formula)
    except MalformedDataset as e:
        raise type(e)(str(e), field=f"parameters.{p.name}.formula") from e
