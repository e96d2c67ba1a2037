"""Provider linking: each rule on small handwritten contents, then the counts on real data."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse.linalg as spla

from lcagraph.config import find_data_dir
from lcagraph.errors import InvalidArgument
from lcagraph.records import (
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    Process,
    ProviderCandidate,
)
from loaders.jsonld import read_jsonld
from loaders.linking import link_providers
from solver.matrices import ElementaryTable, FactorTable, LinkTable, ProcessTable, build_system

DB = "fg"


def flow(fid: str, kind: str = "product") -> Flow:
    return Flow(id=fid, name=fid, type=kind, unit="kg")  # type: ignore[arg-type]


def process(
    pid: str, ref: str, *, location: str = "", ptype: str = "unit", treatment: bool = False
) -> Process:
    return Process(
        id=pid,
        name=pid,
        database=DB,
        ref_flow=ref,
        location=location,
        type=ptype,  # type: ignore[arg-type]
        ref_is_input=treatment,
    )


def exchange(
    pid: str,
    n: int,
    fid: str,
    *,
    is_input: bool = True,
    amount: float = 2.0,
    ref: bool = False,
    provider: str | None = None,
    avoided: bool = False,
) -> Exchange:
    return Exchange(
        id=f"{pid}/{n}",
        process=pid,
        flow=fid,
        is_input=is_input,
        amount=amount,
        unit="kg",
        amount_ref=amount,
        is_reference=ref,
        default_provider=provider,
        is_avoided=avoided,
    )


def content(processes: list[Process], exchanges: list[Exchange], flows: list[Flow]) -> DatabaseContent:
    refs = [
        exchange(p.id, 0, p.ref_flow or "", is_input=p.ref_is_input, amount=1.0, ref=True) for p in processes
    ]
    return DatabaseContent(
        database=Database(id=DB, name=DB),
        flows=tuple(flows),
        processes=tuple(processes),
        exchanges=tuple(refs + exchanges),
    )


def counts(c: DatabaseContent) -> dict[str, int]:
    assert c.report is not None
    return dict(c.report.links)


def test_unique_provider_in_same_database() -> None:
    c = link_providers(
        content([process("a", "A"), process("b", "B")], [exchange("a", 1, "B")], [flow("A"), flow("B")])
    )
    (link,) = c.links
    assert (link.consumer, link.provider, link.flow, link.exchange, link.kind) == (
        "a",
        "b",
        "B",
        "a/1",
        "unique",
    )
    assert link.amount_ref == 2.0 and not link.is_waste and link.candidates == ()
    assert counts(c) == {"default": 0, "unique": 1, "ambiguous": 0, "override": 0, "unlinked": 0}


def test_background_used_only_when_same_database_has_no_candidate() -> None:
    bg = [ProviderCandidate("bg1", "uslci", "B"), ProviderCandidate("bg2", "uslci", "C")]
    c = link_providers(
        content(
            [process("a", "A"), process("b", "B")],
            [exchange("a", 1, "B"), exchange("a", 2, "C")],
            [flow("A"), flow("B"), flow("C")],
        ),
        background=bg,
    )
    assert {(lk.exchange, lk.provider, lk.kind) for lk in c.links} == {
        ("a/1", "b", "unique"),
        ("a/2", "bg2", "unique"),
    }


def test_background_candidates_of_the_database_being_imported_are_ignored() -> None:
    bg = [ProviderCandidate("old-b", DB, "B")]
    c = link_providers(
        content([process("a", "A")], [exchange("a", 1, "B")], [flow("A"), flow("B")]), background=bg
    )
    assert c.links == () and len(c.unlinked) == 1


def test_ambiguous_pick_prefers_location_then_unit_then_lowest_id() -> None:
    processes = [
        process("a", "A", location="US"),
        process("p3", "B", location="US", ptype="system"),
        process("p2", "B", location="US"),
        process("p1", "B", location="CA"),
        process("p0", "B", location="US"),
    ]
    c = link_providers(content(processes, [exchange("a", 1, "B")], [flow("A"), flow("B")]))
    (link,) = c.links
    assert link.kind == "ambiguous"
    assert link.provider == "p0"
    assert link.candidates == ("p0", "p2", "p3", "p1")
    assert counts(c)["ambiguous"] == 1


def test_ambiguous_without_location_match_prefers_unit_then_id() -> None:
    bg = [
        ProviderCandidate("z-unit", "uslci", "D", location="RNA"),
        ProviderCandidate("a-sys", "uslci", "D", location="RNA", type="system"),
        ProviderCandidate("m-unit", "uslci", "D", location="RNA"),
    ]
    c = link_providers(
        content([process("a", "A", location="US")], [exchange("a", 1, "D")], [flow("A"), flow("D")]),
        background=bg,
    )
    (link,) = c.links
    assert (link.provider, link.candidates) == ("m-unit", ("m-unit", "z-unit", "a-sys"))


def test_unlinked_is_a_recorded_cut_off() -> None:
    c = link_providers(
        content([process("a", "A")], [exchange("a", 1, "CUTOFF x")], [flow("A"), flow("CUTOFF x")])
    )
    assert c.links == ()
    (cut,) = c.unlinked
    assert (cut.process, cut.flow, cut.exchange) == ("a", "CUTOFF x", "a/1")
    assert "no process has flow CUTOFF x as its reference product" in cut.reason
    assert counts(c)["unlinked"] == 1


def test_default_provider_wins_over_rules_in_content_and_background() -> None:
    bg = [ProviderCandidate("bg-b", "uslci", "B"), ProviderCandidate("bg-c", "uslci", "C")]
    processes = [process("a", "A"), process("b1", "B"), process("b2", "B")]
    c = link_providers(
        content(
            processes,
            [exchange("a", 1, "B", provider="b2"), exchange("a", 2, "C", provider="bg-c")],
            [flow("A"), flow("B"), flow("C")],
        ),
        background=bg,
    )
    assert {(lk.exchange, lk.provider, lk.kind) for lk in c.links} == {
        ("a/1", "b2", "default"),
        ("a/2", "bg-c", "default"),
    }
    assert counts(c)["default"] == 2


def test_missing_default_provider_falls_through_and_is_reported() -> None:
    bg = [ProviderCandidate("bg-b", "uslci", "B")]
    c = link_providers(
        content(
            [process("a", "A")],
            [exchange("a", 1, "B", provider="gone"), exchange("a", 2, "C", provider="gone-too")],
            [flow("A"), flow("B"), flow("C")],
        ),
        background=bg,
    )
    (link,) = c.links
    assert (link.provider, link.kind) == ("bg-b", "unique")
    (cut,) = c.unlinked
    assert cut.reason.startswith("default provider gone-too not found")
    assert c.report is not None
    assert any("default provider gone not found" in w and "a/1" in w for w in c.report.warnings)


def test_override_applies_in_the_same_step() -> None:
    processes = [process("a", "A"), process("b1", "B"), process("b2", "B")]
    c = link_providers(
        content(processes, [exchange("a", 1, "B", provider="b1")], [flow("A"), flow("B")]),
        overrides={"a/1": "b2"},
    )
    (link,) = c.links
    assert (link.provider, link.kind) == ("b2", "override")
    assert counts(c) == {"default": 0, "unique": 0, "ambiguous": 0, "override": 1, "unlinked": 0}


def test_override_into_background() -> None:
    bg = [ProviderCandidate("bg-b", "uslci", "B")]
    c = link_providers(
        content([process("a", "A")], [exchange("a", 1, "B")], [flow("A"), flow("B")]),
        background=bg,
        overrides={"a/1": "bg-b"},
    )
    assert [(lk.provider, lk.kind) for lk in c.links] == [("bg-b", "override")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"a/9": "b"}, "has no exchange 'a/9'"),
        ({"a/1": "nowhere"}, "no process 'nowhere'"),
        ({"a/2": "b"}, "takes no provider"),
    ],
)
def test_bad_overrides_are_refused_with_the_fix(overrides: dict[str, str], message: str) -> None:
    c = content(
        [process("a", "A"), process("b", "B")],
        [exchange("a", 1, "B"), exchange("a", 2, "CO2", is_input=False)],
        [flow("A"), flow("B"), flow("CO2", "elementary")],
    )
    with pytest.raises(InvalidArgument, match=message):
        link_providers(c, overrides=overrides)


def test_override_to_a_provider_of_another_flow_is_linked_with_a_warning() -> None:
    c = link_providers(
        content([process("a", "A"), process("b", "B")], [exchange("a", 1, "B")], [flow("A"), flow("B")]),
        overrides={"a/1": "a"},
    )
    assert [(lk.provider, lk.kind) for lk in c.links] == [("a", "override")]
    assert c.report is not None
    assert c.report.warnings == (
        "dataset a, exchange a/1, field provider override: a has flow A as its reference, not B, and no "
        "output of B; linked 1:1 as the override says (provider_scale 1)",
    )
    assert c.links[0].provider_scale == 1.0


def test_waste_output_goes_to_a_treatment_process_not_a_producer() -> None:
    processes = [process("a", "A"), process("landfill", "W", treatment=True), process("maker", "W")]
    c = link_providers(
        content(processes, [exchange("a", 1, "W", is_input=False)], [flow("A"), flow("W", "waste")])
    )
    (link,) = c.links
    assert (link.provider, link.kind, link.is_waste) == ("landfill", "unique", True)


def test_co_products_neither_link_nor_provide() -> None:
    # 'b' makes B as reference and A as a co-product: it must not supply A.
    processes = [process("a", "X"), process("b", "B")]
    c = link_providers(
        content(
            processes,
            [exchange("b", 1, "A", is_input=False), exchange("a", 1, "A")],
            [flow("A"), flow("B"), flow("X")],
        )
    )
    assert c.links == ()
    assert [u.exchange for u in c.unlinked] == ["a/1"]


def test_elementary_flows_and_references_take_no_provider() -> None:
    c = link_providers(
        content(
            [process("a", "A")],
            [exchange("a", 1, "CO2", is_input=False)],
            [flow("A"), flow("CO2", "elementary")],
        )
    )
    assert c.links == () and c.unlinked == ()
    assert counts(c) == {"default": 0, "unique": 0, "ambiguous": 0, "override": 0, "unlinked": 0}


def test_avoided_product_output_is_linked_to_its_producer() -> None:
    processes = [process("a", "A"), process("b", "B")]
    c = link_providers(
        content(processes, [exchange("a", 1, "B", is_input=False, avoided=True)], [flow("A"), flow("B")])
    )
    assert [(lk.provider, lk.kind) for lk in c.links] == [("b", "unique")]


def test_self_supply_is_a_unique_link() -> None:
    c = link_providers(content([process("grid", "E")], [exchange("grid", 1, "E", amount=0.05)], [flow("E")]))
    assert [(lk.consumer, lk.provider) for lk in c.links] == [("grid", "grid")]


# --- default providers by dataset UUID (loaders/identity.py stores taken UUIDs as '<uuid>@<db>') ---

U = "7de9c230-fd0f-3478-be87-f80181132faa"


def test_default_provider_uuid_finds_the_own_copy_stored_under_a_qualified_id() -> None:
    own = replace(process(f"{U}@{DB}", "R"), uuid=U)
    c = link_providers(
        content([process("a", "A"), own], [exchange("a", 1, "R", provider=U)], [flow("A"), flow("R")]),
        background=[ProviderCandidate(U, "uslci", "R")],
    )
    assert [(lk.provider, lk.kind) for lk in c.links] == [(f"{U}@{DB}", "default")]


def test_default_provider_uuid_in_two_background_databases_prefers_the_copy_of_the_flow() -> None:
    bg = [ProviderCandidate(U, "uslci", "train"), ProviderCandidate(f"{U}@rail", "rail", "rail", uuid=U)]
    c = link_providers(
        content(
            [process("a", "A")],
            [exchange("a", 1, "rail", provider=U), exchange("a", 2, "barge", provider=U),
             exchange("a", 3, "train", provider=f"{U}@rail")],
            [flow("A"), flow("rail"), flow("barge"), flow("train")],
        ),
        background=bg,
    )
    # the copy whose reference is the flow; else the lowest id; a qualified id names one copy only
    assert {lk.exchange: lk.provider for lk in c.links} == {"a/1": f"{U}@rail", "a/2": U, "a/3": f"{U}@rail"}
    assert c.report is not None
    assert any(w.startswith(f"dataset a, exchange a/1, field defaultProvider: default provider {U} is held "
                            f"by several databases ({U}, {U}@rail); linked to {U}@rail")
               for w in c.report.warnings)


# --- provider_scale: links into a co-product (or another flow) of the provider ---------------------


def refinery_package(**rfo: float | bool) -> DatabaseContent:
    """A refinery making 0.25 diesel (reference) and 0.05 residual fuel oil per run (or 'rfo' as
    given), emitting 3 kg CO2; a ship taking 2 of residual fuel oil from it, emitting 1 kg CO2."""
    refinery = process("refinery", "diesel")
    exchanges = [
        exchange("refinery", 1, "rfo", is_input=bool(rfo.get("is_input", False)),
                 amount=float(rfo.get("amount", 0.05))),
        exchange("refinery", 2, "CO2", is_input=False, amount=3.0),
        exchange("ship", 1, "rfo", amount=2.0, provider="refinery"),
        exchange("ship", 2, "CO2", is_input=False, amount=1.0),
    ]
    c = content([process("ship", "shipped"), refinery], exchanges,
                [flow("shipped"), flow("diesel"), flow("rfo"), flow("CO2", "elementary")])
    ref = replace(c.exchanges[1], amount=0.25, amount_ref=0.25)  # refinery's reference: 0.25 diesel
    return replace(c, exchanges=(c.exchanges[0], ref, *c.exchanges[2:]))


def test_link_into_a_co_product_is_scaled_to_the_providers_reference() -> None:
    c = link_providers(refinery_package())
    (link,) = c.links
    assert (link.provider, link.kind, link.amount_ref) == ("refinery", "default", 2.0)
    assert link.provider_scale == pytest.approx(0.25 / 0.05, rel=1e-15)
    assert c.report is not None
    (warning,) = c.report.warnings
    assert "refinery has flow diesel as its reference, not rfo, which is its co-product" in warning


def test_scaled_link_solves_the_hand_system() -> None:
    """2 of residual fuel oil need 2 / 0.05 = 40 runs of the refinery (each 0.25 diesel, 3 kg CO2):
    1 ship = 1 + 40 x 3 = 121 kg CO2. The solver's row of the refinery is in diesel, so the link
    enters A as amount_ref x provider_scale."""
    c = link_providers(refinery_package())
    (link,) = c.links
    system = build_system(
        ProcessTable(["ship", "refinery"], [1.0, 0.25]),
        LinkTable([link.consumer], [link.provider], [link.amount_ref * link.provider_scale], [True]),
        ElementaryTable(["ship", "refinery"], ["CO2", "CO2"], [1.0, 3.0], [False, False]),
        FactorTable(["gwp"], ["CO2"], [1.0]),
    )
    demand = np.zeros(system.size)
    demand[system.index_of("ship")] = 1.0
    supply = spla.spsolve(system.A.tocsc(), demand)
    np.testing.assert_allclose(supply[system.index_of("refinery")], 40.0, rtol=1e-13)
    np.testing.assert_allclose(system.C @ (system.B @ supply), [121.0], rtol=1e-13)


def test_background_co_product_is_scaled_from_the_providers_exchanges() -> None:
    local = refinery_package()
    ship = replace(local, processes=local.processes[:1],
                   exchanges=tuple(x for x in local.exchanges if x.process == "ship"))
    refinery = [x for x in local.exchanges if x.process == "refinery"]
    bg = [ProviderCandidate("refinery", "uslci", "diesel")]
    (link,) = link_providers(ship, bg, provider_exchanges=refinery).links
    assert link.provider_scale == pytest.approx(5.0, rel=1e-15)
    unread = link_providers(ship, bg)  # without the provider's exchanges nothing says it makes rfo
    assert unread.links[0].provider_scale == 1.0
    assert unread.report is not None and "and no output of rfo; linked 1:1" in unread.report.warnings[0]


@pytest.mark.parametrize("rfo", [{"amount": 0.0}, {"is_input": True}])
def test_no_output_of_the_flow_links_one_to_one_with_a_warning(rfo: dict[str, float | bool]) -> None:
    c = link_providers(refinery_package(**rfo))
    assert c.links[0].provider_scale == 1.0
    assert c.report is not None
    assert c.report.warnings == (
        "dataset ship, exchange ship/1, field defaultProvider: refinery has flow diesel as its reference, "
        "not rfo, and no output of rfo; linked 1:1 as the dataset says (provider_scale 1)",
    )


def test_waste_co_treated_by_a_treatment_process_is_scaled() -> None:
    # the incinerator's reference is 1 of waste W (an input); it also takes 0.5 of waste V per run
    processes = [process("a", "A"), process("incinerator", "W", treatment=True)]
    c = link_providers(content(
        processes,
        [exchange("incinerator", 1, "V", amount=0.5), exchange("a", 1, "V", is_input=False, amount=3.0,
                                                               provider="incinerator")],
        [flow("A"), flow("W", "waste"), flow("V", "waste")],
    ))
    (link,) = c.links
    assert (link.provider, link.is_waste, link.provider_scale) == ("incinerator", True, 2.0)


def test_links_by_reference_are_never_scaled() -> None:
    c = link_providers(content([process("a", "A"), process("b", "B")], [exchange("a", 1, "B")],
                               [flow("A"), flow("B")]))
    assert [lk.provider_scale for lk in c.links] == [1.0]


# --- real data: USLCI FY17 Q4 (no provider links) and the 2025 modules (defaultProvider into USLCI) ---

USLCI = "uslci/uslci_fy17q4_jsonld.zip"


def raw_link_counts(zip_path: Path) -> dict[str, int]:
    """Expected counts straight from the JSON-LD 1.x files, without lcagraph's reader."""
    with zipfile.ZipFile(zip_path) as zf:
        procs = [
            json.loads(zf.read(n))
            for n in zf.namelist()
            if n.startswith("processes/") and n.endswith(".json")
        ]
    producers: dict[str, int] = {}
    for p in procs:
        for e in p["exchanges"]:
            if e.get("quantitativeReference"):
                producers[e["flow"]["@id"]] = producers.get(e["flow"]["@id"], 0) + 1
    result = {"unique": 0, "ambiguous": 0, "unlinked": 0}
    for p in procs:
        for e in p["exchanges"]:
            kind = e["flow"].get("flowType")
            if e.get("quantitativeReference") or kind not in ("PRODUCT_FLOW", "WASTE_FLOW"):
                continue
            if (kind == "PRODUCT_FLOW") != bool(e.get("input")):
                continue
            n = producers.get(e["flow"]["@id"], 0)
            result["unique" if n == 1 else "ambiguous" if n > 1 else "unlinked"] += 1
    return result


