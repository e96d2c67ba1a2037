"""``lcagraph export`` and graph round trips on the real embedded engine.

The full USLCI release goes JSON-LD → graph → ILCD → graph → ILCD → graph (and graph → JSON-LD →
graph); every leg into the graph is the import pipeline. Each comparison is per exchange id:
flow, direction, amount in the flow's reference unit (1e-9 relative), reference flag and the
provider of its supply link (ILCD and JSON-LD carry it as the default provider).
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.services.exporting import export_database
from api.services.importing import import_database
from graph.connect import open_embedded
from graph.embedded import EmbeddedServer
from graph.falkor import STAGE_SUFFIX, FalkorStore
from graph.reader import read_database_content
from graph.writer import write_database_content
from lcagraph.config import find_data_dir
from lcagraph.errors import InvalidArgument, NodeNotFound
from lcagraph.records import Database, DatabaseContent, Exchange, Process, ProviderLink

DATA = find_data_dir()
USLCI = DATA / "uslci/uslci_fy17q4_jsonld.zip"
TRANSPORT = DATA / "flcac/uslci-transport_v1.1_jsonld.zip"
USLCI_EXCHANGES = 32526  # README of the shared data
USLCI_LINKED = 3590 + 135  # unique + ambiguous, as the import of the JSON-LD release links them


# --- comparison --------------------------------------------------------------------------------

def providers(content: DatabaseContent) -> dict[str, str]:
    return {link.exchange: link.provider for link in content.links}


def exchange_differences(a: DatabaseContent, b: DatabaseContent, limit: int = 5) -> list[str]:
    """What differs between the exchanges of two contents (empty: the same), per exchange id."""
    xa, xb = {x.id: x for x in a.exchanges}, {x.id: x for x in b.exchanges}
    pa, pb = providers(a), providers(b)
    found = [f"exchange {i} only in the first" for i in sorted(set(xa) - set(xb))]
    found += [f"exchange {i} only in the second" for i in sorted(set(xb) - set(xa))]
    for i in sorted(set(xa) & set(xb)):
        one, two = xa[i], xb[i]
        if (one.process, one.flow, one.is_input, one.is_reference, pa.get(i)) != (
                two.process, two.flow, two.is_input, two.is_reference, pb.get(i)):
            found.append(f"exchange {i}: {one} / {pa.get(i)} != {two} / {pb.get(i)}")
        elif not math.isclose(one.amount_ref, two.amount_ref, rel_tol=1e-9, abs_tol=0.0):
            found.append(f"exchange {i}: amount_ref {one.amount_ref!r} != {two.amount_ref!r}")
    return found[:limit]


def test_exchange_differences_sees_every_compared_field() -> None:
    base = Exchange("p/1", "p", "f", True, 2.0, "kg", 2.0)
    link = ProviderLink("p", "q", "f", "p/1", 2.0, "unique")
    content = DatabaseContent(Database("d", "d"), exchanges=(base,), links=(link,))
    assert exchange_differences(content, content) == []
    close = replace(base, amount_ref=2.0 * (1 + 2e-12))
    assert exchange_differences(content, replace(content, exchanges=(close,))) == []
    for changed in (replace(base, flow="g"), replace(base, is_input=False), replace(base, is_reference=True),
                    replace(base, amount_ref=2.0 * (1 + 2e-9)), replace(base, id="p/2")):
        assert exchange_differences(content, replace(content, exchanges=(changed,)))
    assert exchange_differences(content, replace(content, links=(replace(link, provider="r"),)))
    assert exchange_differences(content, replace(content, links=()))


# --- small databases ---------------------------------------------------------------------------

def write(store: FalkorStore, content: DatabaseContent) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, content)


def consumer_of_sample(database: str = "model") -> DatabaseContent:
    """A foreground model that uses flows the sample database brought (and brings none itself);
    its steel input is supplied by the sample's steel process, its power input is a cut-off."""
    exchanges = (
        Exchange("frame/1", "frame", "f-steel", False, 1.0, "kg", 1.0, is_reference=True),
        Exchange("frame/2", "frame", "f-steel", True, 1.2, "kg", 1.2),
        Exchange("frame/3", "frame", "f-co2", False, 0.1, "kg", 0.1),
    )
    return DatabaseContent(
        database=Database(database, "Bike frame model", kind="foreground"),
        processes=(Process("frame", "bicycle frame welding", database, ref_flow="f-steel", ref_unit="kg"),),
        exchanges=exchanges,
        links=(ProviderLink("frame", "steel", "f-steel", "frame/2", 1.2, "override"),),
    )


