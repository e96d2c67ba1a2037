"""Databases are separate namespaces: which dataset ids are taken, how a package is renamed, and
that linking then prefers the package's own copy."""

from __future__ import annotations

from lcagraph.records import (
    Database,
    DatabaseContent,
    Exchange,
    Flow,
    ImportReport,
    Process,
    ProductSystem,
    ProviderCandidate,
    ProviderLink,
)
from loaders.identity import (
    HeldId,
    dataset_uuids,
    find_taken_ids,
    qualified_id,
    qualify_override_keys,
    qualify_taken_ids,
)
from loaders.linking import link_providers

DB = "rail"
U = "7de9c230-fd0f-3478-be87-f80181132faa"  # the UUID the 2025 rail module shares with USLCI
Q = f"{U}@{DB}"


def exchange(process: str, n: int, flow: str, *, ref: bool = False, provider: str | None = None) -> Exchange:
    return Exchange(id=f"{process}/{n}", process=process, flow=flow, is_input=not ref, amount=1.0,
                    unit="t*km", amount_ref=1.0, is_reference=ref, default_provider=provider)


def package() -> DatabaseContent:
    """U makes rail freight; 'user' takes it once by default provider and once by the rules."""
    processes = (
        Process(id=U, name="Transport, rail, freight; tier weighted average", database=DB, ref_flow="rail"),
        Process(id="user", name="Shipping by rail", database=DB, ref_flow="shipped"),
    )
    exchanges = (
        exchange(U, 0, "rail", ref=True), exchange(U, 1, "diesel", provider="refinery"),
        exchange("user", 0, "shipped", ref=True), exchange("user", 1, "rail", provider=U),
        exchange("user", 2, "rail"),
    )
    link = ProviderLink("user", U, "rail", "user/1", 1.0, "model", candidates=(U,))
    system = ProductSystem(id="ps-1", name="shipping", database=DB, ref_process="user", ref_flow="shipped",
                           amount=1.0, links=(link,))
    flows = tuple(Flow(id=f, name=f, type="product", unit="t*km") for f in ("rail", "diesel", "shipped"))
    return DatabaseContent(
        database=Database(id=DB, name="USLCI rail"), flows=flows, processes=processes, exchanges=exchanges,
        product_systems=(system,),
        report=ImportReport(database=DB, file="rail.zip", format="jsonld", co_products=(f"{U}/1",)),
    )


def test_nothing_taken_leaves_the_content_as_it_is() -> None:
    content = package()
    assert qualify_taken_ids(content, {}) is content
    assert dataset_uuids(content) == sorted([U, "user", "ps-1"])


def test_taken_process_is_renamed_with_every_reference_inside_the_package() -> None:
    renamed = qualify_taken_ids(package(), {U: "uslci-fy17-q4"}, {U: "Transport, train, diesel powered"})
    processes = {p.id: p for p in renamed.processes}
    assert set(processes) == {Q, "user"}
    assert (processes[Q].uuid, processes["user"].uuid) == (U, "")
    assert [(x.id, x.process, x.default_provider) for x in renamed.exchanges] == [
        (f"{Q}/0", Q, None), (f"{Q}/1", Q, "refinery"),  # a provider outside the package is left alone
        ("user/0", "user", None), ("user/1", "user", Q), ("user/2", "user", None),
    ]
    (system,) = renamed.product_systems
    assert system.id == "ps-1" and system.ref_process == "user"
    assert [(k.provider, k.candidates) for k in system.links] == [(Q, (Q,))]
    assert renamed.report is not None
    assert renamed.report.co_products == (f"{Q}/1",)
    assert renamed.report.warnings == (
        f"dataset {U} (Transport, rail, freight; tier weighted average) is also in database 'uslci-fy17-q4' "
        f"(Transport, train, diesel powered); stored here as {Q}",
    )


def test_taken_product_system_is_renamed() -> None:
    renamed = qualify_taken_ids(package(), {"ps-1": "other"})
    assert [s.id for s in renamed.product_systems] == ["ps-1@rail"]
    assert [p.id for p in renamed.processes] == [U, "user"]
    assert renamed.report is not None and "stored here as ps-1@rail" in renamed.report.warnings[0]


def test_own_copy_wins_when_linking_after_renaming() -> None:
    """The package's consumers link to its own (renamed) copy, by default provider and by the
    rules, although the background holds a process under the plain UUID."""
    renamed = qualify_taken_ids(package(), {U: "uslci-fy17-q4"})
    background = [ProviderCandidate(U, "uslci-fy17-q4", "rail"),
                  ProviderCandidate("refinery", "uslci-fy17-q4", "diesel")]
    linked = link_providers(renamed, background)
    links = {k.exchange: (k.provider, k.kind) for k in linked.links}
    assert links == {"user/1": (Q, "default"), "user/2": (Q, "unique"), f"{Q}/1": ("refinery", "default")}


def test_taken_ids_follow_who_came_first_and_never_move() -> None:
    uslci = HeldId(U, U, "uslci-fy17-q4", "Transport, train, diesel powered")
    mine_plain, mine_qualified = HeldId(U, U, DB), HeldId(Q, U, DB)
    assert find_taken_ids(DB, [uslci]) == {U: "uslci-fy17-q4"}  # first import: USLCI came first
    assert find_taken_ids(DB, [uslci, mine_qualified]) == {U: "uslci-fy17-q4"}  # re-import: same id
    assert find_taken_ids(DB, [mine_qualified]) == {U: DB}  # USLCI gone: the id stays qualified
    other_qualified = HeldId(qualified_id(U, "uslci-fy17-q4"), U, "uslci-fy17-q4")
    assert find_taken_ids(DB, [mine_plain, other_qualified]) == {}  # this one came first: stays plain
    assert find_taken_ids(DB, [mine_plain]) == {}
    two = [HeldId(U, U, "b-db"), HeldId(qualified_id(U, "a-db"), U, "a-db")]
    assert find_taken_ids(DB, two) == {U: "a-db"}  # several holders: the first database id names it


def test_kept_qualified_id_says_so() -> None:
    renamed = qualify_taken_ids(package(), {U: DB})
    assert Q in {p.id for p in renamed.processes}
    assert renamed.report is not None
    assert renamed.report.warnings == (
        f"dataset {U} (Transport, rail, freight; tier weighted average): keeps its id {Q} from the previous "
        f"import of database 'rail' (the UUID was in another database then)",
    )


def test_override_keys_written_with_the_dataset_uuid_reach_the_renamed_exchange() -> None:
    renamed = qualify_taken_ids(package(), {U: "uslci-fy17-q4"})
    given = {f"{U}/1": "refinery-2", "user/2": U}  # provider ids are taken as given
    assert qualify_override_keys(renamed, given) == {f"{Q}/1": "refinery-2", "user/2": U}
    assert qualify_override_keys(renamed, {f"{Q}/1": "x"}) == {f"{Q}/1": "x"}  # already the stored id
    assert qualify_override_keys(package(), given) == given
