"""Provider linking: which process supplies each product input (and treats each waste output).

Exchanges that need a provider: product inputs and waste outputs that are not the quantitative
reference, plus avoided products (outputs) and avoided wastes (inputs), linked as openLCA does.
Providers are processes whose quantitative reference is that flow: a product output for
products, a waste input (a treatment process) for wastes. Co-products never provide.

Rules, in order, for each such exchange:

1. **override** — the user's mapping exchange id -> provider id (checked: the exchange needs a
   provider and the provider exists; a provider whose reference is another flow is linked with
   a warning, as releases re-identify the same product: see rule 2).
2. **default** — the dataset's default provider, when that process exists in this import or in
   the background candidates. It is kept as the dataset says even where the provider's reference
   is another flow (the 2025 marine module takes residual fuel oil from USLCI's refinery, whose
   reference is diesel: a co-product link); the report warns once per such pair. When it exists
   nowhere, the exchange *falls through* to rules 3-5 (a later release of the background may
   carry the same product under a new id) and the report gets a warning naming the missing
   provider; if it still finds none, the unlinked reason says so.
3. **unique** — the one candidate: first among this import's processes; only when there is none
   there, among the background candidates (all background databases form one tier).
4. **ambiguous** — several candidates in the tier used: the pick prefers the consumer's
   location, then a unit process over a system process, then the lowest process id; every
   candidate of the tier is recorded, in that order.
5. **unlinked** — no candidate: a cut-off, recorded with its reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from graph.records import (
    DatabaseContent,
    Exchange,
    Flow,
    ImportReport,
    LinkKind,
    Process,
    ProviderCandidate,
    ProviderLink,
    Unlinked,
)
from lcagraph.errors import InvalidArgument

LINK_COUNT_ORDER = ("default", "unique", "ambiguous", "override", "unlinked")
_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})


class _Candidates:
    """Candidate providers by (flow, is_treatment), split into this import's and background."""

    def __init__(self, content: DatabaseContent, background: Sequence[ProviderCandidate]) -> None:
        db = content.database.id
        self.local: dict[tuple[str, bool], list[ProviderCandidate]] = defaultdict(list)
        self.background: dict[tuple[str, bool], list[ProviderCandidate]] = defaultdict(list)
        self.reference: dict[str, str] = {}
        for p in content.processes:
            if p.ref_flow:
                cand = ProviderCandidate(p.id, db, p.ref_flow, p.ref_is_input, p.location, p.type)
                self.local[(p.ref_flow, p.ref_is_input)].append(cand)
                self.reference[p.id] = p.ref_flow
        for cand in background:
            if cand.database != db and cand.process not in self.reference:
                self.background[(cand.flow, cand.is_treatment)].append(cand)
                self.reference[cand.process] = cand.flow

    def tier(self, flow: str, treatment: bool) -> list[ProviderCandidate]:
        return self.local.get((flow, treatment)) or self.background.get((flow, treatment)) or []


def needs_provider(exchange: Exchange, flow: Flow | None) -> bool | None:
    """None if the exchange takes no provider; else whether it needs a treatment (waste) process."""
    if exchange.is_reference:
        return None
    kind: str | None = flow.type if flow is not None else None
    if flow is None and exchange.default_provider:
        kind = "product" if exchange.is_input else "waste"
    if kind == "product" and exchange.is_input != exchange.is_avoided:
        return False
    if kind == "waste" and exchange.is_input == exchange.is_avoided:
        return True
    return None


def pick_provider(candidates: Sequence[ProviderCandidate], location: str) -> list[ProviderCandidate]:
    """Candidates in pick order: consumer's location first, unit before system, then process id."""
    def key(c: ProviderCandidate) -> tuple[bool, bool, str]:
        return (not location or c.location != location, c.type != "unit", c.process)

    return sorted(candidates, key=key)


def link_providers(
    content: DatabaseContent,
    background: Sequence[ProviderCandidate] = (),
    overrides: Mapping[str, str] = _NO_OVERRIDES,
) -> DatabaseContent:
    """Content with ``links`` and ``unlinked`` filled and the report's link counts set."""
    flows = {f.id: f for f in content.flows}
    processes = {p.id: p for p in content.processes}
    candidates = _Candidates(content, background)
    _check_overrides(content, flows, candidates, overrides)
    links: list[ProviderLink] = []
    unlinked: list[Unlinked] = []
    warnings = _Warnings()
    counts: Counter[str] = Counter()
    for exchange in content.exchanges:
        treatment = needs_provider(exchange, flows.get(exchange.flow))
        if treatment is None:
            continue
        consumer = processes.get(exchange.process)
        result = _link_one(exchange, treatment, consumer, candidates, overrides, warnings)
        if isinstance(result, Unlinked):
            unlinked.append(result)
            counts["unlinked"] += 1
        else:
            links.append(result)
            counts[result.kind] += 1
    report = _with_link_counts(content, counts, warnings.render())
    return replace(content, links=tuple(links), unlinked=tuple(unlinked), report=report)


