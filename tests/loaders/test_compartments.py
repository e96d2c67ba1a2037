"""Compartments inferred from how a package uses a flow that has none."""

from __future__ import annotations

from lcagraph.records import Database, DatabaseContent, Exchange, Flow
from loaders.compartments import infer_compartments


def exchange(i: int, flow: str, is_input: bool) -> Exchange:
    return Exchange(id=f"x{i}", process="p", flow=flow, is_input=is_input, amount=1.0, unit="kg",
                    amount_ref=1.0)


def test_input_only_flows_without_a_medium_become_resources_and_are_reported() -> None:
    flows = (Flow("co2-in", "Carbon dioxide", "elementary", "kg"),
             Flow("co2-both", "Carbon dioxide, biogenic", "elementary", "kg",
                  compartment=("Elementary Flows",)),
             Flow("ch4", "Methane", "elementary", "kg"),
             Flow("air", "Carbon dioxide", "elementary", "kg", compartment=("air",)))
    content = DatabaseContent(database=Database("d", "D"), flows=flows, exchanges=(
        exchange(1, "co2-in", True), exchange(2, "co2-both", True), exchange(3, "co2-both", False),
        exchange(4, "ch4", False), exchange(5, "air", True)))
    got = {f.id: (f.compartment, f.compartment_inferred) for f in infer_compartments(content).flows}
    assert got == {"co2-in": (("resource",), True), "co2-both": (("Elementary Flows",), False),
                   "ch4": ((), False), "air": (("air",), False)}
    report = infer_compartments(content).report
    assert report is not None
    (note,) = report.warnings
    assert note.startswith(
        "dataset co2-in, field compartment: 'Carbon dioxide' has none; used only as an input")
