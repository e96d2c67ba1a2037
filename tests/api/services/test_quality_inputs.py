"""The quality section of the matrix snapshot (api/services/quality_inputs.py): written by the
first quality table of a version, read by the next process instead of every exchange's
uncertainty, and carried on by imports and provider overrides inside their unit of work so that
the tables it gives equal those of full reads of the new version.

The hand system (tests/graph/test_technosphere.py) gets distributions, pedigree entries (also in
the US EPA order), process DQ entries and EF indicators in both databases, so that each kind of
row an import replaces (the imported database's processes, links and elementary exchanges;
the links of consumers in other databases) carries its own figures.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from api.services import quality_inputs
from api.services.importing import commit_content, import_database
from api.services.matrices import CalculationCache, load_quality
from api.services.providers import set_provider
from api.services.quality import QualityTable, quality_table
from graph.data_quality import ProcessScope, read_exchange_uncertainty
from graph.snapshot_location import read_identity
from graph.store import GraphStore
from lcagraph.config import find_data_dir
from lcagraph.records import (
    Database,
    DatabaseContent,
    DataQuality,
    Exchange,
    Process,
    Uncertainty,
)
from loaders.methods import AR6_CATEGORY_ID
from tests.shared_cases import technosphere_hand

HAND = technosphere_hand()
DATA = find_data_dir()
GIVEN = {
    "power/1": Uncertainty("lognormal", geomean=0.5, geosd=1.3),
    "landfill/1": Uncertainty("lognormal", geomean=0.02, geosd=1.5),
    "steel/1": Uncertainty("triangular", minimum=1.8, mode=2.0, maximum=2.5),
    "boiler/1": Uncertainty("normal", mean=1.0, sd=0.1),
}
PEDIGREE = {"refinery/2": "(2;3;1;4;2)", "steel/2": "(1;2;3;4;5)", "steel/3": "(4;4;2;1;1)"}


def _quiet(_name: str, _rows: int) -> None:
    return None


def _with_quality(content: DatabaseContent) -> DatabaseContent:
    exchanges = tuple(replace(x, uncertainty=GIVEN.get(x.id), data_quality=PEDIGREE.get(x.id, ""))
                      for x in content.exchanges)
    dq = {"power": DataQuality("pedigree", "(1;2;3;4;5)"),
          "landfill": DataQuality("EF 3.0", "", (("TeR", 1.0), ("DQR", 1.2))),
          "steel": DataQuality("pedigree", "(2;2;2;3;3)")}
    processes = tuple(replace(p, data_quality=dq.get(p.id),
                              exchange_dq_system="US EPA - Flow Pedigree" if p.id == "steel" else "")
                      for p in content.processes)
    return replace(content, processes=processes, exchanges=exchanges)


def _full(store: GraphStore) -> QualityTable:
    return quality_table(store, "gwp", cache=CalculationCache(snapshots=False))


def _from_snapshot(store: GraphStore) -> QualityTable:
    assert load_quality(store, read_identity(store), CalculationCache().load(store).system) is not None
    return quality_table(store, "gwp", cache=CalculationCache())


def assert_same_tables(got: QualityTable, want: QualityTable) -> None:
    assert got.graph_version == want.graph_version and got.nodes.keys() == want.nodes.keys()
    for pid, w in want.nodes.items():
        g = got.nodes[pid]
        assert g.completeness == replace(w.completeness, coverage=pytest.approx(w.completeness.coverage)), pid
        assert g.quality.rating == w.quality.rating, pid
        assert (g.quality.dqr is None) == (w.quality.dqr is None), pid
        np.testing.assert_allclose(
            [g.quality.dqr or 0.0, g.quality.without_data, g.uncertainty.gsd2, g.uncertainty.low,
             g.uncertainty.high],
            [w.quality.dqr or 0.0, w.quality.without_data, w.uncertainty.gsd2, w.uncertainty.low,
             w.uncertainty.high], rtol=1e-12, atol=1e-300, err_msg=pid)


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    """bg imported, its first quality table computed (the section written), then fg imported."""
    commit_content(store, _with_quality(HAND.background()), _quiet)
    quality_table(store, "gwp")
    commit_content(store, _with_quality(HAND.foreground()), _quiet)
    return store


def test_a_new_process_reads_the_section_not_the_graph(
    hand: GraphStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    want = _full(hand)
    spread = want.nodes["steel"].uncertainty
    assert spread.gsd2 > 1.0 and want.nodes["steel"].quality.dqr is not None  # figures to compare

    def no_graph_read(*_args: object) -> None:
        raise AssertionError("read the graph's exchange uncertainties")

    monkeypatch.setattr(quality_inputs, "read_exchange_uncertainty", no_graph_read)
    assert_same_tables(_from_snapshot(hand), want)


def test_the_graph_reads_give_each_exchange_its_distribution_or_entry(hand: GraphStore) -> None:
    found = read_exchange_uncertainty(hand)
    assert {x for x, u in found.items() if u.distribution or u.entry} == set(GIVEN) | set(PEDIGREE)
    steel = found["steel/2"]
    assert (steel.distribution, steel.entry) == (None, "(1;2;3;4;5)")
    assert steel.dq_system == "US EPA - Flow Pedigree"
    power = found["power/1"]
    assert (power.distribution, power.amount, power.geosd, power.entry) == ("lognormal", 0.5, 1.3, "")
    boiler = found["boiler/1"]
    assert (boiler.distribution, boiler.mean, boiler.sd) == ("normal", 1.0, 0.1)
    with hand.unit_of_work() as writer:  # a scope sees only its processes (here: fg's and power)
        scoped = read_exchange_uncertainty(ProcessScope(writer, ("fg",), ("power",)))
    assert {x for x, u in scoped.items() if u.distribution or u.entry} == {
        "steel/1", "steel/2", "steel/3", "boiler/1", "power/1"}
    assert {x.split("/")[0] for x in scoped} == {"steel", "boiler", "power"}
    assert scoped["steel/2"] == steel and scoped["power/1"] == power


def test_an_import_carries_the_section_on_equal_to_full_reads(hand: GraphStore) -> None:
    assert read_identity(hand).version == 2
    assert_same_tables(_from_snapshot(hand), _full(hand))


def test_a_reimport_replaces_rows_of_consumers_in_other_databases(hand: GraphStore) -> None:
    bg = _with_quality(HAND.background())
    tighter = tuple(replace(x, uncertainty=Uncertainty("lognormal", geomean=0.5, geosd=1.05))
                    if x.id == "power/1" else x for x in bg.exchanges)
    commit_content(hand, replace(bg, exchanges=tighter), _quiet)  # fg's links into bg re-created
    got, want = _from_snapshot(hand), _full(hand)
    assert_same_tables(got, want)
    assert got.nodes["power"].uncertainty.gsd2 == pytest.approx(np.exp(2 * np.log(1.05)), rel=1e-12)


def test_a_provider_override_carries_the_section_on(hand: GraphStore) -> None:
    power = Process("power2", "electricity, wind", "alt", ref_flow="f-power", ref_amount=1.0, ref_unit="kWh",
                    data_quality=DataQuality("pedigree", "(5;5;5;5;5)"))
    alt = DatabaseContent(
        database=Database("alt", "alternative power"), processes=(power,),
        exchanges=(Exchange("power2/0", "power2", "f-power", False, 1.0, "kWh", 1.0, is_reference=True),
                   Exchange("power2/1", "power2", "co2", False, 0.3, "kg", 0.3, data_quality="(3;3;3;3;3)")),
    )
    commit_content(hand, alt, _quiet)
    before = _from_snapshot(hand).nodes["steel"]
    set_provider(hand, "steel/1", "power2")
    got, want = _from_snapshot(hand), _full(hand)
    assert_same_tables(got, want)
    assert got.nodes["steel"].quality.dqr != before.quality.dqr  # power2's DQR 5 now weighs in


@pytest.mark.slow
def test_uslci_then_a_2025_module_carries_the_section_on(store: GraphStore) -> None:
    import_database(store, DATA / "uslci/uslci_fy17q4_jsonld.zip", "USLCI FY17 Q4")
    quality_table(store, AR6_CATEGORY_ID)
    import_database(store, DATA / "flcac/uslci-rail_v1.0_jsonld.zip", "USLCI rail v1.0", ["USLCI FY17 Q4"])
    identity = read_identity(store)
    assert load_quality(store, identity, CalculationCache().load(store).system) is not None
    got = quality_table(store, AR6_CATEGORY_ID, cache=CalculationCache())
    want = quality_table(store, AR6_CATEGORY_ID, cache=CalculationCache(snapshots=False))
    assert_same_tables(got, want)
    rated = [n for n in got.nodes.values() if n.quality.dqr is not None]
    assert rated and any(n.uncertainty.gsd2 > 1.0 for n in got.nodes.values())
