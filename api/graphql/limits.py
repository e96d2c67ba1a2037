"""Request limits: depth, tokens, aliases and an estimated cost, checked before anything runs.

Cost counts every selected field once per object it may be resolved on: a field under
``processes(first: 50)`` counts 50 times, under ``upstream(maxNodes: 200)`` 200 times (the whole
tree has at most maxNodes nodes, so ``children`` does not multiply again), under
``exchanges`` / ``consumers`` ``LIST_BOUND`` times; a tree counts at most maxNodes times its
widest level of fields. Arguments given as variables count at their
maximum, since validation runs before the variables are known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
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


def _factor(field: FieldNode) -> int:
    bound = BOUNDS.get(field.name.value, 1)
    if isinstance(bound, int):
        return bound
    name, default, maximum = bound
    for arg in field.arguments or ():
        if arg.name.value == name:
            return int(arg.value.value) if isinstance(arg.value, IntValueNode) else maximum
    return default


class CostRule(ValidationRule):
    """Refuse operations whose estimated cost exceeds MAX_COST."""

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

    def _cost(self, selections: SelectionSetNode | None, mult: int, seen: set[str]) -> int:
        if selections is None:
            return 0
        total = deeper = 0
        for sel in selections.selections:
            if isinstance(sel, FieldNode) and sel.name.value == TREE_CHILDREN:
                deeper = max(deeper, mult + self._cost(sel.selection_set, mult, seen))
            elif isinstance(sel, FieldNode):
                total += mult + self._cost(sel.selection_set, mult * max(_factor(sel), 1), seen)
            elif isinstance(sel, InlineFragmentNode):
                total += self._cost(sel.selection_set, mult, seen)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                fragment = self.context.get_fragment(sel.name.value)
                if fragment is not None:
                    total += self._cost(fragment.selection_set, mult, seen | {sel.name.value})
        # The tree has at most maxNodes nodes over all levels: Σ_levels n_l f_l <= maxNodes max_l f_l.
        return max(total, deeper)


#: Built once, so the validation cache (keyed by the rules) hits across requests.
RULES = (depth_rule(MAX_DEPTH, None), alias_rule(MAX_ALIASES), CostRule)


class Limits(SchemaExtension):
    """Token limit on parsing; depth, alias and cost rules on validation."""

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, *RULES)
        yield


def limit_extensions() -> list[Callable[[], SchemaExtension] | type[SchemaExtension]]:
    """The limits, then parser and validation caches (repeated queries skip both steps)."""
    return [Limits, lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)]
