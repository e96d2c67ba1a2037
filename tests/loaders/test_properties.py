"""Property tests (Hypothesis) of the formula evaluator, the unit conversions and the JSON byte scans:
the evaluator never raises anything but lcagraph's errors and agrees with Python arithmetic;
conversions round-trip; depth and string length measured in the bytes equal the parsed value's."""

from __future__ import annotations

import json
import math
import operator
import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lcagraph.config import InputLimits
from lcagraph.errors import LcaGraphError, LimitExceeded, MalformedDataset
from loaders.formulas import evaluate
from loaders.jsonld_common import decode_json
from loaders.parameters import ParameterDef, evaluate_parameters
from loaders.units import Unit, builtin_units, unit_factor_by_name

PROPERTIES = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMULA_CHARACTERS = "0123456789.eE+-*/^()<>=;,&|! abxyifsqrtlogmaxpi_"
numbers = st.floats(0, 1e12, allow_nan=False, allow_infinity=False) | st.integers(0, 10**6)


def literal(x: float) -> str:
    return repr(float(x))


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _apply(op: str, a: float | None, b: float | None) -> float | None:
    """Python's float arithmetic; None once a division by zero occurred."""
    if a is None or b is None:
        return None
    try:
        return float(_OPS[op](a, b))
    except ZeroDivisionError:
        return None


def finite(value: float | None) -> float | None:
    """The value Python gives, None where it failed or left the finite floats."""
    return value if value is not None and math.isfinite(value) else None


@st.composite
def expressions(draw: st.DrawFn, depth: int = 4) -> tuple[str, float | None]:
    """(formula, Python's value of it, None after a division by zero): fully parenthesised
    + - * / over numbers, computed with Python's own float operators (no text is evaluated)."""
    if depth == 0 or draw(st.booleans()):
        x = float(draw(numbers))
        return literal(x), x
    op = draw(st.sampled_from("+-*/"))
    (fa, va), (fb, vb) = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    return f"({fa} {op} {fb})", _apply(op, va, vb)


def chain_value(first: float, chain: list[tuple[str, float]]) -> float | None:
    """Python's value of ``first op x op x ...``: * and / bind first, all left-associative."""
    terms: list[float | None] = [float(first)]
    additions: list[str] = []
    for op, x in chain:
        if op in "*/":
            terms[-1] = _apply(op, terms[-1], float(x))
        else:
            additions.append(op)
            terms.append(float(x))
    value = terms[0]
    for op, term in zip(additions, terms[1:], strict=True):
        value = _apply(op, value, term)
    return finite(value)


@PROPERTIES
@given(st.text(FORMULA_CHARACTERS, max_size=60) | st.text(max_size=60))
def test_evaluate_raises_only_lcagraph_errors(text: str) -> None:
    try:
        value = evaluate(text, {"a": 2.0, "b": -1.5, "x": 0.0})
    except LcaGraphError:
        return
    assert math.isfinite(value)


@PROPERTIES
@given(expressions())
def test_evaluate_agrees_with_python_arithmetic(pair: tuple[str, float | None]) -> None:
    formula, value = pair
    expected = finite(value)
    if expected is None:  # division by zero, overflow: the evaluator refuses, never returns inf/nan
        try:
            evaluate(formula)
        except MalformedDataset:
            return
        raise AssertionError(f"{formula} should be refused")
    assert evaluate(formula) == expected


@PROPERTIES
@given(st.lists(st.tuples(st.sampled_from("+-*/"), numbers), min_size=1, max_size=40), numbers)
def test_precedence_and_left_associativity_as_in_python(chain: list[tuple[str, float]], first: float) -> None:
    formula = literal(first) + "".join(f" {op} {literal(x)}" for op, x in chain)
    expected = chain_value(first, chain)
    if expected is None:
        return
    assert evaluate(formula) == expected


@PROPERTIES
@given(st.integers(1, 4000))
def test_long_chains_evaluate_without_recursion(terms: int) -> None:
    assert evaluate("+".join(["1"] * terms)) == terms


