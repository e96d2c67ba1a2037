"""FalkorDB adapter of the graph store (embedded server or an existing one at falkor://host:port).

All-or-nothing units of work: FalkorDB runs each statement atomically but has no multi-statement
transactions, so a unit copies the main graph to a staging key (``GRAPH.COPY``), runs its
statements there, bumps the version there and ``RENAME``s the staging key over the main key.
RENAME is one atomic command; a crash before it leaves the main graph untouched (the staging key
is dropped by the next unit). Readers keep reading the last committed graph meanwhile.

Numbers: FalkorDB stores doubles exactly but its replies print them with 15 significant digits,
so a value read back may differ from the one written by up to 5e-15 (relative). Values written
as decimals of 15 digits or fewer (as in every dataset format) come back exactly.
"""

from __future__ import annotations

import atexit
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import redis
from falkordb import FalkorDB, Graph

from graph import falkor_reply as reply
from graph import queries as q
from graph.embedded import (
    EmbeddedServer,
    aof_has_grown,
    rewrite_aof,
    stop_server,
    wait_for_aof_rewrite,
)
from graph.engine_log import disk_full_note
from graph.locks import WriteLock
from graph.store import BatchRow, Params, Row, Writer, iter_batches
from lcagraph.errors import EngineError, EngineUnavailable, InvalidArgument, ReadOnlyViolation

T = TypeVar("T")
DEFAULT_GRAPH = "lcagraph"
STAGE_SUFFIX = "~stage"
RO_REFUSAL = "to be executed only on read-only queries"
AOF_REWRITE_TIMEOUT_S = 600.0


class FalkorWriter:
    """Runs statements on the staging graph of an open unit of work."""

    def __init__(self, store: FalkorStore, graph: Graph) -> None:
        self._store = store
        self._graph = graph

    def run(self, query: str, params: Params | None = None) -> list[Row]:
        self._store.lock.refresh()
        return self._store.run_query(self._graph, query, params)

    def run_batches(
        self, query: str, rows: Sequence[BatchRow], batch_size: int = 5000,
        *, params: Params | None = None,
    ) -> None:
        for batch in iter_batches(rows, batch_size):
            self.run(query, {**(params or {}), "rows": batch})


