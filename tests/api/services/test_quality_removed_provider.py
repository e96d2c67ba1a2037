"""Coverage on the transport module (FLCAC uslci-transport v1.1) with one provider removed.

Every provider the module names is a USLCI process; here a stand-in background gives each of
them one reference product and a direct CO2 emission, nothing unlinked: with all seven, the
average mix's sub-tree is complete (coverage 1). Without the barge, the mix has one unlinked
input and says so. Its total comes only from the six complete providers, so the missing input
caps the coverage at the linked share of the mix's inputs (no proxy for its size): min(1, 6/7).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.services.importing import import_database
from api.services.quality import node_quality
from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.config import find_data_dir
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Process,
)
from loaders.jsonld import read_jsonld

MIX = "08155f91-742c-3717-9f6c-16e9f143839b"  # Transport; average mix; basic chemicals
BARGE = "099c3d09-08a3-3cac-9ffd-0558c12033b9"  # Transport, barge, average fuel mix (USLCI)
GWP = "stand-in-gwp"
STAND_IN = "USLCI stand-in"


def transport_zip() -> str:
    return str(find_data_dir() / "flcac" / "uslci-transport_v1.1_jsonld.zip")


def stand_in(without: str | None) -> DatabaseContent:
    """One process per provider the module names (its product, 0.1 kg CO2 per t*km), ``without`` one."""
    module = read_jsonld(find_data_dir() / "flcac" / "uslci-transport_v1.1_jsonld.zip", Database("m", "m"))
    flows = {f.id: f for f in module.flows}
    co2 = Flow("stand-in-co2", "Carbon dioxide, fossil", "elementary", "kg", "Mass", cas="000124-38-9",
               compartment=("air",))
    products = {x.default_provider: x.flow for x in module.exchanges if x.default_provider}
    processes, exchanges = [], []
    for pid, flow in sorted(products.items()):
        if pid == without:
            continue
        processes.append(Process(pid, flows[flow].name, "stand-in", ref_flow=flow, ref_amount=1.0,
                                 ref_unit=flows[flow].unit))
        exchanges += [Exchange(f"{pid}/0", pid, flow, False, 1.0, flows[flow].unit, 1.0, is_reference=True),
                      Exchange(f"{pid}/1", pid, co2.id, False, 0.1, co2.unit, 0.1)]
    return DatabaseContent(
        database=Database("stand-in", STAND_IN), processes=tuple(processes), exchanges=tuple(exchanges),
        flows=(*(flows[f] for f in sorted(set(products.values()))), co2),
        methods=(ImpactMethod("m", "stand-in method"),),
        categories=(ImpactCategory(GWP, "climate change", "m", "kg CO2-eq"),),
        factors=(CharacterisationFactor(GWP, co2.id, 1.0),),
    )


def load(store: GraphStore, without: str | None) -> GraphStore:
    with store.unit_of_work() as writer:
        write_database_content(writer, stand_in(without))
    import_database(store, transport_zip(), "USLCI transport v1.1", (STAND_IN,))
    return store


def test_all_providers_make_the_mix_complete_and_one_removed_lowers_its_coverage(
    make_store: Callable[[], GraphStore],
) -> None:
    complete = node_quality(load(make_store(), None), MIX, GWP).completeness
    assert (complete.linked, complete.unlinked, complete.state) == (7, 0, "complete")
    assert complete.coverage == pytest.approx(1.0, rel=1e-12)
    removed = node_quality(load(make_store(), BARGE), MIX, GWP).completeness
    assert (removed.linked, removed.unlinked, removed.state) == (6, 1, "unlinked")
    # the six remaining providers are complete (1); the missing barge caps it at its inputs' share
    assert removed.coverage == pytest.approx(6 / 7, rel=1e-12)
