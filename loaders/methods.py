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
from loaders.substances import Substance, SubstanceIndex, split_origin

AR6_METHOD_ID = "ipcc-ar6-gwp100"
AR6_CATEGORY_ID = "ipcc-ar6-gwp100/climate-change"
BIOGENIC_METHOD_ID = "ipcc-ar6-gwp100-biogenic"
EXCL_UPTAKE_CATEGORY_ID = "ipcc-ar6-gwp100/climate-change-excl-biogenic-uptake"
INCL_UPTAKE_CATEGORY_ID = "ipcc-ar6-gwp100/climate-change-incl-biogenic"
AR6_UNIT = "kg CO2-eq"
AR6_TABLE = "ipcc_ar6_gwp100.csv"
AR6_COLUMNS = ["name", "cas", "formula", "synonyms", "value", "unit", "source"]
BIOGENIC_CO2 = "Carbon dioxide, biogenic"
# CO2 taken up from air (a resource input): 1 per kg, so the negative input in B is a removal.
UPTAKE_NAMES = (("Carbon dioxide", ("Carbon dioxide, in air",)), (BIOGENIC_CO2, ()))


def builtin_methods() -> tuple[ImpactMethod, ...]:
    """The built-in methods: AR6 GWP100 (biogenic CO2 neutral) and its biogenic-CO2 variants."""
    return (
        ImpactMethod(
            id=AR6_METHOD_ID, name="IPCC AR6 GWP100", version="AR6 (2021)",
            source="IPCC AR6 WG1 Ch.7; values via USEPA/LCIAformatter IPCC_GWP_values.csv (MIT)",
            description="Global warming potential, 100-year horizon, emissions to air. Fossil CH4 29.8, "
            "non-fossil CH4 27.0, unspecified CH4 27.9; biogenic CO2 emission and uptake 0 "
            "(carbon-neutral convention).",
        ),
        ImpactMethod(
            id=BIOGENIC_METHOD_ID, name="IPCC AR6 GWP100, biogenic CO2 counted", version="AR6 (2021)",
            source="IPCC AR6 WG1 Ch.7; ISO 14067:2018 6.4.9.4; PACT Technical Specifications v3.0",
            description="AR6 GWP100 with biogenic CO2 emissions at 1; the 'including uptake' category also "
            "counts CO2 taken up from air at -1 (PACT pcfExcludingBiogenicUptake / "
            "pcfIncludingBiogenicUptake).",
        ),
    )


def builtin_categories() -> tuple[ImpactCategory, ...]:
    """The categories of the built-in methods."""
    return (
        ImpactCategory(id=AR6_CATEGORY_ID, name="Climate change - GWP100", method=AR6_METHOD_ID,
                       unit=AR6_UNIT),
        ImpactCategory(id=EXCL_UPTAKE_CATEGORY_ID, method=BIOGENIC_METHOD_ID, unit=AR6_UNIT,
                       name="Climate change - GWP100, biogenic CO2 emissions counted, uptake excluded"),
        ImpactCategory(id=INCL_UPTAKE_CATEGORY_ID, method=BIOGENIC_METHOD_ID, unit=AR6_UNIT,
                       name="Climate change - GWP100, biogenic CO2 emissions and uptake counted"),
    )


def ar6_method() -> ImpactMethod:
    """The built-in method record."""
    return builtin_methods()[0]


def ar6_category() -> ImpactCategory:
    """The one category of the built-in AR6 method."""
    return builtin_categories()[0]


@cache
def ar6_substances() -> tuple[Substance, ...]:
    """The gases of the built-in table (the substance dictionary), origin-specific rows left out."""
    return tuple(Substance(name=r["name"], cas=r["cas"], formula=r["formula"], synonyms=_synonyms(r))
                 for _, r in _ar6_rows() if not split_origin(r["name"])[1])


@cache
def substance_index() -> SubstanceIndex:
    """The substance dictionary, indexed (loaders.substances)."""
    return SubstanceIndex(ar6_substances())


@cache
def ar6_factor_specs() -> tuple[FactorSpec, ...]:
    """The built-in AR6 GWP100 factors as specs (air, per kg), in table order."""
    return tuple(_spec(AR6_CATEGORY_ID, row, _value(number, row)) for number, row in _ar6_rows())


@cache
def builtin_factor_specs() -> tuple[FactorSpec, ...]:
    """The specs of every built-in category: AR6 as given; the variants with biogenic CO2 at 1,
    and the 'including uptake' one with CO2 from air (a resource) at 1 as well."""
    specs = list(ar6_factor_specs())
    for category in (EXCL_UPTAKE_CATEGORY_ID, INCL_UPTAKE_CATEGORY_ID):
        for number, row in _ar6_rows():
            value = 1.0 if row["name"] == BIOGENIC_CO2 else _value(number, row)
            specs.append(_spec(category, row, value))
    specs += [FactorSpec(category=INCL_UPTAKE_CATEGORY_ID, value=1.0, name=name, cas="124-38-9",
                         compartment=("resource",), unit="kg", synonyms=synonyms)
              for name, synonyms in UPTAKE_NAMES]
    return tuple(specs)


def _spec(category: str, row: dict[str, str], value: float) -> FactorSpec:
    return FactorSpec(category=category, value=value, name=row["name"], cas=row["cas"], compartment=("air",),
                      unit=row["unit"], synonyms=_synonyms(row))


def _synonyms(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(s for s in row["synonyms"].split(";") if s)


@cache
def _ar6_rows() -> tuple[tuple[int, dict[str, str]], ...]:
    text = resources.files("loaders").joinpath("data", AR6_TABLE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames != AR6_COLUMNS:
        raise MalformedDataset(f"columns are {reader.fieldnames}, expected {AR6_COLUMNS}; "
                               "regenerate with scripts/make_ar6_table.py", file=AR6_TABLE)
    return tuple(enumerate(reader, start=2))


def _value(number: int, row: dict[str, str]) -> float:
    try:
        return float(row["value"])
    except ValueError as e:
        raise MalformedDataset(f"line {number}: value {row['value']!r} is not a number",
                               file=AR6_TABLE, dataset=row["name"], field="value") from e


def specs_from_factors(
    factors: tuple[CharacterisationFactor, ...], flows: tuple[Flow, ...], unit: str = ""
) -> tuple[FactorSpec, ...]:
    """The factors a method declares, as specs: keyed by flow UUID, with the flow's name, CAS and
    compartment where the method's own package carries the flow record (never another
    database's: matching completes them from the whole graph, order-free). Values are per the
    flow's reference unit; ``unit`` stands in where the package has no flow record (FEDEFL
    packs give every GWP factor per kg)."""
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


def method_specs(content: DatabaseContent) -> tuple[FactorSpec, ...]:
    """The specs the methods of an import declare (from its factors and its own flows)."""
    return specs_from_factors(content.factors, content.flows, unit="kg")
