"""GraphQL of foreground models and battery declarations: ``saveModel`` (token) and
``batteryDeclaration`` render the same read models as ``lcagraph model import`` and
``lcagraph declare battery --json`` (api/services/foreground.py, api/services/battery.py)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from api.graphql import errors as E  # noqa: N812
from api.graphql.context import Ctx
from api.services.battery import BatteryDeclaration, declare_battery, passport_fields
from api.services.foreground import import_model_text
from lcagraph.errors import LcaGraphError

Refusals = E.Unauthorized | E.InvalidArgumentProblem | E.NotFound | E.Busy | E.EngineUnavailable


@strawberry.type(description="A saved foreground model: its database, processes and import report.")
class ModelSaved:
    database_id: strawberry.ID
    process_ids: list[strawberry.ID]
    graph_version: int
    report: JSON


@strawberry.type(description="One life-cycle stage of a declaration, per battery and as a share.")
class DeclaredStage:
    stage: str
    impact: float
    per_kwh: float
    share: float


@strawberry.type(
    description="A battery's carbon-footprint declaration (EU 2023/1542 Art. 7), as "
    "`lcagraph declare battery --json`."
)
class BatteryDeclarationType:
    process_id: strawberry.ID
    name: str
    model: str
    capacity_kwh: float
    cycles_per_year: float
    years: float
    energy_kwh: float = strawberry.field(description="E = capacity × cycles per year × years.")
    total: float = strawberry.field(description="Life-cycle GWP100 of one battery (use stage excluded).")
    per_kwh: float = strawberry.field(description="total / E, kg CO2-eq per kWh.")
    stages: list[DeclaredStage]
    category: str
    impact_unit: str
    gap: float = strawberry.field(description="|Σ stages − total| / total.")
    version_key: str | None
    version_hash: str | None
    version_label: str | None
    study_link: str | None
    completeness: str
    linked: int
    cut_offs: int
    data_quality: float | None
    performance_class: str | None
    passport: JSON = strawberry.field(description="The battery passport's CarbonFootprint attributes.")

    @classmethod
    def of(cls, d: BatteryDeclaration) -> BatteryDeclarationType:
        fields = {
            f.name: getattr(d, f.name) for f in dataclasses.fields(d) if f.name not in ("process", "stages")
        }
        stages = [
            DeclaredStage(stage=s.stage, impact=s.impact, per_kwh=s.impact / d.energy_kwh, share=s.share)
            for s in d.stages
        ]
        return cls(
            process_id=strawberry.ID(d.process),
            stages=stages,
            passport=cast(JSON, passport_fields(d)),
            **fields,
        )


SaveModelResult = Annotated[
    ModelSaved | E.ImportFailed | E.CalculationFailed | Refusals, strawberry.union("SaveModelResult")
]
DeclarationResult = Annotated[
    BatteryDeclarationType
    | E.NotFound
    | E.InvalidArgumentProblem
    | E.StaleResultProblem
    | E.CalculationFailed,
    strawberry.union("DeclarationResult"),
]


async def save_model(info: Ctx, document: str, file: str = "model.json") -> SaveModelResult:
    """Import a model file given as JSON text (token needed; all or nothing)."""
    ctx = info.context
    try:
        ctx.require_token()
        done = await ctx.run(lambda: import_model_text(ctx.store, document, file))
        version = await ctx.run(ctx.store.graph_version)
    except LcaGraphError as e:
        return ctx.problem(e)  # type: ignore[no-any-return]
    return ModelSaved(
        database_id=strawberry.ID(done.database),
        process_ids=[strawberry.ID(p) for p in done.processes],
        graph_version=version,
        report=cast(JSON, dataclasses.asdict(done.report)),
    )


async def battery_declaration(
    info: Ctx,
    process_id: strawberry.ID,
    capacity_kwh: float,
    cycles_per_year: float,
    years: float,
    version: str | None = None,
) -> DeclarationResult:
    """The declaration of a battery modelled as a foreground-model process."""
    ctx = info.context
    try:
        found = await ctx.run(
            lambda: declare_battery(
                ctx.store,
                process_id,
                capacity_kwh,
                cycles_per_year,
                years,
                base_url=ctx.base_url,
                version=version,
            )
        )
    except LcaGraphError as e:
        return ctx.problem(e)  # type: ignore[no-any-return]
    return BatteryDeclarationType.of(found)
