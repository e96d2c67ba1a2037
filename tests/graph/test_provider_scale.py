"""Process.uuid and ProviderLink.provider_scale through the graph: stored on the PROVIDER edge as
``scale`` and on the exchange, read back, kept when the provider's database is replaced or not
there yet, reset by a user's override, and used by the upstream tree."""

from __future__ import annotations

import dataclasses

from graph import queries as q
from graph.falkor import FalkorStore
from graph.overrides import plan_override, write_override
from graph.reader import read_database_content
from graph.writer import delete_database, write_database_content
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process, ProviderLink

U = "0aaf1e13-5d80-37f9-b7bb-81a6b8965c71"


def write(store: FalkorStore, content: DatabaseContent) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, content)


def refinery() -> DatabaseContent:
    """A background refinery (stored under a qualified id): 0.25 diesel, 0.05 residual fuel oil."""
    db, pid = "bg", f"{U}@bg"
    return DatabaseContent(
        database=Database(id=db, name="background"),
        flows=(Flow("diesel", "diesel", "product", "l"), Flow("rfo", "residual fuel oil", "product", "l")),
        processes=(Process(pid, "refining", db, ref_flow="diesel", ref_amount=0.25, uuid=U),
                   Process("other", "diesel maker", db, ref_flow="diesel")),
        exchanges=(Exchange(f"{pid}/1", pid, "diesel", False, 0.25, "l", 0.25, is_reference=True),
                   Exchange(f"{pid}/2", pid, "rfo", False, 0.05, "l", 0.05),
                   Exchange("other/1", "other", "diesel", False, 1.0, "l", 1.0, is_reference=True)),
    )


def ship() -> DatabaseContent:
    """A ship taking 2 l of residual fuel oil from the refinery: scale 0.25 / 0.05 = 5."""
    db = "fg"
    return DatabaseContent(
        database=Database(id=db, name="ships", kind="foreground"),
        flows=(Flow("shipped", "shipping", "product", "t*km"),),
        processes=(Process("ship", "ship", db, ref_flow="shipped"),),
        exchanges=(Exchange("ship/1", "ship", "shipped", False, 1.0, "t*km", 1.0, is_reference=True),
                   Exchange("ship/2", "ship", "rfo", True, 2.0, "l", 2.0, default_provider=U)),
        links=(ProviderLink("ship", f"{U}@bg", "rfo", "ship/2", 2.0, "default", provider_scale=5.0),),
    )


def edges(store: FalkorStore) -> list[tuple[str, str, float, float]]:
    rows = store.read("MATCH (c:Process)-[l:PROVIDER]->(p:Process) "
                      "RETURN c.id AS c, p.id AS p, l.amount AS amount, l.scale AS scale")
    return sorted((r["c"], r["p"], r["amount"], r["scale"]) for r in rows)


def test_uuid_and_scale_round_trip_and_survive_replacing_the_provider(store: FalkorStore) -> None:
    write(store, refinery())
    write(store, ship())
    assert edges(store) == [("ship", f"{U}@bg", 2.0, 5.0)]
    assert read_database_content(store, "fg").links == ship().links
    back = read_database_content(store, "bg")
    assert {p.id: p.uuid for p in back.processes} == {f"{U}@bg": U, "other": ""}
    nodes = store.read("MATCH (p:Process) RETURN p.id AS id, p.uuid AS uuid ORDER BY id")
    assert nodes == [{"id": f"{U}@bg", "uuid": U}, {"id": "other", "uuid": "other"},
                     {"id": "ship", "uuid": "ship"}]

    write(store, refinery())  # replacing the provider's database re-creates the edge with its scale
    assert edges(store) == [("ship", f"{U}@bg", 2.0, 5.0)]
    with store.unit_of_work() as writer:  # provider gone: the link (and scale) stays on the exchange
        delete_database(writer, "bg")
    assert edges(store) == []
    assert read_database_content(store, "fg").links == ship().links


def test_tree_supplies_are_in_the_providers_reference_unit(store: FalkorStore) -> None:
    write(store, refinery())
    write(store, ship())
    (row,) = store.read(q.TREE_SUPPLIES, {"ids": ["ship"]})
    assert row["supplies"] == [[f"{U}@bg", 10.0, True, False, 1.0]]  # 2 l rfo x 5: the row is diesel


def test_override_to_a_provider_of_the_flow_resets_the_scale(store: FalkorStore) -> None:
    write(store, refinery())
    changed = dataclasses.replace(ship(), flows=(*ship().flows, Flow("diesel", "diesel", "product", "l")))
    changed = dataclasses.replace(changed, exchanges=(
        changed.exchanges[0], dataclasses.replace(changed.exchanges[1], flow="diesel")),
        links=(dataclasses.replace(changed.links[0], flow="diesel"),))
    write(store, changed)
    plan = plan_override(store, "ship/2", "other")
    with store.unit_of_work() as writer:
        write_override(writer, plan)
    assert edges(store) == [("ship", "other", 2.0, 1.0)]
    with store.unit_of_work() as writer:
        delete_database(writer, "bg")
    write(store, refinery())  # re-created from the exchange, whose scale the override reset
    assert edges(store) == [("ship", "other", 2.0, 1.0)]