class FalkorStore:
    """The graph store on FalkorDB; one named graph (``graph``) on one server."""

    engine = "falkordb"

    def __init__(
        self, client: FalkorDB, url: str, *, lock: WriteLock, graph: str = DEFAULT_GRAPH,
        server: EmbeddedServer | None = None, client_name: str | None = None, stop_on_close: bool = True,
    ) -> None:
        self.url = url
        self.lock = lock
        self.graph_name = graph
        self.server = server  # the embedded engine lcagraph runs (None: a server it only talks to)
        self.stop_on_close = stop_on_close
        self._client = client
        self._client_name = client_name
        self._main = client.select_graph(graph)
        self._unit_thread: int | None = None
        self._closed = False

    # -- reads -----------------------------------------------------------------------------

    def read(self, query: str, params: Params | None = None, *, timeout_s: float | None = None) -> list[Row]:
        if not self._exists(self.graph_name):
            return []
        timeout_ms = None if timeout_s is None else max(1, int(timeout_s * 1000))
        return self.run_query(self._main, query, params, read_only=True, timeout_ms=timeout_ms)

    def graph_version(self) -> int:
        rows = self.read(q.GRAPH_VERSION)
        return int(rows[0]["version"]) if rows else 0

    # -- writes ----------------------------------------------------------------------------

    def write(self, query: str, params: Params | None = None) -> list[Row]:
        self._refuse_inside_unit("write")
        with self.lock.held():
            return self.run_query(self._main, query, params)

    def write_batches(
        self, query: str, rows: Sequence[BatchRow], batch_size: int = 5000,
        *, params: Params | None = None,
    ) -> None:
        self._refuse_inside_unit("write_batches")
        for batch in iter_batches(rows, batch_size):
            with self.lock.held():
                self.run_query(self._main, query, {**(params or {}), "rows": batch})
        with self.lock.held():
            self._compact_if_grown(wait=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Writer]:
        self._refuse_inside_unit("unit_of_work")
        stage = self.graph_name + STAGE_SUFFIX
        with self.lock.held():
            self.call(lambda: self._conn.delete(stage))  # left over by a crashed unit
            new_graph = not self._exists(self.graph_name)
            if new_graph:
                self._create_schema(self._client.select_graph(stage))
            else:
                with self._forking():
                    self.call(lambda: self._main.copy(stage))
            writer = FalkorWriter(self, self._client.select_graph(stage))
            self._unit_thread = threading.get_ident()
            try:
                yield writer
                writer.run(q.BUMP_GRAPH_VERSION, {"uid": uuid.uuid4().hex})
                self.call(lambda: self._conn.rename(stage, self.graph_name))
                self._compact_if_grown(force=new_graph)
            except BaseException:
                with suppress(redis.RedisError, OSError):
                    self._conn.delete(stage)
                raise
            finally:
                self._unit_thread = None

    def reset(self) -> None:
        with self.unit_of_work() as writer:
            writer.run(q.DELETE_ALL_MODEL_DATA)

    def _compact_if_grown(self, *, wait: bool = True, force: bool = False) -> None:
        """An embedded engine's append-only file rewritten once it has grown (a start replays it:
        unrewritten, every unit's copy of the graph would be decoded again), and always (``force``)
        once a graph's indexes were created: a start replays the statements after the last rewrite
        without the indexes created among them (their build waits for the replay's end), so each
        row of a `MATCH (r:Result {id: row.id})` scanned every Result (60,000 rows took over 2 min
        of CPU); with the indexes in the rewritten base the same replay took 1 s. Under the server's fork
        lock: the rewrite forks, and so does GRAPH.COPY, which hangs if the two overlap (also for
        another graph's unit: graph/embedded.py). Without ``wait`` (batched writes such as a
        calculation's results) the rewrite runs on in the server's child process; the next fork
        waits for it (_forking)."""
        if self.server is None:
            return
        if force or self.call(lambda: aof_has_grown(self._conn)):
            with self._forking():
                if wait:
                    self.call(lambda: rewrite_aof(self._conn, AOF_REWRITE_TIMEOUT_S))
                else:
                    self.call(self._conn.bgrewriteaof)

    @contextmanager
    def _forking(self) -> Iterator[None]:
        """The server's fork lock, once no rewrite is running (one may have been left running)."""
        if self.server is None:
            yield
            return
        with self.server.fork_lock().held():
            self.call(lambda: wait_for_aof_rewrite(self._conn, AOF_REWRITE_TIMEOUT_S))
            yield

    # -- schema ----------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        if self._schema_complete(self._main):
            return
        self._refuse_inside_unit("ensure_schema")
        with self.lock.held():
            self._create_schema(self._main)
            self._compact_if_grown(force=True)

    def _schema_complete(self, graph: Graph) -> bool:
        if not self._exists(graph.name):
            return False
        indexed = {(r["label"], prop) for r in self.run_query(graph, q.FALKOR_LIST_INDEXES, read_only=True)
                   for prop in r["properties"]}
        wanted = {(label, "id") for label in q.UNIQUE_ID_LABELS} | {
            ("Process", "name"), ("Process", "database"), ("Flow", "name"), ("Flow", "cas")}
        return wanted <= indexed and set(q.UNIQUE_ID_LABELS) <= self._unique_labels(graph)

    def _unique_labels(self, graph: Graph) -> set[str]:
        rows = self.run_query(graph, q.FALKOR_LIST_CONSTRAINTS, read_only=True)
        return {str(r["label"]) for r in rows if r["type"] == "UNIQUE"}

    def _create_schema(self, graph: Graph) -> None:
        for statement in q.FALKOR_SCHEMA:
            try:
                graph.query(statement)
            except redis.ResponseError as e:
                if "already indexed" not in str(e):
                    raise EngineError(f"FalkorDB refused the index {statement!r}: {e}") from e
            except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
                raise self._unreachable(e) from e
        existing = self._unique_labels(graph)
        for label in q.UNIQUE_ID_LABELS:
            if label not in existing:
                self._create_unique_constraint(graph.name, label)

    def _create_unique_constraint(self, graph_name: str, label: str) -> None:
        conn: Any = self._conn  # execute_command is untyped in redis-py
        command = ("GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE", label, "PROPERTIES", 1, "id")
        self.call(lambda: conn.execute_command(*command), "GRAPH.CONSTRAINT")

    # -- plumbing --------------------------------------------------------------------------

    @property
    def _conn(self) -> redis.Redis:
        conn: redis.Redis = self._client.connection
        return conn

    def _exists(self, key: str) -> bool:
        return bool(self.call(lambda: self._conn.exists(key)))

    def _refuse_inside_unit(self, what: str) -> None:
        if self._unit_thread == threading.get_ident():
            raise InvalidArgument(
                f"{what}() was called inside an open unit of work; "
                "run the statement through the unit's writer"
            )

    def run_query(
        self, graph: Graph, query: str, params: Params | None = None, *, read_only: bool = False,
        timeout_ms: int | None = None,
    ) -> list[Row]:
        """Run one statement on ``graph``; rows as plain dicts keyed by the RETURN names."""
        conn: Any = self._conn  # execute_command is untyped in redis-py
        args = reply.command(graph, query, params, read_only=read_only, timeout_ms=timeout_ms)
        return self.call(lambda: reply.rows_of(conn.execute_command(*args), graph), query)

    def call(self, action: Callable[[], T], query: str = "") -> T:
        """Run a driver action; wrap driver errors in lcagraph's."""
        try:
            result = action()
        except redis.ResponseError as e:
            if RO_REFUSAL in str(e):
                raise ReadOnlyViolation(
                    "this statement writes to the graph and only read-only statements are allowed here "
                    "(nothing was executed); use a MATCH … RETURN statement"
                ) from e
            if "timed out" in str(e).lower():
                raise EngineError(f"FalkorDB stopped the statement (time-out): {_brief(query)}") from e
            raise EngineError(f"FalkorDB rejected the statement {_brief(query)}: {e}") from e
        except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
            raise self._unreachable(e) from e
        return result

    def _unreachable(self, e: Exception) -> EngineUnavailable:
        full = disk_full_note(self.server.data_dir) if self.server is not None else ""
        if full:
            return EngineUnavailable(full[0].upper() + full[1:])
        return EngineUnavailable(
            f"the FalkorDB server at {self.url} is not reachable ({e}); if it was stopped or crashed, "
            "run the command again (the embedded server restarts and replays its append-only file)"
        )

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        with suppress(redis.RedisError, OSError):
            self._client.connection.close()
        if self.server is not None and self.stop_on_close:
            with suppress(redis.RedisError, OSError):
                stop_server(self.server, only_if_unused_by=self._client_name)


def _brief(query: str) -> str:
    text = " ".join(query.split())
    return repr(text if len(text) <= 120 else text[:117] + "...")
