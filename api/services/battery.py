"""The carbon-footprint declaration of a battery (EU Battery Regulation 2023/1542, Article 7).

``lcagraph declare battery``, GraphQL ``batteryDeclaration`` and the printable page all render
:class:`BatteryDeclaration`. The functional unit is one kWh of the total energy the battery
provides over its service life, E = capacity (kWh) x cycles per year x years; the declared
footprint is the life-cycle GWP100 of one battery (the model process's reference amount) per
kWh of E, split into the Regulation's four stages (raw material acquisition and
pre-processing; main product production; distribution; end of life and recycling; the use
stage is excluded) from the stage tags of the model (api/services/stages.py).

Figures come from a published version when one is named (or when the live model's content hash
equals a published version's): the declaration then links that version's deep link as its
carbon-footprint study. Performance classes are set by the Commission in a delegated act; until
then :data:`PERFORMANCE_CLASSES` is empty and ``performance_class`` None. The table is
configurable (``classes``: upper bounds in kg CO2-eq per kWh, best class first).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from api.services.foreground import read_model
from api.services.links import deep_link
from api.services.models import read_processes
from api.services.publishing import (
    PublishedVersion,
    content_hash,
    published_stages,
    published_versions,
    version_of,
)
from api.services.stages import StageFigure, StageFootprint, stage_footprint
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound
from loaders.model_dump import model_to_json

#: (class, upper bound in kg CO2-eq per kWh of E), best first: set by the Commission (not yet adopted).
PERFORMANCE_CLASSES: tuple[tuple[str, float], ...] = ()
#: The Regulation's names of the four stages (Annex II), as declarations show them.
STAGE_NAMES = {
    "raw-material-acquisition": "Raw material acquisition and pre-processing",
    "main-production": "Main product production",
    "distribution": "Distribution",
    "end-of-life": "End of life and recycling",
}
#: The battery passport's names of the four stages (carbonFootprintPerLifecycleStage.lifecycleStage).
PASSPORT_STAGES = {
    "raw-material-acquisition": "RawMaterialExtraction",
    "main-production": "MainProduction",
    "distribution": "Distribution",
    "end-of-life": "Recycling",
}


@dataclass(frozen=True, slots=True)
class BatteryDeclaration:
    """A battery's declared carbon footprint per kWh of service-life energy, per stage."""

    process: str
    name: str
    model: str
    capacity_kwh: float
    cycles_per_year: float
    years: float
    energy_kwh: float  # E = capacity x cycles per year x years
    total: float  # kg CO2-eq per battery (life cycle, use stage excluded)
    per_kwh: float  # total / E
    stages: tuple[StageFigure, ...]  # kg CO2-eq per battery, with shares
    category: str
    impact_unit: str
    gap: float  # |Σ stages - total| / total
    version_key: str | None  # the published version the figures come from, if any
    version_hash: str | None
    version_label: str | None
    study_link: str | None  # the published version's deep link
    completeness: str
    linked: int
    cut_offs: int
    data_quality: float | None = None  # the model's DQR once data quality is in the graph
    performance_class: str | None = None


def declare_battery(
    store: GraphStore,
    process_id: str,
    capacity_kwh: float,
    cycles_per_year: float,
    years: float,
    *,
    base_url: str,
    version: str | None = None,
    method: str | None = None,
    classes: Sequence[tuple[str, float]] = PERFORMANCE_CLASSES,
) -> BatteryDeclaration:
    """The declaration of one battery (the model process's reference amount)."""
    for name, value in (
        ("--capacity-kwh", capacity_kwh),
        ("--cycles-per-year", cycles_per_year),
        ("--years", years),
    ):
        if not math.isfinite(value) or value <= 0:
            raise InvalidArgument(f"{name} {value!r} must be a positive number")
    process = read_processes(store, [process_id]).get(process_id)
    if process is None:
        raise NodeNotFound(
            f"process {process_id!r} is not in the graph; `lcagraph model import` its model first"
        )
    published: PublishedVersion | None
    if version is not None:
        published = version_of(store, process.database, version)
        figures = published_stages(store, process_id, published.key)
    else:
        figures = stage_footprint(store, process_id, method)
        digest = content_hash(
            store, process.database, model_to_json(read_model(store, process.database)), figures.category.id
        )
        found = [v for v in published_versions(store, process.database) if v.hash == digest]
        published = found[0] if found else None
    energy = capacity_kwh * cycles_per_year * years
    declaration = _declaration(figures, capacity_kwh, cycles_per_year, years, energy)
    if published is None:
        return replace(declaration, performance_class=performance_class(declaration.per_kwh, classes))
    link = deep_link(base_url, process_id, version=published.key)
    return replace(
        declaration,
        version_key=published.key,
        version_hash=published.hash,
        version_label=published.label,
        study_link=link,
        performance_class=performance_class(declaration.per_kwh, classes),
    )


def _declaration(
    f: StageFootprint, capacity: float, cycles: float, years: float, energy: float
) -> BatteryDeclaration:
    return BatteryDeclaration(
        process=f.process,
        name=f.name,
        model=f.model,
        capacity_kwh=capacity,
        cycles_per_year=cycles,
        years=years,
        energy_kwh=energy,
        total=f.total,
        per_kwh=f.total / energy,
        stages=f.stages,
        category=f.category.id,
        impact_unit=f.category.unit,
        gap=f.gap,
        version_key=None,
        version_hash=None,
        version_label=None,
        study_link=None,
        completeness=f.completeness.state,
        linked=f.completeness.linked,
        cut_offs=f.cutoffs,
    )


def read_performance_classes(path: Path) -> tuple[tuple[str, float], ...]:
    """A performance-class table from a JSON file: ``[["A", 0.05], ["B", 0.08], ...]`` (upper bounds
    in kg CO2-eq per kWh, best class first, increasing)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidArgument(f"cannot read performance classes from {str(path)!r}: {e}") from e
    if not isinstance(data, list) or not all(
        isinstance(row, list)
        and len(row) == 2
        and isinstance(row[0], str)
        and isinstance(row[1], int | float)
        and not isinstance(row[1], bool)
        for row in data
    ):
        raise InvalidArgument(f"{str(path)!r}: give a list of [class, upper bound in kg CO2-eq/kWh] pairs")
    table = tuple((str(name), float(bound)) for name, bound in data)
    if any(b <= a for (_n, a), (_m, b) in pairwise(table)):
        raise InvalidArgument(f"{str(path)!r}: the upper bounds must increase from the best class on")
    return table


def performance_class(per_kwh: float, classes: Sequence[tuple[str, float]]) -> str | None:
    """The first class whose upper bound the footprint does not exceed (None: no table, or above all)."""
    return next((name for name, bound in classes if per_kwh <= bound), None)


def passport_fields(d: BatteryDeclaration) -> dict[str, Any]:
    """The battery passport's CarbonFootprint attributes (per kWh of E, absolute per battery)."""
    return {
        "batteryCarbonFootprint": d.per_kwh,
        "carbonFootprintPerLifecycleStage": [
            {"lifecycleStage": PASSPORT_STAGES[s.stage], "carbonFootprint": s.impact / d.energy_kwh}
            for s in d.stages
        ],
        "carbonFootprintPerformanceClass": d.performance_class,
        "carbonFootprintStudy": d.study_link,
        "absoluteCarbonFootprint": d.total,
    }
