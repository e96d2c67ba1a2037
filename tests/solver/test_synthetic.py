"""The synthetic generator: seeded, and with the structure the bench relies on."""

from __future__ import annotations

from types import ModuleType

import numpy as np
from scipy.sparse.csgraph import connected_components

from solver.matrices import TechnosphereSystem, build_system


def test_same_seed_same_database(synthetic: ModuleType) -> None:
    first, second = synthetic.generate_database(300, seed=5), synthetic.generate_database(300, seed=5)
    assert first.processes.ids == second.processes.ids
    np.testing.assert_array_equal(first.links.amounts, second.links.amounts)
    assert synthetic.generate_database(300, seed=6).processes.ids != first.processes.ids


def test_structure_of_a_generated_database(looped_system: TechnosphereSystem) -> None:
    _, labels = connected_components(looped_system.A, directed=True, connection="strong")
    assert np.bincount(labels).max() > looped_system.size // 2  # one large supply loop
    assert (looped_system.reference_amounts < 0).any()  # waste treatments
    assert (looped_system.A.diagonal() != looped_system.reference_amounts).any()  # own consumption
    assert looped_system.category_ids == ("GWP100", "GWP20")
    assert looped_system.uncharacterised > 0 and looped_system.cutoff_count > 0


def test_default_size_is_ecoinvent_like(synthetic: ModuleType) -> None:
    # Counted at 2,000 processes: the default 20,000 has ten times as many exchanges (~600,000).
    db = synthetic.generate_database(2_000, seed=42)
    system = build_system(db.processes, db.links, db.elementary, db.factors, unlinked=db.unlinked)
    assert 55_000 < db.exchange_count < 65_000
    assert 8 < system.A.nnz / system.size < 14