def test_unknown_database_names_the_databases_there(
        store: FalkorStore, tmp_path: Path, make_content: Callable[..., DatabaseContent]) -> None:
    with pytest.raises(NodeNotFound, match=r"'uslci' is not in the graph; databases: none"):
        export_database(store, "uslci", "ilcd", tmp_path / "a.zip")
    write(store, make_content("sample"))
    write(store, make_content("other", prefix="o-"))
    with pytest.raises(NodeNotFound, match=r"database 'uslci' is not in the graph; databases: other, sample"):
        export_database(store, "uslci", "ilcd", tmp_path / "a.zip")
    assert not (tmp_path / "a.zip").exists()


def test_bad_arguments_write_nothing(
        store: FalkorStore, tmp_path: Path, make_content: Callable[..., DatabaseContent]) -> None:
    write(store, make_content("sample"))
    with pytest.raises(InvalidArgument, match="format 'xml' is not one of ilcd, jsonld"):
        export_database(store, "sample", "xml", tmp_path / "a.zip")
    with pytest.raises(InvalidArgument, match="is a folder"):
        export_database(store, "sample", "ilcd", tmp_path)
    (tmp_path / "a.zip").write_bytes(b"keep me")
    with pytest.raises(InvalidArgument, match=r"exists; .*\(--force\)"):
        export_database(store, "sample", "ilcd", tmp_path / "a.zip")
    assert (tmp_path / "a.zip").read_bytes() == b"keep me"
    export_database(store, "sample", "ilcd", tmp_path / "a.zip", overwrite=True)
    assert zipfile.is_zipfile(tmp_path / "a.zip")
    assert [p.name for p in tmp_path.iterdir()] == ["a.zip"]  # no temporary file left


def exportable_sample(sample: DatabaseContent) -> DatabaseContent:
    """The hand-made sample without its product system (its reference process has no reference
    flow, which the JSON-LD reader refuses, rightly) and with its 0.4 lb of waste in openLCA's
    pound (0.45 kg: see test_jsonld_export_keeps_amounts_in_exact_units), and with its avoided steel
    (an input, as openLCA keeps it) linked to the steel producer, as the import links it."""
    exchanges = tuple(replace(x, amount_ref=0.18) if x.id == "bike/3" else x for x in sample.exchanges)
    links = tuple(replace(k, amount_ref=0.18) if k.exchange == "bike/3" else k for k in sample.links)
    avoided = ProviderLink("bike", "steel", "f-steel", "bike/4", 0.1, "unique")
    unlinked = tuple(u for u in sample.unlinked if u.exchange != "bike/4")
    return replace(sample, product_systems=(), exchanges=exchanges, links=(*links, avoided),
                   unlinked=unlinked)


def test_jsonld_export_keeps_amounts_in_exact_units(
        store: FalkorStore, falkordb_server: EmbeddedServer, tmp_path: Path,
        make_content: Callable[..., DatabaseContent]) -> None:
    """0.4 lb = 0.18143695 kg (as the records hold it): openLCA's "lb" is "lb av", 0.45 kg, which
    would re-import as 0.18 kg (0.8 % off), so the exchange is written in kg instead."""
    sample = replace(make_content("sample"), product_systems=())
    write(store, sample)
    result = export_database(store, "sample", "jsonld", tmp_path / "sample.zip")
    assert [w for w in result.warnings if "bike/3" in w and "'lb av'" in w]
    with other_graph(falkordb_server, "export-pound") as fresh:
        import_database(fresh, result.file, "sample", fmt="jsonld")
        after = {x.id: x for x in read_database_content(fresh, "sample").exchanges}
    assert math.isclose(after["bike/3"].amount_ref, 0.4 * 0.45359237, rel_tol=2e-8)  # the pound
    for x in sample.exchanges:  # every amount as the records hold it, to 1e-12
        assert math.isclose(after[x.id].amount_ref, x.amount_ref, rel_tol=1e-12), x.id
    assert (after["bike/3"].amount, after["bike/3"].unit) == (0.18143695, "kg")


