"""``lcagraph tree`` on the hand-made sample (tests/conftest.py), calculated on the real engine."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from graph.connect import open_store
from graph.writer import write_database_content
from lcagraph.config import load_settings
from lcagraph.records import DatabaseContent


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node["children"]:
        yield from _nodes(child)


@pytest.fixture
def sample_url(embedded_dir: Path, monkeypatch: pytest.MonkeyPatch,
               make_content: Callable[..., DatabaseContent]) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    store = open_store(load_settings())
    try:
        with store.unit_of_work() as writer:
            write_database_content(writer, make_content())
    finally:
        store.close()


@pytest.mark.usefixtures("sample_url")
def test_tree_json_sums_at_every_node(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["tree", "steel", "--method", "gwp", "--depth", "3", "--cutoff", "0", "--json"])
    assert done.value.code in (0, None)
    tree = json.loads(capsys.readouterr().out)
    root = tree["node"]
    # steel: 1.85 kg CO2 direct; 0.3 kWh from the grid at 0.45 kg CO2 + 1.2e-9 kg CH4 × 0.875 × 29.8
    grid = 0.45 + 1.2e-9 * 0.875 * 29.8
    assert math.isclose(root["total"], 1.85 + 0.3 * grid, rel_tol=1e-12)
    assert math.isclose(root["direct"], 1.85, rel_tol=1e-12)
    assert [c["process"] for c in root["children"]] == ["power"]
    for node in _nodes(root):
        if node["children"]:
            gap = node["total"] - node["direct"] - math.fsum(c["total"] for c in node["children"])
            assert abs(gap) <= 1e-12 * abs(node["total"])


@pytest.mark.usefixtures("sample_url")
def test_tree_prints_shares(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["tree", "steel", "--method", "gwp"])
    out = capsys.readouterr().out
    assert "steel production" in out and "electricity, at grid" in out and "%" in out
