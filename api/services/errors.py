"""How an expected failure is shown: one table for every interface.

GraphQL returns the typed result named ``problem``, the phone viewer a page with ``status``,
``title`` and ``hint``, the CLI ``error: <message>`` and exit code 1. The first row whose class
matches wins (subclasses come before their base).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lcagraph import errors as e

log = logging.getLogger("lcagraph.api")


@dataclass(frozen=True, slots=True)
class Outcome:
    """An expected failure as the interfaces show it."""

    problem: str  # GraphQL type name of the typed result
    status: int  # HTTP status of the viewer's page
    title: str  # heading of the viewer's page
    hint: str  # what a reader can do
    shown: bool = True  # False: the message names internals (statement text, server address); logged only


_IMPORT = Outcome("ImportFailed", 422, "Not imported", "Fix the dataset named in the message.")
_CALCULATION = Outcome("CalculationFailed", 422, "No footprint", "Fix the processes named in the message.")
_INVALID = Outcome("InvalidArgument", 400, "This link is not valid",
                   "Open the node without the extra parameters.")

OUTCOMES: tuple[tuple[type[e.LcaGraphError], Outcome], ...] = (
    (e.NotAuthorized, Outcome("Unauthorized", 401, "Not allowed", "Send the API token.")),
    (e.NodeNotFound, Outcome("NotFound", 404, "Not found",
                             "Check the link, or search for the process by its name.")),
    (e.StaleResult, Outcome("StaleResult", 409, "No footprint yet",
                            "Run `lcagraph calculate` on the server, then reload.")),
    (e.ReadOnlyViolation, Outcome("ReadOnlyViolation", 403, "Refused",
                                  "Only read-only statements run here.")),
    (e.StoreBusy, Outcome("Busy", 503, "Busy", "The graph is being updated; reload in a moment.")),
    (e.EngineUnavailable, Outcome("EngineUnavailable", 503, "Graph unavailable",
                                  "The graph engine is not reachable; try again later.", shown=False)),
    (e.EngineError, Outcome("QueryFailed", 500, "Something went wrong", "Try again later.", shown=False)),
    (e.MalformedDataset, _IMPORT),
    (e.UnsupportedFormat, _IMPORT),
    (e.DuplicateDataset, _IMPORT),
    (e.SingularTechnosphere, _CALCULATION),
    (e.NonFiniteResult, _CALCULATION),
    (e.InvalidArgument, _INVALID),
)
#: Any other expected failure: an invalid argument to GraphQL, an error page in the viewer.
OTHER = Outcome("InvalidArgument", 500, "Something went wrong", "Try again later.", shown=False)


def outcome_of(error: e.LcaGraphError) -> Outcome:
    """The row of ``error``'s class (its first match), else OTHER."""
    return next((outcome for kind, outcome in OUTCOMES if isinstance(error, kind)), OTHER)


def public_message(error: e.LcaGraphError, *, own_statement: bool = False) -> str:
    """The message a reader is shown: the error's own, unless it names internals (the statement
    of an internal read, the engine's address); those are logged and the reader gets the hint.
    ``own_statement``: the failed statement is the caller's own (analyst Cypher), so the engine's
    message about it is shown."""
    outcome = outcome_of(error)
    if outcome.shown or (own_statement and type(error) is e.EngineError):
        return str(error)
    log.warning("%s (shown to the reader as %r)", error, outcome.title)
    return f"{outcome.title}: {outcome.hint}"
