"""The import pipeline on the real embedded engine: links across databases, characterisation,
all-or-nothing failures, idempotent re-imports."""

from __future__ import annotations

import dataclasses
import gc
import json
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from api.cli import main
from api.services.calculation import calculate
from api.services.importing import import_database
from graph.falkor import FalkorStore
from graph.reader import (
    count_labels,
    count_relationship_types,
    read_category_factors,
    read_database_content,
    read_provider_candidates,
)
from graph.writer import delete_database
from lcagraph.config import find_data_dir
from lcagraph.errors import InvalidArgument, MalformedDataset, NodeNotFound, SingularTechnosphere
from lcagraph.records import DatabaseContent, ImportReport
from loaders.methods import AR6_CATEGORY_ID

DATA = find_data_dir()
USLCI = DATA / "uslci/uslci_fy17q4_jsonld.zip"
TRANSPORT = DATA / "flcac/uslci-transport_v1.1_jsonld.zip"
RAIL = DATA / "flcac/uslci-rail_v1.0_jsonld.zip"
MARINE = DATA / "flcac/uslci-marine_v1.0_jsonld.zip"
TRAIN = "7de9c230-fd0f-3478-be87-f80181132faa"  # USLCI's train transport; the rail module's tier average
REFINERY = "0aaf1e13-5d80-37f9-b7bb-81a6b8965c71"  # USLCI petroleum refining: reference 0.252 l diesel
RESIDUAL_FUEL_OIL = "f7c00d19-9601-373a-ba23-593e251b4dee"
FEDEFL = DATA / "methods/fedefl_ipcc_v1.0.3_jsonld.zip"
BEEF = DATA / "samples/jsonld/beef-cattle-finishing"
FEDEFL_AR6_100 = "a6206006-65bc-395c-8dc9-f12262f45a04"


class InjectedError(Exception):
    """Raised by a progress callback to break an import in the middle of its write."""


def snapshot(store: FalkorStore) -> tuple[dict[str, int], dict[str, int], int]:
    return count_labels(store), count_relationship_types(store), store.graph_version()


def raw_default_providers(zip_path: Path) -> list[tuple[str, str, str]]:
    """(process, flow, provider) of each exchange with a defaultProvider, from the raw files."""
    found = []
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if "/processes/" in f"/{name}" and name.endswith(".json"):
                process = json.loads(zf.read(name))
                found += [
                    (process["@id"], e["flow"]["@id"], e["defaultProvider"]["@id"])
                    for e in process.get("exchanges", [])
                    if e.get("defaultProvider")
                ]
    return found


def factor_values(store: FalkorStore, category: str) -> dict[str, set[float]]:
    """Factor values of a category in the graph, by stripped flow name."""
    values: dict[str, set[float]] = {}
    for factor, name in read_category_factors(store, category):
        values.setdefault(name.strip(), set()).add(factor.value)
    return values


def process_ids(store: FalkorStore, database: str) -> set[str]:
    return {c.process for c in read_provider_candidates(store, [database])}