@pytest.fixture(scope="module")
def uslci() -> DatabaseContent:
    return read_jsonld(find_data_dir() / USLCI, Database(id="uslci-fy17-q4", name="USLCI FY17 Q4"))


def background_of(content: DatabaseContent) -> list[ProviderCandidate]:
    return [
        ProviderCandidate(p.id, content.database.id, p.ref_flow, p.ref_is_input, p.location, p.type)
        for p in content.processes
        if p.ref_flow
    ]


@pytest.mark.slow
def test_uslci_link_counts_match_the_raw_json(uslci: DatabaseContent) -> None:
    expected = raw_link_counts(find_data_dir() / USLCI)
    assert expected == {"unique": 3590, "ambiguous": 135, "unlinked": 2829}  # the data README's figures
    linked = link_providers(uslci)
    assert counts(linked) == {"default": 0, "override": 0, **expected}
    assert len(linked.links) == expected["unique"] + expected["ambiguous"]
    assert len(linked.unlinked) == expected["unlinked"]
    cutoffs = [u for u in linked.unlinked if "CUTOFF" in {f.id: f.name for f in uslci.flows}[u.flow]]
    assert len(cutoffs) > expected["unlinked"] // 2


@pytest.mark.slow
def test_uslci_diesel_is_ambiguous_with_both_refineries_recorded(uslci: DatabaseContent) -> None:
    diesel = {f.id for f in uslci.flows if f.name == "Diesel, at refinery"}
    producers = sorted(p.id for p in uslci.processes if p.ref_flow in diesel)
    assert len(producers) == 2
    linked = link_providers(uslci)
    diesel_links = [lk for lk in linked.links if lk.flow in diesel]
    assert diesel_links and all(lk.kind == "ambiguous" for lk in diesel_links)
    assert all(sorted(lk.candidates) == producers and lk.provider == lk.candidates[0] for lk in diesel_links)


