"""Settings read from the environment, once, into a frozen record."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from lcagraph.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    """Environment-derived settings; see README for each variable."""

    graph_url: str
    data_dir: Path
    neo4j_user: str
    neo4j_password: str
    neo4j_database: str
    public_base_url: str
    api_token: str
    solver_backend: str = ""  # LCAGRAPH_SOLVER: pardiso|umfpack|superlu ('' = best installed)
    response_cache: str = "1"  # LCAGRAPH_API_RESPONSE_CACHE: 1 on, 0 off, "schema" (no byte cache)
    data_cache: Path | None = None  # LCAGRAPH_CACHE: where the demo's downloads go
    data_url: str = ""  # LCAGRAPH_DATA_URL: a mirror of the shared data layout


def default_graph_url() -> str:
    """`embedded://` pointing at a per-user data folder."""
    return f"embedded://{Path(user_data_dir('lcagraph')) / 'graph'}"


def find_data_dir() -> Path:
    """Where the shared open data lives: `$LCAGRAPH_DATA`, else `../shared/data` from the project root."""
    env = os.environ.get("LCAGRAPH_DATA")
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "data"


def load_settings() -> Settings:
    """Read settings from the environment."""
    url = os.environ.get("LCAGRAPH_GRAPH_URL", "").strip() or default_graph_url()
    if "://" not in url:
        raise ConfigurationError(
            f"LCAGRAPH_GRAPH_URL={url!r} has no scheme; use embedded:///path, falkor://host:port "
            "or bolt://host:7687"
        )
    return Settings(
        graph_url=url,
        data_dir=find_data_dir(),
        neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("NEO4J_PASSWORD", ""),
        neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        api_token=os.environ.get("LCAGRAPH_API_TOKEN", ""),
        solver_backend=os.environ.get("LCAGRAPH_SOLVER", "").strip().lower(),
        response_cache=os.environ.get("LCAGRAPH_API_RESPONSE_CACHE", "1").strip() or "1",
        data_cache=Path(os.environ["LCAGRAPH_CACHE"]) if os.environ.get("LCAGRAPH_CACHE") else None,
        data_url=os.environ.get("LCAGRAPH_DATA_URL", "").strip(),
    )
