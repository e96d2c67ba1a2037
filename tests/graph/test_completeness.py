"""Completeness findings on the hand-made sample database (tests/conftest.py), on the real engine."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from api.cli import main
from graph.completeness import check_database
from graph.connect import open_store
from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.config import load_settings
from lcagraph.errors import NodeNotFound
from lcagraph.records import DatabaseContent


def _write(store: GraphStore, content: DatabaseContent) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, content)


def test_findings_of_the_sample(store: GraphStore, make_content: Callable[..., DatabaseContent]) -> None:
    _write(store, make_content())
    found = check_database(store, "sample", "gwp")
    assert found.processes == 5
    assert found.without_reference == ("bike",)
    assert found.zero_reference == ()
    assert dict(found.links) == {"ambiguous": 1, "default": 1, "unique": 2, "unlinked": 1}
    assert found.linked == 4
    # the unlinked avoided steel is not a declared cut-off: a provider is missing
    assert (found.declared_cutoffs, found.missing_providers) == (0, 1)
    assert found.missing_amounts == 0
    assert (found.elementary_flows, found.uncharacterised) == (2, 0)
    assert not found.complete


def test_cutoff_flows_and_uncharacterised_flows(
    store: GraphStore, make_content: Callable[..., DatabaseContent]
) -> None:
    content = make_content()
    flows = tuple(
        dataclasses.replace(f, name="CUTOFF steel ") if f.id == "f-steel" else f for f in content.flows
    )
    _write(store, dataclasses.replace(content, flows=flows))
    found = check_database(store, "sample", "no-such-category")
    assert (found.declared_cutoffs, found.missing_providers) == (1, 0)
    assert found.uncharacterised == 2
    assert any(name.startswith("Carbon dioxide, fossil") for name in found.uncharacterised_names)


def test_unknown_database_is_named(store: GraphStore) -> None:
    with pytest.raises(NodeNotFound, match="'nowhere'"):
        check_database(store, "nowhere", "gwp")


def test_check_command_json_and_strict(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    make_content: Callable[..., DatabaseContent],
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    opened = open_store(load_settings())
    try:
        _write(opened, make_content())
    finally:
        opened.close()
    with pytest.raises(SystemExit) as done:
        main(["check", "--method", "gwp", "--json"])
    assert done.value.code in (0, None)
    rows = json.loads(capsys.readouterr().out)
    assert [(r["database"], r["linked"], r["complete"]) for r in rows] == [("sample", 4, False)]
    with pytest.raises(SystemExit) as strict:
        main(["check", "sample", "--method", "gwp", "--strict"])
    assert strict.value.code == 1
