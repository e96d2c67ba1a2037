"""The matrix snapshot of the graph version an import commits, built inside the import's unit of
work from the previous version's snapshot and the rows the import touched, never by re-reading
every exchange.

An import writes databases D (the imported one and the built-in methods) and changes, in the rows
the solver is built from (graph/technosphere.py; what graph/writer.py deletes and writes):

- D's processes, their supply links, cut-offs and elementary exchanges: deleted
  (``delete_database_content``: DETACH DELETE of the processes) and written again;
- the supply links of consumers in other databases into D: their PROVIDER edges into D's old
  processes went with them, RELINK_FOREIGN_PROVIDERS re-creates those whose provider D still has.
  These consumers' links and cut-offs are read again whole: the ones with a link into old D (from
  the previous rows) and the ones with a link into new D (from the unit's staging graph);
- the factors: characterisation is re-derived over the whole graph; the factor table is re-read.

A provider override (api/services/providers.py) writes no database: it changes the links of one
consumer, whose links and cut-offs are read again whole the same way.

Every other row is unchanged, except in one case: flows are shared, and an import that writes an
existing flow with another type moves other databases' exchanges in or out of B; such an import,
an import with extra writes (``also``), a graph without a valid snapshot (with its rows) of the
version before, or a snapshot folder that cannot be written fall back to the first load's full read.
The merged rows are thus the rows a full read of the new version returns (up to order), and
solver.build_system makes the same A, B, C of them.

Visibility: the file is written under a pending name inside the unit; after the unit committed it
is renamed to the name of the committed version. That version is the claimed one + 1: the unit
holds the store's write lock (FalkorDB) or the Meta node's lock (Neo4j, CLAIM_GRAPH_VERSION), and
BUMP_GRAPH_VERSION adds exactly 1 and keeps the uid. A failed unit deletes its pending file; a
crashed one leaves a pending file no reader looks at, deleted by the next import.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from api.services.matrices import (
    VersionMeta,
    load_snapshot,
    remove_older_snapshots,
    snapshot_path,
    system_from_rows,
    write_version,
)
from api.services.quality_inputs import kept_rows, merge_quality, part_processes, read_quality_inputs
from graph.data_quality import ProcessScope
from graph.snapshot_location import GraphIdentity, read_identity, snapshot_folder
from graph.store import GraphStore, Writer
from graph.technosphere import ElementaryRows, LinkRows, ProcessRows, TechnosphereRows
from graph.technosphere_part import (
    TechnospherePart,
    claim_graph_version,
    read_flow_types,
    read_linked_consumers,
    read_technosphere_part,
)
from lcagraph.errors import (
    ConfigurationError,
    InvalidArgument,
    NodeNotFound,
    NonFiniteResult,
    SingularTechnosphere,
)
from lcagraph.records import DatabaseContent
from solver import TechnosphereSystem
from solver.snapshot import (
    SnapshotQuality,
    SnapshotRows,
    SnapshotUnreadable,
    read_snapshot_quality,
    read_snapshot_rows,
)

PENDING = ".pending"


@dataclass(frozen=True)
class Baseline:
    """The version before the import: its snapshot's system, metadata and rows."""

    identity: GraphIdentity
    system: TechnosphereSystem
    meta: VersionMeta
    rows: SnapshotRows
    quality: SnapshotQuality | None  # carried on only where the baseline has it


class SnapshotUpdate:
    """One import's snapshot: :meth:`begin` first in the unit, :meth:`write` last (the pending
    file), then :meth:`publish` after the commit or :meth:`discard` after a failure."""

    def __init__(
        self, store: GraphStore, contents: Sequence[DatabaseContent], *, enabled: bool = True,
        consumers: Sequence[str] = (),
    ) -> None:
        self.store = store
        self.databases = tuple(dict.fromkeys(c.database.id for c in contents))
        self.consumers = tuple(consumers)  # whose links the unit changes besides the databases'(an override)
        self.flows = tuple(dict.fromkeys(f.id for c in contents for f in c.flows))
        self.enabled = enabled
        self.start: GraphIdentity | None = None
        self.flow_types: dict[str, str] = {}
        self.pending: Path | None = None
        self.committed: GraphIdentity | None = None

    def begin(self, writer: Writer) -> None:
        """Claim the version the unit starts from and note the types of the flows it will write."""
        if not self.enabled:
            return
        start = claim_graph_version(writer)
        for stale in snapshot_folder(self.store).glob(f".*{PENDING}"):  # of crashed imports
            stale.unlink(missing_ok=True)
        if start.uid and snapshot_path(self.store, start).is_file():  # else nothing to update
            self.start = start
            self.flow_types = read_flow_types(writer, self.flows)

    def write(self, writer: Writer) -> int:
        """Write the next version's snapshot under a pending name; its processes (0: fell back)."""
        if self.start is None or _retyped(self.flow_types, writer):
            return 0
        baseline = load_baseline(self.store, self.start)
        merged = None if baseline is None else updated_rows(baseline, writer, self.databases, self.consumers)
        if merged is None:
            return 0
        rows, quality = merged
        try:
            system = system_from_rows(rows)
        except (SingularTechnosphere, NonFiniteResult, NodeNotFound, InvalidArgument):
            return 0  # the import stands; the first load of the version reports it, as without snapshots
        meta = VersionMeta(tuple(rows.processes.databases), rows.factors.category_methods,
                           rows.factors.category_units)
        committed = GraphIdentity(self.start.version + 1, self.start.uid)
        final = snapshot_path(self.store, committed)
        pending = final.with_name(f".{final.name}.{os.getpid()}{PENDING}")
        try:
            write_version(pending, committed, system, meta, rows, quality)
        except ConfigurationError:  # the first load names the unwritable folder
            return 0
        self.pending, self.committed = pending, committed
        return system.size

    def publish(self) -> None:
        """Give the pending file the committed version's name (unless the graph moved on since)."""
        if self.pending is None or self.committed is None:
            return
        if read_identity(self.store) != self.committed:  # another unit committed after ours
            self.discard()
            return
        final = snapshot_path(self.store, self.committed)
        try:
            self.pending.replace(final)
        except FileNotFoundError:
            return
        self.pending = None
        remove_older_snapshots(final)

    def discard(self) -> None:
        """Delete the pending file (the unit failed)."""
        if self.pending is not None:
            self.pending.unlink(missing_ok=True)
            self.pending = None