@pytest.mark.parametrize("fmt", ["ilcd", "jsonld"])
def test_sample_database_round_trip_keeps_exchanges_and_providers(
        store: FalkorStore, falkordb_server: EmbeddedServer, tmp_path: Path, fmt: str,
        make_content: Callable[..., DatabaseContent]) -> None:
    write(store, exportable_sample(make_content("sample")))
    before = read_database_content(store, "sample")
    result = export_database(store, "Sample sample", fmt, tmp_path / f"sample.{fmt}.zip")  # by name
    assert (result.database, result.processes, result.exchanges) == ("sample", 5, 14)
    assert result.providers == 5  # the five linked exchanges (one linked by its own default provider)

    with other_graph(falkordb_server, f"export-sample-{fmt}") as fresh:
        report = import_database(fresh, result.file, "sample", fmt=fmt)
        assert dict(report.links)["default"] == 5
        after = read_database_content(fresh, "sample")
    assert exchange_differences(before, after) == []
    assert providers(after) == providers(before) == {
        "steel/2": "power", "bike/1": "steel", "bike/2": "power", "bike/3": "landfill", "bike/4": "steel"}
    assert {x.id for x in after.exchanges if x.default_provider} == set(providers(before))
    avoided = next(x for x in after.exchanges if x.id == "bike/4")  # a credit stays a credit
    assert (avoided.is_input, avoided.is_avoided, avoided.amount_ref) == (True, True, 0.1)


@pytest.mark.parametrize("fmt", ["ilcd", "jsonld"])
def test_flows_and_providers_of_other_databases_are_exported(
        store: FalkorStore, falkordb_server: EmbeddedServer, tmp_path: Path, fmt: str,
        make_content: Callable[..., DatabaseContent]) -> None:
    write(store, make_content("sample"))
    write(store, consumer_of_sample())
    result = export_database(store, "model", fmt, tmp_path / "model.zip")
    assert (result.flows, result.foreign_flows, result.providers) == (2, 2, 1)

    with other_graph(falkordb_server, f"export-model-{fmt}") as fresh:
        write(fresh, make_content("sample"))
        report = import_database(fresh, result.file, "model", ["sample"], fmt=fmt)
        assert dict(report.links)["default"] == 1
        after = read_database_content(fresh, "model")
    assert exchange_differences(read_database_content(store, "model"), after) == []
    assert providers(after) == {"frame/2": "steel"}


# --- the command -------------------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_command(
        embedded_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], make_content: Callable[..., DatabaseContent]) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    store = open_embedded(embedded_dir)
    try:
        write(store, make_content("sample"))
    finally:
        store.close()
    out = tmp_path / "sample.zip"
    code, text, _ = run(capsys, "export", "sample", "--format", "jsonld", "--out", str(out), "--json")
    assert code == 0
    result = json.loads(text)
    assert (result["database"], result["format"], result["exchanges"], result["providers"]) == (
        "sample", "jsonld", 14, 4)
    with zipfile.ZipFile(out) as zf:
        assert sorted(n for n in zf.namelist() if n.startswith("processes/")) == [
            f"processes/{p}.json" for p in ("bike", "landfill", "power", "power2", "steel")]

    code, text, _ = run(capsys, "export", "sample", "--format", "ilcd", "--out", str(out), "--force")
    assert code == 0 and "Exported database 'sample' as ILCD" in text and "providers 4" in text
    code, _, err = run(capsys, "export", "nope", "--format", "ilcd", "--out", str(tmp_path / "b.zip"))
    assert code == 1
    assert err.strip().splitlines()[-1] == "error: database 'nope' is not in the graph; databases: sample"
    code, _, err = run(capsys, "export", "sample", "--format", "ilcd", "--out", str(out))
    assert code == 1 and "exists; choose another file" in err
    code, _, err = run(capsys, "export", "sample", "--format", "csv", "--out", str(tmp_path / "c.zip"))
    assert code == 2 and "'csv' is not one of ilcd, jsonld" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.zip"]


# --- the full USLCI release --------------------------------------------------------------------

