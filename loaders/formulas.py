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
by :func:`loaders.parameters.evaluate_parameters`. Formulas longer or more deeply nested than the
input limits (lcagraph/config.py) are refused before parsing; chains of one operator are evaluated
in a loop, so only parentheses make the evaluation recurse.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lcagraph.config import LIMIT_VARIABLES, InputLimits, input_limits
from lcagraph.errors import LimitExceeded, MalformedDataset, UnresolvedReference, quoted

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
    def __init__(self, text: str, limits: InputLimits) -> None:
        self.text = text
        if len(text) > limits.formula_chars:
            raise LimitExceeded(
                f"formula {quoted(text)} has {len(text)} characters, more than "
                f"{LIMIT_VARIABLES['formula_chars']}={limits.formula_chars}; refused"
            )
        self.tokens = self._tokenize(text)
        self._check_depth(limits.formula_depth)
        self.pos = 0

    def _check_depth(self, limit: int) -> None:
        # The parser recurses once per parenthesis; bounding it keeps far from Python's stack limit.
        depth = deepest = 0
        for tok in self.tokens:
            depth += (tok == "(") - (tok == ")")
            deepest = max(deepest, depth)
        if deepest > limit:
            raise LimitExceeded(
                f"formula {quoted(self.text)} nests parentheses {deepest} deep, more than "
                f"{LIMIT_VARIABLES['formula_depth']}={limit}; refused"
            )

    def _tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        i, end = 0, len(text.rstrip())
        while i < end:
            m = _TOKEN.match(text, i)
            if m is None:
                raise MalformedDataset(
                    f"formula {quoted(text)}: unexpected character {text[i:].strip()[0]!r} at position {i}"
                )
            tokens.append(m.group("num") or m.group("name") or m.group("op"))
            i = m.end()
        return tokens

    def fail(self, what: str) -> MalformedDataset:
        at = self.tokens[self.pos] if self.pos < len(self.tokens) else "end of formula"
        return MalformedDataset(f"formula {quoted(self.text)}: {what} (at {at!r}); fix the formula")

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


def parse(text: str, limits: InputLimits | None = None) -> Node:
    """Parse a formula into a tree; raises MalformedDataset naming the formula."""
    return _Parser(text, limits or input_limits()).parse()


def variables_of(node: Node) -> set[str]:
    """Lower-case names of the variables a parsed formula refers to (constants included)."""
    names: set[str] = set()
    todo = [node]  # a loop, not recursion: a chain of 5,000 '+' is 5,000 levels deep
    while todo:
        item = todo.pop()
        if isinstance(item, Var):
            names.add(item.name)
        elif isinstance(item, Call):
            todo.extend(item.args)
        elif isinstance(item, BinOp):
            todo += (item.left, item.right)
        elif isinstance(item, Neg):
            todo.append(item.operand)
    return names


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
            f"formula {quoted(text)} refers to parameter {node.name!r}, which is not defined; "
            "define it as a process or global parameter"
        )
    if isinstance(node, Neg):
        return -evaluate_node(node.operand, variables, text)
    if isinstance(node, BinOp):
        return _binary(node, variables, text)
    return _call(node, variables, text)


def _binary(node: BinOp, variables: Mapping[str, float], text: str) -> float:
    # Operators of one level chain to the left (1+1+...+1 is BinOp(BinOp(...), 1)): walk that
    # spine in a loop, so only parentheses (bounded by formula_depth) make the evaluation recurse.
    spine: list[BinOp] = [node]
    while isinstance(spine[-1].left, BinOp):
        spine.append(spine[-1].left)
    a = evaluate_node(spine[-1].left, variables, text)
    for step in reversed(spine):
        a = _apply(step, a, variables, text)
    return a


def _apply(node: BinOp, a: float, variables: Mapping[str, float], text: str) -> float:
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
        raise MalformedDataset(f"formula {quoted(text)}: {node.op!r} on {a!r} and {b!r} fails ({e})") from e
    return _finite(result, text)


def _call(node: Call, variables: Mapping[str, float], text: str) -> float:
    if node.name in _LAZY:
        if len(node.args) != 3:
            raise MalformedDataset(
                f"formula {quoted(text)}: {node.name}() takes 3 arguments (condition; then; else)"
            )
        cond = evaluate_node(node.args[0], variables, text)
        return evaluate_node(node.args[1] if cond else node.args[2], variables, text)
    func = _FUNCTIONS.get(node.name)
    if func is None:
        raise MalformedDataset(f"formula {quoted(text)}: unknown function {node.name!r}")
    args = [evaluate_node(a, variables, text) for a in node.args]
    try:
        return _finite(float(func(*args)), text)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError) as e:
        raise MalformedDataset(f"formula {quoted(text)}: {node.name}{tuple(args)} fails ({e})") from e


def _finite(x: float, text: str) -> float:
    if not math.isfinite(x):
        raise MalformedDataset(f"formula {quoted(text)} gives {x}; check its parameters")
    return x


def evaluate(
    text: str, variables: Mapping[str, float] | None = None, limits: InputLimits | None = None
) -> float:
    """Evaluate one formula; `variables` keys are matched case-insensitively."""
    scope = {k.lower(): v for k, v in (variables or {}).items()}
    return evaluate_node(parse(text, limits), scope, text)
