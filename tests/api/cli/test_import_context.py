"""What an import shows with a database: licence and version (read from ``--licence`` /
``--version``), "Replaced" on a second import under the same name, full source names (USLCI
sources whose name is cut at 40 characters), and the README's note on the API token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from api.services.models import read_databases
from graph.connect import open_embedded
from lcagraph.config import PROJECT_ROOT, find_data_dir
from lcagraph.records import Database
from loaders.formats import read_package
from loaders.jsonld import source_citation

DATA = find_data_dir()
BEEF = DATA / "samples/jsonld/beef-cattle-finishing"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_licence_version_and_replaced(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    code, out, err = _run(capsys, "import", str(BEEF), "--database", "Beef", "--licence", "CC0 1.0",
                          "--version", "2024.1")
    assert code == 0, err
    assert " ".join(out.split()).startswith("Imported 'Beef' as database beef")
    code, out, err = _run(capsys, "import", str(BEEF), "--database", "Beef", "--json")
    assert code == 0, err
    assert json.loads(out)["replaced"] is True
    code, out, _ = _run(capsys, "import", str(BEEF), "--database", "Beef", "--version", "2024.2")
    assert " ".join(out.split()).startswith("Replaced 'Beef' as database beef")
    store = open_embedded(embedded_dir)
    try:
        (beef,) = [d.database for d in read_databases(store) if d.database.id == "beef"]
    finally:
        store.close()
    assert (beef.version, beef.licence) == ("2024.2", "")  # each import says what it knows


def test_full_source_names_of_uslci() -> None:
    content = read_package(DATA / "uslci/uslci_fy17q4_jsonld.zip", Database("u", "u"), "auto")
    sources = {s for p in content.processes for s in p.sources}
    nist = ("National Institute of Standards and Tech…: The NIST Guide for the use of the International "
            "System of Units (2010)")
    assert nist in sources
    assert "National Institute of Standards and Tech" not in sources  # never the cut name alone
    assert max(len(s) for s in sources) == 204  # long names are kept whole
    whole = {"@id": "x", "name": "U.S. Environmental Protection Agency (EPA). 2012. WebFIRE.", "year": 2012}
    assert source_citation(whole) == "U.S. Environmental Protection Agency (EPA). 2012. WebFIRE."


def test_readme_documents_the_api_token() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "LCAGRAPH_API_TOKEN" in readme and "Authorization: Bearer" in readme
