"""Completeness of imported databases (``lcagraph check``): findings per database under one
impact category (graph/completeness.py)."""

from __future__ import annotations

from collections.abc import Sequence

from api.services.models import choose_category
from graph.completeness import Completeness as DatabaseCompleteness
from graph.completeness import check_database
from graph.reader import read_databases
from graph.store import GraphStore

__all__ = ["DatabaseCompleteness", "check_databases"]


def check_databases(
    store: GraphStore, databases: Sequence[str] = (), method: str | None = None,
) -> list[DatabaseCompleteness]:
    """Findings for each database id given (default: every database with processes)."""
    category = choose_category(store, method)
    wanted = list(databases) or [str(r["id"]) for r in read_databases(store) if int(r["processes"] or 0)]
    return [check_database(store, db, category.id) for db in wanted]
