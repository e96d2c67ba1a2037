"""Round trips of every record type through the embedded engine, and the writer's rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from graph import queries as q
from graph.falkor import FalkorStore
from graph.reader import (
    count_labels,
    count_relationship_types,
    read_database_content,
    read_provider_candidates,
)
from graph.writer import delete_database, write_database_content
from lcagraph.errors import DuplicateDataset, MalformedDataset, NodeNotFound, UnresolvedReference
from lcagraph.records import (
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    Process,
    ProviderCandidate,
    ProviderLink,
)

MakeContent = Callable[..., DatabaseContent]
SORT_KEYS: dict[str, Callable[[Any], Any]] = {
    "links": lambda r: r.exchange, "unlinked": lambda r: r.exchange,
    "factors": lambda r: (r.category, r.flow),
}


def write(store: FalkorStore, content: DatabaseContent) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, content)


def normalised(content: DatabaseContent, name: str) -> Any:
    value = getattr(content, name)
    if isinstance(value, tuple):
        return sorted(value, key=SORT_KEYS.get(name, lambda r: r.id))
    return value


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(DatabaseContent)])
def test_every_record_type_round_trips(store: FalkorStore, make_content: MakeContent, name: str) -> None:
    content = make_content()
    assert getattr(content, name), f"the sample must have {name} to test them"
    write(store, content)
    back = read_database_content(store, "sample")
    assert normalised(back, name) == normalised(content, name)


def test_whole_content_round_trips_and_counts(store: FalkorStore, make_content: MakeContent) -> None:
    content = make_content()
    write(store, content)
    back = read_database_content(store, "sample")
    assert back == dataclasses.replace(
        content, **{f.name: tuple(normalised(content, f.name)) for f in dataclasses.fields(content)
                    if isinstance(getattr(content, f.name), tuple)})
    assert count_labels(store) == {"Database": 1, "Flow": 6, "Process": 5, "ImpactMethod": 1,
                                   "ImpactCategory": 1, "ProductSystem": 1, "ImportReport": 1, "Meta": 1}
    rels = count_relationship_types(store)
    assert (rels["INPUT"], rels["OUTPUT"], rels["PROVIDER"], rels["FACTOR"]) == (5, 9, 4, 2)
    assert rels["IN"] == 6 + 5 + 1 + 1  # flows, processes, product system, method


def test_writing_twice_changes_nothing_but_the_version(store: FalkorStore, make_content: MakeContent) -> None:
    content = make_content()
    write(store, content)
    first = (read_database_content(store, "sample"), count_labels(store), count_relationship_types(store))
    version = store.graph_version()
    write(store, content)
    again = (read_database_content(store, "sample"), count_labels(store), count_relationship_types(store))
    assert again == first
    assert store.graph_version() == version + 1


def test_replacing_a_database_drops_what_the_new_version_lacks(
    store: FalkorStore, make_content: MakeContent,
) -> None:
    write(store, make_content())
    old = make_content(amount=7.25)
    new = dataclasses.replace(
        old,
        flows=tuple(f for f in old.flows if f.id != "f-unused"),
        processes=tuple(p for p in old.processes if p.id != "power2"),
        exchanges=tuple(x for x in old.exchanges if x.process != "power2"),
        links=tuple(link for link in old.links if link.exchange != "bike/2"),
    )
    write(store, new)
    back = read_database_content(store, "sample")
    assert [p.id for p in back.processes] == ["bike", "landfill", "power", "steel"]
    assert next(x for x in back.exchanges if x.id == "bike/1").amount == 7.25
    assert "f-unused" not in {f.id for f in back.flows}
    assert store.read("MATCH (f:Flow {id: 'f-unused'}) RETURN count(f) AS n") == [{"n": 0}]
    assert {link.exchange for link in back.links} == {"steel/2", "bike/1", "bike/3"}


def foreground(background: DatabaseContent) -> DatabaseContent:
    """A one-process model whose steel input is supplied by the background's steel process."""
    fg = "fg"
    return DatabaseContent(
        database=dataclasses.replace(background.database, id=fg, name="foreground model"),
        flows=(Flow("f-frame", "bike frame", "product", "p"),),
        processes=(dataclasses.replace(background.processes[4], id="frame", database=fg, ref_flow="f-frame",
                                       parameters=(), data_quality=None, sources=()),),
        exchanges=(Exchange("frame/1", "frame", "f-frame", False, 1.0, "p", 1.0, is_reference=True),
                   Exchange("frame/2", "frame", "f-steel", True, 2.0, "kg", 2.0)),
        links=(ProviderLink("frame", "steel", "f-steel", "frame/2", 2.0, "model"),),
    )


