"""The example Cypher of docs/graph-model.md runs read-only on a graph holding the sample."""

from __future__ import annotations

import re
from collections.abc import Callable

from graph.falkor import FalkorStore
from graph.writer import write_database_content
from lcagraph.config import PROJECT_ROOT
from lcagraph.records import DatabaseContent

DOC = PROJECT_ROOT / "docs" / "graph-model.md"


def doc_statements() -> list[str]:
    blocks = re.findall(r"```cypher\n(.*?)```", DOC.read_text(), flags=re.S)
    text = "\n".join(line for block in blocks for line in block.splitlines() if not line.startswith("//"))
    return [s.strip() for s in text.split(";") if s.strip()]


def test_doc_examples_run(store: FalkorStore, make_content: Callable[..., DatabaseContent]) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, make_content())
    statements = doc_statements()
    assert len(statements) >= 10
    params = {"id": "bike", "database": "sample", "category": "gwp"}
    results = [store.read(s, params) for s in statements]
    assert results[0] == [{"version": 1}]
    assert {"database": "sample", "kind": "foreground", "processes": 5} in results[1]
    assert all(isinstance(r, list) for r in results)
    chains = next(r for s, r in zip(statements, results, strict=True) if "AS chain" in s)
    assert ["bicycle assembly", "steel production", "electricity, at grid"] in [c["chain"] for c in chains]