@PROPERTIES
@given(st.integers(2, 200), st.randoms(use_true_random=False))
def test_parameter_order_does_not_matter(length: int, rng: random.Random) -> None:
    # p0 = 1.5, p_i = 2 p_(i-1) - 1, so p_i = 1 + 2^(i-1), exact in floats
    defs = [ParameterDef("p0", 1.5)]
    defs += [ParameterDef(f"p{i}", None, f"p{i - 1} * 2 - 1") for i in range(1, length)]
    shuffled = defs[:]
    rng.shuffle(shuffled)
    assert evaluate_parameters(shuffled) == evaluate_parameters(defs)
    assert evaluate_parameters(defs)[f"p{length - 1}"] == 2.0 ** (length - 2) + 1


TABLE = builtin_units()
UNITS = sorted(TABLE.units.values(), key=lambda u: u.id)
GROUP_PROPERTY = {g.id: TABLE.property_of_group(g.id) for g in TABLE.groups.values()}


def unique_in_group(unit_id: str) -> bool:
    unit = TABLE.units[unit_id]
    return GROUP_PROPERTY[unit.group] is not None and len(TABLE.units_named(unit.name, unit.group)) == 1


NAMED = [u for u in UNITS if unique_in_group(u.id)]
amounts = st.floats(min_value=-1e200, max_value=1e200, allow_nan=False, allow_infinity=False)


@PROPERTIES
@given(st.sampled_from(NAMED), amounts)
def test_conversion_to_the_reference_unit_round_trips(unit: Unit, amount: float) -> None:
    prop = GROUP_PROPERTY[unit.group]
    assert prop is not None
    prop_id, factor = unit_factor_by_name(unit.name, prop.id)
    assert (prop_id, factor) == (prop.id, unit.factor)
    assert math.isclose(amount * factor / factor, amount, rel_tol=4e-16, abs_tol=1e-300)


@PROPERTIES
@given(st.sampled_from(sorted(TABLE.groups)), st.data(), amounts)
def test_conversion_between_two_units_of_a_group_round_trips(
    group: str, data: st.DataObject, amount: float
) -> None:
    members = [TABLE.units[u] for u in TABLE.groups[group].units]
    u, v = data.draw(st.sampled_from(members)), data.draw(st.sampled_from(members))
    in_v = amount * u.factor / v.factor  # u -> reference -> v
    assert math.isclose(in_v * v.factor / u.factor, amount, rel_tol=1e-15, abs_tol=1e-300)
    reference = TABLE.units[TABLE.groups[group].reference]
    assert reference.factor == 1.0


@PROPERTIES
@given(st.text(max_size=30))
def test_unit_lookup_raises_only_lcagraph_errors(name: str) -> None:
    try:
        prop_id, factor = unit_factor_by_name(name)
    except LcaGraphError:
        return
    assert prop_id in TABLE.properties and 0 < factor < math.inf


# NUL is refused on its own; JSON text is UTF-8, which has no lone surrogates (json.dumps(...).encode())
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
keys = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=30,
)


def depth_of(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


def longest_string(value: object, ascii_only: bool) -> int:
    """Bytes between the quotes of the longest string (or key) as json.dumps writes it."""
    if isinstance(value, str):
        return len(json.dumps(value, ensure_ascii=ascii_only).encode()) - 2
    items: list[object] = list(value) if isinstance(value, list) else []
    if isinstance(value, dict):
        items = [*value, *value.values()]
    return max((longest_string(v, ascii_only) for v in items), default=0)


@PROPERTIES
@given(json_values, st.booleans())
def test_byte_scans_measure_what_the_parser_finds(value: object, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    depth, longest = depth_of(value), longest_string(value, ascii_only)
    exact = InputLimits(json_depth=max(depth, 1), string_bytes=max(longest, 1))
    assert decode_json(data, "f", exact) == value
    if depth > 1:
        with pytest.raises(LimitExceeded, match=f"nested {depth} deep"):
            decode_json(data, "f", replace(exact, json_depth=depth - 1))
    if longest > 1:
        with pytest.raises(LimitExceeded, match=f"a string of {longest} bytes"):
            decode_json(data, "f", replace(exact, string_bytes=longest - 1))