def provider_links(store: FalkorStore) -> list[tuple[str, str, str]]:
    rows = store.read("MATCH (c:Process)-[l:PROVIDER]->(p:Process) "
                      "RETURN c.id AS c, p.id AS p, l.exchange AS x ORDER BY x")
    return [(r["c"], r["p"], r["x"]) for r in rows]


def test_replacing_a_background_keeps_links_from_other_databases(
    store: FalkorStore, make_content: MakeContent,
) -> None:
    background = make_content()
    write(store, background)
    write(store, foreground(background))
    assert ("frame", "steel", "frame/2") in provider_links(store)
    write(store, background)  # re-import: processes are deleted and created again
    assert ("frame", "steel", "frame/2") in provider_links(store)
    link = read_database_content(store, "fg").links[0]
    assert link == ProviderLink("frame", "steel", "f-steel", "frame/2", 2.0, "model")


def test_links_into_a_database_imported_later_are_created_then(
    store: FalkorStore, make_content: MakeContent,
) -> None:
    background = make_content()
    fg = foreground(background)
    # the flow f-steel comes with the background; bring it first through a flows-only database
    write(store, DatabaseContent(database=dataclasses.replace(background.database, id="flows", name="flows"),
                                 flows=background.flows))
    write(store, fg)
    assert provider_links(store) == []
    assert read_database_content(store, "fg").links == fg.links  # kept on the exchange meanwhile
    write(store, background)
    assert ("frame", "steel", "frame/2") in provider_links(store)


def test_deleting_a_database_keeps_the_consumers_provider_ids(
    store: FalkorStore, make_content: MakeContent,
) -> None:
    background = make_content()
    write(store, background)
    write(store, foreground(background))
    with store.unit_of_work() as writer:
        delete_database(writer, "sample")
    assert provider_links(store) == []
    assert read_database_content(store, "fg").links[0].provider == "steel"
    with pytest.raises(NodeNotFound, match="'sample'"):
        read_database_content(store, "sample")
    flows = store.read("MATCH (f:Flow) RETURN f.id AS id ORDER BY id")
    assert flows == [{"id": "f-frame"}, {"id": "f-steel"}]


def test_a_process_of_another_database_is_refused_and_nothing_written(
    store: FalkorStore, make_content: MakeContent,
) -> None:
    """The writer never takes over another database's node. Since databases became separate
    namespaces (on purpose), the import pipeline stores such a dataset as '<uuid>@<database>'
    first (loaders/identity.py, tested in tests/api/test_importing.py); content that reaches the
    writer unqualified is still refused, and the message names that rule."""
    write(store, make_content())
    before = (count_labels(store), count_relationship_types(store), store.graph_version())
    other = make_content("other")
    with pytest.raises(DuplicateDataset, match=r"process \S+ of database 'other' already belongs to database "
                                               r"'sample'.*separate namespaces.*'<uuid>@other'"):
        write(store, other)
    assert (count_labels(store), count_relationship_types(store), store.graph_version()) == before


def test_an_unknown_flow_is_refused_before_writing(store: FalkorStore, make_content: MakeContent) -> None:
    content = make_content()
    content = dataclasses.replace(content, flows=tuple(f for f in content.flows if f.id != "f-ch4"))
    with pytest.raises(UnresolvedReference, match="flow 'f-ch4'"):
        write(store, content)
    assert store.graph_version() == 0
    assert count_labels(store) == {}


@pytest.mark.parametrize("change", ["duplicate process", "foreign database", "dangling link", "nan amount",
                                    "unknown category", "unknown ref process"])
