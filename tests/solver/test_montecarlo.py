"""Monte Carlo runs: seeded, reported per run, sampling each distribution as given."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from solver.distributions import EntryDistributions, place_system_uncertainty
from solver.factorisation import available_backends
from solver.matrices import TechnosphereSystem
from solver.montecarlo import run_monte_carlo, sample_multipliers
from solver.pedigree import Kind, describe_multipliers

NAN = math.nan


def test_samplers_have_the_moments_of_their_distributions() -> None:
    """Relative to amount 2: triangular (1, 2, 3) -> mean 1, var (1/6)/4; uniform (1, 3) -> mean 1,
    var (1/3)/4; normal (2, 0.2) -> mean 1, sd 0.1; lognormal GSD 1.2 -> median 1, sd(ln) ln 1.2."""
    multipliers = describe_multipliers(
        [Kind.TRIANGULAR, Kind.UNIFORM, Kind.NORMAL, Kind.LOGNORMAL], [2.0] * 4,
        [[1.0, 2.0, 3.0], [1.0, 3.0, NAN], [2.0, 0.2, NAN], [1.2, NAN, NAN]])
    entries = EntryDistributions(np.zeros(4, dtype=np.int64), np.arange(4, dtype=np.int64), np.ones(4),
                                 multipliers)
    rng = np.random.default_rng(5)
    draws = np.array([sample_multipliers(entries, rng) for _ in range(40_000)])
    np.testing.assert_allclose(draws[:, :3].mean(axis=0), [1.0, 1.0, 1.0], atol=0.005)
    np.testing.assert_allclose(draws[:, :3].var(axis=0), [1 / 24, 1 / 12, 0.01], rtol=0.03)
    assert np.median(draws[:, 3]) == pytest.approx(1.0, abs=0.005)
    assert np.log(draws[:, 3]).std() == pytest.approx(math.log(1.2), rel=0.02)
    assert draws[:, 0].min() >= 0.5 and draws[:, 0].max() <= 1.5


def test_runs_are_deterministic_for_a_seed_and_report_progress(
    make_system: Callable[..., TechnosphereSystem], backend: str
) -> None:
    system = make_system(processes=[("p1", 1.0), ("p2", 2.0)], links=[("p1", "p2", 0.5)],
                         elementary=[("p1", "co2", 1.0), ("p2", "co2", 3.0)], factors=[("gwp", "co2", 1.0)])
    lognormal = describe_multipliers([Kind.LOGNORMAL], [1.0], [[1.1, NAN, NAN]])
    triangular = describe_multipliers([Kind.TRIANGULAR] * 2, [1.0, 3.0], [[0.8, 1.0, 1.2], [2.0, 3.0, 4.0]])
    uncertainty = place_system_uncertainty(system, ([1], [0], [-0.5], lognormal),
                                           ([0, 0], [0, 1], [1.0, 3.0], triangular))
    seen: list[tuple[int, int]] = []
    first = run_monte_carlo(system, uncertainty, {"p1": 1.0}, runs=50, seed=4, backend=backend,
                            progress=lambda done, runs: seen.append((done, runs)))
    again = run_monte_carlo(system, uncertainty, {"p1": 1.0}, runs=50, seed=4, backend=backend)
    other = run_monte_carlo(system, uncertainty, {"p1": 1.0}, runs=50, seed=5, backend=backend)
    np.testing.assert_array_equal(first.samples, again.samples)
    assert not np.array_equal(first.samples, other.samples)
    assert seen == [(k, 50) for k in range(1, 51)]
    # h = b11 + 0.5 / 2 * b12 = 1 + 0.75: deterministic, and every sample within the triangles'
    # bounds times the lognormal's spread.
    assert first.deterministic == pytest.approx(1.75, rel=1e-14)
    assert first.percentiles[50.0] == pytest.approx(first.median) and first.runs == 50
    assert first.samples.min() > 0.8 + 0.25 * 2.0 / 1.1**4 and first.samples.max() < 1.2 + 0.25 * 4.0 * 1.1**4


def test_every_backend_draws_the_same_samples(make_system: Callable[..., TechnosphereSystem]) -> None:
    """One generator draws the cells, so backends differ only by round-off: the loop p1 <-> p2
    with its links uncertain (the re-factorised part)."""
    system = make_system(processes=[("p1", 1.0), ("p2", 1.0)], links=[("p1", "p2", 0.5), ("p2", "p1", 0.2)],
                         elementary=[("p1", "co2", 1.0), ("p2", "co2", 2.0)], factors=[("gwp", "co2", 1.0)])
    links = describe_multipliers([Kind.LOGNORMAL] * 2, [1.0, 1.0], [[1.2, NAN, NAN]] * 2)
    none = describe_multipliers([Kind.NONE], [1.0], [[NAN] * 3], basic=0.0)
    uncertainty = place_system_uncertainty(system, ([1, 0], [0, 1], [-0.5, -0.2], links),
                                           ([0], [0], [1.0], none))
    results = [run_monte_carlo(system, uncertainty, {"p1": 1.0}, runs=200, seed=9, backend=name).samples
               for name in available_backends()]
    for samples in results[1:]:
        np.testing.assert_allclose(samples, results[0], rtol=1e-12)
