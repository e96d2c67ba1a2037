"""The graph store: one interface, two engine adapters (embedded/remote FalkorDB, Neo4j 5).

Domain code above this module never knows which engine it talks to. Statements come from
``graph.queries`` only; values travel as parameters, never formatted into the text.
Rows come back as plain dicts of scalars and lists (nodes and relationships, where a statement
returns them, as ``{"labels"|"type": …, "properties": {…}}``).

Open one with ``graph.connect.open_store(settings)``; the adapters are ``graph.falkor.FalkorStore``
(embedded or remote FalkorDB) and ``graph.neo4j_store.Neo4jStore``. Whole databases are written
by ``graph.writer.write_database_content`` and read back by ``graph.reader``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Row = dict[str, Any]
Params = Mapping[str, Any]
#: A row of a batched write: a map (``row.name``) or a list (``row[i]``, positional: the
#: parameter text is half as long, see graph/rows.py).
BatchRow = Mapping[str, Any] | Sequence[Any]


class Writer(Protocol):
    """Runs write statements inside one all-or-nothing unit of work."""

    def run(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one statement inside the unit; its effects are visible to later statements of the unit."""
        ...

    def run_batches(
        self, query: str, rows: Sequence[BatchRow], batch_size: int = 5000,
        *, params: Params | None = None,
    ) -> None:
        """Run ``query`` (which starts with ``UNWIND $rows AS row``) over ``rows`` in batches;
        ``params`` are passed unchanged to every batch (e.g. ``{"database": ...}``)."""
        ...


class GraphStore(Protocol):
    """The system of record. ``engine`` is "falkordb" or "neo4j"; ``url`` as configured."""

    engine: str
    url: str

    def read(self, query: str, params: Params | None = None, *, timeout_s: float | None = None) -> list[Row]:
        """Run a read-only statement; a statement that writes raises ReadOnlyViolation."""
        ...

    def write(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one write statement atomically (cache writes, small updates); does not bump the version."""
        ...

    def write_batches(
        self, query: str, rows: Sequence[BatchRow], batch_size: int = 5000,
        *, params: Params | None = None,
    ) -> None:
        """Idempotent batched writes outside a unit of work (result caches); each batch is atomic."""
        ...

    def unit_of_work(self) -> AbstractContextManager[Writer]:
        """All-or-nothing unit: everything written inside is committed together, with the graph
        version bumped by one, or nothing is (on any exception, or a crash of either process)."""
        ...

    def graph_version(self) -> int:
        """The counter that changes with every committed unit of work."""
        ...

    def ensure_schema(self) -> None:
        """Create uniqueness constraints and indexes (engine-specific DDL, idempotent)."""
        ...

    def reset(self) -> None:
        """Delete every node and relationship; the version keeps counting up."""
        ...

    def close(self) -> None:
        """Release connections (and stop an embedded server this process started)."""
        ...


def iter_batches(rows: Sequence[BatchRow], size: int) -> Iterator[list[BatchRow]]:
    """Split rows into lists of at most ``size``."""
    for start in range(0, len(rows), size):
        yield list(rows[start:start + size])
