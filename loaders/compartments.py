"""Compartments a file does not give, inferred from how the flow is used.

EcoSpold2 exports without MasterData (USLCI's FY18 release) and USLCI's bare ``Elementary Flows``
folder give elementary flows no compartment. An elementary flow that the package uses only as
an input comes from nature: a resource (the ``Carbon dioxide`` a crop takes up from air), never
an emission - so no emission factor is applied to it and the input does not become a credit.
A flow used as an output (or both ways) stays without a medium and is matched as an emission to
air (loaders.matching), as openLCA would; both inferences are named in the import report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from lcagraph.records import DatabaseContent, ImportReport
from loaders.matching import medium

RESOURCE = ("resource",)


def infer_compartments(content: DatabaseContent) -> DatabaseContent:
    """Elementary flows without a medium, used only as inputs here, become resources."""
    directions: dict[str, set[bool]] = defaultdict(set)
    for x in content.exchanges:
        directions[x.flow].add(x.is_input)
    flows, notes = [], []
    for flow in content.flows:
        if flow.type == "elementary" and not medium(flow.compartment) and directions.get(flow.id) == {True}:
            given = "/".join(flow.compartment) or "none"
            notes.append(f"dataset {flow.id}, field compartment: {flow.name!r} has {given}; used only as "
                         "an input, so taken as a resource from nature (inferred)")
            flow = replace(flow, compartment=(*flow.compartment, *RESOURCE), compartment_inferred=True)
        flows.append(flow)
    if not notes:
        return content
    report = content.report or ImportReport(database=content.database.id, file="", format="")
    warnings = report.warnings + tuple(notes)
    return replace(content, flows=tuple(flows), report=replace(report, warnings=warnings))
