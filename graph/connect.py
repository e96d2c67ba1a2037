"""Open the graph store that ``LCAGRAPH_GRAPH_URL`` names.

- ``embedded:///path/to/dir`` — FalkorDB started by lcagraph, data in that folder (default:
  a per-user data folder, see ``lcagraph.config.default_graph_url``);
- ``falkor://[:password@]host:port[/graph]`` — an existing FalkorDB server;
- ``bolt://…``, ``bolt+s://…``, ``neo4j://…``, ``neo4j+s://…`` — Neo4j 5, with NEO4J_USER,
  NEO4J_PASSWORD and NEO4J_DATABASE.
"""

from __future__ import annotations

import atexit
import os
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import redis
from falkordb import FalkorDB

from graph.embedded import start_server
from graph.falkor import DEFAULT_GRAPH, FalkorStore
from graph.locks import FileLock, RedisLock
from graph.store import GraphStore
from lcagraph.config import Settings, default_graph_url
from lcagraph.errors import ConfigurationError, EngineUnavailable

NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
WRITE_LOCK_TIMEOUT_S = 30.0


def open_store(settings: Settings, *, ensure_schema: bool = True) -> GraphStore:
    """Connect to (and for ``embedded://`` start) the configured engine; create the schema."""
    url = settings.graph_url
    scheme = url.split("://", 1)[0].lower()
    store: GraphStore
    if scheme == "embedded":
        store = open_embedded(embedded_dir(url), url=url)
    elif scheme == "falkor":
        store = _open_falkor(url)
    elif scheme in NEO4J_SCHEMES:
        if not settings.neo4j_password:
            raise ConfigurationError(
                f"LCAGRAPH_GRAPH_URL={url!r} is a Neo4j server but NEO4J_PASSWORD is not set; "
                "export NEO4J_PASSWORD (and NEO4J_USER if not 'neo4j')"
            )
        from graph.neo4j_store import connect_neo4j  # the driver takes a second to import

        store = connect_neo4j(url, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database)
    else:
        raise ConfigurationError(
            f"LCAGRAPH_GRAPH_URL={url!r} has an unknown scheme {scheme!r}; use embedded:///path, "
            "falkor://host:port or bolt://host:7687 (neo4j://, neo4j+s:// too)"
        )
    if ensure_schema:
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
    return store


def embedded_dir(url: str) -> Path:
    """The data folder of an ``embedded://`` URL (``embedded://`` alone: the per-user default)."""
    path = unquote(url.split("://", 1)[1])
    if not path:
        path = default_graph_url().split("://", 1)[1]
    return Path(path).expanduser().resolve()


def open_embedded(
    data_dir: Path, *, url: str | None = None, graph: str = DEFAULT_GRAPH, stop_on_close: bool = True,
) -> FalkorStore:
    """Start (or reuse) the embedded server of ``data_dir`` and open the store on graph ``graph``.

    The server stops when the last lcagraph client closes (``close()`` or interpreter exit);
    ``stop_on_close=False`` leaves it running (a test session shares one server).
    """
    server = start_server(data_dir)
    name = f"lcagraph-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        client = FalkorDB(unix_socket_path=str(server.socket_path), client_name=name)
    except (redis.RedisError, OSError) as e:
        raise EngineUnavailable(
            f"the embedded FalkorDB server in {server.data_dir} does not answer: {e}"
        ) from e
    lock = FileLock(server.data_dir / f"write-{graph}.lock", timeout_s=WRITE_LOCK_TIMEOUT_S)
    store = FalkorStore(
        client, url or f"embedded://{server.data_dir}", lock=lock, graph=graph,
        server=server, client_name=name, stop_on_close=stop_on_close,
    )
    atexit.register(store.close)
    return store


def _open_falkor(url: str) -> FalkorStore:
    parts = urlsplit(url)
    try:
        port = parts.port or 6379
    except ValueError as e:
        raise ConfigurationError(f"LCAGRAPH_GRAPH_URL={url!r}: the port is not a number") from e
    graph = parts.path.strip("/") or DEFAULT_GRAPH
    shown = redact_url(url)
    try:
        client = FalkorDB(
            host=parts.hostname or "localhost", port=port, username=parts.username or None,
            password=unquote(parts.password) if parts.password else None, socket_connect_timeout=10,
        )
    except (redis.RedisError, OSError) as e:
        raise EngineUnavailable(
            f"the FalkorDB server at {shown} is not reachable: {e}; start it or fix LCAGRAPH_GRAPH_URL"
        ) from e
    lock = RedisLock(client.connection, f"lcagraph:write-lock:{graph}", timeout_s=WRITE_LOCK_TIMEOUT_S)
    return FalkorStore(client, shown, lock=lock, graph=graph)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and ``lcagraph info``)."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
