"""Provider linking: which process supplies each product input (and treats each waste output).

Exchanges that need a provider: product inputs and waste outputs that are not the quantitative
reference, plus avoided products and avoided wastes on either side (openLCA keeps an avoided
product on the input side, ILCD and EcoSpold list it as an output), linked as openLCA does.
Providers are processes whose quantitative reference is that flow: a product output for
products, a waste input (a treatment process) for wastes. Co-products never provide.

Rules, in order, for each such exchange:

1. **override** — the user's mapping exchange id -> provider id (checked: the exchange needs a
   provider and the provider exists; a provider whose reference is another flow is linked and
   scaled as in rule 2).
2. **default** — the dataset's default provider, when that process exists in this import or in
   the background candidates: first by process id in this import, then by dataset UUID (a
   process stored as ``<uuid>@<database>``, see loaders.identity) in this import, then in the
   background; where several background databases hold that UUID, the one whose reference is the
   exchange's flow wins (then the lowest id), with a warning. It is kept as the dataset says
   even where the provider's reference is another flow (the 2025 marine module takes residual
   fuel oil from USLCI's refinery, whose reference is diesel: a co-product link). When it exists
   nowhere, the exchange *falls through* to rules 3-5 (a later release of the background may
   carry the same product under a new id) and the report gets a warning naming the missing
   provider; if it still finds none, the unlinked reason says so.
3. **unique** — the one candidate: first among this import's processes; only when there is none
   there, among the background candidates (all background databases form one tier).
4. **ambiguous** — several candidates in the tier used: the pick prefers the consumer's
   location, then a unit process over a system process, then the lowest process id; every
   candidate of the tier is recorded, in that order.
5. **unlinked** — no candidate: a cut-off, recorded with its reason.

**Provider scale.** The technosphere has one row per process, in units of its reference product.
A link into a provider whose reference is another flow (rules 1 and 2 only) gets
``provider_scale`` = r / c, where the provider puts out c of the linked flow (summed, on the side
of its reference, not avoided) per r of its reference, both in reference units: amount_ref x
provider_scale is then the amount of the provider's reference product to run it for, and the
report says so once per (provider, flow). Where the provider has no such exchange at all (a
re-identified flow), provider_scale = 1 and the report warns. Background providers' exchanges
come in ``provider_exchanges`` (graph/reader.py reads those of the providers concerned).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from lcagraph.errors import InvalidArgument
from lcagraph.records import (
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

LINK_COUNT_ORDER = ("default", "unique", "ambiguous", "override", "unlinked")
_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})


class _Candidates:
    """Candidate providers by (flow, is_treatment), split into this import's and background, and
    by dataset UUID (for default providers that name a UUID stored under a qualified id)."""

    def __init__(self, content: DatabaseContent, background: Sequence[ProviderCandidate]) -> None:
        db = content.database.id
        self.local: dict[tuple[str, bool], list[ProviderCandidate]] = defaultdict(list)
        self.background: dict[tuple[str, bool], list[ProviderCandidate]] = defaultdict(list)
        self.reference: dict[str, str] = {}
        self.local_ids = {p.id for p in content.processes if p.ref_flow}
        self.local_uuids: dict[str, list[str]] = defaultdict(list)
        self.background_uuids: dict[str, list[str]] = defaultdict(list)
        for p in content.processes:
            if p.ref_flow:
                cand = ProviderCandidate(p.id, db, p.ref_flow, p.ref_is_input, p.location, p.type, p.uuid)
                self.local[(p.ref_flow, p.ref_is_input)].append(cand)
                self.reference[p.id] = p.ref_flow
                self.local_uuids[p.uuid or p.id].append(p.id)
        for cand in background:
            if cand.database != db and cand.process not in self.reference:
                self.background[(cand.flow, cand.is_treatment)].append(cand)
                self.reference[cand.process] = cand.flow
                self.background_uuids[cand.uuid or cand.process].append(cand.process)

    def tier(self, flow: str, treatment: bool) -> list[ProviderCandidate]:
        return self.local.get((flow, treatment)) or self.background.get((flow, treatment)) or []

    def default(self, provider: str, flow: str) -> tuple[str | None, list[str]]:
        """The process a default provider (process id or dataset UUID) names, and all it could
        name: this import's own copy first; among background copies, the one whose reference is
        the exchange's flow, then the lowest id."""
        if provider in self.local_ids:
            return provider, [provider]
        found = self.local_uuids.get(provider) or sorted(
            {*self.background_uuids.get(provider, ()), *([provider] if provider in self.reference else [])})
        if not found:
            return None, []
        same = [p for p in found if self.reference[p] == flow]
        return min(same or found), found


