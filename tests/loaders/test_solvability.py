"""loaders.solvability: an import whose own block of A is singular is refused, naming the processes;
ill-conditioned but solvable real data (USLCI, the FLCAC modules) passes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import SingularTechnosphere
from lcagraph.records import Database, DatabaseContent, Exchange, Flow, Process
from loaders.jsonld import read_jsonld
from loaders.linking import link_providers
from loaders.solvability import check_solvable

DATA = find_data_dir()
DB = Database(id="loop", name="loop")


def product(fid: str) -> Flow:
    return Flow(id=fid, name=f"flow {fid}", type="product", unit="kg")


def output(pid: str, fid: str, amount: float) -> Exchange:
    return Exchange(id=f"{pid}/out", process=pid, flow=fid, is_input=False, amount=amount, unit="kg",
                    amount_ref=amount, is_reference=True)


def use(pid: str, fid: str, amount: float, provider: str) -> Exchange:
    return Exchange(id=f"{pid}/in-{fid}", process=pid, flow=fid, is_input=True, amount=amount, unit="kg",
                    amount_ref=amount, default_provider=provider)


def linked(*processes: tuple[str, str, float, list[tuple[str, float, str]]]) -> DatabaseContent:
    """Processes (id, reference flow, reference amount, [(input flow, amount, provider)]), linked."""
    records, exchanges = [], []
    for pid, ref, amount, inputs in processes:
        records.append(Process(id=pid, name=f"process {pid}", database=DB.id, ref_flow=ref, ref_amount=amount,
                               ref_unit="kg"))
        exchanges.append(output(pid, ref, amount))
        exchanges += [use(pid, fid, a, provider) for fid, a, provider in inputs]
    flows = tuple(product(f) for f in sorted({p[1] for p in processes}))
    content = DatabaseContent(database=DB, flows=flows, processes=tuple(records), exchanges=tuple(exchanges))
    return link_providers(content)


def refusal(content: DatabaseContent) -> SingularTechnosphere:
    with pytest.raises(SingularTechnosphere) as info:
        check_solvable(content)
    return info.value


def test_two_process_loop_at_amount_one_refused() -> None:
    error = refusal(linked(("p1", "a", 1.0, [("b", 1.0, "p2")]), ("p2", "b", 1.0, [("a", 1.0, "p1")])))
    assert error.processes == ("p1", "p2")
    assert str(error) == (
        "the import would make the technosphere numerically singular (no footprint could be computed for "
        "any database); processes involved: 'p1' ('process p1'), 'p2' ('process p2'). Check their "
        "reference amounts and the links between them: a supply loop that consumes as much as it produces, "
        "or a process that uses up its own reference product"
    )


def test_self_loop_at_amount_one_refused() -> None:
    error = refusal(linked(("p1", "a", 1.0, [("a", 1.0, "p1")]), ("p2", "b", 1.0, [("a", 0.5, "p1")])))
    assert error.processes == ("p1",)
    assert str(error).startswith(
        "the import would make the technosphere structurally singular (no footprint could be computed for "
        "any database); processes involved: 'p1' ('process p1'). ")


@pytest.mark.parametrize("amount", [0.0, 1e-320])
def test_zero_or_subnormal_reference_amount_refused(amount: float) -> None:
    error = refusal(linked(("p1", "a", 1.0, [("b", 2.0, "p2")]), ("p2", "b", amount, [])))
    assert error.processes == ("p2",)
    assert str(error) == (
        f"reference amount {amount:g} is zero or too small to divide by (below 2.22507e-308) in process "
        "'p2' ('process p2'); the import is refused: set the quantitative reference amount in the dataset"
    )


def test_loop_with_gain_below_one_is_solvable() -> None:
    content = linked(("p1", "a", 1.0, [("b", 0.5, "p2")]), ("p2", "b", 1.0, [("a", 0.9, "p1")]))
    check_solvable(content)  # det = 1 - 0.5 * 0.9
    assert len(content.links) == 2


def test_links_to_processes_outside_the_import_are_not_its_block() -> None:
    content = linked(("p1", "a", 1.0, [("b", 1.0, "p2")]), ("p2", "b", 1.0, []))
    p1_only = DatabaseContent(database=DB, flows=content.flows, processes=content.processes[:1],
                              exchanges=content.exchanges[:2], links=content.links)
    check_solvable(p1_only)  # p2 belongs to a background database: its row is not in this block


def write_loop_package(path: Path, gain: float) -> Path:
    mass = {"@id": "93a60a56-a3c8-11da-a746-0800200b9a66"}
    kg = {"@id": "20aadc24-a391-41cf-b340-3e4529f44bde"}

    def flow(fid: str) -> dict[str, object]:
        factor = {"flowProperty": mass, "conversionFactor": 1.0, "isRefFlowProperty": True}
        return {"@type": "Flow", "@id": fid, "name": fid, "flowType": "PRODUCT_FLOW",
                "flowProperties": [factor]}

    def process(pid: str, ref: str, other: str, provider: str) -> dict[str, object]:
        exchanges = [
            {"flow": {"@id": ref}, "amount": 1.0, "isInput": False, "isQuantitativeReference": True,
             "unit": kg, "flowProperty": mass},
            {"flow": {"@id": other}, "amount": gain, "isInput": True, "unit": kg, "flowProperty": mass,
             "defaultProvider": {"@id": provider}},
        ]
        return {"@type": "Process", "@id": pid, "name": f"make {ref}", "exchanges": exchanges}

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("olca-schema.json", "{}")
        zf.writestr("flows/a.json", json.dumps(flow("a")))
        zf.writestr("flows/b.json", json.dumps(flow("b")))
        zf.writestr("processes/p1.json", json.dumps(process("p1", "a", "b", "p2")))
        zf.writestr("processes/p2.json", json.dumps(process("p2", "b", "a", "p1")))
    return path


def test_loop_package_read_and_linked_is_refused(tmp_path: Path) -> None:
    content = link_providers(read_jsonld(write_loop_package(tmp_path / "loop.zip", 1.0), DB))
    assert refusal(content).processes == ("p1", "p2")
    check_solvable(link_providers(read_jsonld(write_loop_package(tmp_path / "ok.zip", 0.5), DB)))


@pytest.mark.parametrize("relative", [
    "uslci/uslci_fy17q4_jsonld.zip",
    "flcac/uslci-transport_v1.1_jsonld.zip",
    "flcac/uslci-marine_v1.0_jsonld.zip",
    "flcac/uslci-rail_v1.0_jsonld.zip",
])
def test_real_databases_pass(relative: str) -> None:
    content = link_providers(read_jsonld(DATA / relative, Database(id="real", name="real")))
    inside = {p.id for p in content.processes}
    internal = [k for k in content.links if k.provider in inside]
    assert internal or "flcac" in relative  # USLCI's block has its own supply chains
    check_solvable(content)


def test_uslci_block_is_ill_conditioned_yet_passes() -> None:
    """The check refuses exact singularity only: USLCI's own block is badly conditioned."""
    from scipy.sparse.linalg import splu

    from loaders.solvability import _link_rows, _process_rows
    from solver.matrices import build_system
    from solver.tables import ElementaryTable, FactorTable, ProcessTable

    content = link_providers(read_jsonld(DATA / "uslci/uslci_fy17q4_jsonld.zip", Database(id="u", name="u")))
    ids, amounts, inputs = _process_rows(content)
    system = build_system(ProcessTable(ids, amounts, inputs), _link_rows(content, set(ids)),
                          ElementaryTable((), (), np.zeros(0), np.zeros(0, dtype=bool)),
                          FactorTable((), (), np.zeros(0)))
    lu = splu(system.A.tocsc())
    pivots = np.abs(lu.U.diagonal())
    assert pivots.max() / pivots.min() > 1e8  # far from well-conditioned, and still accepted
    check_solvable(content)
