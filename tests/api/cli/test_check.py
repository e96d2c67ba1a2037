"""``lcagraph check`` reads at 80 columns and in logs (a list of records where a table does not
fit), tells information (flows outside the method) from defects, and ``--strict`` names them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from api.cli import main
from graph.connect import open_embedded
from graph.writer import write_database_content
from lcagraph.records import DatabaseContent


def test_check_is_a_list_at_80_columns_and_strict_names_the_defects(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    make_content: Callable[..., DatabaseContent],
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    monkeypatch.setenv("COLUMNS", "80")
    store = open_embedded(embedded_dir)
    try:
        with store.unit_of_work() as writer:
            write_database_content(writer, make_content())
    finally:
        store.close()
    with pytest.raises(SystemExit) as strict:
        main(["check", "--method", "gwp", "--strict"])
    assert strict.value.code == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert not any(c in out for c in "┏┃│"), "no box table in a log or at 80 columns"
    assert lines[:2] == ["completeness", "- sample"]
    assert "    complete: no" in lines and any(line.startswith("    missing providers: ") for line in lines)
    assert any(line.startswith("    not covered by the method: ") and line.endswith("(information)")
               for line in lines)
    assert err.strip().startswith("check --strict: defects in sample (")
    assert "not covered" not in err  # information never fails --strict
