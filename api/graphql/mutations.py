"""Mutations (API token required): import a dataset, calculate, override a provider link."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path, PurePath
from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from api.graphql import errors as E  # noqa: N812
from api.graphql.battery import SaveModelResult, save_model
from api.graphql.context import Ctx
from api.graphql.types import Database, Process
from api.services.calculation import calculate_method
from api.services.importing import import_database
from api.services.models import set_provider, storable_id
from lcagraph.errors import InvalidArgument, LcaGraphError

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
CHUNK = 1 << 20
Refusals = E.Unauthorized | E.InvalidArgumentProblem | E.NotFound | E.Busy | E.EngineUnavailable


@strawberry.type(description="A committed import: the database and its import report.")
class ImportSummary:
    database_id: strawberry.ID
    graph_version: int
    report: JSON = strawberry.field(description="Counts, links, conversions, unmatched flows, warnings.")

    @strawberry.field
    async def database(self, info: Ctx) -> Database | None:
        found = await info.context.loaders.database.load(self.database_id)
        return Database.of(found) if found else None


@strawberry.type(description="A provider link set by hand; cached results are stale until recalculated.")
class ProviderOverride:
    exchange_id: strawberry.ID
    consumer_id: strawberry.ID
    flow_id: strawberry.ID
    previous_provider_id: strawberry.ID | None
    provider_id: strawberry.ID
    graph_version: int

    @strawberry.field
    async def provider(self, info: Ctx) -> Process | None:
        found = await info.context.loaders.process.load(self.provider_id)
        return Process.of(found) if found else None


@strawberry.type(description="A calculation: Result nodes of every process, tagged with the graph version.")
class CalculationSummary:
    graph_version: int
    processes: int
    categories: list[strawberry.ID]
    results: int = strawberry.field(description="Result nodes written.")
    residual: float = strawberry.field(description="Worst relative residual ||Aᵀλ - q|| / ||q||.")
    backward_error: float = strawberry.field(description="Worst componentwise backward error.")
    identity_gap: float = strawberry.field(description="Worst relative |total - direct - Σ children|.")
    cutoffs: int = strawberry.field(description="Unlinked exchanges (contribute nothing).")
    negative_totals: int = strawberry.field(description="Results below zero (credits), all categories.")
    backend: str
    factorisation_reused: bool
    read_seconds: float
    factorise_seconds: float
    solve_seconds: float
    write_seconds: float


ImportResult = Annotated[ImportSummary | E.ImportFailed | Refusals, strawberry.union("ImportResult")]
SetProviderResult = Annotated[ProviderOverride | Refusals, strawberry.union("SetProviderResult")]
CalculateResult = Annotated[
    CalculationSummary | E.CalculationFailed | Refusals, strawberry.union("CalculateResult")
]


def upload_name(filename: object) -> str:
    """The base name of an upload's file name; "upload.zip" where none is left ("", ".", "..", "/")."""
    name = PurePath(str(filename or "").replace("\\", "/")).name
    return name if name not in ("", ".", "..") and storable_id(name) else "upload.zip"


async def save_upload(file: Any, folder: Path) -> Path:
    """Write an uploaded file into ``folder`` (its base name only), refusing oversized uploads;
    the upload's own spooled file is closed either way."""
    name = upload_name(getattr(file, "filename", ""))
    target = folder / name
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise InvalidArgument(
                        f"upload {name!r} is larger than {MAX_UPLOAD_BYTES // 2**20} MiB: import it with "
                        "`lcagraph import` on the server instead"
                    )
                out.write(chunk)
    finally:
        await file.close()
    return target


def without_folder(problem: Any, folder: str) -> Any:
    """The problem with the server's upload folder taken out of its texts (it names a temporary
    path on the server; the client knows the file by its own name)."""
    for attr in ("message", "file"):
        text = getattr(problem, attr, None)
        if isinstance(text, str):
            setattr(problem, attr, text.replace(folder + "/", "").replace(folder, "<upload>"))
    return problem


@strawberry.type
class Mutation:
    save_model: SaveModelResult = strawberry.mutation(
        resolver=save_model, description="Import a foreground-model file (JSON text), all or nothing.")

    @strawberry.mutation(description="Import a JSON-LD, EcoSpold2 or ILCD package, all or nothing.")
    async def import_dataset(
        self,
        info: Ctx,
        file: Upload,
        name: str,
        background: list[str] | None = None,
        format: str = "auto",
    ) -> ImportResult:
        ctx = info.context
        folder = ""
        try:
            ctx.require_token()
            with tempfile.TemporaryDirectory(prefix="lcagraph-upload-") as folder:
                path = await save_upload(file, Path(folder))
                report = await ctx.run(
                    lambda: import_database(ctx.store, path, name, tuple(background or ()), format)
                )
            version = await ctx.run(ctx.store.graph_version)
        except LcaGraphError as e:
            problem = info.context.problem(e)
            return without_folder(problem, folder) if folder else problem  # type: ignore[no-any-return]
        return ImportSummary(
            database_id=strawberry.ID(report.database),
            graph_version=version,
            report=cast(JSON, dataclasses.asdict(report)),
        )

    @strawberry.mutation(
        description="Link an exchange to another provider (override); bumps the graph version."
    )
    async def set_provider(
        self,
        info: Ctx,
        exchange_id: strawberry.ID,
        provider_id: strawberry.ID,
    ) -> SetProviderResult:
        ctx = info.context
        try:
            ctx.require_token()
            done = await ctx.run(lambda: set_provider(ctx.store, exchange_id, provider_id))
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]
        return ProviderOverride(
            exchange_id=strawberry.ID(done.exchange),
            consumer_id=strawberry.ID(done.consumer),
            flow_id=strawberry.ID(done.flow),
            previous_provider_id=strawberry.ID(done.previous) if done.previous else None,
            provider_id=strawberry.ID(done.provider),
            graph_version=done.graph_version,
        )

    @strawberry.mutation(
        description="Calculate every process for every impact category (or the one `method` names) and "
        "cache the results on the graph; the API also does this on demand when results are stale."
    )
    async def calculate(self, info: Ctx, method: strawberry.ID | None = None) -> CalculateResult:
        ctx = info.context
        try:
            ctx.require_token()
            report = await ctx.run(lambda: calculate_method(ctx.store, method))
        except LcaGraphError as e:
            return info.context.problem(e)  # type: ignore[no-any-return]
        return CalculationSummary(
            graph_version=report.graph_version,
            processes=report.processes,
            categories=[strawberry.ID(c.id) for c in report.categories],
            results=sum(c.results for c in report.categories),
            residual=report.residual,
            backward_error=report.backward_error,
            identity_gap=max((c.identity_gap for c in report.categories), default=0.0),
            cutoffs=report.cutoffs,
            negative_totals=sum(c.negative_totals for c in report.categories),
            backend=report.backend,
            factorisation_reused=report.factorisation_cached,
            read_seconds=report.read_s,
            factorise_seconds=report.factorise_s,
            solve_seconds=report.solve_s,
            write_seconds=report.write_s,
        )
