"""Safe evaluation of openLCA parameter formulas (never ``eval``).

A tokenizer and a recursive-descent parser build a small tree that is then walked. The grammar
follows openLCA's formula interpreter, lowest precedence first::

    or      := xor (("||" | "|") xor)*
    xor     := and ("xor" and)*
    and     := compare (("&&" | "&") compare)*
    compare := sum (("=" | "==" | "<>" | "!=" | "<" | "<=" | ">" | ">=") sum)*
    sum     := term (("+" | "-") term)*
    term    := power (("*" | "/" | "div" | "mod") power)*
    power   := unary (("^" | "**") unary)*         # left-associative, as in openLCA
    unary   := ("-" | "+") element | element        # so -2^2 = (-2)^2 = 4, as in openLCA
    element := number | name | name "(" [or ((";" | ",") or)*] ")" | "(" or ")"

Names (parameters and functions) are case-insensitive, as in openLCA. Comparisons and logical
operators give 1.0 or 0.0; ``if(c; a; b)`` evaluates only the branch it takes. ``log`` is the
decimal logarithm and ``ln`` the natural one (openLCA's definitions). ``pi`` and ``e`` are
constants unless a parameter of that name exists.

Parameters defined by formulas referring to other parameters are resolved in dependency order
by :func:`evaluate_parameters`, which reports cycles by the names on the cycle.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lcagraph.errors import MalformedDataset, UnresolvedReference

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|&&|\|\||<=|>=|<>|!=|==|[-+*/^()<>=;,&|]))"
)
_WORD_OPS = {"div", "mod", "xor"}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "==": operator.eq, "<>": operator.ne, "!=": operator.ne,
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip
_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": math.pow,
    "**": math.pow, "div": lambda a, b: float(a // b), "mod": math.fmod,
    "xor": lambda a, b: float(bool(a) != bool(b)),
}  # fmt: skip
_CONSTANTS = {"pi": math.pi, "e": math.e, "true": 1.0, "false": 0.0}


def _round(x: float, digits: float = 0.0) -> float:
    # openLCA rounds half away from zero (Java Math.round), not banker's rounding.
    scale = 10.0 ** int(digits)
    return math.copysign(math.floor(abs(x) * scale + 0.5), x) / scale


def _mean(*a: float) -> float:
    return math.fsum(a) / len(a)


_FUNCTIONS: dict[str, Callable[..., float]] = {
    "abs": abs, "sqrt": math.sqrt, "sqr": lambda x: x * x, "exp": math.exp, "ln": math.log,
    "log": math.log10, "lg": math.log10, "min": min, "max": max, "round": _round, "ceil": math.ceil,
    "floor": math.floor, "int": math.trunc, "trunc": math.trunc, "frac": lambda x: x - math.trunc(x),
    "sum": lambda *a: math.fsum(a), "avg": _mean, "mean": _mean, "pow": math.pow, "power": math.pow,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "pi": lambda: math.pi, "e": lambda: math.e, "not": lambda x: float(not x),
    "and": lambda *a: float(all(a)), "or": lambda *a: float(any(a)),
}  # fmt: skip
_LAZY = {"if", "iif", "iff"}


@dataclass(frozen=True, slots=True)
class Num:
    value: float


@dataclass(frozen=True, slots=True)
class Var:
    name: str  # lower case


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # lower case
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


Node = Num | Var | Call | BinOp | Neg


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.pos = 0

    def _tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        i, end = 0, len(text.rstrip())
        while i < end:
            m = _TOKEN.match(text, i)
            if m is None:
                raise MalformedDataset(
                    f"formula {text!r}: unexpected character {text[i:].strip()[0]!r} at position {i}"
                )
            tokens.append(m.group("num") or m.group("name") or m.group("op"))
            i = m.end()
        return tokens

    def fail(self, what: str) -> MalformedDataset:
        at = self.tokens[self.pos] if self.pos < len(self.tokens) else "end of formula"
        return MalformedDataset(f"formula {self.text!r}: {what} (at {at!r}); fix the formula")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, *options: str) -> str | None:
        tok = self.peek()
        if tok is not None and (tok.lower() if tok.lower() in _WORD_OPS else tok) in options:
            self.pos += 1
            return tok.lower()
        return None

    def parse(self) -> Node:
        if not self.tokens:
            raise MalformedDataset("empty formula; give a number or an expression")
        node = self.binary(0)
        if self.pos != len(self.tokens):
            raise self.fail("unexpected token")
        return node

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||", "|"), ("xor",), ("&&", "&"), tuple(_COMPARE),
        ("+", "-"), ("*", "/", "div", "mod"), ("^", "**"),
    )  # fmt: skip

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (op := self.take(*self._LEVELS[level])) is not None:
            node = BinOp(op, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        if self.take("-"):
            return Neg(self.element())
        self.take("+")
        return self.element()

    def element(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.fail("expression expected")
        self.pos += 1
        if tok == "(":
            node = self.binary(0)
            if not self.take(")"):
                raise self.fail("')' expected")
            return node
        if tok[0].isdigit() or tok[0] == ".":
            return Num(float(tok))
        if tok[0].isalpha() or tok[0] == "_":
            if self.take("("):
                return Call(tok.lower(), self.arguments())
            return Var(tok.lower())
        self.pos -= 1
        raise self.fail("number, name or '(' expected")

    def arguments(self) -> tuple[Node, ...]:
        args: list[Node] = []
        if self.take(")"):
            return ()
        while True:
            args.append(self.binary(0))
            if self.take(")"):
                return tuple(args)
            if not self.take(";", ","):
                raise self.fail("';' or ')' expected in function arguments")


def parse(text: str) -> Node:
    """Parse a formula into a tree; raises MalformedDataset naming the formula."""
    return _Parser(text).parse()


def variables_of(node: Node) -> set[str]:
    """Lower-case names of the variables a parsed formula refers to (constants included)."""
    if isinstance(node, Var):
        return {node.name}
    if isinstance(node, Call):
        return set().union(*(variables_of(a) for a in node.args)) if node.args else set()
    if isinstance(node, BinOp):
        return variables_of(node.left) | variables_of(node.right)
    if isinstance(node, Neg):
        return variables_of(node.operand)
    return set()


def evaluate_node(node: Node, variables: Mapping[str, float], text: str = "") -> float:
    """Walk a parsed formula; `variables` maps lower-case names to values."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        if node.name in variables:
            return variables[node.name]
        if node.name in _CONSTANTS:
            return _CONSTANTS[node.name]
        raise UnresolvedReference(
            f"formula {text!r} refers to parameter {node.name!r}, which is not defined; "
            "define it as a process or global parameter"
        )
    if isinstance(node, Neg):
        return -evaluate_node(node.operand, variables, text)
    if isinstance(node, BinOp):
        return _binary(node, variables, text)
    return _call(node, variables, text)


