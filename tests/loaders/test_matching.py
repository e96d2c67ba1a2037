"""Elementary flow matching on handwritten specs and flows."""

from __future__ import annotations

import uuid

import pytest

from lcagraph.records import Exchange, FactorSpec, Flow
from loaders.matching import (
    fedefl_uuid,
    find_unmatched_flows,
    match_factors,
    match_factors_detailed,
    medium,
    name_keys,
    normalise_cas,
    split_origin,
)

CAT = "gwp"
AIR = ("air", "unspecified")


def spec(
    name: str, value: float, *, cas: str = "", flow: str | None = None, synonyms: tuple[str, ...] = ()
) -> FactorSpec:
    return FactorSpec(
        category=CAT, value=value, flow=flow, name=name, cas=cas, compartment=("air",), synonyms=synonyms
    )


def eflow(
    fid: str, name: str, compartment: tuple[str, ...] = AIR, *, cas: str = "", unit: str = "kg"
) -> Flow:
    return Flow(id=fid, name=name, type="elementary", unit=unit, cas=cas, compartment=compartment)


def values(specs: list[FactorSpec], flows: list[Flow]) -> dict[str, tuple[float, str]]:
    return {f.flow: (f.value, f.matched_by) for f in match_factors(specs, flows)}


GASES = [
    spec("Carbon dioxide", 1.0, cas="124-38-9"),
    spec("Carbon dioxide, fossil", 1.0, cas="124-38-9"),
    spec("Carbon dioxide, biogenic", 0.0, cas="124-38-9"),
    spec("Methane", 27.9, cas="74-82-8"),
    spec("Methane, fossil", 29.8, cas="74-82-8"),
    spec("Methane, biogenic", 27.0, cas="74-82-8"),
    spec("Nitrous oxide", 273.0, cas="10024-97-2", synonyms=("Dinitrogen monoxide",)),
    spec("Dichlorodifluoromethane", 12500.0, cas="75-71-8", synonyms=("CFC-12",)),
    spec("Bromotrifluoromethane", 7200.0, cas="75-63-8", synonyms=("Halon-1301",)),
]


def test_uuid_match_comes_first_and_needs_no_compartment() -> None:
    specs = [FactorSpec(category=CAT, value=5.0, flow="f1")]
    assert values(specs, [eflow("f1", "whatever", ())]) == {"f1": (5.0, "uuid")}


def test_trailing_space_and_case_still_match() -> None:
    got = values(GASES, [eflow("a", "Carbon dioxide, fossil "), eflow("b", "  METHANE,   fossil")])
    assert got == {"a": (1.0, "name"), "b": (29.8, "name")}


def test_fossil_and_biogenic_are_kept_apart() -> None:
    flows = [
        eflow("cf", "Carbon dioxide, fossil"),
        eflow("cb", "Carbon dioxide, biogenic"),
        eflow("cn", "Carbon dioxide, non-fossil"),
        eflow("mf", "Methane, fossil"),
        eflow("mb", "Methane, biogenic"),
        eflow("mn", "Methane, non-fossil"),
        eflow("m", "Methane"),
    ]
    got = {k: v for k, (v, _) in values(GASES, flows).items()}
    assert got == {"cf": 1.0, "cb": 0.0, "cn": 0.0, "mf": 29.8, "mb": 27.0, "mn": 27.0, "m": 27.9}


def test_cas_match_respects_origin_and_leading_zeros() -> None:
    flows = [
        eflow("m", "Methane, fossil", cas="000074-82-8"),
        eflow("x", "Some odd label", cas="74-82-8"),
        eflow("n", "N2O", cas="10024-97-2"),
    ]
    assert values(GASES, flows) == {"m": (29.8, "cas"), "x": (27.9, "cas"), "n": (273.0, "cas")}


