"""Request limits: depth, tokens, aliases and an estimated cost, checked before anything runs.

Cost counts every selected field once per object it may be resolved on: a field under
``processes(first: 50)`` counts 50 times, under ``upstream(maxNodes: 200)`` 200 times (the whole
tree has at most maxNodes nodes, so ``children`` does not multiply again), under
``exchanges`` / ``consumers`` ``LIST_BOUND`` times; a tree counts at most maxNodes times its
widest level of fields (one node at ``depth: 0``). Under ``jump`` only the tree (``root``) is
multiplied; its breadcrumb and models are there once. Arguments count at the value the request
gives, as a literal or a variable (the rule is built per set of integer variables, so the
validation cache still hits); only a variable whose value is missing counts at the maximum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
)
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from api.services.tree import MAX_NODES

MAX_PAGE = 100
DEFAULT_PAGE = 20
DEFAULT_MAX_NODES = 200
MAX_DEPTH = 24
MAX_COST = 100_000
MAX_TOKENS = 5_000
MAX_ALIASES = 30
LIST_BOUND = 100
TREE_CHILDREN = "children"
#: Multiplier of a field's sub-selection: (argument that bounds it, default, maximum) or a fixed bound.
BOUNDS: dict[str, tuple[str, int, int] | int] = {
    "processes": ("first", DEFAULT_PAGE, MAX_PAGE),
    "upstream": ("maxNodes", DEFAULT_MAX_NODES, MAX_NODES),
    "jump": ("maxNodes", DEFAULT_MAX_NODES, MAX_NODES),
    "exchanges": LIST_BOUND,
    "consumers": LIST_BOUND,
    "databases": LIST_BOUND,
    "models": LIST_BOUND,
    "impactCategories": LIST_BOUND,
    "breadcrumb": LIST_BOUND,
    "rows": 0,
}
#: Fields whose bound applies to one sub-field only (the tree), not to the rest of their selection.
TREE_UNDER = {"jump": "root"}


def _int_argument(field: FieldNode, name: str, variables: Mapping[str, int]) -> int | None:
    """The value of an integer argument as given (literal or variable); None: not given or unknown."""
    for arg in field.arguments or ():
        if arg.name.value != name:
            continue
        if isinstance(arg.value, IntValueNode):
            return int(arg.value.value)
        if isinstance(arg.value, VariableNode):
            return variables.get(arg.value.name.value, -1)
        return -1
    return None


def _factor(field: FieldNode, variables: Mapping[str, int]) -> int:
    bound = BOUNDS.get(field.name.value, 1)
    if isinstance(bound, int):
        return bound
    name, default, maximum = bound
    if name == "maxNodes" and _int_argument(field, "depth", variables) == 0:
        return 1  # the node alone
    given = _int_argument(field, name, variables)
    if given is None:
        return default
    return maximum if given < 0 else min(given, maximum)


class CostRule(ValidationRule):
    """Refuse operations whose estimated cost exceeds MAX_COST (:func:`cost_rule` binds the
    integer variables of a request)."""

    variables: ClassVar[Mapping[str, int]] = {}

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        cost = self._cost(node.selection_set, 1, set())
        if cost > MAX_COST:
            self.report_error(
                GraphQLError(
                    f"this request would cost about {cost:,} field resolutions, "
                    f"over the limit of {MAX_COST:,}: "
                    "ask for fewer fields, a smaller page (first) or fewer tree nodes (maxNodes, depth)",
                    node,
                )
            )

    def _cost(
        self, selections: SelectionSetNode | None, mult: int, seen: set[str],
        tree: tuple[str, int] | None = None,
    ) -> int:
        """Cost of ``selections`` resolved ``mult`` times; ``tree``: (the field, its multiplier)."""
        if selections is None:
            return 0
        total = deeper = 0
        for sel in selections.selections:
            if isinstance(sel, FieldNode) and sel.name.value == TREE_CHILDREN:
                deeper = max(deeper, mult + self._cost(sel.selection_set, mult, seen))
            elif isinstance(sel, FieldNode) and tree is not None and sel.name.value == tree[0]:
                total += mult + self._cost(sel.selection_set, tree[1], seen)
            elif isinstance(sel, FieldNode) and sel.name.value in TREE_UNDER:
                inner = (TREE_UNDER[sel.name.value], mult * max(_factor(sel, self.variables), 1))
                total += mult + self._cost(sel.selection_set, mult, seen, inner)
            elif isinstance(sel, FieldNode):
                below = mult * max(_factor(sel, self.variables), 1)
                total += mult + self._cost(sel.selection_set, below, seen)
            elif isinstance(sel, InlineFragmentNode):
                total += self._cost(sel.selection_set, mult, seen, tree)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                fragment = self.context.get_fragment(sel.name.value)
                if fragment is not None:
                    total += self._cost(fragment.selection_set, mult, seen | {sel.name.value}, tree)
        # The tree has at most maxNodes nodes over all levels: Σ_levels n_l f_l <= maxNodes max_l f_l.
        return max(total, deeper)


@lru_cache(maxsize=256)
def cost_rule(variables: tuple[tuple[str, int], ...] = ()) -> type[CostRule]:
    """The cost rule for a request's integer variables; one class per set of values, so the
    validation cache (keyed by the rules) hits for repeated requests."""
    return type("CostRule", (CostRule,), {"variables": dict(variables)})


def int_variables(variables: Mapping[str, Any] | None) -> tuple[tuple[str, int], ...]:
    """The integer variables of a request, sorted (the key of :func:`cost_rule`)."""
    return tuple(sorted((k, v) for k, v in (variables or {}).items() if type(v) is int))


#: Built once, so the validation cache (keyed by the rules) hits across requests.
RULES = (depth_rule(MAX_DEPTH, None), alias_rule(MAX_ALIASES))


class Limits(SchemaExtension):
    """Token limit on parsing; depth, alias and cost rules on validation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        cost = cost_rule(int_variables(context.variables))
        context.validation_rules = (*context.validation_rules, *RULES, cost)
        yield


def limit_extensions() -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """The limits, then parser and validation caches (repeated queries skip both steps)."""
    return [Limits, lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)]
