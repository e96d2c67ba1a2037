"""Characterisation of the whole graph, re-derived in every unit of work that adds flows or methods.

The factors of a category on a flow are a function of two sets only - the factors every method
declares (stored as given on its ImpactCategory node, plus the built-in IPCC AR6 tables) and the
elementary flows in the graph - never of the order in which data arrived: each import ends by
deleting every FACTOR relationship and matching all declared factors against all flows again
(loaders.matching). On USLCI + three modules + the FEDEFL pack this is ~4,000 flows x 10
categories, well under a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from graph import queries as q
from graph.reader import read_declared_factors, read_elementary_flows
from graph.store import Writer
from lcagraph.records import CharacterisationFactor, Database, DatabaseContent, Exchange, Flow, ImportReport
from loaders.matching import FactorMatch, find_unmatched_flows, match_factors_detailed
from loaders.methods import builtin_categories, builtin_factor_specs, builtin_methods, specs_from_factors

BUILTIN_DATABASE = Database(
    id="ipcc-ar6-gwp100", name="IPCC AR6 GWP100 (built-in)", format="built-in", kind="background",
    source="lcagraph loaders/data/ipcc_ar6_gwp100.csv", version="AR6 (2021)",
    licence="MIT (values table from USEPA/LCIAformatter)",
    description="Built-in climate methods: AR6 GWP100 (biogenic CO2 neutral) and its variants with "
    "biogenic CO2 counted; factors are matched onto every elementary flow in the graph.",
)
BATCH = 5000


@dataclass(frozen=True, slots=True)
class GraphCharacterisation:
    """The factors now in the graph, with the flows matching refused or found ambiguous."""

    match: FactorMatch
    flows: tuple[Flow, ...]


def builtin_content() -> DatabaseContent:
    """The built-in methods as a database (no declared factors stored: they come from the package)."""
    return DatabaseContent(database=BUILTIN_DATABASE, methods=builtin_methods(),
                           categories=builtin_categories())


def characterise_graph(writer: Writer) -> GraphCharacterisation:
    """Replace every FACTOR relationship by matching all declared factors against all elementary
    flows in the graph as the unit of work sees it."""
    flows = read_elementary_flows(writer.run)
    declared = read_declared_factors(writer.run)
    specs = (*builtin_factor_specs(), *specs_from_factors(tuple(declared), (), unit="kg"))
    match = match_factors_detailed(specs, flows)
    writer.run(q.DELETE_ALL_FACTORS)
    rows = [{"category": f.category, "flow": f.flow, "value": float(f.value), "matched_by": f.matched_by}
            for f in match.factors]
    for start in range(0, len(rows), BATCH):
        writer.run(q.CREATE_FACTORS, {"rows": rows[start:start + BATCH]})
    return GraphCharacterisation(match, tuple(flows))


def report_characterisation(content: DatabaseContent, graph: GraphCharacterisation) -> ImportReport:
    """The import report with what matching gave the import: unmatched and ambiguous flows of its
    own, and per category the flows characterised and the rule that found each - its own flows,
    and for a method the import brings, every flow in the graph it reached."""
    report = content.report or ImportReport(database=content.database.id, file="", format="")
    own = {f.id for f in content.flows}
    brought = {c.id for c in content.categories}
    counted = [f for f in graph.match.factors if f.flow in own or f.category in brought]
    names = {f.id: f.name for f in graph.flows}
    ambiguous = tuple(f"{flow} {names.get(flow, '')!r}: {why}" for flow, why in graph.match.ambiguous
                      if flow in own or why.split(":", 1)[0] in brought)
    assumed = tuple(f"dataset {flow}, field compartment: {names[flow]!r} has no medium; characterised as an "
                    "emission to air" for flow in graph.match.assumed_air if flow in own)
    return replace(
        report,
        unmatched_flows=_unmatched(content.exchanges, graph.flows, own, graph.match),
        characterised=tuple(sorted(Counter(f.category for f in counted).items())),
        matched_by=_rule_counts(counted), ambiguous_factors=ambiguous,
        warnings=report.warnings + assumed,
    )


def _unmatched(exchanges: Sequence[Exchange], flows: Sequence[Flow], own: set[str],
               match: FactorMatch) -> tuple[str, ...]:
    mine = [f for f in flows if f.id in own]
    return find_unmatched_flows(exchanges, mine, [f for f in match.factors if f.flow in own], match.rejected)


def _rule_counts(factors: Iterable[CharacterisationFactor]) -> tuple[tuple[str, str, int], ...]:
    counts = Counter((f.category, f.matched_by) for f in factors)
    return tuple((c, r, n) for (c, r), n in sorted(counts.items()))
