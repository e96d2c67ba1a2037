"""The one table of how expected failures are shown (api/services/errors.py)."""

from __future__ import annotations

from api.graphql.errors import to_problem
from api.services.errors import OTHER, OUTCOMES, outcome_of
from lcagraph import errors as e


def test_every_row_names_a_graphql_result_and_subclasses_come_first() -> None:
    for kind, outcome in OUTCOMES:
        problem = to_problem(kind("why"))
        assert type(problem).__strawberry_definition__.name == outcome.problem  # type: ignore[attr-defined]
        shown = "why" if outcome.shown else f"{outcome.title}: {outcome.hint}"
        assert problem.message == shown  # internals (statement text, server address) are only logged
    kinds = [kind for kind, _ in OUTCOMES]
    for i, kind in enumerate(kinds):
        assert not any(issubclass(later, kind) for later in kinds[i + 1:]), kind


def test_outcomes_of_common_failures() -> None:
    assert outcome_of(e.NodeNotFound("x")).status == 404
    assert outcome_of(e.StaleResult("x")).status == 409
    assert outcome_of(e.UnresolvedReference("x")).problem == "ImportFailed"
    assert outcome_of(e.ConfigurationError("x")) == OTHER


def test_internals_are_logged_not_shown() -> None:
    leaky = e.EngineError("FalkorDB rejected the statement 'UNWIND $ids AS id MATCH (p:Process'")
    assert "UNWIND" not in to_problem(leaky).message
    assert "UNWIND" in to_problem(leaky, own_statement=True).message  # an analyst's own statement
    hidden = to_problem(e.EngineUnavailable("the FalkorDB server at falkor://:pw@10.0.0.5:6379 is down"))
    assert "10.0.0.5" not in hidden.message and "pw" not in hidden.message
