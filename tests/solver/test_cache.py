"""One factorisation per graph version, reused; least recently used versions dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

from lcagraph.errors import InvalidArgument
from solver.cache import FactorisationCache
from solver.intensities import compute_intensities
from solver.matrices import TechnosphereSystem

MakeSystem = Callable[..., TechnosphereSystem]


def _system(make_system: MakeSystem, emission: float) -> TechnosphereSystem:
    return make_system(
        processes=[("p", 1.0), ("q", 1.0)], links=[("p", "q", 0.5)],
        elementary=[("q", "co2", emission)], factors=[("gwp", "co2", 1.0)],
    )


def test_one_factorisation_per_version(make_system: MakeSystem) -> None:
    cache = FactorisationCache(capacity=2)
    loads: list[int] = []

    def load(version: int) -> Callable[[], TechnosphereSystem]:
        def build() -> TechnosphereSystem:
            loads.append(version)
            return _system(make_system, float(version))
        return build

    first = cache.fetch(1, load(1))
    assert cache.fetch(1, load(1)) is first
    assert loads == [1] and cache.misses == 1
    second = cache.fetch(2, load(2))
    np.testing.assert_allclose(compute_intensities(second.system, second.factorisation).total[0], [1.0])
    np.testing.assert_allclose(compute_intensities(first.system, first.factorisation).total[0], [0.5])
    cache.fetch(1, load(1))  # 1 is now the most recent: 2 goes when 3 comes
    cache.fetch(3, load(3))
    assert 1 in cache and 3 in cache and 2 not in cache and len(cache) == 2
    cache.discard(1)
    assert 1 not in cache
    cache.clear()
    assert len(cache) == 0


def test_concurrent_callers_share_one_factorisation(make_system: MakeSystem) -> None:
    cache = FactorisationCache()
    calls: list[int] = []
    results = []

    def build() -> TechnosphereSystem:
        calls.append(1)
        return _system(make_system, 2.0)

    threads = [threading.Thread(target=lambda: results.append(cache.fetch(7, build))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len({id(entry) for entry in results}) == 1


def test_capacity_must_be_positive() -> None:
    with pytest.raises(InvalidArgument, match="capacity 0"):
        FactorisationCache(capacity=0)
