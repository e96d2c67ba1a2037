"""PACT's mass per declared unit follows the footprint's amount and unit (the dataset's own
reference unit, e.g. 1 t of a kg flow), not the flow's reference unit."""

from __future__ import annotations

from api.pact.figures import _mass_per_unit
from api.services.readmodels import Footprint
from graph.store import GraphStore


def _footprint(amount: float, unit: str, amount_ref: float, unit_ref: str) -> Footprint:
    return Footprint(process="p", name="p", database="d", amount=amount, unit=unit, category="c",
                     category_name="c", method="m", impact_unit="kg CO2-eq", total=1.0, direct=1.0,
                     graph_version=1, from_cache=True, by_flow=(), by_database=(), residual=0.0, cutoffs=0,
                     negative_scaling=(), negative_scaling_count=0, backend="x", amount_ref=amount_ref,
                     unit_ref=unit_ref)


def test_mass_per_unit_in_the_datasets_own_unit(store: GraphStore) -> None:
    assert _mass_per_unit(store, None, _footprint(1.0, "t", 1000.0, "kg")) == 1000.0  # wheat straw: 1 t
    assert _mass_per_unit(store, None, _footprint(2.0, "kg", 2.0, "kg")) == 1.0
    assert _mass_per_unit(store, None, _footprint(1.0, "kWh", 3.6, "MJ")) is None  # no Mass property
