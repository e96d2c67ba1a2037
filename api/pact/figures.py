"""The numbers a PACT footprint declares, from lcagraph's own results.

This is the one module of api/pact that asks the footprint use-case (``footprint``) and the
completeness check for figures; everything else in api/pact works from :class:`PcfFigures`.

- ``pcfExcludingBiogenicUptake``: the total of one reference amount under the built-in
  ``ipcc-ar6-gwp100/climate-change-excl-biogenic-uptake`` (AR6 GWP100 with biogenic CO2 emissions
  at 1, uptake left out: PACT counts "all biogenic emissions" in this figure).
- ``pcfIncludingBiogenicUptake``: the same under ``ipcc-ar6-gwp100/climate-change-incl-biogenic``
  (biogenic CO2 emissions counted, CO2 taken up from air counted as a removal).
- ``fossilGhgEmissions``: the contributions to the first total of elementary flows that are not
  biogenic, non-fossil, land-use or uptake flows (by name; GHGs without origin count as fossil).
- ``exemptedEmissionsPercent`` (interim rule until the completeness figures of issue 12): the share
  of the product database's inputs needing a provider that have none (declared cut-offs and
  missing providers), in percent of all such inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.services.footprint import footprint
from api.services.readmodels import Footprint
from graph import browse
from graph.completeness import check_database
from graph.store import GraphStore
from lcagraph.errors import process_not_found
from loaders.methods import EXCL_UPTAKE_CATEGORY_ID, INCL_UPTAKE_CATEGORY_ID

EXCLUDING_UPTAKE = EXCL_UPTAKE_CATEGORY_ID
INCLUDING_UPTAKE = INCL_UPTAKE_CATEGORY_ID
_NOT_FOSSIL = re.compile(r"biogenic|non-fossil|land use|land transformation|in air", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PcfFigures:
    """One reference amount of a process: what it is and its climate figures (kg CO2-eq)."""

    process: str
    name: str
    database: str
    amount: float  # the reference amount, in ``unit``
    unit: str
    location: str
    valid_from: str
    valid_until: str
    mass_per_unit: float | None  # kg per ``unit``, where the reference flow has a Mass property
    excluding_uptake: float
    including_uptake: float
    fossil: float
    exempted_percent: float
    graph_version: int


def read_figures(store: GraphStore, process_id: str) -> PcfFigures:
    """Figures of one reference amount of ``process_id`` (calculated first where not current)."""
    process = browse.read_processes(store, [process_id]).get(process_id)
    if process is None:
        raise process_not_found(process_id)
    excluding = footprint(store, process_id, method=EXCLUDING_UPTAKE)
    including = footprint(store, process_id, method=INCLUDING_UPTAKE)
    completeness = check_database(store, process.database, EXCLUDING_UPTAKE)
    unlinked = completeness.declared_cutoffs + completeness.missing_providers
    needing = completeness.linked + unlinked
    return PcfFigures(
        process=process_id, name=process.name, database=process.database, amount=excluding.amount,
        unit=excluding.unit, location=process.location, valid_from=process.valid_from,
        valid_until=process.valid_until,
        mass_per_unit=_mass_per_unit(store, process.ref_flow, excluding),
        excluding_uptake=excluding.total, including_uptake=including.total, fossil=_fossil(excluding),
        exempted_percent=100.0 * unlinked / needing if needing else 0.0,
        graph_version=excluding.graph_version,
    )


def _fossil(report: Footprint) -> float:
    return float(sum(c.impact for c in report.by_flow if not _NOT_FOSSIL.search(c.name)))


def _mass_per_unit(store: GraphStore, ref_flow: str | None, report: Footprint) -> float | None:
    """kg per one ``report.unit`` (the dataset's own unit, e.g. t), from the flow's Mass property,
    which is per the flow's reference unit (``report.unit_ref``, e.g. kg)."""
    if report.unit == "kg":
        return 1.0
    per_own = report.amount_ref / report.amount if report.amount else 1.0  # flow units per own unit
    if report.unit_ref == "kg":
        return per_own
    flow = browse.read_flows(store, [ref_flow]).get(ref_flow) if ref_flow else None
    masses = [value for name, value in (flow.property_factors if flow else ()) if name.lower() == "mass"]
    return masses[0] * per_own if masses else None