@contextlib.contextmanager
def snapshot_update(
    store: GraphStore, contents: Sequence[DatabaseContent], *, enabled: bool = True,
    consumers: Sequence[str] = (),
) -> Iterator[SnapshotUpdate]:
    """Around a unit of work: publish the pending snapshot after it committed, discard it if not."""
    update = SnapshotUpdate(store, contents, enabled=enabled, consumers=consumers)
    try:
        yield update
    except BaseException:
        update.discard()
        raise
    update.publish()


def _retyped(before: dict[str, str], writer: Writer) -> bool:
    """Whether a flow that was in the graph became elementary or stopped being so."""
    after = read_flow_types(writer, list(before))
    return any((before[f] == "elementary") != (t == "elementary") for f, t in after.items())


def load_baseline(store: GraphStore, identity: GraphIdentity) -> Baseline | None:
    """The snapshot of ``identity`` with its rows, None if there is none (or it has no rows)."""
    found = load_snapshot(store, identity)
    if found is None:
        return None
    system, meta = found
    path = snapshot_path(store, identity)
    try:
        rows = read_snapshot_rows(path, system)
        quality = None if rows is None else read_snapshot_quality(path, system, rows)
    except SnapshotUnreadable:
        return None
    return None if rows is None else Baseline(identity, system, meta, rows, quality)


def updated_rows(
    baseline: Baseline, writer: Writer, databases: Sequence[str], changed: Sequence[str] = (),
) -> tuple[TechnosphereRows, SnapshotQuality | None] | None:
    """The rows of the version the unit commits: the baseline's without those the import replaced
    (and the links of the ``changed`` consumers), plus those read from the staging graph; and their
    quality section where the baseline has one. None if a consumer is not where it should be."""
    system, rows = baseline.system, baseline.rows
    written = set(databases)
    in_written = np.fromiter((d in written for d in baseline.meta.databases), dtype=bool, count=system.size)
    into_written = in_written[rows.link_providers] & ~in_written[rows.link_consumers]
    ids = np.array(system.process_ids, dtype=object)
    consumers = set(ids[np.unique(rows.link_consumers[into_written])].tolist())
    consumers |= set(read_linked_consumers(writer, databases)) | set(changed)
    if not consumers <= system.process_index.keys():
        return None
    replaced = in_written.copy()
    replaced[[system.process_index[c] for c in consumers]] = True
    part = read_technosphere_part(writer, databases, sorted(consumers))
    merged = merge_rows(baseline, in_written, replaced, part)
    if baseline.quality is None:
        return merged, None
    stayed = replaced & ~in_written
    scope = ProcessScope(writer, tuple(databases), tuple(sorted(consumers)))
    inputs = read_quality_inputs(scope, part.links.exchanges, part.elementary.exchanges,
                                 part_processes(part.processes.ids, system.process_ids, stayed))
    return merged, merge_quality(baseline.quality, rows, in_written, replaced, inputs)


def merge_rows(baseline: Baseline, dropped: np.ndarray, replaced: np.ndarray,
               part: TechnospherePart) -> TechnosphereRows:
    """Baseline rows minus ``dropped`` processes (with their elementary rows) and the links and
    cut-offs of ``replaced`` consumers, plus ``part``. Reference amounts stay signed (r_j, not an
    input), which builds the same A; exchange ids are not kept (the matrices do not need them)."""
    system, rows = baseline.system, baseline.rows
    ids, flows = np.array(system.process_ids, dtype=object), np.array(system.flow_ids, dtype=object)
    keep = ~dropped
    link, elem = kept_rows(rows, dropped, replaced)
    cutoffs = np.where(replaced, 0, system.cutoffs)
    processes = ProcessRows(
        ids[keep].tolist() + part.processes.ids,
        [d for d, k in zip(baseline.meta.databases, keep, strict=True) if k] + part.processes.databases,
        system.reference_amounts[keep].tolist() + part.processes.ref_amounts,
        [False] * int(keep.sum()) + part.processes.ref_is_input,
    )
    links = LinkRows(
        ids[rows.link_consumers[link]].tolist() + part.links.consumers,
        ids[rows.link_providers[link]].tolist() + part.links.providers,
        rows.link_amounts[link].tolist() + part.links.amounts,
        rows.link_is_input[link].tolist() + part.links.is_input,
        rows.link_is_avoided[link].tolist() + part.links.is_avoided,
    )
    elementary = ElementaryRows(
        ids[rows.elementary_processes[elem]].tolist() + part.elementary.processes,
        flows[rows.elementary_flows[elem]].tolist() + part.elementary.flows,
        rows.elementary_amounts[elem].tolist() + part.elementary.amounts,
    )
    unlinked = ids[np.repeat(np.arange(system.size), cutoffs)].tolist() + part.unlinked
    version = baseline.identity.version + 1
    return TechnosphereRows(version, processes, links, elementary, part.factors, unlinked)
