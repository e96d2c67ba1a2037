"""The CLI on a graph that became singular: `calculate`, `footprint` and `tree` print one line,
`error: …` naming the processes, and exit with 1 — no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from graph.connect import open_embedded
from tests.security.api_fixtures import write_hand_system, write_singular_loop


@pytest.mark.parametrize("command", [["calculate"], ["footprint", "R"], ["tree", "R"]])
def test_calculation_failure_is_one_line(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    store = open_embedded(embedded_dir)
    try:
        write_hand_system(store)
        write_singular_loop(store)
    finally:
        store.close()
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    with pytest.raises(SystemExit) as exited:
        main(command)
    _, err = capsys.readouterr()
    assert exited.value.code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "'X'" in lines[0], err
    assert "Traceback" not in err