@pytest.mark.slow
@pytest.mark.parametrize("module", ["uslci-transport_v1.1_jsonld.zip", "uslci-rail_v1.0_jsonld.zip"])
def test_2025_module_default_providers_resolve_into_uslci(uslci: DatabaseContent, module: str) -> None:
    content = read_jsonld(find_data_dir() / "flcac" / module, Database(id="module", name="module"))
    with_provider = [e for e in content.exchanges if e.default_provider]
    assert with_provider
    alone = link_providers(content)
    assert counts(alone)["default"] == 0  # without USLCI the providers are not there ...
    linked = link_providers(content, background=background_of(uslci))
    uslci_ids = {p.id for p in uslci.processes}
    by_exchange = {lk.exchange: lk for lk in linked.links}
    assert counts(linked)["default"] == len(with_provider)
    for e in with_provider:  # ... with it, every one lands on the USLCI process the dataset names
        assert by_exchange[e.id].kind == "default"
        assert by_exchange[e.id].provider == e.default_provider
        assert e.default_provider in uslci_ids


@pytest.mark.slow
def test_transport_rail_freight_into_uslci_train_is_linked_one_to_one(uslci: DatabaseContent) -> None:
    """Transport v1.1 takes 'Transport, rail, freight' from USLCI's 7de9c230, whose reference is
    'Transport, train, diesel powered' (the rail module re-identified the product): no output of
    that flow, so 1:1 with a warning."""
    path = find_data_dir() / "flcac/uslci-transport_v1.1_jsonld.zip"
    content = read_jsonld(path, Database(id="t", name="t"))
    linked = link_providers(content, background_of(uslci), provider_exchanges=uslci.exchanges)
    into_train = [lk for lk in linked.links if lk.provider == U]
    assert len(into_train) == 35 and {lk.provider_scale for lk in into_train} == {1.0}
    assert all(lk.provider_scale == 1.0 for lk in linked.links)
    assert linked.report is not None
    assert sum(f"{U} has flow" in w and "no output of" in w for w in linked.report.warnings) == 1


