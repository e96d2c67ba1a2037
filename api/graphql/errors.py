"""Expected errors as typed GraphQL results; everything else is masked and logged.

A resolver catches ``LcaGraphError`` (lcagraph's one hierarchy) and returns the type that the
shared table (api/services/errors.py) names, with the message that names the value and the fix.
Requests that are too large are refused with ``RequestRefusedError`` (a GraphQL error that is not
masked, like a validation error).
Any other exception is a bug: the client sees "Unexpected error." and the log has the trace.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError

from api.services.errors import outcome_of, public_message
from lcagraph import errors as e

log = logging.getLogger("lcagraph.api")


class RequestRefusedError(Exception):
    """A request over a limit (page size, cost, cursor): refused, not served slowly."""


@strawberry.interface(description="An expected failure, with a message a user can act on.")
class Problem:
    message: str


@strawberry.type(description="The process, flow, database, category or path does not exist.")
class NotFound(Problem):
    pass


@strawberry.type(name="InvalidArgument", description="An argument is out of range or inconsistent.")
class InvalidArgumentProblem(Problem):
    pass


@strawberry.type(name="StaleResult", description="Cached results are missing or from an older graph version.")
class StaleResultProblem(Problem):
    pass


@strawberry.type(description="This needs the API token: send `Authorization: Bearer <LCAGRAPH_API_TOKEN>`.")
class Unauthorized(Problem):
    pass


@strawberry.type(name="ReadOnlyViolation", description="A statement that writes was refused; nothing ran.")
class ReadOnlyProblem(Problem):
    pass


@strawberry.type(description="The graph engine refused or stopped a statement (syntax, time-out).")
class QueryFailed(Problem):
    pass


@strawberry.type(description="The data could not be imported; nothing was written.")
class ImportFailed(Problem):
    file: str = ""
    dataset: str = ""
    field: str = ""


@strawberry.type(description="The footprint could not be calculated (singular or non-finite system).")
class CalculationFailed(Problem):
    processes: list[str] = strawberry.field(default_factory=list)


@strawberry.type(description="Another lcagraph process is writing to the graph; try again shortly.")
class Busy(Problem):
    pass


@strawberry.type(description="The graph engine is not reachable.")
class EngineUnavailable(Problem):
    pass


#: Typed results by the ``problem`` name of the shared table (their GraphQL type names).
_PROBLEMS: dict[str, type[Problem]] = {
    "NotFound": NotFound, "InvalidArgument": InvalidArgumentProblem, "StaleResult": StaleResultProblem,
    "Unauthorized": Unauthorized, "ReadOnlyViolation": ReadOnlyProblem, "QueryFailed": QueryFailed,
    "ImportFailed": ImportFailed, "CalculationFailed": CalculationFailed, "Busy": Busy,
    "EngineUnavailable": EngineUnavailable,
}


def to_problem(error: e.LcaGraphError, *, own_statement: bool = False) -> Problem:
    """The typed result of an expected error (the shared table: api/services/errors.py)."""
    message = public_message(error, own_statement=own_statement)
    if isinstance(error, e.MalformedDataset):
        return ImportFailed(message=message, file=error.file, dataset=error.dataset, field=error.field)
    if isinstance(error, e.SingularTechnosphere):
        return CalculationFailed(message=message, processes=list(error.processes))
    return _PROBLEMS[outcome_of(error).problem](message=message)


def should_mask(error: GraphQLError) -> bool:
    """Mask errors raised by resolvers, except refusals; parse and validation errors stay."""
    original = error.original_error
    if original is None or isinstance(original, RequestRefusedError):
        return False
    log.error("unexpected error in GraphQL resolver at %s", error.path, exc_info=original)
    return True
