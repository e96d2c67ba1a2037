"""Greenhouse-gas coverage: elementary flows to air that are a gas of the AR6 table but have no
factor in a climate category - the missed N2O an analyst must see at once.

A flow counts when it is emitted (used as an output at least once), its compartment is air or
names no medium, and its own data (CAS, names, formula: loaders.substances) identify one AR6 gas.
Biogenic CO2 is not counted: 0 is the convention of AR6 GWP100 (README, "Biogenic carbon").
Flows that no gas of the table identifies ("Nitrogen oxides", "CFCs, unspecified") are not
covered by the method - information, not a defect.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph import queries as q
from graph.store import GraphStore, Row
from loaders.matching import medium
from loaders.methods import substance_index
from loaders.substances import split_origin


@dataclass(frozen=True, slots=True)
class MissedGas:
    """An emitted greenhouse gas without a factor: the flow, the gas it is, how much is emitted."""

    flow: str
    name: str
    compartment: str
    gas: str
    cas: str
    exchanges: int
    amount: float
    unit: str


def find_missed_greenhouse_gases(
    store: GraphStore, category: str, database: str | None = None,
) -> tuple[MissedGas, ...]:
    """Emitted AR6 gases the category leaves without a factor (in one database, or all)."""
    rows = store.read(q.READ_ELEMENTARY_FLOW_USE, {"category": category, "database": database})
    found = [_missed(r) for r in rows if not r["characterised"]]
    return tuple(sorted((m for m in found if m is not None), key=lambda m: (-m.amount, m.flow)))


def is_climate_category(store: GraphStore, category: str) -> bool:
    """True when the category characterises carbon dioxide or methane emitted to air somewhere."""
    rows = store.read(q.READ_ELEMENTARY_FLOW_USE, {"category": category, "database": None})
    gases = {"124-38-9", "74-82-8"}
    return any(r["characterised"] and (_gas_cas(r) in gases) for r in rows)


def _missed(row: Row) -> MissedGas | None:
    compartment = tuple(row["compartment"] or ())
    if medium(compartment) not in ("air", "") or int(row["inputs"]) == int(row["exchanges"]):
        return None
    name = str(row["name"] or "")
    identity = substance_index().identify(name, tuple(row["synonyms"] or ()), row["cas"] or "",
                                          row["formula"] or "")
    gas = identity.substance
    if gas is None or (gas.cas == "124-38-9" and split_origin(name)[1] == "biogenic"):
        return None
    return MissedGas(flow=str(row["id"]), name=name, compartment="/".join(compartment) or "no compartment",
                     gas=gas.name, cas=gas.cas, exchanges=int(row["exchanges"]), amount=float(row["amount"]),
                     unit=str(row["unit"] or ""))


def _gas_cas(row: Row) -> str:
    identity = substance_index().identify(str(row["name"] or ""), (), row["cas"] or "", row["formula"] or "")
    return identity.substance.cas if identity.substance else ""
