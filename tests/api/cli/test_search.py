"""``lcagraph search WORDS`` on the hand system (tests/graph/test_technosphere.py), and the one
"not found" wording of footprint, tree and qr that points at it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from rich.console import Console

from api.cli import main
from api.cli.layout import print_records, table_width
from api.services.calculation import CalculationCache, calculate
from api.services.search import search
from graph.connect import open_embedded
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument
from tests.shared_cases import technosphere_hand

HAND = technosphere_hand()
NOT_FOUND = ("error: process 'nope' is not in the graph; find a process id by name with "
             "`lcagraph search WORDS`")


@pytest.fixture
def hand_url(embedded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    store = open_embedded(embedded_dir)
    try:
        HAND.write_hand_system(store)
        calculate(store, ["gwp"], cache=CalculationCache())
    finally:
        store.close()
    url = f"embedded://{embedded_dir}"
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", url)
    return url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_search_service_finds_by_words_with_reference_and_total(store: GraphStore) -> None:
    HAND.write_hand_system(store)
    assert search(store, "steam oil", method="gwp")[0].total is None  # not calculated yet
    calculate(store, ["gwp"], cache=CalculationCache())
    (power,) = search(store, "ELECTRICITY plant", method="gwp")
    assert (power.process, power.database, power.database_name) == ("power", "bg", "background")
    assert (power.reference_amount, power.reference_unit, power.impact_unit) == (3.6, "MJ", "kg CO2-eq")
    assert power.total is not None and math.isclose(power.total, 0.5, rel_tol=1e-14)  # per 3.6 MJ as given
    assert search(store, "no such words") == ()
    with pytest.raises(InvalidArgument, match="give one or more words"):
        search(store, "  ")


def test_search_command_json_and_list(hand_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "search", "steel", "--method", "gwp", "--json")
    assert code == 0
    (steel,) = json.loads(out)
    assert (steel["process"], steel["database_name"], steel["reference_unit"]) == ("steel", "foreground",
                                                                                  "kg")
    assert math.isclose(steel["total"], HAND.HAND_TOTALS["steel"], rel_tol=1e-13)
    code, out, _ = _run(capsys, "search", "landfill")  # not a terminal: the list layout, one fact a line
    assert code == 0
    assert out.splitlines()[1:3] == ["- landfill", "    id: landfill"]
    assert "    reference: 1 kg" in out.splitlines() and "    database: background" in out.splitlines()


@pytest.mark.parametrize("command", [
    ["footprint", "nope", "--method", "gwp"], ["tree", "nope", "--method", "gwp"], ["qr", "nope"]])
def test_not_found_is_one_wording_pointing_at_search(
    command: list[str], hand_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, *command)
    assert code == 1 and err.strip().splitlines() == [NOT_FOUND]


def test_records_are_a_table_when_they_fit_else_a_list() -> None:
    rows = [{"process": "a rather long process name, at plant", "id": "x" * 36, "total": "1.5 kg"}]
    wide = Console(width=120, force_terminal=True, record=True)
    print_records(wide, rows)
    assert "┃ process" in wide.export_text() and table_width(rows) <= 120
    narrow = Console(width=60, force_terminal=True, record=True)
    print_records(narrow, rows)
    shown = narrow.export_text().splitlines()
    assert shown == ["- a rather long process name, at plant", f"    id: {'x' * 36}", "    total: 1.5 kg"]
    assert all(len(line) <= 60 for line in shown)
