"""Settings read from the environment, once, into a frozen record."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

from platformdirs import user_data_dir

from lcagraph.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class InputLimits:
    """Limits on imported files, checked before the work they would cause (docs/security.md).

    Each field is overridable by the environment variable named in ``LIMIT_VARIABLES``. The
    defaults leave a wide margin over real data: USLCI FY17 Q4 has 6,485 members (24 MB
    uncompressed, member ratio <= 11), JSON depth 6, strings <= 14 kB and <= 1,201 exchanges per
    process; formulas in openLCA data are short expressions.
    """

    archive_bytes: int = 4 << 30
    """Largest file given to an import (a zip, or a single XML file), in bytes."""
    members: int = 200_000
    """Largest number of files in a package (zipfile holds ~0.5 kB per entry in memory)."""
    member_bytes: int = 1 << 30
    """Largest single member, uncompressed, in bytes."""
    total_bytes: int = 8 << 30
    """Largest total uncompressed size of a package, in bytes."""
    ratio: float = 100.0
    """Largest uncompressed/compressed ratio, of any member above 64 KiB and of the whole package."""
    json_depth: int = 64
    """Deepest nesting of JSON arrays and objects in one file."""
    string_bytes: int = 100_000
    """Longest string (JSON string, XML text or attribute) in bytes."""
    exchanges: int = 100_000
    """Most exchanges in one process."""
    formula_chars: int = 10_000
    """Longest formula, in characters."""
    formula_depth: int = 50
    """Deepest nesting of parentheses and function calls in a formula."""


LIMIT_VARIABLES = {
    "archive_bytes": "LCAGRAPH_MAX_ARCHIVE_BYTES",
    "members": "LCAGRAPH_MAX_MEMBERS",
    "member_bytes": "LCAGRAPH_MAX_MEMBER_BYTES",
    "total_bytes": "LCAGRAPH_MAX_UNCOMPRESSED_BYTES",
    "ratio": "LCAGRAPH_MAX_RATIO",
    "json_depth": "LCAGRAPH_MAX_JSON_DEPTH",
    "string_bytes": "LCAGRAPH_MAX_STRING_BYTES",
    "exchanges": "LCAGRAPH_MAX_EXCHANGES",
    "formula_chars": "LCAGRAPH_MAX_FORMULA_CHARS",
    "formula_depth": "LCAGRAPH_MAX_FORMULA_DEPTH",
}


def read_input_limits() -> InputLimits:
    """InputLimits with each field taken from its environment variable where set (positive)."""
    values: dict[str, int | float] = {}
    for f in fields(InputLimits):
        variable = LIMIT_VARIABLES[f.name]
        raw = os.environ.get(variable, "").strip()
        if not raw:
            continue
        kind = float if f.name == "ratio" else int
        try:
            value = kind(raw)
        except ValueError:
            value = 0
        if not value > 0:
            raise ConfigurationError(f"{variable}={raw!r} is not a positive number; unset it or give e.g. "
                                     f"{getattr(InputLimits(), f.name)}")
        values[f.name] = value
    return InputLimits(**values)  # type: ignore[arg-type]


@cache
def input_limits() -> InputLimits:
    """The input limits of this process (environment read once; tests call cache_clear)."""
    return read_input_limits()


@dataclass(frozen=True, slots=True)
class PactCallback:
    """A data recipient lcagraph sends PACT events to: its base URL (events go to
    ``{url}/3/events``) and the client credentials it issued to us for its ``{url}/auth/token``."""

    url: str
    client_id: str
    client_secret: str = field(repr=False)  # never in a log line or a traceback
    token_url: str = ""  # where the recipient issues tokens, if not at {url}/auth/token


@dataclass(frozen=True, slots=True)
class PactSettings:
    """The PACT v3.0 API (api/pact). ``token_key`` signs access tokens (empty: a random key per
    process, so tokens do not survive a restart nor cross workers); ``callbacks`` are the only
    addresses events are sent to."""

    require_https: bool = False
    token_key: str = field(default="", repr=False)
    token_lifetime_s: int = 3600
    callbacks: tuple[PactCallback, ...] = ()


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
    input_limits: InputLimits = field(default_factory=InputLimits)
    # LCAGRAPH_ALLOWED_HOSTS: host names served when PUBLIC_BASE_URL is unset (links are built from them)
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    max_request_bytes: int = 1 << 20  # LCAGRAPH_MAX_REQUEST_BYTES: a request body other than an upload
    cors_origins: tuple[str, ...] = ()  # LCAGRAPH_CORS_ORIGINS: none = no cross-origin reads
    pact: PactSettings = field(default_factory=PactSettings)


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
        input_limits=input_limits(),
        allowed_hosts=_words("LCAGRAPH_ALLOWED_HOSTS", "127.0.0.1,localhost"),
        max_request_bytes=_positive("LCAGRAPH_MAX_REQUEST_BYTES", 1 << 20),
        cors_origins=_words("LCAGRAPH_CORS_ORIGINS", ""),
        pact=load_pact_settings(),
    )


def load_pact_settings() -> PactSettings:
    """``LCAGRAPH_PACT_REQUIRE_HTTPS`` (1/true/yes), ``LCAGRAPH_PACT_TOKEN_KEY``,
    ``LCAGRAPH_PACT_TOKEN_LIFETIME`` (seconds) and ``LCAGRAPH_PACT_CALLBACKS`` (a JSON list of
    ``{"url", "client_id", "client_secret"[, "token_url"]}``)."""
    lifetime = os.environ.get("LCAGRAPH_PACT_TOKEN_LIFETIME", "3600").strip()
    if not lifetime.isdigit() or int(lifetime) == 0:
        raise ConfigurationError(f"LCAGRAPH_PACT_TOKEN_LIFETIME={lifetime!r}: give whole seconds > 0")
    require_https = os.environ.get("LCAGRAPH_PACT_REQUIRE_HTTPS", "").strip().lower()
    return PactSettings(
        require_https=require_https in {"1", "true", "yes"},
        token_key=os.environ.get("LCAGRAPH_PACT_TOKEN_KEY", ""),
        token_lifetime_s=int(lifetime),
        callbacks=_pact_callbacks(os.environ.get("LCAGRAPH_PACT_CALLBACKS", "").strip()),
    )


def _pact_callbacks(text: str) -> tuple[PactCallback, ...]:
    if not text:
        return ()
    fix = 'write [{"url": "https://…", "client_id": "…", "client_secret": "…"}, …]'
    try:
        entries = json.loads(text)
        callbacks = tuple(
            PactCallback(str(e["url"]).rstrip("/"), str(e["client_id"]), str(e["client_secret"]),
                         str(e.get("token_url", "")))
            for e in entries
        )
    except (ValueError, TypeError, KeyError) as e:
        raise ConfigurationError(f"LCAGRAPH_PACT_CALLBACKS is not a list of callbacks ({e}): {fix}") from e
    for callback in callbacks:
        if not callback.url.startswith(("https://", "http://")):
            raise ConfigurationError(f"LCAGRAPH_PACT_CALLBACKS: url {callback.url!r} is not http(s); {fix}")
    return callbacks


def _words(variable: str, default: str) -> tuple[str, ...]:
    """A comma-separated list from the environment, lower-cased, empty entries dropped."""
    text = os.environ.get(variable, default)
    return tuple(w.strip().lower() for w in text.split(",") if w.strip())


def _positive(variable: str, default: int) -> int:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) == 0:
        raise ConfigurationError(f"{variable}={text!r} is not a positive whole number of bytes")
    return int(text)