def _link_one(
    exchange: Exchange,
    treatment: bool,
    consumer: Process | None,
    candidates: _Candidates,
    overrides: Mapping[str, str],
    warnings: _Warnings,
) -> ProviderLink | Unlinked:
    if exchange.id in overrides:
        return _given_link(exchange, overrides[exchange.id], "override", treatment, candidates, warnings)
    missing = ""
    default = exchange.default_provider
    if default:
        if default in candidates.reference:
            return _given_link(exchange, default, "default", treatment, candidates, warnings)
        missing = f"default provider {default} not found"
    tier = pick_provider(candidates.tier(exchange.flow, treatment), consumer.location if consumer else "")
    if missing:
        found = f"linked by the rules instead ({len(tier)} candidates)" if tier else "left unlinked"
        warnings.add(exchange, f"{missing}; {found}")
    if not tier:
        role = "waste treatment" if treatment else "product"
        reason = f"no process has flow {exchange.flow} as its reference {role}"
        reason = f"{missing}; {reason}" if missing else reason
        return Unlinked(exchange.process, exchange.flow, exchange.id, reason)
    if len(tier) == 1:
        return _link(exchange, tier[0].process, "unique", treatment)
    return _link(exchange, tier[0].process, "ambiguous", treatment, tuple(c.process for c in tier))


def _given_link(
    exchange: Exchange, provider: str, kind: LinkKind, treatment: bool, candidates: _Candidates,
    warnings: _Warnings,
) -> ProviderLink:
    """A link the dataset or the user names; warns where the provider's reference is another flow."""
    provides = candidates.reference[provider]
    if provides != exchange.flow:
        field, said = ("provider override", "the override") if kind == "override" else ("defaultProvider",
                                                                                        "the dataset")
        warnings.add(exchange, f"{provider} has flow {provides} as its reference, not {exchange.flow}; "
                               f"linked as {said} says", field=field)
    return _link(exchange, provider, kind, treatment)


def _link(
    exchange: Exchange, provider: str, kind: LinkKind, treatment: bool, candidates: tuple[str, ...] = ()
) -> ProviderLink:
    return ProviderLink(
        consumer=exchange.process, provider=provider, flow=exchange.flow, exchange=exchange.id,
        amount_ref=exchange.amount_ref, kind=kind, is_waste=treatment, candidates=candidates,
    )


def _check_overrides(
    content: DatabaseContent, flows: Mapping[str, Flow], candidates: _Candidates, overrides: Mapping[str, str]
) -> None:
    exchanges = {e.id: e for e in content.exchanges}
    for exchange_id, provider in sorted(overrides.items()):
        where = f"provider override {exchange_id}={provider}"
        exchange = exchanges.get(exchange_id)
        if exchange is None:
            raise InvalidArgument(f"{where}: database {content.database.id!r} has no exchange "
                                  f"{exchange_id!r}; exchange ids are '<process id>/<internal id>' "
                                  "as shown by the import report")
        if needs_provider(exchange, flows.get(exchange.flow)) is None:
            raise InvalidArgument(f"{where}: exchange {exchange_id!r} is not a product input or waste "
                                  "output, so it takes no provider")
        provides = candidates.reference.get(provider)
        if provides is None:
            raise InvalidArgument(f"{where}: no process {provider!r} in this import or its background; "
                                  "name the database that holds it with --background")


class _Warnings:
    """Link warnings, one line per distinct field and message, naming its first dataset."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list[Exchange]] = {}

    def add(self, exchange: Exchange, message: str, field: str = "defaultProvider") -> None:
        self.seen.setdefault((field, message), []).append(exchange)

    def render(self) -> tuple[str, ...]:
        lines = []
        for (field, message), exchanges in self.seen.items():
            first = exchanges[0]
            more = f" (and {len(exchanges) - 1} more exchanges)" if len(exchanges) > 1 else ""
            where = f"dataset {first.process}, exchange {first.id}, field {field}"
            lines.append(f"{where}: {message}{more}")
        return tuple(lines)


def _with_link_counts(
    content: DatabaseContent, counts: Counter[str], warnings: tuple[str, ...]
) -> ImportReport:
    db = content.database
    report = content.report or ImportReport(database=db.id, file="", format=db.format)
    links = tuple((kind, counts.get(kind, 0)) for kind in LINK_COUNT_ORDER)
    return replace(report, links=links, warnings=report.warnings + warnings)