def needs_provider(exchange: Exchange, flow: Flow | None) -> bool | None:
    """None if the exchange takes no provider; else whether it needs a treatment (waste) process."""
    if exchange.is_reference:
        return None
    kind: str | None = flow.type if flow is not None else None
    if flow is None and exchange.default_provider:
        kind = "product" if exchange.is_input else "waste"
    # an avoided product or waste takes a provider on either side: openLCA keeps avoided products
    # on the input side and avoided wastes on the output side; ILCD/EcoSpold list them the other way
    if kind == "product" and (exchange.is_input or exchange.is_avoided):
        return False
    if kind == "waste" and (not exchange.is_input or exchange.is_avoided):
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
    provider_exchanges: Sequence[Exchange] = (),
) -> DatabaseContent:
    """Content with ``links`` and ``unlinked`` filled and the report's link counts set.

    ``provider_exchanges``: the exchanges of background providers that default providers or
    overrides name (at least their reference and product/waste exchanges), for provider_scale.
    """
    flows = {f.id: f for f in content.flows}
    processes = {p.id: p for p in content.processes}
    candidates = _Candidates(content, background)
    _check_overrides(content, flows, candidates, overrides)
    scales = ProviderScales((*content.exchanges, *provider_exchanges))
    links: list[ProviderLink] = []
    unlinked: list[Unlinked] = []
    warnings = _Warnings()
    counts: Counter[str] = Counter()
    for exchange in content.exchanges:
        treatment = needs_provider(exchange, flows.get(exchange.flow))
        if treatment is None:
            continue
        consumer = processes.get(exchange.process)
        result = _link_one(exchange, treatment, consumer, _Context(candidates, scales, overrides, warnings))
        if isinstance(result, Unlinked):
            unlinked.append(result)
            counts["unlinked"] += 1
        else:
            links.append(result)
            counts[result.kind] += 1
    report = _with_link_counts(content, counts, warnings.render())
    return replace(content, links=tuple(links), unlinked=tuple(unlinked), report=report)


@dataclass(frozen=True, slots=True)
class _Context:
    """What linking one exchange needs besides the exchange."""

    candidates: _Candidates
    scales: ProviderScales
    overrides: Mapping[str, str]
    warnings: _Warnings


def _link_one(
    exchange: Exchange, treatment: bool, consumer: Process | None, ctx: _Context,
) -> ProviderLink | Unlinked:
    if exchange.id in ctx.overrides:
        return _given_link(exchange, ctx.overrides[exchange.id], "override", treatment, ctx)
    missing = ""
    default = exchange.default_provider
    if default:
        provider, found = ctx.candidates.default(default, exchange.flow)
        if provider is not None:
            if len(found) > 1:
                ctx.warnings.add(exchange, f"default provider {default} is held by several databases "
                                           f"({', '.join(found)}); linked to {provider}")
            return _given_link(exchange, provider, "default", treatment, ctx)
        missing = f"default provider {default} not found"
    tier = pick_provider(ctx.candidates.tier(exchange.flow, treatment), consumer.location if consumer else "")
    if missing:
        found_by_rules = f"linked by the rules instead ({len(tier)} candidates)" if tier else "left unlinked"
        ctx.warnings.add(exchange, f"{missing}; {found_by_rules}")
    if not tier:
        role = "waste treatment" if treatment else "product"
        reason = f"no process has flow {exchange.flow} as its reference {role}"
        reason = f"{missing}; {reason}" if missing else reason
        return Unlinked(exchange.process, exchange.flow, exchange.id, reason)
    if len(tier) == 1:
        return _link(exchange, tier[0].process, "unique", treatment)
    return _link(exchange, tier[0].process, "ambiguous", treatment, tuple(c.process for c in tier))


def _given_link(
    exchange: Exchange, provider: str, kind: LinkKind, treatment: bool, ctx: _Context,
) -> ProviderLink:
    """A link the dataset or the user names; scaled where the provider's reference is another flow."""
    provides = ctx.candidates.reference[provider]
    if provides == exchange.flow:
        return _link(exchange, provider, kind, treatment)
    field, said = ("provider override", "the override") if kind == "override" else ("defaultProvider",
                                                                                    "the dataset")
    scale = ctx.scales.scale(provider, exchange.flow)
    if scale is None:
        ctx.warnings.add(exchange, f"{provider} has flow {provides} as its reference, not {exchange.flow}, "
                                   f"and no output of {exchange.flow}; linked 1:1 as {said} says "
                                   "(provider_scale 1)", field=field)
        return _link(exchange, provider, kind, treatment)
    ctx.warnings.add(exchange, f"{provider} has flow {provides} as its reference, not {exchange.flow}, "
                               f"which is its co-product; linked as {said} says, with provider_scale "
                               f"{scale!r} (units of {provides} per unit of {exchange.flow})", field=field)
    return replace(_link(exchange, provider, kind, treatment), provider_scale=scale)


def _link(
    exchange: Exchange, provider: str, kind: LinkKind, treatment: bool, candidates: tuple[str, ...] = ()
) -> ProviderLink:
    return ProviderLink(
        consumer=exchange.process, provider=provider, flow=exchange.flow, exchange=exchange.id,
        amount_ref=exchange.amount_ref, kind=kind, is_waste=treatment, candidates=candidates,
    )


class ProviderScales:
    """r / c of a provider for a flow it puts out besides its reference (see the module docstring)."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self.exchanges = exchanges
        self._by_process: dict[str, list[Exchange]] | None = None

    def scale(self, provider: str, flow: str) -> float | None:
        """None where the provider has no exchange of ``flow`` on its reference's side (or no
        reference exchange is known), so that no finite positive scale follows."""
        if self._by_process is None:  # built on first use: most imports never need it
            self._by_process = defaultdict(list)
            for x in self.exchanges:
                self._by_process[x.process].append(x)
        own = self._by_process.get(provider, [])
        reference = next((x for x in own if x.is_reference), None)
        if reference is None:
            return None
        made = sum(x.amount_ref for x in own if x.flow == flow and not x.is_reference
                   and x.is_input == reference.is_input and not x.is_avoided)
        if made == 0:
            return None
        scale = reference.amount_ref / made
        return scale if math.isfinite(scale) and scale > 0 else None


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
