"""The technosphere rows of part of the graph read through a unit's writer (the hand system of
tests/graph/test_technosphere.py): the rows of a full read restricted to some databases' processes
and some consumers, nothing else; the claimed version is the one the unit commits minus one."""

from __future__ import annotations

from graph.snapshot_location import GraphIdentity, read_identity
from graph.store import GraphStore
from graph.technosphere import read_technosphere
from graph.technosphere_part import (
    claim_graph_version,
    read_flow_types,
    read_linked_consumers,
    read_technosphere_part,
)
from tests.shared_cases import technosphere_hand

HAND = technosphere_hand()


def test_part_rows_are_the_full_reads_rows_of_those_processes(store: GraphStore) -> None:
    HAND.write_hand_system(store)
    full = read_technosphere(store)
    with store.unit_of_work() as writer:
        assert sorted(read_linked_consumers(writer, ["bg"])) == ["boiler", "steel"]
        assert read_linked_consumers(writer, ["fg"]) == []
        part = read_technosphere_part(writer, ["bg"], ["boiler"])
        types = read_flow_types(writer, ["co2", "f-waste", "nowhere"])
    assert types == {"co2": "elementary", "f-waste": "waste"}
    p = part.processes
    assert sorted(p.ids) == ["landfill", "power", "refinery"] and set(p.databases) == {"bg"}
    want = {(i, r, x) for i, d, r, x in zip(full.processes.ids, full.processes.databases,
                                             full.processes.ref_amounts, full.processes.ref_is_input,
                                             strict=True) if d == "bg"}
    assert set(zip(p.ids, p.ref_amounts, p.ref_is_input, strict=True)) == want
    links = list(zip(full.links.consumers, full.links.providers, full.links.amounts, full.links.is_input,
                     full.links.is_avoided, strict=True))
    got = list(zip(part.links.consumers, part.links.providers, part.links.amounts, part.links.is_input,
                   part.links.is_avoided, strict=True))
    assert got == [k for k in links if k[0] == "boiler"] and len(got) == 1  # bg consumes nothing
    assert part.unlinked == []  # steel's cut-offs are not asked for
    e = full.elementary
    bg = {"landfill", "power", "refinery"}
    pe = part.elementary
    got_elementary = zip(pe.processes, pe.flows, pe.amounts, strict=True)
    assert sorted(got_elementary) == sorted(k for k in zip(e.processes, e.flows, e.amounts, strict=True)
                                            if k[0] in bg)
    factors = sorted(zip(part.factors.categories, part.factors.flows, strict=True))
    assert factors == [("gwp", "ch4"), ("gwp", "co2")]


def test_cut_offs_of_the_consumers_asked_for(store: GraphStore) -> None:
    HAND.write_hand_system(store)
    with store.unit_of_work() as writer:
        part = read_technosphere_part(writer, ["fg"], [])
    assert sorted(part.unlinked) == ["steel", "steel"]
    assert sorted(set(part.links.consumers)) == ["boiler", "steel"]


def test_the_claimed_version_is_the_committed_one_minus_one(store: GraphStore) -> None:
    with store.unit_of_work() as writer:
        assert claim_graph_version(writer) == GraphIdentity(0, "")
    HAND.write_hand_system(store)
    before = read_identity(store)
    with store.unit_of_work() as writer:
        assert claim_graph_version(writer) == before
    assert read_identity(store) == GraphIdentity(before.version + 1, before.uid)
