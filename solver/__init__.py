"""Numerical core: sparse A, B, C from row arrays, one factorisation per graph version, direct and
total intensities of every process, inventories of any demand. numpy and scipy only.

Typical use (graph/ reads the rows and writes the results back)::

    system = build_system(processes, links, elementary, factors, unlinked=cutoffs)
    entry = cache.fetch(graph_version, lambda: system)        # or factorise(system)
    intensities = compute_intensities(entry.system, entry.factorisation)
    inventory = solve_inventory(entry.system, entry.factorisation, {process_id: 1.0})
    spread = propagate_uncertainty(entry.system, entry.factorisation, intensities, uncertainty)

Quality (docs/quality.md): solver.pedigree (per-exchange variance), solver.distributions (cells),
solver.uncertainty (first order, every process), solver.montecarlo (one demand),
solver.quality (DQR, coverage), solver.completeness (masks).
"""

from solver.cache import FactorisationCache, SolvedVersion
from solver.completeness import find_complete_subtrees, find_incomplete_processes
from solver.distributions import (
    EntryDistributions,
    SystemUncertainty,
    place_entries,
    place_system_uncertainty,
    place_table_uncertainty,
)
from solver.factorisation import Factorisation, available_backends, factorise, select_backend
from solver.intensities import Intensities, compute_intensities, measure_layer_identity, supply_coefficients
from solver.inventory import Inventory, compute_flow_contributions, solve_inventory
from solver.matrices import (
    ElementaryTable,
    FactorTable,
    LinkTable,
    ProcessTable,
    TechnosphereSystem,
    build_system,
)
from solver.montecarlo import MonteCarloResult, run_monte_carlo
from solver.pedigree import (
    Kind,
    Multipliers,
    compute_pedigree_variance,
    describe_multipliers,
    parse_pedigree_entry,
)
from solver.quality import QualityRating, aggregate_dqr, compute_coverage, rate_dqr
from solver.uncertainty import TotalUncertainty, propagate_uncertainty

__all__ = [
    "ElementaryTable",
    "EntryDistributions",
    "FactorTable",
    "Factorisation",
    "FactorisationCache",
    "Intensities",
    "Inventory",
    "Kind",
    "LinkTable",
    "MonteCarloResult",
    "Multipliers",
    "ProcessTable",
    "QualityRating",
    "SolvedVersion",
    "SystemUncertainty",
    "TechnosphereSystem",
    "TotalUncertainty",
    "aggregate_dqr",
    "available_backends",
    "build_system",
    "compute_coverage",
    "compute_flow_contributions",
    "compute_intensities",
    "compute_pedigree_variance",
    "describe_multipliers",
    "factorise",
    "find_complete_subtrees",
    "find_incomplete_processes",
    "measure_layer_identity",
    "parse_pedigree_entry",
    "place_entries",
    "place_system_uncertainty",
    "place_table_uncertainty",
    "propagate_uncertainty",
    "rate_dqr",
    "run_monte_carlo",
    "select_backend",
    "solve_inventory",
    "supply_coefficients",
]
