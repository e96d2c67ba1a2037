"""Impact methods: the built-in IPCC AR6 GWP100 and factor specs of imported methods.

The built-in table (loaders/data/ipcc_ar6_gwp100.csv, made by scripts/make_ar6_table.py from the
MIT-licensed LCIAformatter table plus the AR6 origin-specific CO2/CH4 entries) keys gases by
name, CAS number and synonyms, emissions to air only, per kg. Its specs carry no flow UUID:
they reach any database's flows through loaders.matching (CAS, then name, within air).
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from lcagraph.errors import MalformedDataset
from lcagraph.records import (
    CharacterisationFactor,
    DatabaseContent,
    FactorSpec,
    Flow,
    ImpactCategory,
    ImpactMethod,
)

AR6_METHOD_ID = "ipcc-ar6-gwp100"
AR6_CATEGORY_ID = "ipcc-ar6-gwp100/climate-change"
AR6_UNIT = "kg CO2-eq"
AR6_TABLE = "ipcc_ar6_gwp100.csv"
AR6_COLUMNS = ["name", "cas", "formula", "synonyms", "value", "unit", "source"]


def ar6_method() -> ImpactMethod:
    """The built-in method record."""
    return ImpactMethod(
        id=AR6_METHOD_ID,
        name="IPCC AR6 GWP100",
        version="AR6 (2021)",
        source="IPCC AR6 WG1 Ch.7; values via USEPA/LCIAformatter IPCC_GWP_values.csv (MIT)",
        description="Global warming potential, 100-year horizon, emissions to air. Fossil CH4 29.8, "
        "non-fossil CH4 27.0, unspecified CH4 27.9, biogenic CO2 0 (carbon-neutral convention).",
    )


def ar6_category() -> ImpactCategory:
    """The one category of the built-in method."""
    return ImpactCategory(
        id=AR6_CATEGORY_ID, name="Climate change - GWP100", method=AR6_METHOD_ID, unit=AR6_UNIT
    )


@cache
def ar6_factor_specs() -> tuple[FactorSpec, ...]:
    """The built-in AR6 GWP100 factors as specs (air, per kg), in table order."""
    text = resources.files("loaders").joinpath("data", AR6_TABLE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames != AR6_COLUMNS:
        raise MalformedDataset(f"columns are {reader.fieldnames}, expected {AR6_COLUMNS}; "
                               "regenerate with scripts/make_ar6_table.py", file=AR6_TABLE)
    specs = []
    for number, row in enumerate(reader, start=2):
        try:
            value = float(row["value"])
        except ValueError as e:
            raise MalformedDataset(f"line {number}: value {row['value']!r} is not a number",
                                   file=AR6_TABLE, dataset=row["name"], field="value") from e
        specs.append(FactorSpec(
            category=AR6_CATEGORY_ID, value=value, name=row["name"], cas=row["cas"], compartment=("air",),
            unit=row["unit"], synonyms=tuple(s for s in row["synonyms"].split(";") if s),
        ))
    return tuple(specs)


def specs_from_factors(
    factors: tuple[CharacterisationFactor, ...], flows: tuple[Flow, ...], unit: str = ""
) -> tuple[FactorSpec, ...]:
    """Specs of an imported method's factors: keyed by flow UUID, with the flow's name, CAS and
    compartment where the import (or the graph) knows the flow, so that the factor also reaches
    flows of other databases by CAS or name. Values are per the flow's reference unit; ``unit``
    stands in where the flow is unknown (FEDEFL packs give every GWP factor per kg)."""
    by_id = {f.id: f for f in flows}
    specs = []
    for factor in factors:
        flow = by_id.get(factor.flow)
        specs.append(FactorSpec(
            category=factor.category, value=factor.value, flow=factor.flow,
            name=flow.name if flow else "", cas=flow.cas if flow else "",
            compartment=flow.compartment if flow else (), unit=flow.unit if flow else unit,
            synonyms=flow.synonyms if flow else (),
        ))
    return tuple(specs)


def method_specs(content: DatabaseContent, known_flows: tuple[Flow, ...] = ()) -> tuple[FactorSpec, ...]:
    """Specs of the methods an import brings (from its factors and flows, plus ``known_flows``)."""
    return specs_from_factors(content.factors, content.flows + known_flows, unit="kg")
