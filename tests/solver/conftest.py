"""Fixtures of the solver tests.

- ``make_system``: a TechnosphereSystem from short row tuples (hand-solvable cases);
- ``synthetic``: the bench/synthetic.py module (loaded by path: bench/ is scripts, not a package);
- ``looped_system``: a seeded 500-process synthetic database with markets, supply loops, waste
  treatments, credits, allocation and two categories;
- ``backend``: parametrised over every solver backend installed here.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from solver.factorisation import available_backends
from solver.matrices import (
    ElementaryTable,
    FactorTable,
    LinkTable,
    ProcessTable,
    TechnosphereSystem,
    build_system,
)

ROOT = Path(__file__).resolve().parents[2]

Process = tuple[str, float] | tuple[str, float, bool] | tuple[str, float, bool, float]
Link = tuple[str, str, float] | tuple[str, str, float, bool] | tuple[str, str, float, bool, bool]
Elementary = tuple[str, str, float] | tuple[str, str, float, bool]
Factor = tuple[str, str, float]


def build_hand_system(
    processes: Sequence[Process],
    links: Sequence[Link] = (),
    elementary: Sequence[Elementary] = (),
    factors: Sequence[Factor] = (),
    **kwargs: Any,
) -> TechnosphereSystem:
    """Rows: process (id, ref amount[, ref is input][, allocation]); link (consumer, provider,
    amount[, is input = True][, avoided = False]); elementary (process, flow, amount[, is input =
    False]); factor (category, flow, value)."""
    p = [(*row, *(False, 1.0)[len(row) - 2 :]) for row in processes]
    k = [(*row, *(True, False)[len(row) - 3 :]) for row in links]
    e = [(*row, *(False,)[len(row) - 3 :]) for row in elementary]
    return build_system(
        ProcessTable([r[0] for r in p], [r[1] for r in p], [r[2] for r in p], [r[3] for r in p]),
        LinkTable(
            [r[0] for r in k], [r[1] for r in k], [r[2] for r in k], [r[3] for r in k], [r[4] for r in k]
        ),
        ElementaryTable([r[0] for r in e], [r[1] for r in e], [r[2] for r in e], [r[3] for r in e]),
        FactorTable([r[0] for r in factors], [r[1] for r in factors], [r[2] for r in factors]),
        **kwargs,
    )


@pytest.fixture
def make_system() -> Callable[..., TechnosphereSystem]:
    return build_hand_system


@pytest.fixture(scope="session")
def synthetic() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lcagraph_bench_synthetic", ROOT / "bench" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def looped_system(synthetic: ModuleType) -> TechnosphereSystem:
    db = synthetic.generate_database(500, seed=7, categories=2)
    return build_system(db.processes, db.links, db.elementary, db.factors, unlinked=db.unlinked)


@pytest.fixture(params=available_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