def test_biogenic_co2_never_falls_back_to_the_plain_entry_biogenic_methane_does() -> None:
    plain_only = [spec("Carbon dioxide", 1.0, cas="124-38-9"), spec("Methane", 27.9)]
    flows = [
        eflow("cb", "Carbon dioxide, biogenic", cas="124-38-9"),
        eflow("mb", "Methane, biogenic"),
        eflow("cf", "Carbon dioxide, fossil"),
        eflow("ml", "Methane, land transformation"),
    ]
    assert values(plain_only, flows) == {"cf": (1.0, "name"), "ml": (27.9, "name"), "mb": (27.9, "name")}


def test_synonyms_inversions_and_acronyms() -> None:
    flows = [
        eflow("n", "Dinitrogen monoxide"),
        eflow("c", "Methane, dichlorodifluoro-, CFC-12"),
        eflow("h", "Methane, bromotrifluoro-, Halon 1301"),
        eflow("d", "Dichlorodifluoromethane"),
        eflow("g", "Nitrous oxide (laughing gas) [Inorganic emissions to air]"),
    ]
    got = {k: v for k, (v, _) in values(GASES, flows).items()}
    assert got == {"n": 273.0, "c": 12500.0, "h": 7200.0, "d": 12500.0, "g": 273.0}


def test_only_emissions_to_air_match_an_air_factor() -> None:
    flows = [
        eflow("w", "Methane", ("water", "river")),
        eflow("r", "Carbon dioxide", ("resource", "in air")),
        eflow("s", "Dinitrogen monoxide", ("soil", "agricultural")),
        eflow("a", "Methane", ("Emissions", "Emissions to air")),
    ]
    result = match_factors_detailed(GASES, flows)
    assert [(f.flow, f.value) for f in result.factors] == [("a", 27.9)]
    assert result.assumed_air == ()


def test_flows_without_any_compartment_match_as_air_and_are_listed() -> None:
    flows = [
        eflow("u", "Methane, biogenic", ("Elementary Flows",)),
        eflow("e", "Carbon dioxide, fossil", ()),
        eflow("k", "Some unknown gas", ()),
    ]
    result = match_factors_detailed(GASES, flows)
    assert {(f.flow, f.value) for f in result.factors} == {("u", 27.0), ("e", 1.0)}
    assert set(result.assumed_air) == {"u", "e"}


def test_non_mass_reference_unit_is_not_matched_silently() -> None:
    flows = [eflow("v", "Methane", unit="m3"), eflow("g", "Methane, fossil", unit="g")]
    result = match_factors_detailed(GASES, flows)
    (factor,) = result.factors
    assert factor.flow == "g"
    assert factor.value == pytest.approx(29.8e-3, rel=1e-12)
    assert result.rejected == (("v", "gwp: factor is per kg, flow reference unit is m3 (not convertible)"),)
    exchanges = [Exchange("p/1", "p", "v", False, 2.0, "m3", 2.0)]
    (line,) = find_unmatched_flows(exchanges, flows, result.factors, result.rejected)
    assert line.startswith("v 'Methane' [air/unspecified]: gwp: factor is per kg")


def test_conflicting_specs_for_one_name_do_not_match_by_that_name() -> None:
    specs = [spec("Isomer", 328.0, cas="425-88-7"), spec("isomer", 229.0, cas="485399-46-0")]
    flows = [eflow("x", "Isomer"), eflow("y", "Isomer", cas="425-88-7")]
    assert values(specs, flows) == {"y": (328.0, "cas")}


def test_each_category_matches_on_its_own() -> None:
    specs = [*GASES, FactorSpec(category="gwp20", value=81.2, name="Methane", compartment=("air",))]
    got = match_factors(specs, [eflow("m", "Methane")])
    assert sorted((f.category, f.value) for f in got) == [("gwp", 27.9), ("gwp20", 81.2)]