@contextmanager
def other_graph(server: EmbeddedServer, graph: str) -> Iterator[FalkorStore]:
    """A store on its own empty graph of the session's server, deleted afterwards."""
    opened = open_embedded(server.data_dir, graph=graph, stop_on_close=False)
    opened.ensure_schema()
    try:
        yield opened
    finally:
        conn: Any = opened._client.connection
        conn.delete(graph, graph + STAGE_SUFFIX)
        opened.close()


@dataclass(frozen=True)
class Trips:
    """USLCI after each leg: imported from JSON-LD, from its ILCD export, from the ILCD export of
    that, and from the JSON-LD export of the first; the transport module linked into it."""

    from_jsonld: DatabaseContent
    from_ilcd: DatabaseContent
    from_ilcd_again: DatabaseContent
    from_jsonld_export: DatabaseContent
    transport: DatabaseContent
    transport_from_ilcd: DatabaseContent


@pytest.fixture(scope="module")
def trips(falkordb_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory) -> Trips:
    folder = tmp_path_factory.mktemp("uslci-export")
    name, db = "USLCI FY17 Q4", "uslci-fy17-q4"
    with other_graph(falkordb_server, "export-uslci") as store:
        import_database(store, USLCI, name)
        first = read_database_content(store, db)
        export_database(store, db, "ilcd", folder / "1.zip")
        export_database(store, db, "jsonld", folder / "1.json.zip")
        import_database(store, TRANSPORT, "USLCI transport", [db])
        transport = read_database_content(store, "uslci-transport")
        export_database(store, "uslci-transport", "ilcd", folder / "transport.zip")

        import_database(store, folder / "1.zip", name)  # replaces the database: same ids
        second = read_database_content(store, db)
        export_database(store, db, "ilcd", folder / "2.zip")
        import_database(store, folder / "2.zip", name)
        third = read_database_content(store, db)
        import_database(store, folder / "transport.zip", "USLCI transport", [db])
        transport_again = read_database_content(store, "uslci-transport")
        import_database(store, folder / "1.json.zip", name)
        fourth = read_database_content(store, db)
    return Trips(first, second, third, fourth, transport, transport_again)


@pytest.mark.slow
def test_uslci_jsonld_graph_ilcd_graph(trips: Trips) -> None:
    first, second = trips.from_jsonld, trips.from_ilcd
    assert len(first.exchanges) == len(second.exchanges) == USLCI_EXCHANGES
    assert len(providers(first)) == len(providers(second)) == USLCI_LINKED
    assert {link.kind for link in second.links} == {"default"}  # the links came back as default providers
    assert exchange_differences(first, second) == []
    assert [u.exchange for u in second.unlinked] == [u.exchange for u in first.unlinked]
    # the ILCD reader strips names (5 USLCI process names end in a space)
    assert {p.id: (p.name.strip(), p.ref_flow) for p in second.processes} == {
        p.id: (p.name.strip(), p.ref_flow) for p in first.processes}
    assert {f.id: (f.type, f.unit) for f in second.flows} == {f.id: (f.type, f.unit) for f in first.flows}


@pytest.mark.slow
def test_uslci_ilcd_graph_ilcd_graph(trips: Trips) -> None:
    second, third = trips.from_ilcd, trips.from_ilcd_again
    assert len(third.exchanges) == USLCI_EXCHANGES and len(providers(third)) == USLCI_LINKED
    assert exchange_differences(second, third) == []
    assert third.exchanges == second.exchanges and third.links == second.links  # a fixed point


@pytest.mark.slow
def test_uslci_graph_jsonld_graph(trips: Trips) -> None:
    first, fourth = trips.from_jsonld, trips.from_jsonld_export
    assert len(fourth.exchanges) == USLCI_EXCHANGES and len(providers(fourth)) == USLCI_LINKED
    assert exchange_differences(first, fourth) == []


@pytest.mark.slow
def test_transport_module_keeps_its_providers_in_uslci(trips: Trips) -> None:
    before, after = trips.transport, trips.transport_from_ilcd
    uslci = {p.id for p in trips.from_jsonld.processes}
    crossing = {x: p for x, p in providers(before).items() if p in uslci}
    assert len(crossing) > 20
    assert exchange_differences(before, after) == []
    assert {x: p for x, p in providers(after).items() if p in uslci} == crossing