@pytest.mark.slow
def test_uslci_then_transport_module_links_into_uslci_and_overrides(store: FalkorStore) -> None:
    report = import_database(store, USLCI, "USLCI FY17 Q4")
    assert dict(report.links) == {
        "default": 0,
        "unique": 3590,
        "ambiguous": 135,
        "override": 0,
        "unlinked": 2829,
    }
    assert dict(report.characterised)[AR6_CATEGORY_ID] > 100
    relationships = count_relationship_types(store)
    assert relationships["INPUT"] + relationships["OUTPUT"] == 32526
    assert relationships["PROVIDER"] == 3590 + 135
    uslci_ids = process_ids(store, "uslci-fy17-q4")
    assert len(uslci_ids) == 766

    expected = raw_default_providers(TRANSPORT)
    alone = import_database(store, TRANSPORT, "USLCI transport")  # USLCI not named as background
    assert dict(alone.links)["unlinked"] == len(expected)
    assert any("--background uslci-fy17-q4" in w for w in alone.warnings)

    transport = import_database(store, TRANSPORT, "USLCI transport", background_names=["USLCI FY17 Q4"])
    assert dict(transport.links)["default"] == len(expected) > 0
    module = read_database_content(store, "uslci-transport")
    exchanges = {e.id: e for e in module.exchanges}
    assert len(module.links) == len(expected)
    got = []
    for link in module.links:  # a PROVIDER edge into the USLCI process the dataset names
        e = exchanges[link.exchange]
        assert link.kind == "default" and link.provider in uslci_ids
        got.append((e.process, e.flow, link.provider))
    assert sorted(got) == sorted(expected)
    assert count_relationship_types(store)["PROVIDER"] == relationships["PROVIDER"] + len(expected)

    # The built-in method is in the graph from the first import on, matched to USLCI's flows.
    ar6 = factor_values(store, AR6_CATEGORY_ID)
    assert ar6["Carbon dioxide, fossil"] == {1.0}
    assert ar6["Methane, fossil"] == {29.8}
    assert ar6["Dinitrogen monoxide"] == {273.0}

    # A user's override replaces the dataset's provider, in the same step.
    exchange = next(e for e in module.exchanges if e.default_provider)
    other = min(uslci_ids - {exchange.default_provider or ""})
    overridden = import_database(
        store, TRANSPORT, "USLCI transport", ["USLCI FY17 Q4"], overrides={exchange.id: other}
    )
    assert dict(overridden.links)["override"] == 1
    assert dict(overridden.links)["default"] == len(expected) - 1
    assert any(f"field provider override: {other} has flow" in w for w in overridden.warnings)
    links = {lk.exchange: lk for lk in read_database_content(store, "uslci-transport").links}
    assert (links[exchange.id].kind, links[exchange.id].provider) == ("override", other)


def provider_edges(store: FalkorStore, provider: str, flow: str = "") -> list[tuple[str, str, str, float]]:
    """(consumer database, consumer, exchange, scale) of the PROVIDER edges into one process
    (of one flow, if given)."""
    rows = store.read("MATCH (c:Process)-[l:PROVIDER]->(:Process {id: $id}) "
                      "RETURN c.database AS db, c.id AS consumer, l.exchange AS exchange, l.scale AS scale, "
                      "l.flow AS flow", {"id": provider})
    return sorted((r["db"], r["consumer"], r["exchange"], r["scale"])
                  for r in rows if r["flow"] == flow or not flow)


def raw_reference_per_output(zip_path: Path, process: str, flow: str) -> float:
    """r / c from the raw dataset: its reference amount per its output of ``flow`` (same unit)."""
    with zipfile.ZipFile(zip_path) as zf:
        data = json.loads(zf.read(f"processes/{process}.json"))
    ref = next(e for e in data["exchanges"] if e.get("quantitativeReference"))
    (made,) = [e for e in data["exchanges"] if e["flow"]["@id"] == flow and not e["input"]]
    assert made["unit"]["@id"] == ref["unit"]["@id"]
    return float(ref["amount"]) / float(made["amount"])


