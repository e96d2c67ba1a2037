"""ProductFootprint documents (PACT v3.0) from lcagraph figures and what the publisher declares.

Figures (api/pact/figures.py) give the numbers; a :class:`ProductDeclaration` gives what only
the publisher knows (product and company ids, classification, carbon content). Decimals are
written as plain decimal text, times as UTC ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from api.pact.figures import PcfFigures
from lcagraph.errors import InvalidArgument

SPEC_VERSION = "3.0.0"
_URN = re.compile(r"^urn:", re.IGNORECASE)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
#: lcagraph reference unit (lower case) -> PACT declared unit and how many of it one unit is.
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("kilogram", 1.0), "g": ("kilogram", 1e-3), "t": ("kilogram", 1e3),
    "l": ("liter", 1.0), "m3": ("cubic meter", 1.0), "kwh": ("kilowatt hour", 1.0),
    "mwh": ("kilowatt hour", 1e3), "mj": ("megajoule", 1.0), "gj": ("megajoule", 1e3),
    "t*km": ("ton kilometer", 1.0), "tkm": ("ton kilometer", 1.0), "t km": ("ton kilometer", 1.0),
    "m2": ("square meter", 1.0), "p": ("piece", 1.0), "pcs": ("piece", 1.0), "piece": ("piece", 1.0),
    "item(s)": ("piece", 1.0), "unit": ("piece", 1.0), "h": ("hour", 1.0), "hr": ("hour", 1.0),
}
_MASSLESS = {"kilowatt hour", "megajoule", "ton kilometer", "hour"}  # spec: mass "0" for energy, transport
#: ecoinvent/openLCA region codes -> PACT geographyRegionOrSubregion (UN M49 names).
REGIONS = {
    "RER": "Europe", "WEU": "Western Europe", "RNA": "Northern America",
    "RLA": "Latin America and the Caribbean", "RAS": "Asia", "RAF": "Africa", "OCE": "Oceania",
    "RME": "Western Asia",
}
GLOBAL = {"", "GLO", "ROW", "WORLD", "GLOBAL"}


@dataclass(frozen=True, slots=True)
class ProductDeclaration:
    """What the publisher states about the product a process makes."""

    process: str
    product_ids: tuple[str, ...]
    company_ids: tuple[str, ...]
    company_name: str
    classifications: tuple[str, ...] = ()
    product_name: str = ""  # default: the process name
    description: str = ""  # default: process name and database
    geography: str | None = None  # default: the process location
    reference_period: tuple[str, str] | None = None  # default: the process's validity dates
    validity: tuple[str, str] | None = None  # default: none (spec: 3 years after the reference period)
    fossil_carbon_content: float = 0.0  # kg C per declared unit
    mass_per_declared_unit: float | None = None  # default: from the reference flow
    standards: tuple[str, ...] = ("ISO14067",)
    boundary: str = "Cradle-to-gate"


def footprint_body(figures: PcfFigures, d: ProductDeclaration) -> dict[str, Any]:
    """Every field of the document but id, specVersion, created, status and precedingPfIds."""
    _check_urns("--product-id", d.product_ids, required=True)
    _check_urns("--company-id", d.company_ids, required=True)
    _check_urns("--classification", d.classifications, required=False)
    if not d.company_name.strip():
        raise InvalidArgument("--company-name is empty: give the name of the company that owns the footprint")
    body: dict[str, Any] = {
        "companyName": d.company_name, "companyIds": list(d.company_ids),
        "productDescription": d.description or f"{figures.name} (lcagraph process {figures.process}, "
                                               f"database {figures.database})",
        "productIds": list(d.product_ids), "productNameCompany": d.product_name or figures.name,
        "comment": f"Calculated by lcagraph from graph version {figures.graph_version}: AR6 GWP100; "
                   "exemptedEmissionsPercent is the share of inputs without a provider in the model.",
        "pcf": _carbon_footprint(figures, d),
    }
    if d.classifications:
        body["productClassifications"] = list(d.classifications)
    if d.validity:
        body["validityPeriodStart"], body["validityPeriodEnd"] = (utc_text(d.validity[0]),
                                                                   utc_text(d.validity[1], end=True))
    return body


def _carbon_footprint(f: PcfFigures, d: ProductDeclaration) -> dict[str, Any]:
    unit, factor = declared_unit(f.unit)
    start, end = d.reference_period or (f.valid_from, f.valid_until)
    if not (start and end):
        raise InvalidArgument(f"process {f.process!r} has no validity dates for the reference period: "
                              "give --reference-period START END (e.g. 2024-01-01 2024-12-31)")
    per_unit = 1.0 / (f.amount * factor)  # figures are for the reference amount; PACT: 1 declared unit
    return {
        "declaredUnitOfMeasurement": unit, "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": decimal_text(_mass(f, d, unit, factor)),
        "referencePeriodStart": utc_text(start), "referencePeriodEnd": utc_text(end, end=True),
        **geography(d.geography if d.geography is not None else f.location),
        "boundaryProcessesDescription": d.boundary,
        "pcfExcludingBiogenicUptake": decimal_text(f.excluding_uptake * per_unit),
        "pcfIncludingBiogenicUptake": decimal_text(f.including_uptake * per_unit),
        "fossilGhgEmissions": decimal_text(f.fossil * per_unit),
        "fossilCarbonContent": decimal_text(d.fossil_carbon_content),
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": list(d.standards),
        "exemptedEmissionsPercent": decimal_text(round(f.exempted_percent, 4)),
        "exemptedEmissionsDescription": "Inputs without a provider (declared cut-offs and missing providers) "
                                        "in percent of all inputs needing one, in the product's database.",
    }


def _mass(f: PcfFigures, d: ProductDeclaration, unit: str, factor: float) -> float:
    if d.mass_per_declared_unit is not None:
        return d.mass_per_declared_unit
    if unit in _MASSLESS:
        return 0.0
    if f.mass_per_unit is None:
        raise InvalidArgument(f"the reference flow of {f.process!r} (unit {f.unit!r}) has no mass: "
                              "give --mass-per-declared-unit KG")
    return f.mass_per_unit / factor


def declared_unit(unit: str) -> tuple[str, float]:
    """PACT declared unit of an lcagraph reference unit, and the factor from one to the other."""
    found = UNITS.get(unit.strip().lower())
    if found is None:
        known = ", ".join(sorted({u for u, _ in UNITS.values()}))
        raise InvalidArgument(f"reference unit {unit!r} has no PACT declared unit; PACT knows {known} "
                              f"(from {', '.join(UNITS)})")
    return found


def geography(location: str) -> dict[str, str]:
    """The one PACT geography field of a location code (none for global)."""
    code = location.strip()
    if code.upper() in GLOBAL:
        return {}
    if _COUNTRY.match(code):
        return {"geographyCountry": code}
    if _SUBDIVISION.match(code):
        return {"geographyCountrySubdivision": code}
    named = (r for r in REGIONS.values() if r.lower() == code.lower())
    region = REGIONS.get(code.upper()) or next(named, None)
    if region:
        return {"geographyRegionOrSubregion": region}
    raise InvalidArgument(f"location {location!r} is not a country (ISO 3166-1), subdivision (ISO 3166-2), "
                          f"region ({', '.join(REGIONS)}) or global: give --geography")


def utc_text(value: str, *, end: bool = False) -> str:
    """``value`` (a date, or a date and time; without zone: UTC) as UTC text; a date alone as an
    ``end`` is the start of the next day (the period includes the whole day)."""
    text = value.strip()
    dated = _DATE.match(text)  # a date, maybe with a zone as xsd:date has it ('2011-01-01-05:00')
    try:
        if dated:
            day = date.fromisoformat(dated[1]) + timedelta(days=1 if end else 0)
            zone = datetime.strptime(dated[2].replace("Z", "+00:00"), "%z").tzinfo if dated[2] else UTC
            moment = datetime(day.year, day.month, day.day, tzinfo=zone)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise InvalidArgument(f"{value!r} is not a date (2024-01-31) or date and time "
                              "(2024-01-31T12:00:00Z)") from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal_text(value: float) -> str:
    """Plain decimal text, 9 significant digits, never an exponent ('1.2e-07' -> '0.00000012')."""
    text = format(Decimal(f"{value:.9g}"), "f")
    return "0" if text.strip("-0.") == "" else text


def _check_urns(option: str, values: tuple[str, ...], *, required: bool) -> None:
    if required and not values:
        raise InvalidArgument(f"{option} is missing: give at least one URN (e.g. urn:gtin:4012345000009)")
    bad = [v for v in values if not _URN.match(v)]
    if bad:
        raise InvalidArgument(f"{option} {bad[0]!r} is not a URN: write it as urn:<namespace>:<id>")
    if len({v.lower() for v in values}) != len(values):
        raise InvalidArgument(f"{option} lists a value twice: {', '.join(values)}")
