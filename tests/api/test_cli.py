"""The ``lcagraph`` CLI skeleton: info, cypher (read-only), reset, error lines and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from api.cli import build_app, main
from api.cli.app import COMMANDS
from graph.connect import open_embedded
from graph.writer import write_database_content
from lcagraph.config import PROJECT_ROOT
from lcagraph.records import DatabaseContent


@pytest.fixture
def graph_url(embedded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"embedded://{embedded_dir}"
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", url)
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def fill(embedded_dir: Path, content: DatabaseContent) -> None:
    store = open_embedded(embedded_dir)
    try:
        with store.unit_of_work() as writer:
            write_database_content(writer, content)
    finally:
        store.close()


def test_info_on_a_fresh_embedded_store(graph_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "info", "--json")
    assert code == 0
    info = json.loads(out)
    assert info == {"engine": "falkordb (embedded)", "url": graph_url, "graph_version": 0, "nodes": {},
                    "relationships": {}, "databases": []}


def test_info_counts_per_label(
    graph_url: str, embedded_dir: Path, make_content: Callable[..., DatabaseContent],
    capsys: pytest.CaptureFixture[str],
) -> None:
    fill(embedded_dir, make_content())
    code, out, _ = run(capsys, "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["graph_version"] == 1
    assert info["nodes"]["Process"] == 5 and info["nodes"]["Flow"] == 6
    assert info["relationships"]["PROVIDER"] == 4
    assert [(d["id"], d["processes"]) for d in info["databases"]] == [("sample", 5)]
    code, out, _ = run(capsys, "info")
    assert code == 0
    for text in ("falkordb (embedded)", graph_url, "graph version  1", "Process", "PROVIDER", "sample"):
        assert text in out


def test_cypher_reads(graph_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "cypher", "MATCH (n) RETURN count(n) AS n", "--json")
    assert code == 0
    assert json.loads(out)["rows"] == [[0]]


@pytest.mark.parametrize("statement", ["CREATE (n)", "MERGE (m:Meta {id: 'graph'}) SET m.version = 7"])
def test_cypher_refuses_writes_with_one_line(
    graph_url: str, embedded_dir: Path, capsys: pytest.CaptureFixture[str], statement: str,
) -> None:
    code, out, err = run(capsys, "cypher", statement)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ") and "only read-only statements" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "info", "--json")
    assert json.loads(out)["nodes"] == {}  # nothing was executed


def test_reset_needs_yes_then_deletes(
    graph_url: str, embedded_dir: Path, make_content: Callable[..., DatabaseContent],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill(embedded_dir, make_content())
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "reset")
    assert code == 1 and "lcagraph reset --yes" in err
    code, out, _ = run(capsys, "reset", "--yes")
    assert code == 0 and "16 nodes deleted; graph version 2" in out
    code, out, _ = run(capsys, "info", "--json")
    assert json.loads(out)["nodes"] == {"Meta": 1}


Capsys = pytest.CaptureFixture[str]


def test_configuration_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Capsys) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", "mysql://localhost")
    code, _, err = run(capsys, "info")
    assert code == 1
    assert err.strip() == err.strip().splitlines()[0]
    assert "unknown scheme 'mysql'" in err


def test_neo4j_url_without_password(monkeypatch: pytest.MonkeyPatch, capsys: Capsys) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", "bolt://127.0.0.1:1")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    code, _, err = run(capsys, "info")
    assert code == 1 and "NEO4J_PASSWORD is not set" in err


def test_unreachable_neo4j(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", "bolt://127.0.0.1:1")
    monkeypatch.setenv("NEO4J_PASSWORD", "not-a-real-one")
    code, _, err = run(capsys, "info")
    assert code == 1 and "Neo4j at bolt://127.0.0.1:1" in err and "not reachable" in err


def test_unreachable_falkordb(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", "falkor://:secret@127.0.0.1:1")
    code, _, err = run(capsys, "info")
    assert code == 1 and "not reachable" in err and "secret" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "no-such-command")
    assert code == 2


def test_every_command_is_registered_once() -> None:
    names = [c.name for c in build_app().registered_commands]
    assert len(names) == len(set(names)) == len(COMMANDS)
    assert {"import", "calculate", "footprint", "tree", "check", "info", "reset", "cypher"} <= set(names)


def test_console_script_runs_in_a_fresh_process(embedded_dir: Path) -> None:
    env = {**os.environ, "LCAGRAPH_GRAPH_URL": f"embedded://{embedded_dir}", "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "api.cli", "cypher", "MATCH (n) RETURN count(n)"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "count(n)" in done.stdout
    refused = subprocess.run([sys.executable, "-m", "api.cli", "cypher", "CREATE (n)"], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ")
    assert not (embedded_dir / "falkordb.pid").exists(), "the embedded server must stop with the last client"