def raw_co_product_scales(module: Path, background: Path) -> dict[tuple[str, str], float]:
    """(consumer, flow) -> r / c for default providers whose reference is another flow, straight
    from the JSON-LD files (both schema generations): r = the provider's reference amount, c its
    output of the flow, in the same unit."""
    def processes(path: Path) -> dict[str, dict[str, Any]]:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if "/processes/" in f"/{n}" and n.endswith(".json")]
            found = [json.loads(zf.read(n)) for n in names]
        return {p["@id"]: p for p in found}

    providers = processes(background)
    scales: dict[tuple[str, str], float] = {}
    for consumer in processes(module).values():
        for e in consumer["exchanges"]:
            provider = providers.get((e.get("defaultProvider") or {}).get("@id", ""))
            if provider is None:
                continue
            ref = next(x for x in provider["exchanges"] if x.get("quantitativeReference"))
            if ref["flow"]["@id"] == e["flow"]["@id"]:
                continue
            (made,) = [x for x in provider["exchanges"]
                       if x["flow"]["@id"] == e["flow"]["@id"] and not x["input"]]
            assert made["unit"]["@id"] == ref["unit"]["@id"]
            assert (consumer["@id"], e["flow"]["@id"]) not in scales
            scales[(consumer["@id"], e["flow"]["@id"])] = ref["amount"] / made["amount"]
    return scales


