"""Accuracy and completeness of every total (api/services/quality.py) on the hand-made system of
tests/graph/test_technosphere.py, with DQ data added and figures solved by hand:

- steel has an unlinked input (f-cut) and one into a database not imported (f-ghost): 2 unlinked,
  3 linked; its own direct 0.7 is from an incomplete process, power (net supply 1.8 - 0.2 = 1.6 kWh,
  0.8 kg) and landfill (0.1 kg, 0.0596 kg) are complete: coverage = 0.8596 / 1.5596;
- power's DQ entry (1;2;3;4;5) -> DQR 3; landfill's EF indicator DQR 1.2; others have none:
  steel's DQR = (3 × 0.8 + 1.2 × 0.0596) / 0.8596, without data 0.7 / 1.5596;
- power has one uncertain cell (its CO2, basic variance only): Var(ln total) = DEFAULT_BASIC.
  Landfill's CH4 has a lognormal GSD 1.5 given: Var = ln(1.5)².
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from api.services.check import check_databases
from api.services.quality import node_quality, quality_table
from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.records import DataQuality, Uncertainty
from solver.pedigree import DEFAULT_BASIC
from tests.graph.test_technosphere import background, foreground

Z95 = 1.959963984540054


def write_quality_system(store: GraphStore) -> None:
    bg, fg = background(), foreground()
    processes = tuple(
        replace(p, data_quality=DataQuality("pedigree", "(1;2;3;4;5)")) if p.id == "power"
        else replace(p, data_quality=DataQuality("EF 3.0", "", (("TeR", 1.0), ("DQR", 1.2))))
        if p.id == "landfill" else p
        for p in bg.processes
    )
    given = Uncertainty("lognormal", geomean=0.02, geosd=1.5)
    exchanges = tuple(replace(x, uncertainty=given) if x.id == "landfill/1" else x for x in bg.exchanges)
    with store.unit_of_work() as writer:
        write_database_content(writer, replace(bg, processes=processes, exchanges=exchanges))
    with store.unit_of_work() as writer:
        present = tuple(k for k in fg.links if k.provider != "elsewhere")
        write_database_content(writer, replace(fg, links=present))
        writer.run("MATCH (:Process {id: 'steel'})-[x:INPUT]->(:Flow {id: 'f-ghost'}) "
                   "SET x.link = 'default', x.provider = 'elsewhere'")


@pytest.fixture
def quality_store(store: GraphStore) -> GraphStore:
    write_quality_system(store)
    return store


def test_link_states_and_coverage_per_node(quality_store: GraphStore) -> None:
    steel = node_quality(quality_store, "steel", "gwp").completeness
    assert (steel.linked, steel.cut_off, steel.unlinked, steel.ambiguous) == (3, 0, 2, 0)
    assert steel.state == "unlinked"
    assert steel.coverage == pytest.approx((0.8 + 0.0596) / 1.5596, rel=1e-12)
    for complete in ("power", "landfill", "refinery", "boiler"):
        assert node_quality(quality_store, complete, "gwp").completeness.coverage == pytest.approx(1.0)


def test_dqr_weighted_by_contribution(quality_store: GraphStore) -> None:
    steel = node_quality(quality_store, "steel", "gwp").quality
    assert steel.dqr == pytest.approx((3 * 0.8 + 1.2 * 0.0596) / 0.8596, rel=1e-12)
    assert steel.rating == "good"
    assert steel.without_data == pytest.approx(0.7 / 1.5596, rel=1e-12)
    assert node_quality(quality_store, "power", "gwp").quality.dqr == pytest.approx(3.0)
    boiler = node_quality(quality_store, "boiler", "gwp").quality
    assert (boiler.dqr, boiler.rating, boiler.without_data) == (None, "no data", 1.0)


def test_uncertainty_of_single_cell_totals(quality_store: GraphStore) -> None:
    for process, total, variance in (("power", 0.5, DEFAULT_BASIC), ("landfill", 0.596, math.log(1.5) ** 2)):
        u = node_quality(quality_store, process, "gwp").uncertainty
        sd = math.sqrt(variance)
        assert u.method == "exact"
        assert u.gsd2 == pytest.approx(math.exp(2 * sd), rel=1e-9)
        assert (u.low, u.high) == pytest.approx((total / math.exp(Z95 * sd), total * math.exp(Z95 * sd)),
                                                rel=1e-9)


def test_figures_scale_with_the_amount_and_are_kept_per_graph_version(quality_store: GraphStore) -> None:
    first = quality_table(quality_store, "gwp")
    assert quality_table(quality_store, "gwp") is first
    per_unit = first.nodes["steel"]
    twice = per_unit.scaled(2.0)
    assert (twice.uncertainty.low, twice.uncertainty.high) == pytest.approx(
        (2 * per_unit.uncertainty.low, 2 * per_unit.uncertainty.high), rel=1e-15)
    assert per_unit.uncertainty.low < 1.5596 < per_unit.uncertainty.high
    with quality_store.unit_of_work() as writer:
        writer.run("MATCH ()-[x:INPUT {id: 'steel/5'}]->() SET x.link = 'unlinked'")  # bumps the version
    assert quality_table(quality_store, "gwp") is not first


def test_check_reports_every_node_and_its_coverage(quality_store: GraphStore) -> None:
    report = check_databases(quality_store, ["fg", "bg"], "gwp", nodes=True)
    by_id = {n.process: n for n in report.nodes}
    assert set(by_id) == {"steel", "boiler", "power", "landfill", "refinery"}
    steel = by_id["steel"]
    assert (steel.database, steel.completeness.unlinked) == ("fg", 2)
    assert steel.completeness.coverage == pytest.approx((0.8 + 0.0596) / 1.5596, rel=1e-12)
    assert by_id["boiler"].completeness.coverage == pytest.approx(1.0)
    assert check_databases(quality_store, ["fg"], "gwp").nodes == ()  # only when asked