def test_fedefl_uuids_are_derived_from_names() -> None:
    # FEDEFL's own definition; this id is the FEDEFL 'Carbon dioxide' to emission/air in kg.
    assert fedefl_uuid("Carbon dioxide") == "b6f010fb-a764-3063-af2d-bcb8309a97b7"
    assert fedefl_uuid("Methane") == str(uuid.uuid3(uuid.NAMESPACE_OID, "methane/emission/air/kg"))
    specs = [
        FactorSpec(category=CAT, value=1.0, flow=fedefl_uuid("Carbon dioxide")),
        FactorSpec(category=CAT, value=27.9, flow=fedefl_uuid("Methane")),
    ]
    flows = [
        eflow("cf", "Carbon dioxide, fossil "),
        eflow("cb", "Carbon dioxide, biogenic"),
        eflow("mb", "Methane, biogenic"),
        eflow("m", "Methane", ("air", "low population density")),
        eflow("w", "Methane", ("water",)),
    ]
    assert values(specs, flows) == {"cf": (1.0, "fedefl"), "m": (27.9, "fedefl"), "mb": (27.9, "fedefl")}


def test_unmatched_flows_lists_nonzero_uncharacterised_elementary_flows_once() -> None:
    flows = [
        eflow("co2", "Carbon dioxide"),
        eflow("so2", "Sulfur dioxide"),
        eflow("zn", "Zinc", ("water",)),
        Flow(id="steel", name="Steel", type="product", unit="kg"),
    ]
    exchanges = [
        Exchange("p/1", "p", "co2", False, 1.0, "kg", 1.0),
        Exchange("p/2", "p", "so2", False, 1.0, "kg", 1.0),
        Exchange("q/2", "q", "so2", False, 3.0, "kg", 3.0),
        Exchange("p/3", "p", "zn", False, 0.0, "kg", 0.0),
        Exchange("p/4", "p", "steel", True, 1.0, "kg", 1.0),
    ]
    factors = match_factors(GASES, flows)
    assert find_unmatched_flows(exchanges, flows, factors) == ("so2 'Sulfur dioxide' [air/unspecified]",)


@pytest.mark.parametrize(
    ("compartment", "expected"),
    [
        (("air", "low population density"), "air"),
        (
            ("Elementary Flows", "NETL Coal Elementary Flows", "NETL Elementary Flows", "Emission to air"),
            "air",
        ),
        (("Elementary flows/emission/air/troposphere/rural",), "air"),
        (("resource", "in air"), "resource"),
        (("Resources", "Resources from ground"), "resource"),
        (("Emissions", "Emissions to fresh water"), "water"),
        (("groundwater",), "water"),
        (("soil", "agricultural"), "soil"),
        (("Elementary Flows",), ""),
        ((), ""),
    ],
)
def test_medium(compartment: tuple[str, ...], expected: str) -> None:
    assert medium(compartment) == expected


def test_name_helpers() -> None:
    assert split_origin("Carbon dioxide, fossil ") == ("carbon dioxide", "fossil")
    assert split_origin("Methane, non-fossil") == ("methane", "biogenic")
    assert split_origin("Carbon dioxide, in air") == ("carbon dioxide, in air", "")
    assert "1,1,1,2-tetrafluoroethane" in name_keys("Ethane, 1,1,1,2-tetrafluoro-, HFC-134a")
    assert normalise_cas("000124-38-9") == "124-38-9"
    assert normalise_cas("n.a.") == ""


# --- issue 9: substances are never confused; resources never take emission factors --------------

def test_a_bracketed_formula_is_kept_so_nitrogen_oxide_is_not_nitrous_oxide() -> None:
    # the FEDEFL N2O flow of the rail module carries the synonym 'Nitrogen oxide (N2O)'
    n2o = spec("Nitrous oxide", 273.0, cas="10024-97-2", synonyms=("Nitrogen oxide (N2O)",))
    flows = [eflow("nox", "Nitrogen oxide "), eflow("n2o", "Nitrogen oxide (N2O)"),
             eflow("dn", "Dinitrogen monoxide", cas="10024-97-2")]
    assert values([n2o], flows) == {"n2o": (273.0, "name"), "dn": (273.0, "cas")}


