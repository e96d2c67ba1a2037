"""Published versions of a foreground model (``lcagraph publish MODEL --version V``).

A version freezes the model and its figures: for every process of the model its node page
(readmodels.NodeView, as the phone viewer shows it) and its footprint per life-cycle stage, in a
JSON snapshot stored in the graph with a content hash. The hash is the sha256 of the model file,
the background databases (id, name, version, file) with the totals of the background processes
the model takes from (12 significant digits), and the impact category: the same content gives
the same hash; a changed model or background gives a new one. Deep links ``/n/{id}?v={key}``
(key: the hash's first 20 hex digits) render from the snapshot, so they show the same numbers
after the live model or a background changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.services.foreground import read_model
from api.services.models import choose_category, read_databases, read_processes
from api.services.nodes import NodeRequest, node_view
from api.services.readmodels import NodeView
from api.services.session import AppState
from api.services.snapshots import from_plain, to_plain
from api.services.stages import StageFootprint, stage_footprint
from graph.foreground import (
    PublishedVersion,
    create_published_version,
    read_published_version,
    read_published_versions,
)
from graph.reader import read_database_content
from graph.results import read_results
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound
from loaders.model_content import database_id, process_id
from loaders.model_dump import model_to_json

KEY_LENGTH = 20

__all__ = [
    "Publication",
    "PublishedVersion",
    "content_hash",
    "publish",
    "published_node",
    "published_stages",
    "published_versions",
    "version_of",
]


@dataclass(frozen=True, slots=True)
class Publication:
    """What ``publish`` did: the version (new, or the one this content was published as before)."""

    version: PublishedVersion
    created: bool


def publish(state: AppState, model: str, label: str, method: str | None = None) -> Publication:
    """Publish the model's current content as version ``label`` (refused where ``label`` is taken by
    other content: a version never changes)."""
    if not label.strip():
        raise InvalidArgument("give the version, e.g. --version 1.0")
    store = state.store
    parsed = read_model(store, model)
    db = database_id(parsed)
    category = choose_category(store, method)
    ids = [process_id(parsed, p.id) for p in parsed.processes]
    stages = {pid: stage_footprint(store, pid, category.id) for pid in ids}
    nodes = {pid: node_view(state, NodeRequest(pid, category=category.id)) for pid in ids}
    digest = content_hash(store, db, model_to_json(parsed), category.id)
    taken = read_published_version(store, db, label)
    if taken is not None and taken.hash != digest:
        raise InvalidArgument(
            f"version {label!r} of {db!r} is published with other content (hash {taken.key}); "
            "a version never changes: publish the changed model under a new version"
        )
    snapshot = json.dumps(
        {
            "model": model_to_json(parsed),
            "category": category.id,
            "stages": {k: to_plain(v) for k, v in stages.items()},
            "nodes": {k: to_plain(v) for k, v in nodes.items()},
        }
    )
    wanted = PublishedVersion(
        key=digest[:KEY_LENGTH],
        hash=digest,
        model=db,
        label=label,
        published_at=datetime.now(UTC).isoformat(timespec="seconds"),
        snapshot=snapshot,
    )
    existed = read_published_version(store, db, digest) is not None
    return Publication(create_published_version(store, wanted), created=not existed)


def content_hash(store: GraphStore, db: str, model: dict[str, Any], category: str) -> str:
    """sha256 of the model file, its background databases' versions and the impact category."""
    content = read_database_content(store, db)
    providers = sorted({link.provider for link in content.links} - {p.id for p in content.processes})
    results = read_results(store, providers, category)
    totals = {p: float(f"{results[p].total:.12g}") if p in results else None for p in providers}
    used = {p.database for p in read_processes(store, providers).values()}
    backgrounds = sorted(
        [v.database.id, v.database.name, v.database.version, v.database.source]
        for v in read_databases(store)
        if v.database.id in used
    )
    text = json.dumps(
        {"model": model, "backgrounds": backgrounds, "providers": totals, "category": category},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def version_of(store: GraphStore, model: str, key: str) -> PublishedVersion:
    """The published version ``key`` (key, hash or label) with its snapshot."""
    found = read_published_version(store, model, key)
    if found is None:
        raise NodeNotFound(
            f"no published version {key!r}; `lcagraph publish MODEL --version V` publishes one"
        )
    return found


def published_versions(store: GraphStore, model: str) -> list[PublishedVersion]:
    return read_published_versions(store, model)


def published_node(store: GraphStore, process: str, key: str) -> NodeView:
    """The node page of ``process`` as version ``key`` froze it."""
    data = json.loads(version_of(store, "", key).snapshot)
    if process not in data["nodes"]:
        raise NodeNotFound(
            f"process {process!r} is not part of published version {key!r}; its processes: "
            f"{', '.join(sorted(data['nodes']))}"
        )
    return from_plain(NodeView, data["nodes"][process])


def published_stages(store: GraphStore, process: str, key: str) -> StageFootprint:
    """The footprint per stage of ``process`` as version ``key`` froze it."""
    data = json.loads(version_of(store, "", key).snapshot)
    if process not in data["stages"]:
        raise NodeNotFound(f"process {process!r} is not part of published version {key!r}")
    return from_plain(StageFootprint, data["stages"][process])
