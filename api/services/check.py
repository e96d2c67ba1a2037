"""Completeness of imported databases (``lcagraph check``): findings per database under one
impact category (graph/completeness.py) and, for a climate category, the greenhouse gases emitted
without a factor (api/services/coverage.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api.services.coverage import MissedGas, find_missed_greenhouse_gases, is_climate_category
from api.services.models import choose_category
from graph.completeness import DatabaseCompleteness, check_database
from graph.reader import read_databases
from graph.store import GraphStore

__all__ = ["CheckReport", "DatabaseCompleteness", "MissedGas", "check_databases"]


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Findings per database, and the greenhouse gases each emits without a factor."""

    category: str
    findings: tuple[DatabaseCompleteness, ...]
    missed: Mapping[str, tuple[MissedGas, ...]]


def check_databases(
    store: GraphStore, databases: Sequence[str] = (), method: str | None = None,
) -> CheckReport:
    """Check each database id given (default: every database with processes)."""
    category = choose_category(store, method)
    wanted = list(databases) or [str(r["id"]) for r in read_databases(store) if int(r["processes"] or 0)]
    findings = tuple(check_database(store, db, category.id) for db in wanted)
    climate = is_climate_category(store, category.id)
    missed = {db: find_missed_greenhouse_gases(store, category.id, db) if climate else () for db in wanted}
    return CheckReport(category.id, findings, missed)
