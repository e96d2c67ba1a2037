"""loaders.formulas: openLCA formula syntax, evaluated without eval, checked by hand."""

from __future__ import annotations

import math

import pytest

from lcagraph.errors import MalformedDataset, UnresolvedReference
from loaders.formulas import evaluate
from loaders.parameters import ParameterDef, evaluate_parameters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("2 ^ 10", 1024.0),
        ("2 ** 3", 8.0),
        ("2 ^ 3 ^ 2", 64.0),  # left-associative, as openLCA's parser
        ("-2 ^ 2", 4.0),  # unary minus binds tighter than ^ in openLCA
        ("10 / 4", 2.5),
        ("1.6E-6*94.97/30.97", 1.6e-6 * 94.97 / 30.97),
        (".5 + 1.", 1.5),
        ("7 mod 3", 1.0),
        ("7 div 2", 3.0),
        ("3 > 2", 1.0),
        ("3 <= 2", 0.0),
        ("2 = 2", 1.0),
        ("2 <> 2", 0.0),
        ("1 && 0", 0.0),
        ("1 || 0", 1.0),
        ("IF(1 = 1; 10; 20)", 10.0),
        ("iif(0; 10; 20)", 20.0),
        ("if(2 > 1, 3, 4)", 3.0),  # comma accepted as argument separator too
        ("abs(-3) + sqrt(16) + exp(0) + ln(e) + log(1000)", 3 + 4 + 1 + 1 + 3),
        ("min(3; 1; 2) + max(3; 1; 2)", 4.0),
        ("round(2.5) + round(-2.5) + round(1.2345; 2)", 3.0 - 3.0 + 1.23),
        ("pi", math.pi),
        ("2 * PI()", 2 * math.pi),
        ("  3  ", 3.0),
    ],
)
def test_expressions(text: str, expected: float) -> None:
    assert evaluate(text) == pytest.approx(expected, rel=1e-15)


def test_if_evaluates_only_the_branch_taken() -> None:
    # the other branch divides by zero and refers to an undefined name: neither is evaluated
    assert evaluate("if(x > 0; x * 2; 1 / 0 + undefined_name)", {"x": 3}) == 6.0


def test_variables_are_case_insensitive() -> None:
    assert evaluate("Concrete*Cement_Fraction", {"concrete": 2259000.0, "CEMENT_FRACTION": 0.141}) == (
        2259000.0 * 0.141
    )


def test_uslci_nested_if() -> None:
    # a real USLCI formula (Coaltype selects an emission factor)
    text = "if(Coaltype=1;VOC_bit;if(Coaltype=2;VOC_subbit;if(Coaltype=3;VOC_lig;0)))"
    values = {"VOC_bit": 0.1, "VOC_subbit": 0.2, "VOC_lig": 0.3}
    assert [evaluate(text, {**values, "Coaltype": c}) for c in (1, 2, 3, 4)] == [0.1, 0.2, 0.3, 0.0]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 +", "expression expected"),
        ("(1 + 2", "')' expected"),
        ("2 $ 3", "unexpected character '$'"),
        ("foo(1)", "unknown function 'foo'"),
        ("1 / 0", "fails"),
        ("sqrt(-1)", "fails"),
        ("if(1; 2)", "3 arguments"),
        ("", "empty formula"),
        ("1 2", "unexpected token"),
    ],
)
def test_malformed(text: str, fragment: str) -> None:
    with pytest.raises(MalformedDataset) as info:
        evaluate(text)
    assert fragment in str(info.value)


def test_undefined_name() -> None:
    with pytest.raises(UnresolvedReference, match="'nope'"):
        evaluate("2 * nope")


def test_no_python_evaluation() -> None:
    for text in ("__import__('os')", "x.y", "[1]", "'a'", "lambda: 1"):
        with pytest.raises(MalformedDataset):
            evaluate(text, {"x": 1.0})


def test_parameters_in_dependency_order() -> None:
    # USLCI coal crusher: Portland_Cement = Concrete*Cement_Fraction (declared before its inputs here)
    params = [
        ParameterDef("Portland_Cement", formula="Concrete*Cement_Fraction"),
        ParameterDef("Total", formula="Portland_Cement + Extra"),
        ParameterDef("Concrete", 2259000.0),
        ParameterDef("Cement_Fraction", 0.141),
    ]
    values = evaluate_parameters(params, outer={"Extra": 1.0, "concrete": -1.0})
    assert values["portland_cement"] == 2259000.0 * 0.141  # local Concrete shadows the global
    assert values["total"] == 2259000.0 * 0.141 + 1.0


def test_parameter_cycle_named() -> None:
    params = [
        ParameterDef("a", formula="b + 1"),
        ParameterDef("b", formula="c * 2"),
        ParameterDef("c", formula="a"),
        ParameterDef("d", 1.0),
    ]
    with pytest.raises(MalformedDataset) as info:
        evaluate_parameters(params)
    assert "cycle" in str(info.value)
    assert "a -> b -> c -> a" in str(info.value)


def test_parameter_errors_name_the_parameter() -> None:
    with pytest.raises(UnresolvedReference) as info:
        evaluate_parameters([ParameterDef("a", formula="zz * 2")])
    assert info.value.field == "parameters.a.formula"
    with pytest.raises(MalformedDataset) as info2:
        evaluate_parameters([ParameterDef("a", formula="2 *")])
    assert info2.value.field == "parameters.a.formula"
    with pytest.raises(MalformedDataset, match="defined twice"):
        evaluate_parameters([ParameterDef("a", 1.0), ParameterDef("A", 2.0)])
    with pytest.raises(MalformedDataset, match="neither a value nor a formula"):
        evaluate_parameters([ParameterDef("a")])