@pytest.mark.slow
def test_marine_residual_fuel_oil_from_the_diesel_refinery_is_scaled(uslci: DatabaseContent) -> None:
    """The 2025 marine module takes residual fuel oil from USLCI's refinery, whose reference is
    0.252 l diesel and which puts out 0.0518 l residual fuel oil: provider_scale = 0.252 / 0.0518."""
    data = find_data_dir()
    expected = raw_co_product_scales(data / "flcac/uslci-marine_v1.0_jsonld.zip", data / USLCI)
    assert len(expected) == 36
    content = read_jsonld(data / "flcac/uslci-marine_v1.0_jsonld.zip", Database(id="m", name="m"))
    linked = link_providers(content, background_of(uslci), provider_exchanges=uslci.exchanges)
    scaled = {(lk.consumer, lk.flow): lk.provider_scale for lk in linked.links if lk.provider_scale != 1.0}
    assert scaled.keys() == expected.keys()
    for key, value in expected.items():
        assert scaled[key] == pytest.approx(value, rel=1e-12)
    assert value == pytest.approx(4.869, rel=1e-3)


def test_avoided_product_input_is_linked_to_its_producer() -> None:
    """openLCA keeps an avoided product on the input side (and links it to a provider there)."""
    processes = [process("a", "A"), process("b", "B")]
    c = link_providers(
        content(processes, [exchange("a", 1, "B", is_input=True, avoided=True, amount=0.5)],
                [flow("A"), flow("B")])
    )
    assert [(lk.exchange, lk.provider, lk.kind, lk.amount_ref, lk.is_waste) for lk in c.links] == [
        ("a/1", "b", "unique", 0.5, False)]
    assert c.unlinked == ()


