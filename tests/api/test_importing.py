"""The import pipeline on the real embedded engine: links across databases, characterisation,
all-or-nothing failures, idempotent re-imports."""

from __future__ import annotations

import dataclasses
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from api.cli import main
from api.importing import import_database
from graph.falkor import FalkorStore
from graph.reader import (
    count_labels,
    count_relationship_types,
    read_database_content,
    read_factor_specs,
    read_provider_candidates,
)
from graph.records import ImportReport
from lcagraph.config import find_data_dir
from lcagraph.errors import DuplicateDataset, InvalidArgument, MalformedDataset, NodeNotFound
from loaders.methods import AR6_CATEGORY_ID

DATA = find_data_dir()
USLCI = DATA / "uslci/uslci_fy17q4_jsonld.zip"
TRANSPORT = DATA / "flcac/uslci-transport_v1.1_jsonld.zip"
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
    for spec in read_factor_specs(store):
        if spec.category == category:
            values.setdefault(spec.name.strip(), set()).add(spec.value)
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


def test_reimport_is_idempotent_and_bumps_the_version(store: FalkorStore) -> None:
    first = import_database(store, BEEF, "Beef")
    before = snapshot(store)
    content = read_database_content(store, "beef")
    second = import_database(store, BEEF, "Beef")
    after = snapshot(store)
    assert after[:2] == before[:2]
    assert after[2] == before[2] + 1
    assert read_database_content(store, "beef") == content
    assert second == first
    assert dict(first.links) == {"default": 5, "unique": 3, "ambiguous": 0, "override": 0, "unlinked": 57}


@pytest.mark.parametrize(
    "step", ["processes", "provider links", "characterisation factors", "factors of other databases' methods"]
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


def test_dataset_of_another_database_is_refused_and_nothing_written(store: FalkorStore) -> None:
    import_database(store, BEEF, "Beef")
    before = snapshot(store)
    with pytest.raises(DuplicateDataset, match="already belongs to database 'beef'"):
        import_database(store, BEEF, "Beef copy")
    assert snapshot(store) == before


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
    code, out, _ = run_cli(capsys, "import", str(BEEF), "--database", "Beef")
    assert code == 0
    assert "Imported 'Beef' as database beef" in out and "graph version 2" in out
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
