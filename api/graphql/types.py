"""GraphQL object types of the model: databases, processes, flows, exchanges, results, models.

Scalar fields are copied from the domain records once; relations resolve through the request's
DataLoaders, so a list of N processes asks for their databases in one read.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from api.graphql.context import Ctx
from api.graphql.results import ResultLookup, cached_result
from api.services import links
from api.services import readmodels as records
from api.services.models import read_models
from lcagraph.errors import LcaGraphError


@strawberry.type(description="An impact category (indicator) of an impact method, e.g. AR6-100 of IPCC.")
class ImpactCategory:
    id: strawberry.ID
    name: str
    unit: str
    method: strawberry.ID
    method_name: str

    @classmethod
    def of(cls, c: records.Category) -> ImpactCategory:
        return cls(
            id=strawberry.ID(c.id),
            name=c.name,
            unit=c.unit,
            method=strawberry.ID(c.method),
            method_name=c.method_name,
        )


@strawberry.type(description="A flow: product, waste or elementary, with its reference unit.")
class Flow:
    id: strawberry.ID
    name: str
    type: str
    unit: str
    flow_property: str
    cas: str
    formula: str
    compartment: list[str]
    location: str

    @classmethod
    def of(cls, f: records.Flow) -> Flow:
        return cls(
            id=strawberry.ID(f.id),
            name=f.name,
            type=f.type,
            unit=f.unit,
            flow_property=f.flow_property,
            cas=f.cas,
            formula=f.formula,
            compartment=list(f.compartment),
            location=f.location,
        )


@strawberry.type(description="A product system imported with the data: a reference process and a demand.")
class Model:
    id: strawberry.ID
    name: str
    database_id: strawberry.ID
    reference_process_id: strawberry.ID
    amount: float
    unit: str
    description: str
    kind: str = "product system"

    @strawberry.field
    async def reference_process(self, info: Ctx) -> Process | None:
        found = await info.context.loaders.process.load(self.reference_process_id)
        return Process.of(found) if found else None

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        return await load_database(info, self.database_id)

    @classmethod
    def of(cls, m: records.ProductSystem) -> Model:
        return cls(
            id=strawberry.ID(m.id),
            name=m.name,
            database_id=strawberry.ID(m.database),
            reference_process_id=strawberry.ID(m.ref_process),
            amount=m.amount,
            unit=m.unit,
            description=m.description,
        )


@strawberry.type(description="A background database or foreground model collection, as imported.")
class Database:
    id: strawberry.ID
    name: str
    source: str
    version: str
    licence: str
    format: str
    kind: str
    description: str
    imported_at: str
    process_count: int

    @strawberry.field(description="Product systems imported with this database.")
    async def models(self, info: Ctx) -> list[Model]:
        found = await info.context.run(lambda: read_models(info.context.store, self.id))
        return [Model.of(m) for m in found]

    @classmethod
    def of(cls, v: records.DatabaseView) -> Database:
        d = v.database
        return cls(
            id=strawberry.ID(d.id),
            name=d.name,
            source=d.source,
            version=d.version,
            licence=d.licence,
            format=d.format,
            kind=d.kind,
            description=d.description,
            imported_at=v.imported_at,
            process_count=v.process_count,
        )


async def load_database(info: Ctx, database_id: str) -> Database | None:
    found = await info.context.loaders.database.load(database_id)
    return Database.of(found) if found else None


@strawberry.enum
class Direction(Enum):
    ALL = "all"
    INPUT = "input"
    OUTPUT = "output"


@strawberry.type(description="An input or output of a process; product inputs name their provider.")
class Exchange:
    id: strawberry.ID
    flow_id: strawberry.ID
    is_input: bool
    amount: float = strawberry.field(description="As given in the dataset, in `unit`.")
    unit: str
    amount_ref: float = strawberry.field(description="In the flow's reference unit.")
    is_reference: bool
    is_avoided: bool
    allocation: float
    formula: str
    link: str | None = strawberry.field(
        description="default | unique | ambiguous | override | model | unlinked; null for elementary flows."
    )
    provider_id: strawberry.ID | None
    candidates: list[strawberry.ID]
    unlinked_reason: str = strawberry.field(description="Why the input has no provider (cut-off).")

    @strawberry.field
    async def flow(self, info: Ctx) -> Flow | None:
        found = await info.context.loaders.flow.load(self.flow_id)
        return Flow.of(found) if found else None

    @strawberry.field
    async def provider(self, info: Ctx) -> Process | None:
        if not self.provider_id:
            return None
        found = await info.context.loaders.process.load(self.provider_id)
        return Process.of(found) if found else None

    @classmethod
    def of(cls, le: records.LinkedExchange) -> Exchange:
        x = le.exchange
        return cls(
            id=strawberry.ID(x.id),
            flow_id=strawberry.ID(x.flow),
            is_input=x.is_input,
            amount=x.amount,
            unit=x.unit,
            amount_ref=x.amount_ref,
            is_reference=x.is_reference,
            is_avoided=x.is_avoided,
            allocation=x.allocation,
            formula=x.formula,
            link=le.link,
            provider_id=strawberry.ID(le.provider) if le.provider else None,
            candidates=[strawberry.ID(c) for c in le.candidates],
            unlinked_reason=le.link_reason,
        )


@strawberry.type(description="A process that uses this process's product.")
class Consumer:
    process_id: strawberry.ID
    flow_id: strawberry.ID
    exchange_id: strawberry.ID
    amount: float = strawberry.field(description="Per the consumer's reference amount, flow reference unit.")

    @strawberry.field
    async def process(self, info: Ctx) -> Process | None:
        found = await info.context.loaders.process.load(self.process_id)
        return Process.of(found) if found else None


@strawberry.type(description="A unit process or aggregated dataset.")
class Process:
    id: strawberry.ID
    name: str
    location: str
    category: str
    type: str
    description: str
    database_id: strawberry.ID
    reference_product_id: strawberry.ID | None
    reference_amount: float
    reference_unit: str
    reference_is_input: bool = strawberry.field(description="True for a waste treatment (reference = input).")

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        return await load_database(info, self.database_id)

    @strawberry.field
    async def reference_product(self, info: Ctx) -> Flow | None:
        if not self.reference_product_id:
            return None
        found = await info.context.loaders.flow.load(self.reference_product_id)
        return Flow.of(found) if found else None

    @strawberry.field
    async def exchanges(self, info: Ctx, direction: Direction = Direction.ALL) -> list[Exchange]:
        found = await info.context.loaders.exchanges.load(self.id)
        wanted = {Direction.ALL: (True, False), Direction.INPUT: (True,), Direction.OUTPUT: (False,)}[
            direction
        ]
        return [Exchange.of(x) for x in found if x.exchange.is_input in wanted]

    @strawberry.field(description="Processes that take this process's product (who uses it).")
    async def consumers(self, info: Ctx) -> list[Consumer]:
        found = await info.context.loaders.consumers.load(self.id)
        return [
            Consumer(
                process_id=strawberry.ID(c.process),
                flow_id=strawberry.ID(c.flow),
                exchange_id=strawberry.ID(c.exchange),
                amount=c.amount,
            )
            for c in found
        ]

    @strawberry.field(description="The cached result for an impact category (default: IPCC AR6 GWP100).")
    async def result(self, info: Ctx, method: strawberry.ID | None = None) -> ResultLookup:
        try:
            return await cached_result(info.context, self.id, method)
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]

    @strawberry.field(description="The link a QR code encodes: {PUBLIC_BASE_URL}/n/{processId}.")
    def deep_link(self, info: Ctx) -> str:
        return links.deep_link(info.context.base_url, self.id)

    @strawberry.field(description="The QR code image (SVG) of the deep link.")
    def qr_url(self, info: Ctx) -> str:
        return links.qr_url(info.context.base_url, self.id)

    @classmethod
    def of(cls, p: records.Process) -> Process:
        return cls(
            id=strawberry.ID(p.id),
            name=p.name,
            location=p.location,
            category=p.category,
            type=p.type,
            description=p.description,
            database_id=strawberry.ID(p.database),
            reference_product_id=strawberry.ID(p.ref_flow) if p.ref_flow else None,
            reference_amount=p.ref_amount,
            reference_unit=p.ref_unit,
            reference_is_input=p.ref_is_input,
        )