@pytest.mark.slow
def test_uslci_and_2025_modules_keep_shared_uuids_apart_and_scale_co_products(store: FalkorStore) -> None:
    """The rail module reuses USLCI's process UUID 7de9c230 (a newer version): both are kept, the
    rail module's as '<uuid>@uslci-rail-v1-0'. Marine takes residual fuel oil from USLCI's refinery
    (reference: diesel), scaled to the refinery's reference."""
    import_database(store, USLCI, "USLCI FY17 Q4")
    uslci_train = provider_edges(store, TRAIN)
    assert len(uslci_train) > 100 and {e[0] for e in uslci_train} == {"uslci-fy17-q4"}
    rail_report = import_database(store, RAIL, "USLCI rail v1.0", ["USLCI FY17 Q4"])
    rail_train = f"{TRAIN}@uslci-rail-v1-0"
    assert (f"dataset {TRAIN} (Transport, rail, freight; diesel powered; tier weighted average) is also in "
            f"database 'uslci-fy17-q4' (Transport, train, diesel powered); stored here as {rail_train}"
            ) in rail_report.warnings
    rail = read_database_content(store, "uslci-rail-v1-0")
    assert len(rail.processes) == 11 and [p.uuid for p in rail.processes if p.uuid] == [TRAIN]
    assert dict(rail_report.links)["default"] == 11  # diesel from USLCI, as before

    transport = import_database(store, TRANSPORT, "USLCI transport", ["USLCI FY17 Q4", "USLCI rail v1.0"])
    marine = import_database(store, MARINE, "USLCI marine", ["USLCI FY17 Q4"])
    # Transport's rail freight (default provider 7de9c230, the rail module's flow) goes to the rail
    # module's copy, whose reference is that flow; USLCI's consumers keep USLCI's process.
    into_rail = provider_edges(store, rail_train)
    assert len(into_rail) == 35 and {(e[0], e[3]) for e in into_rail} == {("uslci-transport", 1.0)}
    assert any(f"default provider {TRAIN} is held by several databases" in w for w in transport.warnings)
    assert provider_edges(store, TRAIN) == uslci_train
    # Marine: 36 residual fuel oil inputs, each scaled by the refinery's diesel per residual fuel oil.
    expected = sorted((p, f"{p}/") for p, f, provider in raw_default_providers(MARINE)
                      if provider == REFINERY and f == RESIDUAL_FUEL_OIL)
    scale = raw_reference_per_output(USLCI, REFINERY, RESIDUAL_FUEL_OIL)
    assert len(expected) == 36 and scale == pytest.approx(4.869, rel=1e-3)
    scaled = [e for e in provider_edges(store, REFINERY, RESIDUAL_FUEL_OIL) if e[0] == "uslci-marine"]
    assert len(scaled) == 36 and all(e[3] == pytest.approx(scale, rel=1e-12) for e in scaled)
    assert sorted((e[1], e[2].split("/")[0] + "/") for e in scaled) == expected
    links = [k for k in read_database_content(store, "uslci-marine").links if k.provider == REFINERY]
    assert sorted(k.provider_scale for k in links if k.flow == RESIDUAL_FUEL_OIL) == [e[3] for e in scaled]
    assert any("which is its co-product" in w for w in marine.warnings)

    again = import_database(store, RAIL, "USLCI rail v1.0", ["USLCI FY17 Q4"])  # same ids on re-import
    assert dataclasses.replace(read_database_content(store, "uslci-rail-v1-0"), report=None) == (
        dataclasses.replace(rail, report=None))
    assert any(f"stored here as {rail_train}" in w for w in again.warnings)
    assert provider_edges(store, rail_train) == into_rail  # transport's links re-created into it
    assert provider_edges(store, TRAIN) == uslci_train


@pytest.mark.slow
def test_method_pack_reaches_flows_in_graph_and_survives_reimport(store: FalkorStore) -> None:
    import_database(store, USLCI, "USLCI FY17 Q4")
    pack = import_database(store, FEDEFL, "FEDEFL IPCC")
    assert dict(pack.characterised)[FEDEFL_AR6_100] > 40  # USLCI flows reached by name
    fedefl = factor_values(store, FEDEFL_AR6_100)
    assert fedefl["Carbon dioxide, fossil"] == {1.0}
    assert fedefl["Methane, fossil"] == {27.9}  # FEDEFL does not tell fossil from biogenic methane
    assert "Carbon dioxide, biogenic" not in fedefl
    before = snapshot(store)

    again = import_database(store, USLCI, "USLCI FY17 Q4")  # same release: same graph, next version
    after = snapshot(store)
    assert after[:2] == before[:2] and after[2] == before[2] + 1
    assert dict(again.characterised)[FEDEFL_AR6_100] == dict(pack.characterised)[FEDEFL_AR6_100]


def _replaced(content: DatabaseContent) -> DatabaseContent:
    """``content`` as a re-import stores it: the same, with a report that says "replaced"."""
    assert content.report is not None
    return replace(content, report=replace(content.report, replaced=True))


def test_reimport_is_idempotent_and_bumps_the_version(store: FalkorStore) -> None:
    first = import_database(store, BEEF, "Beef")
    before = snapshot(store)
    content = read_database_content(store, "beef")
    second = import_database(store, BEEF, "Beef")
    after = snapshot(store)
    assert after[:2] == before[:2]
    assert after[2] == before[2] + 1
    assert read_database_content(store, "beef") == _replaced(content)
    assert not first.replaced and second == replace(first, replaced=True)  # the report says "replaced"
    assert dict(first.links) == {"default": 5, "unique": 3, "ambiguous": 0, "override": 0, "unlinked": 57}


