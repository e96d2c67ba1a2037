"""Greenhouse-gas coverage on a small hand-made database."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.services.coverage import find_missed_greenhouse_gases, is_climate_category
from graph.connect import open_embedded
from graph.falkor import FalkorStore
from graph.writer import write_database_content
from lcagraph.records import (
    CharacterisationFactor,
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImpactCategory,
    ImpactMethod,
    Process,
)

AIR = ("air", "unspecified")


def content() -> DatabaseContent:
    flows = (
        Flow("p", "Product", "product", "kg"),
        Flow("co2", "Carbon dioxide", "elementary", "kg", compartment=AIR),
        Flow("n2o", "Dinitrogen monoxide", "elementary", "kg", compartment=AIR),
        Flow("nox", "Nitrogen oxides", "elementary", "kg", compartment=AIR),
        Flow("bio", "Carbon dioxide, biogenic", "elementary", "kg", compartment=AIR),
        Flow("sf6", "Sulfur hexafluoride", "elementary", "kg", compartment=AIR),
        Flow("uptake", "Carbon dioxide, in air", "elementary", "kg", compartment=("resource", "in air")),
    )
    amounts = {"p": 1.0, "co2": 2.0, "n2o": 0.01, "nox": 0.5, "bio": 3.0, "sf6": 0.0, "uptake": 4.0}
    exchanges = tuple(
        Exchange(id=f"x{i}", process="proc", flow=flow, is_input=flow == "uptake", amount=amount,
                 unit="kg", amount_ref=amount, is_reference=flow == "p")
        for i, (flow, amount) in enumerate(amounts.items()))
    return DatabaseContent(
        database=Database("d", "D"), flows=flows, exchanges=exchanges,
        processes=(Process("proc", "Process", "d", ref_flow="p", ref_amount=1.0, ref_unit="kg"),),
        methods=(ImpactMethod("m", "M"),),
        categories=(ImpactCategory("gwp", "GWP", "m", "kg CO2-eq"),
                    ImpactCategory("acid", "Acidification", "m", "mol H+")),
        factors=(CharacterisationFactor("gwp", "co2", 1.0), CharacterisationFactor("acid", "nox", 0.7)),
    )


def write(store: FalkorStore) -> None:
    with store.unit_of_work() as writer:
        write_database_content(writer, content())


def test_an_emitted_gas_without_a_factor_is_named_with_its_amount(store: FalkorStore) -> None:
    write(store)
    assert is_climate_category(store, "gwp") and not is_climate_category(store, "acid")
    (missed,) = find_missed_greenhouse_gases(store, "gwp")
    # NOx is no AR6 gas, biogenic CO2 is 0 by convention, SF6 is not emitted, uptake is a resource
    got = (missed.flow, missed.gas, missed.cas, missed.exchanges)
    assert got == ("n2o", "Nitrous oxide", "10024-97-2", 1)
    assert missed.amount == pytest.approx(0.01, rel=1e-15)


def test_check_strict_fails_and_names_the_gas(
    embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", f"embedded://{embedded_dir}")
    opened = open_embedded(embedded_dir)
    try:
        write(opened)
    finally:
        opened.close()
    with pytest.raises(SystemExit) as done:
        main(["check", "--method", "gwp", "--strict"])
    assert done.value.code == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "1 greenhouse gases emitted without a factor in gwp" in out
    assert "n2o 'Dinitrogen monoxide' [air/unspecified] is Nitrous oxide (CAS 10024-97-2)" in out
