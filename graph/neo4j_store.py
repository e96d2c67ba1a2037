"""Neo4j 5 adapter of the graph store (official ``neo4j`` driver; bolt://, neo4j://, neo4j+s://).

A unit of work is one explicit transaction: committed with the version bump, or rolled back.
Reads run in READ access-mode transactions, which the server refuses to let write, so a
write statement sent to :meth:`Neo4jStore.read` fails without changing anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as nx
from neo4j.graph import Node, Path, Relationship

from graph import queries as q
from graph.store import BatchRow, Params, Row, Writer, iter_batches
from lcagraph.errors import EngineError, EngineUnavailable, ReadOnlyViolation

T = TypeVar("T")
ACCESS_MODE_CODES = (
    "Neo.ClientError.Statement.AccessMode",
    "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
)


def plain_value(value: Any) -> Any:
    """Driver objects to plain data, in the same shapes as the FalkorDB adapter."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": plain_value(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": plain_value(dict(value))}
    if isinstance(value, Path):
        return {"nodes": [plain_value(n) for n in value.nodes],
                "relationships": [plain_value(r) for r in value.relationships]}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    return value


def _rows(result: neo4j.Result) -> list[Row]:
    return [{key: plain_value(record[key]) for key in record.keys()} for record in result]  # noqa: SIM118


class Neo4jWriter:
    """Runs statements inside the unit's explicit transaction."""

    def __init__(self, store: Neo4jStore, tx: neo4j.Transaction) -> None:
        self._store = store
        self._tx = tx

    def run(self, query: str, params: Params | None = None) -> list[Row]:
        return self._store.call(lambda: _rows(self._tx.run(query, dict(params or {}))), query)

    def run_batches(
        self, query: str, rows: Sequence[BatchRow], batch_size: int = 5000,
        *, params: Params | None = None,
    ) -> None:
        for batch in iter_batches(rows, batch_size):
            self.run(query, {**(params or {}), "rows": batch})


class Neo4jStore:
    """The graph store on a Neo4j 5 database."""

    engine = "neo4j"

    def __init__(self, driver: neo4j.Driver, url: str, *, database: str = "neo4j") -> None:
        self.url = url
        self.database = database
        self._driver = driver

    def read(self, query: str, params: Params | None = None, *, timeout_s: float | None = None) -> list[Row]:
        @neo4j.unit_of_work(timeout=timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return _rows(tx.run(query, dict(params or {})))

        def action() -> list[Row]:
            with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
                return s.execute_read(work)

        return self.call(action, query)

    def graph_version(self) -> int:
        rows = self.read(q.GRAPH_VERSION)
        return int(rows[0]["version"]) if rows else 0

    def write(self, query: str, params: Params | None = None) -> list[Row]:
        def action() -> list[Row]:
            with self._driver.session(database=self.database) as s:
                return s.execute_write(lambda tx: _rows(tx.run(query, dict(params or {}))))

        return self.call(action, query)

    def write_batches(
        self, query: str, rows: Sequence[BatchRow], batch_size: int = 5000,
        *, params: Params | None = None,
    ) -> None:
        for batch in iter_batches(rows, batch_size):
            self.write(query, {**(params or {}), "rows": batch})

    @contextmanager
    def unit_of_work(self) -> Iterator[Writer]:
        session = self.call(lambda: self._driver.session(database=self.database))
        try:
            tx = self.call(session.begin_transaction)
            try:
                writer = Neo4jWriter(self, tx)
                yield writer
                writer.run(q.BUMP_GRAPH_VERSION, {"uid": uuid.uuid4().hex})
                self.call(tx.commit)
            finally:
                if not tx.closed():
                    tx.rollback()
        finally:
            session.close()

    def ensure_schema(self) -> None:
        for statement in q.NEO4J_SCHEMA:
            self.write(statement)

    def reset(self) -> None:
        with self.unit_of_work() as writer:
            writer.run(q.DELETE_ALL_MODEL_DATA)

    def close(self) -> None:
        self._driver.close()

    def call(self, action: Callable[[], T], query: str = "") -> T:
        """Run a driver action; wrap driver errors in lcagraph's."""
        try:
            return action()
        except (nx.ServiceUnavailable, nx.SessionExpired, nx.AuthError, OSError) as e:
            raise EngineUnavailable(
                f"Neo4j at {self.url} (database {self.database!r}) is not reachable: {e}; check the URL, "
                "NEO4J_USER / NEO4J_PASSWORD and that the server is running"
            ) from e
        except nx.Neo4jError as e:
            if e.code in ACCESS_MODE_CODES:
                raise ReadOnlyViolation(
                    "this statement writes to the graph and only read-only statements are allowed here "
                    "(nothing was executed); use a MATCH … RETURN statement"
                ) from e
            raise EngineError(f"Neo4j rejected the statement {_brief(query)}: {e.message or e}") from e
        except nx.DriverError as e:
            raise EngineError(f"the Neo4j driver failed on {_brief(query)}: {e}") from e


def _brief(query: str) -> str:
    text = " ".join(query.split())
    return repr(text if len(text) <= 120 else text[:117] + "...")


def connect_neo4j(url: str, user: str, password: str, database: str) -> Neo4jStore:
    """Open a driver and check that the server answers (EngineUnavailable otherwise)."""
    try:
        driver = neo4j.GraphDatabase.driver(url, auth=(user, password))
    except (ValueError, nx.ConfigurationError) as e:
        raise EngineUnavailable(f"cannot use the Neo4j URL {url!r}: {e}") from e
    store = Neo4jStore(driver, url, database=database)
    store.call(driver.verify_connectivity)
    return store
