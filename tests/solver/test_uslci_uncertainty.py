"""Analytic uncertainty against a 10,000-run Monte Carlo on real USLCI products.

USLCI FY17 Q4 is imported into the embedded engine and its matrices read back as
api/calculation.py does; every link and elementary cell gets a small lognormal uncertainty,
the ecoinvent v3 pedigree (2;2;2;2;2) plus the basic 0.0006: sigma2 = 0.002125 (sd 4.6 %).
(The graph's bulk read does not carry the exchanges' own distributions yet.)
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from api.services.calculation import system_from_rows
from api.services.importing import import_database
from graph.falkor import FalkorStore
from graph.technosphere import read_technosphere
from lcagraph.config import find_data_dir
from solver.distributions import place_system_uncertainty
from solver.factorisation import factorise
from solver.intensities import compute_intensities
from solver.montecarlo import run_monte_carlo
from solver.pedigree import Kind, Multipliers, describe_multipliers
from solver.uncertainty import propagate_uncertainty

REFINERY = "0aaf1e13-5d80-37f9-b7bb-81a6b8965c71"  # petroleum refining, at refinery
TRAIN = "7de9c230-fd0f-3478-be87-f80181132faa"  # transport, train, diesel powered


@pytest.mark.slow
def test_analytic_interval_agrees_with_monte_carlo_on_uslci(store: FalkorStore) -> None:
    import_database(store, find_data_dir() / "uslci/uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
    system = system_from_rows(read_technosphere(store))
    a, b = system.A.tocoo(), system.B.tocoo()
    off = (a.row != a.col) & (a.data != 0)
    emitted = b.data != 0

    def small(count: int) -> Multipliers:
        return describe_multipliers([Kind.NONE] * count, np.ones(count), np.full((count, 3), math.nan),
                                    scores=np.full((count, 5), 2))

    uncertainty = place_system_uncertainty(
        system, (a.row[off], a.col[off], a.data[off], small(int(off.sum()))),
        (b.row[emitted], b.col[emitted], b.data[emitted], small(int(emitted.sum()))),
    )
    factors = factorise(system)
    intensities = compute_intensities(system, factors)
    analytic = propagate_uncertainty(system, factors, intensities, uncertainty, budget=system.size)
    assert analytic.method == "exact"
    for process in (REFINERY, TRAIN):
        j = system.index_of(process)
        assert analytic.total[j] > 0 and 0 < analytic.variance_ln[j] < 0.01
        mc = run_monte_carlo(system, uncertainty, {process: 1.0}, runs=10_000, seed=2026)
        assert mc.percentiles[2.5] == pytest.approx(analytic.low[j], rel=0.10)
        assert mc.percentiles[97.5] == pytest.approx(analytic.high[j], rel=0.10)
        width = math.log(mc.percentiles[97.5] / mc.percentiles[2.5])
        assert width == pytest.approx(math.log(analytic.high[j] / analytic.low[j]), rel=0.10)
