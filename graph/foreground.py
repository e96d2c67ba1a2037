"""Foreground models in the graph: the model file a database was imported from, and the
immutable published versions of a model (a content hash and a JSON snapshot of its figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from graph import queries as q
from graph.store import GraphStore, Row, Writer


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    """A published version of a model: ``key`` (what ``?v=`` gives), the full content ``hash``,
    the user's ``label`` and the snapshot (JSON text; empty when only listed)."""

    key: str
    hash: str
    model: str
    label: str
    published_at: str
    snapshot: str = ""


def write_model_document(writer: Writer, database: str, text: str, file: str) -> None:
    """Store (or replace) the model file of ``database``, inside the import's unit of work."""
    writer.run(
        q.UPSERT_MODEL_DOCUMENT,
        {
            "database": database,
            "json": text,
            "file": file,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def read_model_document(store: GraphStore, database: str) -> tuple[str, str] | None:
    """(JSON text, file name) of the model file of ``database``; None for a database without one."""
    rows = store.read(q.READ_MODEL_DOCUMENT, {"database": database})
    return (str(rows[0]["json"]), str(rows[0]["file"] or "")) if rows else None


def create_published_version(store: GraphStore, version: PublishedVersion) -> PublishedVersion:
    """Store ``version`` unless its hash is there already; returns what the graph holds (the first
    publication of that content: a version is never changed)."""
    rows = store.write(
        q.CREATE_PUBLISHED_VERSION,
        {
            "hash": version.hash,
            "key": version.key,
            "model": version.model,
            "label": version.label,
            "published_at": version.published_at,
            "snapshot": version.snapshot,
        },
    )
    return _version(rows[0])


def read_published_version(store: GraphStore, model: str, key: str) -> PublishedVersion | None:
    """The version ``key`` names: its key, full hash, or (for ``model``) its label."""
    rows = store.read(q.READ_PUBLISHED_VERSION, {"key": key, "model": model})
    return _version(rows[0]) if rows else None


def read_published_versions(store: GraphStore, model: str) -> list[PublishedVersion]:
    """The versions of a model, oldest first (without snapshots)."""
    return [_version(r) for r in store.read(q.READ_PUBLISHED_VERSIONS_OF_MODEL, {"model": model})]


def _version(row: Row) -> PublishedVersion:
    return PublishedVersion(
        key=str(row["key"]),
        hash=str(row["hash"]),
        model=str(row["model"]),
        label=str(row["label"] or ""),
        published_at=str(row["published_at"] or ""),
        snapshot=str(row.get("snapshot") or ""),
    )
