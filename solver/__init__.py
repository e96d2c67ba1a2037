"""Numerical core: sparse A, B, C from row arrays, one factorisation per graph version, direct and
total intensities of every process, inventories of any demand. numpy and scipy only.

Typical use (graph/ reads the rows and writes the results back)::

    system = build_system(processes, links, elementary, factors, unlinked=cutoffs)
    entry = cache.fetch(graph_version, lambda: system)        # or factorise(system)
    intensities = compute_intensities(entry.system, entry.factorisation)
    inventory = solve_inventory(entry.system, entry.factorisation, {process_id: 1.0})
"""

from solver.cache import FactorisationCache, SolvedVersion
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

__all__ = [
    "ElementaryTable",
    "FactorTable",
    "Factorisation",
    "FactorisationCache",
    "Intensities",
    "Inventory",
    "LinkTable",
    "ProcessTable",
    "SolvedVersion",
    "TechnosphereSystem",
    "available_backends",
    "build_system",
    "compute_flow_contributions",
    "compute_intensities",
    "factorise",
    "measure_layer_identity",
    "select_backend",
    "solve_inventory",
    "supply_coefficients",
]