@pytest.mark.parametrize(
    "step", ["processes", "provider links", "declared characterisation factors",
             "matched elementary flows (whole graph)"]
)
def test_failure_in_the_middle_of_the_write_leaves_the_graph_as_it_was(store: FalkorStore, step: str) -> None:
    import_database(store, BEEF, "Beef")
    before = snapshot(store)
    content = read_database_content(store, "beef")

    def fail_at(name: str, rows: int) -> None:
        if name == step:
            raise InjectedError(f"stopped at {name} after {rows} rows")

    with pytest.raises(InjectedError):  # replacing the database, killed half-way
        import_database(store, BEEF, "Beef", progress=fail_at)
    assert snapshot(store) == before
    assert read_database_content(store, "beef") == content


def test_malformed_dataset_late_in_a_folder_changes_nothing(store: FalkorStore, tmp_path: Path) -> None:
    import_database(store, BEEF, "Beef")
    before = snapshot(store)
    copy = tmp_path / "beef"
    shutil.copytree(BEEF, copy)
    last = sorted((copy / "processes").glob("*.json"))[-1]
    last.write_text(last.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(MalformedDataset, match=last.name):
        import_database(store, copy, "Beef")
    assert snapshot(store) == before
    assert gc.isenabled(), "the import paused the cyclic collector and left it off after its error"


def test_datasets_of_another_database_get_qualified_ids_and_both_stay(store: FalkorStore) -> None:
    """Databases are separate namespaces. This replaced, on purpose, the DuplicateDataset refusal
    of a package whose UUIDs another database holds: its copies are stored as '<uuid>@<database>'
    (uuid kept as a property), linked among themselves, and keep those ids on re-import."""
    import_database(store, BEEF, "Beef")
    beef = read_database_content(store, "beef")
    copy_report = import_database(store, BEEF, "Beef copy")
    copy = read_database_content(store, "beef-copy")
    assert read_database_content(store, "beef") == beef  # the first holder is untouched
    plain = {p.id: p for p in beef.processes}
    assert {p.id: p.uuid for p in copy.processes} == {f"{i}@beef-copy": i for i in plain}
    assert {p.uuid for p in beef.processes} == {""}  # the same as the id
    uuids = store.read("MATCH (p:Process) RETURN p.database AS database, p.id AS id, p.uuid AS uuid")
    assert all(r["uuid"] == r["id"].split("@")[0] for r in uuids) and len(uuids) == 2 * len(plain)
    # the copy's consumers are linked to the copy's providers, as the original's to the original's
    original = sorted((k.consumer, k.provider, k.exchange, k.kind) for k in beef.links)
    renamed = sorted((k.consumer, k.provider, k.exchange, k.kind) for k in copy.links)
    assert [(qualify(c), qualify(p), qualify(x.split("/")[0]) + "/" + x.split("/")[1], kind)
            for c, p, x, kind in original] == renamed
    (system,) = copy.product_systems
    (beef_system,) = beef.product_systems
    assert (system.id, system.ref_process) == (qualify(beef_system.id), qualify(beef_system.ref_process))
    assert {(k.consumer, k.provider) for k in system.links} == {
        (qualify(k.consumer), qualify(k.provider)) for k in beef_system.links}
    assert count_labels(store)["ProductSystem"] == 2
    renamings = [w for w in copy_report.warnings if "stored here as" in w]
    assert len(renamings) == len(plain) + 1
    some = min(plain)
    assert (f"dataset {some} ({plain[some].name}) is also in database 'beef' ({plain[some].name}); "
            f"stored here as {some}@beef-copy") in renamings

    import_database(store, BEEF, "Beef copy")  # re-imports keep the ids each database has
    import_database(store, BEEF, "Beef")
    assert read_database_content(store, "beef-copy") == _replaced(copy)
    assert read_database_content(store, "beef") == _replaced(beef)
    with store.unit_of_work() as writer:  # the first holder goes: the copy's ids still do not move
        delete_database(writer, "beef")
    kept = import_database(store, BEEF, "Beef copy")
    assert dataclasses.replace(read_database_content(store, "beef-copy"), report=None) == dataclasses.replace(
        copy, report=None)
    assert f"dataset {some} ({plain[some].name}): keeps its id {some}@beef-copy" in "\n".join(kept.warnings)


def qualify(ident: str) -> str:
    return f"{ident}@beef-copy"


def test_bad_arguments_name_the_fix(store: FalkorStore) -> None:
    with pytest.raises(NodeNotFound, match="background database 'nowhere' is not in the graph"):
        import_database(store, BEEF, "Beef", background_names=["nowhere"])
    with pytest.raises(InvalidArgument, match="reserved for the built-in method"):
        import_database(store, BEEF, "IPCC AR6 GWP100")
    with pytest.raises(InvalidArgument, match="format 'csv'"):
        import_database(store, BEEF, "Beef", fmt="csv")
    with pytest.raises(InvalidArgument, match="no exchange 'x/1'"):
        import_database(store, BEEF, "Beef", overrides={"x/1": "y"})
    assert count_labels(store) == {}


# --- the `lcagraph import` command ---------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_import_command_json_and_text(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    code, out, _ = run_cli(capsys, "import", str(BEEF), "--database", "Beef", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["database"] == "beef" and report["graph_version"] == 1
    assert dict(report["links"]) == {"default": 5, "unique": 3, "ambiguous": 0, "override": 0, "unlinked": 57}
    assert set(report) == {f.name for f in dataclasses.fields(ImportReport)} | {"graph_version"}
    assert dict(report["characterised"])[AR6_CATEGORY_ID] >= 6  # CO2, CH4 and N2O to air, several each
    assert report["replaced"] is False
    code, out, _ = run_cli(capsys, "import", str(BEEF), "--database", "Beef")
    assert code == 0
    assert "Replaced 'Beef' as database beef" in out and "graph version 2" in out  # the same name again
    assert "unlinked" in out and "Unmatched elementary flows" in out


def test_import_command_errors_exit_with_one_line(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    code, _, err = run_cli(capsys, "import", str(BEEF), "--background", "USLCI")
    assert code == 1
    assert err.startswith("error: background database 'USLCI' is not in the graph")
    code, _, err = run_cli(capsys, "import", str(BEEF), "--provider", "no-equals-sign")
    assert code == 2 and "write EXCHANGE_ID=PROVIDER_ID" in flat(err)
    code, _, err = run_cli(capsys, "import", str(BEEF), "--format", "csv")
    assert code == 2 and "'csv' is not one of auto, jsonld, ecospold2, ilcd" in flat(err)


def flat(text: str) -> str:
    """Usage errors come in a box: drop its borders and line breaks."""
    return " ".join(text.replace("│", " ").split())



def loop_package(path: Path) -> Path:
    """Two processes, each making its product from one unit of the other's: I - A is singular."""
    mass = {"@id": "93a60a56-a3c8-11da-a746-0800200b9a66"}
    kg = {"@id": "20aadc24-a391-41cf-b340-3e4529f44bde"}
    reference = {"flowProperty": mass, "conversionFactor": 1.0, "isRefFlowProperty": True}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("olca-schema.json", "{}")
        for fid in ("a", "b"):
            zf.writestr(f"flows/{fid}.json", json.dumps({
                "@type": "Flow", "@id": fid, "name": fid, "flowType": "PRODUCT_FLOW",
                "flowProperties": [reference]}))
        for pid, ref, other, provider in (("p1", "a", "b", "p2"), ("p2", "b", "a", "p1")):
            exchanges = [
                {"flow": {"@id": ref}, "amount": 1.0, "isInput": False, "isQuantitativeReference": True,
                 "unit": kg, "flowProperty": mass},
                {"flow": {"@id": other}, "amount": 1.0, "isInput": True, "unit": kg, "flowProperty": mass,
                 "defaultProvider": {"@id": provider}}]
            zf.writestr(f"processes/{pid}.json",
                        json.dumps({"@type": "Process", "@id": pid, "name": pid, "exchanges": exchanges}))
    return path


def test_an_unsolvable_package_is_refused_and_the_graph_still_solves(
    store: FalkorStore, tmp_path: Path,
) -> None:
    import_database(store, BEEF, "Beef")
    before = snapshot(store)
    with pytest.raises(SingularTechnosphere) as refused:
        import_database(store, loop_package(tmp_path / "loop.zip"), "Loop")
    assert "p1" in str(refused.value) and "p2" in str(refused.value)
    assert snapshot(store) == before
    assert calculate(store).categories  # every other database keeps its results