def test_a_formula_that_contradicts_the_cas_number_is_a_conflict_not_a_match() -> None:
    n2o = spec("Nitrous oxide", 273.0, cas="10024-97-2")
    wrong = Flow(id="x", name="Carbon dioxide (N2O)", type="elementary", unit="kg", compartment=AIR,
                 cas="124-38-9")
    assert values([n2o], [wrong]) == {}


def test_the_systematic_name_wins_over_a_contradicting_acronym() -> None:
    # ecoinvent-style 'Ethane, 1,2-dichloro-1,1,2-trifluoro-, HCFC-123' is HCFC-123a (CAS 354-23-4)
    specs = [spec("1,2-dichloro-1,1,2-trifluoroethane", 395.0, synonyms=("HCFC-123a",)),
             spec("2,2-dichloro-1,1,1-trifluoroethane", 90.4, synonyms=("HCFC-123",))]
    flows = [eflow("a", "Ethane, 1,2-dichloro-1,1,2-trifluoro-, HCFC-123"), eflow("b", "HCFC-123")]
    assert values(specs, flows) == {"a": (395.0, "name"), "b": (90.4, "name")}


def test_isomer_brackets_are_never_dropped_but_plain_annotations_are() -> None:
    assert "butane" not in name_keys("Butane (iso)")
    assert "nitrous oxide" in name_keys("Nitrous oxide (laughing gas)")
    assert "nitrogen oxide" not in name_keys("Nitrogen oxide (N2O)")


def test_two_candidate_factors_are_reported_as_ambiguous_not_resolved() -> None:
    specs = [spec("Gas X", 10.0), FactorSpec(category=CAT, value=20.0, name="gas x", compartment=("air",))]
    result = match_factors_detailed(specs, [eflow("g", "Gas X")])
    assert result.factors == ()
    ((flow, why),) = result.ambiguous
    assert flow == "g" and "10 per kg" in why and "20 per kg" in why


def test_a_resource_never_takes_an_emission_factor_and_uptake_needs_its_own() -> None:
    uptake = FactorSpec(category=CAT, value=1.0, name="Carbon dioxide", cas="124-38-9",
                        compartment=("resource",), synonyms=("Carbon dioxide, in air",))
    flows = [eflow("in-air", "Carbon dioxide, in air", ("resource", "in air")),
             eflow("bare", "Carbon dioxide", ("resource",))]
    assert values(GASES, flows) == {}
    assert values([*GASES, uptake], flows) == {"in-air": (1.0, "name"), "bare": (1.0, "name")}


def test_halocarbons_reach_fedefl_by_acronym_and_by_their_gas_names() -> None:
    specs = [FactorSpec(category=CAT, value=12500.0, flow=fedefl_uuid("cfc-12")),
             FactorSpec(category=CAT, value=7200.0, flow=fedefl_uuid("halon 1301")),
             FactorSpec(category=CAT, value=7380.0, flow=fedefl_uuid("carbon tetrafluoride")),
             FactorSpec(category=CAT, value=273.0, flow=fedefl_uuid("nitrous oxide"))]
    flows = [eflow("c", "Methane, dichlorodifluoro-, CFC-12"),
             eflow("h", "Methane, bromotrifluoro-, Halon 1301"),
             eflow("t", "Methane, tetrafluoro-, FC-14"), eflow("n", "Dinitrogen monoxide")]
    assert values(specs, flows) == {"c": (12500.0, "fedefl"), "h": (7200.0, "fedefl"),
                                    "t": (7380.0, "fedefl"), "n": (273.0, "fedefl")}


def test_the_result_does_not_depend_on_the_order_of_specs_or_flows() -> None:
    flows = [eflow("a", "Methane, fossil"), eflow("b", "CFC-12"), eflow("c", "Nitrous oxide (laughing gas)"),
             eflow("d", "Carbon dioxide", cas="124-38-9")]
    first = match_factors_detailed(GASES, flows)
    again = match_factors_detailed(list(reversed(GASES)), list(reversed(flows)))
    assert first == again