def test_avoided_waste_on_either_side_is_linked_to_its_treatment() -> None:
    processes = [process("a", "A"), process("t", "W", treatment=True)]
    flows = [flow("A"), flow("W", "waste")]
    for is_input in (True, False):
        avoided = exchange("a", 1, "W", is_input=is_input, avoided=True)
        c = link_providers(content(processes, [avoided], flows))
        assert [(lk.provider, lk.kind, lk.is_waste) for lk in c.links] == [("t", "unique", True)], is_input


def test_co_products_and_waste_inputs_still_take_no_provider() -> None:
    processes = [process("a", "A"), process("b", "B"), process("t", "W", treatment=True)]
    c = link_providers(content(processes, [exchange("a", 1, "B", is_input=False),
                                           exchange("a", 2, "W", is_input=True)],
                               [flow("A"), flow("B"), flow("W", "waste")]))
    assert c.links == () and c.unlinked == ()


def test_linked_avoided_input_is_a_credit_in_the_technosphere() -> None:
    """Hand system: a makes 1 A and avoids 0.5 B (openLCA: an input flagged avoided); b makes 1 B
    and emits 2 kg CO2; a emits 1 kg. a's life cycle: 1 - 0.5 x 2 = 0 kg CO2 (credit)."""
    c = link_providers(content([process("a", "A"), process("b", "B")],
                               [exchange("a", 1, "B", is_input=True, avoided=True, amount=0.5)],
                               [flow("A"), flow("B")]))
    exchanges = {x.id: x for x in c.exchanges}
    links = [(lk, exchanges[lk.exchange]) for lk in c.links]
    system = build_system(
        ProcessTable(["a", "b"], [1.0, 1.0]),
        LinkTable([lk.consumer for lk, _ in links], [lk.provider for lk, _ in links],
                  [lk.amount_ref * lk.provider_scale for lk, _ in links], [x.is_input for _, x in links],
                  [x.is_avoided for _, x in links]),
        ElementaryTable(["a", "b"], ["co2", "co2"], [1.0, 2.0], [False, False]),
        FactorTable(["gwp"], ["co2"], [1.0]),
    )
    assert system.A[system.process_index["b"], system.process_index["a"]] == 0.5  # +: a credit
    demand = np.zeros(2)
    demand[system.process_index["a"]] = 1.0
    scaling = spla.spsolve(system.A.tocsc(), demand)
    assert np.allclose(system.C @ (system.B @ scaling), [0.0])