def _binary(node: BinOp, variables: Mapping[str, float], text: str) -> float:
    a = evaluate_node(node.left, variables, text)
    if node.op in ("&&", "&") and not a:
        return 0.0
    if node.op in ("||", "|") and a:
        return 1.0
    b = evaluate_node(node.right, variables, text)
    try:
        if node.op in _COMPARE:
            return float(_COMPARE[node.op](a, b))
        if node.op in ("&&", "&", "||", "|"):
            return float(bool(b))
        result = _ARITHMETIC[node.op](a, b)
    except (ZeroDivisionError, OverflowError, ValueError) as e:
        raise MalformedDataset(f"formula {text!r}: {node.op!r} on {a!r} and {b!r} fails ({e})") from e
    return _finite(result, text)


def _call(node: Call, variables: Mapping[str, float], text: str) -> float:
    if node.name in _LAZY:
        if len(node.args) != 3:
            raise MalformedDataset(
                f"formula {text!r}: {node.name}() takes 3 arguments (condition; then; else)"
            )
        cond = evaluate_node(node.args[0], variables, text)
        return evaluate_node(node.args[1] if cond else node.args[2], variables, text)
    func = _FUNCTIONS.get(node.name)
    if func is None:
        raise MalformedDataset(f"formula {text!r}: unknown function {node.name!r}")
    args = [evaluate_node(a, variables, text) for a in node.args]
    try:
        return _finite(float(func(*args)), text)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as e:
        raise MalformedDataset(f"formula {text!r}: {node.name}{tuple(args)} fails ({e})") from e


def _finite(x: float, text: str) -> float:
    if not math.isfinite(x):
        raise MalformedDataset(f"formula {text!r} gives {x}; check its parameters")
    return x


def evaluate(text: str, variables: Mapping[str, float] | None = None) -> float:
    """Evaluate one formula; `variables` keys are matched case-insensitively."""
    scope = {k.lower(): v for k, v in (variables or {}).items()}
    return evaluate_node(parse(text), scope, text)


@dataclass(frozen=True, slots=True)
class ParameterDef:
    """A named parameter: an input value or a formula over other parameters."""

    name: str
    value: float | None = None
    formula: str = ""


def evaluate_parameters(
    params: Sequence[ParameterDef], outer: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Values of all `params` (lower-case names); formulas may use each other and `outer`.

    Local parameters shadow outer (global) ones. Raises MalformedDataset on a cycle (naming
    its parameters) or a duplicate name, UnresolvedReference on an undefined name.
    """
    defs: dict[str, ParameterDef] = {}
    for p in params:
        key = p.name.lower()
        if key in defs:
            raise MalformedDataset(
                f"parameter {p.name!r} is defined twice (names are case-insensitive)",
                field=f"parameters.{p.name}",
            )
        defs[key] = p
    scope: dict[str, float] = {k.lower(): v for k, v in (outer or {}).items() if k.lower() not in defs}
    trees = {k: parse_parameter(p) for k, p in defs.items() if p.formula.strip()}
    for key, p in defs.items():
        if key not in trees:
            if p.value is None:
                raise MalformedDataset(
                    f"parameter {p.name!r} has neither a value nor a formula", field=f"parameters.{p.name}"
                )
            scope[key] = p.value
    for key in trees:
        _resolve(key, trees, defs, scope, [])
    return scope


def parse_parameter(p: ParameterDef) -> Node:
    """Parse a parameter's formula, naming the parameter on failure."""
    try:
        return parse(p.formula)
    except MalformedDataset as e:
        raise MalformedDataset(str(e), field=f"parameters.{p.name}.formula") from e


def _resolve(
    key: str,
    trees: Mapping[str, Node],
    defs: Mapping[str, ParameterDef],
    scope: dict[str, float],
    stack: list[str],
) -> None:
    if key in scope:
        return
    if key in stack:
        cycle = [*stack[stack.index(key) :], key]
        raise MalformedDataset(
            "parameters form a cycle: " + " -> ".join(defs[k].name for k in cycle),
            field=f"parameters.{defs[key].name}.formula",
        )
    stack.append(key)
    for dep in variables_of(trees[key]):
        if dep in trees:
            _resolve(dep, trees, defs, scope, stack)
    stack.pop()
    p = defs[key]
    try:
        scope[key] = evaluate_node(trees[key], scope, p.formula)
    except UnresolvedReference as e:
        raise UnresolvedReference(str(e), field=f"parameters.{p.name}.formula") from e
    except MalformedDataset as e:
        raise MalformedDataset(str(e), field=f"parameters.{p.name}.formula") from e
