"""The footprint of a foreground-model process per life-cycle stage, from the stage tags of its file.

Every input that a background process supplies and every emission carries a stage tag; an input
from another process of the model without a tag takes over that process's own split. Per unit
of reference product of each model process p (n processes, 4 stages)::

    D[p, k] = Σ tagged inputs x of p in stage k   a_x · g_x · s_x · t(provider_x) / r_p
            + Σ emissions e of p in stage k       ±a_e · g_e · c(flow_e) / r_p
    M[p, q] = Σ untagged inputs of p from model process q   a_x · g_x · s_x / r_p
    (I - M) S = D                                  S: n x 4

with a = amount in reference units, g = allocation factor, s = provider scale, t = the provider's
total per unit (the cached Result), c = the characterisation factor, r = reference amount, and
a minus for a resource taken. Σ_k S[p, k] equals the solver's total of p: the two come from
independent sums and are compared (``gap``), so a stage can never silently go missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from api.services.calculation import with_fresh_results
from api.services.foreground import read_model
from api.services.models import choose_category, read_link_counts, read_processes
from api.services.readmodels import Category, Completeness
from graph.reader import read_category_factors, read_database_content
from graph.results import CachedResult, read_results
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound, StaleResult
from lcagraph.records import DatabaseContent
from loaders.model_content import stage_tags
from loaders.model_file import STAGES


@dataclass(frozen=True, slots=True)
class StageFigure:
    """One life-cycle stage's part of a footprint, and its share of the total."""

    stage: str
    impact: float
    share: float


@dataclass(frozen=True, slots=True)
class StageFootprint:
    """The footprint of one reference amount of a model process, per stage, with the solver's total."""

    process: str
    name: str
    model: str
    amount: float
    unit: str
    category: Category
    total: float
    stages: tuple[StageFigure, ...]
    gap: float  # |Σ stages - total| / |total|
    graph_version: int
    completeness: Completeness
    cutoffs: int  # unlinked exchanges of the model's processes


def stage_footprint(store: GraphStore, process_id: str, method: str | None = None) -> StageFootprint:
    """Stages of ``process_id`` (a process of a foreground model), results refreshed on demand."""
    category = choose_category(store, method)
    process = read_processes(store, [process_id]).get(process_id)
    if process is None:
        raise NodeNotFound(
            f"process {process_id!r} is not in the graph; `lcagraph model import` its model first"
        )
    model = read_model(store, process.database)
    content = read_database_content(store, process.database)
    return with_fresh_results(
        store, category.id, lambda: _stages(store, content, stage_tags(model), process_id, category)
    )


def _stages(
    store: GraphStore, content: DatabaseContent, tags: dict[str, str], process_id: str, category: Category
) -> StageFootprint:
    ids = [p.id for p in content.processes]
    index = {pid: i for i, pid in enumerate(ids)}
    links = {link.exchange: link for link in content.links}
    providers = sorted({link.provider for link in content.links} | set(ids))
    results = read_results(store, providers, category.id)
    version = store.graph_version()
    stale = [p for p in providers if p not in results or results[p].graph_version != version]
    if stale:
        raise StaleResult(
            f"no current result for {len(stale)} processes (e.g. {stale[0]!r}); run `lcagraph calculate`"
        )
    factors = {f.flow: f.value for f, _name in read_category_factors(store, category.id)}
    reference = {x.process: x.amount_ref for x in content.exchanges if x.is_reference}
    d = np.zeros((len(ids), len(STAGES)))
    m = np.zeros((len(ids), len(ids)))
    for x in content.exchanges:
        if x.is_reference or x.process not in index:
            continue
        p, per = index[x.process], x.amount_ref * x.allocation / reference[x.process]
        link = links.get(x.id)
        stage = tags.get(x.id, "")
        if link is not None:
            if stage:
                d[p, STAGES.index(stage)] += per * link.provider_scale * results[link.provider].total
            elif link.provider in index:
                m[p, index[link.provider]] += per * link.provider_scale
            else:
                raise InvalidArgument(
                    f"exchange {x.id!r} is supplied by a background process but has no stage tag"
                )
        elif x.flow in factors and stage:
            d[p, STAGES.index(stage)] += (-1.0 if x.is_input else 1.0) * per * factors[x.flow]
    s = np.linalg.solve(np.eye(len(ids)) - m, d)
    return _footprint(
        content,
        process_id,
        category,
        s[index[process_id]] * reference[process_id],
        results[process_id],
        version,
        store,
    )


def _footprint(
    content: DatabaseContent,
    process_id: str,
    category: Category,
    stages: np.ndarray,
    result: CachedResult,
    version: int,
    store: GraphStore,
) -> StageFootprint:
    process = next(p for p in content.processes if p.id == process_id)
    amount = next(x.amount_ref for x in content.exchanges if x.process == process_id and x.is_reference)
    total = result.total * amount
    counts = read_link_counts(store, [process_id]).get(process_id, {})
    figures = tuple(
        StageFigure(stage, float(v), float(v) / total if total else 0.0)
        for stage, v in zip(STAGES, stages, strict=True)
    )
    return StageFootprint(
        process=process_id,
        name=process.name,
        model=process.database,
        amount=amount,
        unit=process.ref_unit,
        category=category,
        total=total,
        stages=figures,
        gap=abs(float(np.sum(stages)) - total) / abs(total) if total else abs(float(np.sum(stages))),
        graph_version=version,
        completeness=Completeness.from_counts(counts, bool(process.ref_flow)),
        cutoffs=len(content.unlinked),
    )
