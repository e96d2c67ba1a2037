"""``lcagraph pact``: client add (id and secret printed once, only a hash kept), list, remove;
publish a process from the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pact_harness import model

from api.cli import main
from api.pact.credentials import secret_matches
from graph import pact_store
from graph.connect import open_embedded
from graph.writer import write_database_content


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def graph_dir(embedded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    monkeypatch.delenv("LCAGRAPH_PACT_CALLBACKS", raising=False)
    return embedded_dir


def test_client_add_list_remove(graph_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "pact", "client", "add", "Customer GmbH")
    assert code == 0
    client_id = re.search(r"client_id: (\S+)", out)
    secret = re.search(r"client_secret: (\S+)", out)
    assert client_id and secret and len(secret[1]) >= 40
    code, listed, _ = run(capsys, "pact", "client", "list")
    assert code == 0 and client_id[1] in listed and "Customer GmbH" in listed and secret[1] not in listed
    store = open_embedded(graph_dir)
    try:
        stored = pact_store.read_client(store, client_id[1])
    finally:
        store.close()
    assert stored is not None and secret[1] not in stored.secret_hash
    assert secret_matches(secret[1], stored.secret_hash)
    assert run(capsys, "pact", "client", "remove", client_id[1])[0] == 0
    code, _, err = run(capsys, "pact", "client", "remove", client_id[1])
    assert code == 1 and err.startswith("error: client") and "is not there" in err


def test_publish_from_the_command_line(graph_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = open_embedded(graph_dir)
    try:
        with store.unit_of_work() as writer:
            write_database_content(writer, model())
    finally:
        store.close()
    args = ["pact", "publish", "wood", "--product-id", "urn:gtin:4012345000023", "--company-id",
            "urn:uuid:2b0b8e8e-6f1f-4c8a-9a53-0d3f3c1f0002", "--company-name", "Forest Oy",
            "--classification", "urn:pact:un-cpc:3110"]
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["pcf"]["pcfIncludingBiogenicUptake"] == "-1.3" and document["status"] == "Active"
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert out.startswith(f"unchanged, still active: {document['id']} (0.3 kg CO2-eq per 1 kilogram)")
    code, out, _ = run(capsys, "pact", "footprints")
    assert code == 0 and out.split()[:4] == [document["id"], "Active", "wood", "urn:gtin:4012345000023"]
    code, _, err = run(capsys, *args, "--reference-period-start", "2023-01-01")
    assert code == 1 and "give both --reference-period-start and --reference-period-end" in err
