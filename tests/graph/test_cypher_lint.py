"""Every Cypher constant passes Neo4j's own linter and is accepted by FalkorDB.

The linter is @neo4j-cypher/language-support (pinned in tools/cypherlint/package.json,
installed by ./scripts/test with `npm ci`), run offline by tools/cypherlint/lint.mjs. Without a
database schema it cannot know parameters, so "Parameter $x is not defined." is the one
diagnostic accepted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from graph import queries
from graph.falkor import FalkorStore
from lcagraph.config import PROJECT_ROOT

LINTER = PROJECT_ROOT / "tools" / "cypherlint"
ACCEPTED = re.compile(r"^Parameter \$\w+ is not defined\.$")


def cypher_constants() -> dict[str, str]:
    """Every UPPER_CASE string constant of graph.queries (each one is a Cypher statement)."""
    return {name: value for name, value in vars(queries).items()
            if name.isupper() and not name.startswith("_") and isinstance(value, str)}


def cypher_problems(statements: dict[str, str]) -> dict[str, list[str]]:
    """Run the linter; per statement, the diagnostics other than undefined parameters."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the Cypher linter; install Node 20+ and run ./scripts/test")
    if not (LINTER / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        pytest.fail(f"the Cypher linter is not installed: run `npm ci` in {LINTER} (./scripts/test does it)")
    done = subprocess.run([node, str(LINTER / "lint.mjs")], input=json.dumps(statements), capture_output=True,
                          text=True, timeout=300, check=False, cwd=LINTER)
    assert done.returncode == 0, done.stderr
    found: dict[str, list[dict[str, Any]]] = json.loads(done.stdout)
    return {name: [d["message"] for d in diagnostics if not ACCEPTED.match(d["message"])]
            for name, diagnostics in found.items()}


def test_queries_module_has_the_statements() -> None:
    constants = cypher_constants()
    assert len(constants) > 50
    assert "UPSERT_PROCESSES" in constants and "GRAPH_VERSION" in constants


BROKEN = {
    "BROKEN_SYNTAX": "MATCH (p:Process {id: $id} RETURN p.name",
    "BROKEN_VARIABLE": "MATCH (p:Process) RETURN q.name AS name",
    "BROKEN_KEYWORD": "MATCH (p:Process) RETRUN p.name",
}


@pytest.fixture(scope="module")
def lint_report() -> dict[str, list[str]]:
    """One linter run (Node start-up and the grammar load take seconds) for all checks below."""
    fine = {"FINE": "MATCH (p:Process {id: $id}) RETURN p.name"}
    return cypher_problems({**cypher_constants(), **BROKEN, **fine, **doc_examples()})


def doc_examples() -> dict[str, str]:
    """The example statements of docs/graph-model.md, named DOC_1, DOC_2, …"""
    text = (PROJECT_ROOT / "docs" / "graph-model.md").read_text()
    blocks = re.findall(r"```cypher\n(.*?)```", text, flags=re.S)
    lines = "\n".join(line for block in blocks for line in block.splitlines() if not line.startswith("//"))
    statements = [s.strip() for s in lines.split(";") if s.strip()]
    return {f"DOC_{i}": statement for i, statement in enumerate(statements, 1)}


def test_every_cypher_constant_passes_the_neo4j_linter(lint_report: dict[str, list[str]]) -> None:
    problems = {name: lint_report[name] for name in cypher_constants() if lint_report[name]}
    assert problems == {}


def test_the_documented_examples_pass_the_neo4j_linter(lint_report: dict[str, list[str]]) -> None:
    examples = doc_examples()
    assert len(examples) >= 10
    assert {name: lint_report[name] for name in examples if lint_report[name]} == {}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_linter_check_fails_on_a_broken_statement(lint_report: dict[str, list[str]], name: str) -> None:
    assert lint_report[name], f"{BROKEN[name]!r} must be reported"
    assert lint_report["FINE"] == []


def _falkor_params(statement: str) -> dict[str, Any]:
    lists = {"rows", "ids", "databases", "words"}
    counts = {"offset", "limit"}  # SKIP/LIMIT are planned only with a whole number
    return {name: [] if name in lists else 0 if name in counts else None
            for name in re.findall(r"\$(\w+)", statement)}


def test_every_cypher_constant_is_accepted_by_falkordb(store: FalkorStore) -> None:
    """FalkorDB plans each statement (GRAPH.EXPLAIN parses and resolves it without running it).
    Neo4j-only DDL is skipped here; its FalkorDB counterparts run in ensure_schema."""
    with pytest.raises(Exception, match="Invalid input"):  # the check can fail
        store._main.explain("MATCH (p:Process {id: $id} RETURN p.name", {"id": None})
    rejected = {}
    for name, statement in cypher_constants().items():
        if name.startswith(("NEO4J_", "FALKOR_")):
            continue
        try:
            store._main.explain(statement, _falkor_params(statement))
        except Exception as e:  # noqa: BLE001 - collect every rejection to report them together
            rejected[name] = str(e)
    assert rejected == {}


def test_linter_is_pinned_with_a_lock_file() -> None:
    package = json.loads((LINTER / "package.json").read_text())
    assert package["dependencies"]["@neo4j-cypher/language-support"] == "2.0.0-next.38"
    lock = json.loads((LINTER / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@neo4j-cypher/language-support"]["version"] == "2.0.0-next.38"
    assert Path(LINTER / "lint.mjs").is_file()
