"""The matrix snapshot an import writes inside its unit of work, on the real embedded engine: it
equals the system built from a full read of the graph (the hand system of
tests/graph/test_technosphere.py, then USLCI with a 2025 module linking into it), across first
imports, re-imports that drop and add providers of other databases' links, and it is never left
behind by an import that failed; imports it cannot update exactly fall back to the first load."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from api.services.calculation import calculate
from api.services.importing import commit_content, import_database
from api.services.matrices import CalculationCache, load_snapshot, snapshot_path
from api.services.providers import set_provider
from graph.results import read_results
from graph.snapshot_location import GraphIdentity, read_identity, snapshot_folder
from graph.store import GraphStore, Writer
from lcagraph.config import find_data_dir
from lcagraph.errors import SingularTechnosphere
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process, ProviderLink
from loaders.methods import AR6_CATEGORY_ID
from solver import TechnosphereSystem, compute_intensities, factorise
from solver.snapshot import read_snapshot_rows
from tests.shared_cases import technosphere_hand

HAND = technosphere_hand()
DATA = find_data_dir()
USLCI = DATA / "uslci/uslci_fy17q4_jsonld.zip"
RAIL = DATA / "flcac/uslci-rail_v1.0_jsonld.zip"


class InjectedError(Exception):
    """Raised by a progress callback to break an import inside its unit of work."""


def _quiet(_name: str, _rows: int) -> None:
    return None


def _full_read(store: GraphStore) -> TechnosphereSystem:
    loaded = CalculationCache(snapshots=False).load(store)
    assert loaded.source == "graph"
    return loaded.system


def _written(store: GraphStore) -> TechnosphereSystem:
    """The snapshot of the current version, as the import left it (no load has run since)."""
    identity = read_identity(store)
    found = load_snapshot(store, identity)
    assert found is not None, f"no snapshot of version {identity.version}"
    assert read_snapshot_rows(snapshot_path(store, identity), found[0]) is not None  # the next can update it
    return found[0]


def _order(ids: tuple[str, ...], common: list[str]) -> np.ndarray:
    where = {pid: k for k, pid in enumerate(ids)}
    return np.array([where[pid] for pid in common])


def assert_same_system(got: TechnosphereSystem, want: TechnosphereSystem) -> None:
    """Same ids as sets; A, B, C, reference amounts and cut-offs equal in a common order."""
    assert set(got.process_ids) == set(want.process_ids) and got.size == want.size
    assert set(got.flow_ids) == set(want.flow_ids) and set(got.category_ids) == set(want.category_ids)
    p = [_order(s.process_ids, sorted(want.process_ids)) for s in (got, want)]
    f = [_order(s.flow_ids, sorted(want.flow_ids)) for s in (got, want)]
    c = [_order(s.category_ids, sorted(want.category_ids)) for s in (got, want)]
    pairs = {
        "A": [s.A[i][:, i] for s, i in zip((got, want), p, strict=True)],
        "B": [s.B[j][:, i] for s, i, j in zip((got, want), p, f, strict=True)],
        "C": [s.C[k][:, j] for s, j, k in zip((got, want), f, c, strict=True)],
    }
    for name, (a, b) in pairs.items():
        np.testing.assert_allclose(a.toarray(), b.toarray(), rtol=1e-14, atol=0, err_msg=name)
        assert a.nnz == b.nnz, name
    np.testing.assert_array_equal(got.reference_amounts[p[0]], want.reference_amounts[p[1]])
    np.testing.assert_array_equal(got.cutoffs[p[0]], want.cutoffs[p[1]])
    assert got.uncharacterised == want.uncharacterised


def assert_same_totals(got: TechnosphereSystem, want: TechnosphereSystem) -> None:
    """Direct and total intensities of every process and category equal."""
    a = compute_intensities(got, factorise(got, "superlu"))
    b = compute_intensities(want, factorise(want, "superlu"))
    p = [_order(s.process_ids, sorted(want.process_ids)) for s in (got, want)]
    c = [_order(s.category_ids, sorted(want.category_ids)) for s in (got, want)]
    np.testing.assert_allclose(a.total[p[0]][:, c[0]], b.total[p[1]][:, c[1]], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(a.direct[p[0]][:, c[0]], b.direct[p[1]][:, c[1]], rtol=1e-14, atol=0)


def _background_changed() -> DatabaseContent:
    """bg again without its landfill (steel's waste link is cut) and with 'elsewhere', which steel
    names as provider of its ghost input (linked now)."""
    bg = HAND.background()
    processes = (*(p for p in bg.processes if p.id != "landfill"),
                 Process("elsewhere", "ghost maker", "bg", ref_flow="f-ghost", ref_amount=2.0, ref_unit="kg"))
    exchanges = (*(x for x in bg.exchanges if x.process != "landfill"),
                 Exchange("elsewhere/0", "elsewhere", "f-ghost", False, 2.0, "kg", 2.0, is_reference=True),
                 Exchange("elsewhere/1", "elsewhere", "ch4", False, 0.5, "kg", 0.5))
    return replace(bg, processes=processes, exchanges=exchanges)


def _foreground() -> DatabaseContent:
    """fg with a lathe whose one link goes to 'elsewhere' (a cut-off until bg has it)."""
    fg = HAND.foreground()
    links = (*(k for k in fg.links if k.provider != "elsewhere"),
             ProviderLink("steel", "elsewhere", "f-ghost", "steel/6", 1.0, "default"),
             ProviderLink("lathe", "elsewhere", "f-ghost", "lathe/1", 0.5, "default"))
    exchanges = (*fg.exchanges,
                 Exchange("lathe/0", "lathe", "f-part", False, 1.0, "kg", 1.0, is_reference=True),
                 Exchange("lathe/1", "lathe", "f-ghost", True, 0.5, "kg", 0.5),
                 Exchange("lathe/2", "lathe", "co2", False, 0.05, "kg", 0.05))
    lathe = Process("lathe", "turned part", "fg", ref_flow="f-part", ref_amount=1.0, ref_unit="kg")
    return replace(fg, flows=(Flow("f-part", "turned part", "product", "kg", "Mass"),),
                   processes=(*fg.processes, lathe), exchanges=exchanges, links=links)


@pytest.fixture
def hand(store: GraphStore) -> GraphStore:
    """bg imported and loaded once (its snapshot written at first load), then fg imported."""
    commit_content(store, HAND.background(), _quiet)
    assert CalculationCache().load(store).source == "graph"
    commit_content(store, _foreground(), _quiet)
    return store


def test_an_import_writes_the_next_versions_snapshot_equal_to_a_full_read(hand: GraphStore) -> None:
    assert read_identity(hand).version == 2
    written = _written(hand)
    assert_same_system(written, _full_read(hand))
    # steel's unlinked input, and steel's and the lathe's inputs whose provider is not in the graph
    assert written.cutoff_count == 3
    report = calculate(hand, cache=CalculationCache())
    assert report.matrices_from == "snapshot"
    got = read_results(hand, list(HAND.HAND_TOTALS), "gwp")
    for pid, total in HAND.HAND_TOTALS.items():
        assert got[pid].total == pytest.approx(total, rel=1e-13), pid


def test_a_reimport_drops_and_adds_providers_of_other_databases_links(hand: GraphStore) -> None:
    before = _written(hand)
    commit_content(hand, _background_changed(), _quiet, replaced=True)
    written = _written(hand)
    assert "landfill" not in written.process_ids and "elsewhere" in written.process_ids
    steel = written.index_of("steel")
    assert written.cutoffs[steel] == 2 and before.cutoffs[before.index_of("steel")] == 2
    assert written.A[written.index_of("elsewhere"), steel] == -1.0  # steel's ghost input, linked now
    lathe = written.index_of("lathe")  # no link into bg before: linked by the re-import alone
    assert written.cutoffs[lathe] == 0 and written.A[written.index_of("elsewhere"), lathe] == -0.5
    full = _full_read(hand)
    assert_same_system(written, full)
    assert_same_totals(written, full)
    commit_content(hand, HAND.background(), _quiet, replaced=True)  # and back
    assert_same_system(_written(hand), _full_read(hand))
    assert_same_system(_written(hand), before)


def test_a_failed_import_leaves_no_snapshot_of_the_next_version(hand: GraphStore) -> None:
    identity = read_identity(hand)

    def fail_after_the_snapshot(name: str, rows: int) -> None:
        if name == "wrote the matrix snapshot":
            assert rows == 6  # the pending file was written
            raise InjectedError("stopped after the snapshot")

    with pytest.raises(InjectedError):
        commit_content(hand, _background_changed(), fail_after_the_snapshot, replaced=True)
    assert read_identity(hand) == identity
    following = GraphIdentity(identity.version + 1, identity.uid)
    assert not snapshot_path(hand, following).exists()
    assert sorted(p.name for p in snapshot_folder(hand).iterdir()) == [snapshot_path(hand, identity).name]
    crashed = snapshot_path(hand, following).with_name(f".{snapshot_path(hand, following).name}.1.pending")
    crashed.write_bytes(snapshot_path(hand, identity).read_bytes())  # as a killed import leaves it
    assert load_snapshot(hand, following) is None
    commit_content(hand, _background_changed(), _quiet, replaced=True)  # the next one still updates
    assert read_identity(hand) == following and not crashed.exists()
    assert_same_system(_written(hand), _full_read(hand))


def test_imports_it_cannot_update_exactly_fall_back_to_the_first_load(hand: GraphStore) -> None:
    def extra(writer: Writer) -> None:
        writer.run("MATCH (:Process {id: 'boiler'})-[x:OUTPUT]->(:Flow {id: 'co2'}) SET x.amount_ref = 0.2")

    commit_content(hand, HAND.background(), _quiet, also=extra, replaced=True)
    assert load_snapshot(hand, read_identity(hand)) is None
    assert CalculationCache().load(hand).source == "graph"
    retyped = replace(HAND.background(), flows=tuple(
        replace(f, type="product") if f.id == "ch4" else f for f in HAND.FLOWS))  # fg's exchanges change too
    commit_content(hand, retyped, _quiet, replaced=True)
    assert load_snapshot(hand, read_identity(hand)) is None
    loaded = CalculationCache().load(hand)
    assert loaded.source == "graph" and "ch4" not in loaded.system.flow_ids


def test_an_import_the_solver_would_refuse_still_commits(hand: GraphStore) -> None:
    bg = HAND.background()  # power's reference amount 0: a singular technosphere
    exchanges = tuple(replace(x, amount_ref=0.0) if x.id == "power/0" else x for x in bg.exchanges)
    commit_content(hand, replace(bg, exchanges=exchanges), _quiet, replaced=True)
    assert read_identity(hand).version == 3 and load_snapshot(hand, read_identity(hand)) is None
    with pytest.raises(SingularTechnosphere, match="power"):
        CalculationCache().load(hand)


def test_a_graph_without_snapshot_gets_none_from_an_import(store: GraphStore) -> None:
    commit_content(store, HAND.background(), _quiet)
    commit_content(store, _foreground(), _quiet)
    assert load_snapshot(store, read_identity(store)) is None
    assert not snapshot_folder(store).exists() or not any(snapshot_folder(store).iterdir())


def _all_totals(store: GraphStore, cache: CalculationCache) -> tuple[str, dict[str, float]]:
    report = calculate(store, [AR6_CATEGORY_ID], cache=cache)
    ids = list(cache.load(store).system.process_ids)
    return report.matrices_from, {p: r.total for p, r in read_results(store, ids, AR6_CATEGORY_ID).items()}


@pytest.mark.slow
def test_uslci_then_a_2025_module_then_a_reimport_equal_full_reads(store: GraphStore) -> None:
    import_database(store, USLCI, "USLCI FY17 Q4")
    assert CalculationCache().load(store).source == "graph"
    import_database(store, RAIL, "USLCI rail v1.0", ["USLCI FY17 Q4"])
    written = _written(store)
    assert_same_system(written, _full_read(store))
    source, from_snapshot = _all_totals(store, CalculationCache())
    assert source == "snapshot" and len(from_snapshot) == written.size
    source, from_graph = _all_totals(store, CalculationCache(snapshots=False))
    assert source == "graph" and from_graph.keys() == from_snapshot.keys()
    for pid, total in from_graph.items():
        assert from_snapshot[pid] == pytest.approx(total, rel=1e-12, abs=1e-300), pid
    import_database(store, USLCI, "USLCI FY17 Q4")  # the module's links into USLCI re-created
    assert_same_system(_written(store), _full_read(store))
    assert_same_totals(_written(store), _full_read(store))



def _second_power_plant() -> DatabaseContent:
    """A database 'alt' with another electricity provider (1 kWh, 0.3 kg CO2)."""
    power = Process("power2", "electricity, wind", "alt", ref_flow="f-power", ref_amount=1.0, ref_unit="kWh")
    return DatabaseContent(
        database=Database("alt", "alternative power"), processes=(power,),
        exchanges=(Exchange("power2/0", "power2", "f-power", False, 1.0, "kWh", 1.0, is_reference=True),
                   Exchange("power2/1", "power2", "co2", False, 0.3, "kg", 0.3)),
    )


def test_a_provider_override_writes_the_next_versions_snapshot(hand: GraphStore) -> None:
    commit_content(hand, _second_power_plant(), _quiet)
    before = _written(hand)
    done = set_provider(hand, "steel/1", "power2")
    assert done.previous == "power" and read_identity(hand).version == done.graph_version
    after = _written(hand)
    assert_same_system(after, _full_read(hand))
    assert_same_totals(after, _full_read(hand))
    was = before.A[before.process_index["power"], before.process_index["steel"]]
    steel, power, power2 = (after.process_index[p] for p in ("steel", "power", "power2"))
    # 2 kWh x allocation 0.9 moved from power to power2; the avoided 0.2 kWh stays with power
    np.testing.assert_allclose([after.A[power, steel], after.A[power2, steel]], [was + 1.8, -1.8], rtol=1e-15)
