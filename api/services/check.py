"""Completeness of imported databases (``lcagraph check``): findings per database under one
impact category (graph/completeness.py) and, for a climate category, the greenhouse gases emitted
without a factor (api/services/coverage.py); per node and per model (the product systems imported
with the data), the link states and the coverage of the total (api/services/quality.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api.services.coverage import MissedGas, find_missed_greenhouse_gases, is_climate_category
from api.services.models import choose_category
from api.services.quality import quality_table
from api.services.readmodels import Completeness
from graph.browse import read_models, read_processes
from graph.completeness import DatabaseCompleteness, check_database
from graph.reader import read_databases
from graph.store import GraphStore

__all__ = ["CheckReport", "DatabaseCompleteness", "MissedGas", "NodeCompleteness", "check_databases"]


@dataclass(frozen=True, slots=True)
class NodeCompleteness:
    """A process (or the reference process of a model) with its inputs' link states and coverage."""

    process: str
    name: str
    database: str
    completeness: Completeness
    model: str = ""  # product system id, for a model's row


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Findings per database, and the greenhouse gases each emits without a factor."""

    category: str
    findings: tuple[DatabaseCompleteness, ...]
    missed: Mapping[str, tuple[MissedGas, ...]]
    nodes: tuple[NodeCompleteness, ...] = ()  # every process of the databases checked
    models: tuple[NodeCompleteness, ...] = ()  # the reference process of every model among them


def check_databases(
    store: GraphStore, databases: Sequence[str] = (), method: str | None = None, *, nodes: bool = False,
) -> CheckReport:
    """Check each database id given (default: every database with processes); with ``nodes``,
    also every process and model (their totals' coverage needs the results of the category)."""
    category = choose_category(store, method)
    wanted = list(databases) or [str(r["id"]) for r in read_databases(store) if int(r["processes"] or 0)]
    findings = tuple(check_database(store, db, category.id) for db in wanted)
    climate = is_climate_category(store, category.id)
    missed = {db: find_missed_greenhouse_gases(store, category.id, db) if climate else () for db in wanted}
    if not nodes:
        return CheckReport(category.id, findings, missed)
    figures = quality_table(store, category.id).nodes
    ids = [pid for pid in figures if pid]
    infos = {pid: p for pid, p in read_processes(store, ids).items() if p.database in wanted}
    per_node = tuple(NodeCompleteness(pid, p.name, p.database, figures[pid].completeness)
                     for pid, p in sorted(infos.items(), key=lambda kv: (kv[1].database, kv[1].name)))
    models = tuple(NodeCompleteness(m.ref_process, m.name, m.database, figures[m.ref_process].completeness,
                                    m.id)
                   for db in wanted for m in read_models(store, db) if m.ref_process in figures)
    return CheckReport(category.id, findings, missed, per_node, models)