def test_inconsistent_content_is_refused(store: FalkorStore, make_content: MakeContent, change: str) -> None:
    c = make_content()
    bad = {
        "duplicate process": lambda: dataclasses.replace(c, processes=(*c.processes, c.processes[0])),
        "foreign database": lambda: dataclasses.replace(
            c, processes=(dataclasses.replace(c.processes[0], database="x"), *c.processes[1:])),
        "dangling link": lambda: dataclasses.replace(
            c, links=(dataclasses.replace(c.links[0], exchange="nope"),)),
        "nan amount": lambda: dataclasses.replace(
            c, exchanges=(dataclasses.replace(c.exchanges[0], amount=float("nan")), *c.exchanges[1:])),
        "unknown category": lambda: dataclasses.replace(
            c, factors=(dataclasses.replace(c.factors[0], category="gwp-x"),)),
        "unknown ref process": lambda: dataclasses.replace(
            c, product_systems=(dataclasses.replace(c.product_systems[0], ref_process="nope"),)),
    }[change]()
    with pytest.raises(MalformedDataset):
        write(store, bad)
    assert count_labels(store) == {}


def test_provider_candidates(store: FalkorStore, make_content: MakeContent) -> None:
    write(store, make_content())
    write(store, make_content("second", prefix="b-"))
    everything = read_provider_candidates(store)
    assert len(everything) == 8  # 4 processes with a reference flow in each database
    second = read_provider_candidates(store, ["second"])
    assert second == [
        ProviderCandidate("b-power", "second", "f-power", False, "US", "system"),
        ProviderCandidate("b-power2", "second", "f-power", False, "US-WECC", "unit"),
        ProviderCandidate("b-steel", "second", "f-steel", False, "US", "unit"),
        ProviderCandidate("b-landfill", "second", "f-waste", True, "", "unit"),
    ]
    assert read_provider_candidates(store, ["none"]) == []


def test_progress_reports_each_step(store: FalkorStore, make_content: MakeContent) -> None:
    steps: dict[str, int] = {}
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content(), progress=lambda step, n: steps.__setitem__(step, n))
    assert steps["flows"] == 6 and steps["processes"] == 5 and steps["inputs"] == 5 and steps["outputs"] == 9
    assert steps["declared characterisation factors"] == 2


def test_batches_smaller_than_the_content_write_the_same(
    store: FalkorStore, make_content: MakeContent, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("graph.writer.BATCH_SIZE", 2)
    content = make_content()
    write(store, content)
    back = read_database_content(store, "sample").exchanges
    assert back == tuple(sorted(content.exchanges, key=lambda x: x.id))


def test_grouped_exchange_read_matches_field_list() -> None:
    returned = q.READ_EXCHANGES_OF_DATABASE.split("collect([", 1)[1].split("])", 1)[0]
    assert len([part for part in returned.split(",") if part.strip()]) == len(q.EXCHANGE_FIELDS)


def _maker(database: str, properties: tuple[tuple[str, float], ...]) -> DatabaseContent:
    """A database whose one process makes the shared flow 'f-fuel', described with ``properties``."""
    pid = f"{database}-maker"
    return DatabaseContent(
        database=Database(database, database.upper()),
        flows=(Flow("f-fuel", "fuel", "product", "m3", "Volume", property_factors=properties),),
        processes=(Process(pid, "fuel maker", database, ref_flow="f-fuel", ref_amount=1.0, ref_unit="m3"),),
        exchanges=(Exchange(f"{pid}/0", pid, "f-fuel", False, 1.0, "m3", 1.0, is_reference=True),),
    )


def test_flow_properties_of_two_databases_do_not_depend_on_the_order(store: FalkorStore) -> None:
    a = _maker("a", (("Mass", 849.0), ("Net calorific value", 36000.0)))
    b = _maker("b", (("Mass", 832.0), ("Energy", 35800.0)))
    stored = []
    for first, second in ((a, b), (b, a)):
        store.reset()
        write(store, first)
        write(store, second)
        stored.append(read_database_content(store, "a").flows[0].property_factors)
    assert stored[0] == stored[1] == (("Mass", 832.0), ("Energy", 35800.0))  # 'Mass=832.0;…' < 'Mass=849.0;…'
