"""Foreground models: import a model file (``lcagraph model import``, GraphQL ``saveModel``) as a
database of its own linked to its backgrounds, and export it back (``lcagraph model export``).

The file (loaders/model_file.py) is checked, its providers are resolved against the graph -
by process id (or dataset UUID) in the background databases, or by name + database, where
several processes of that name are picked by the linking rules' order (location, unit before
system, lowest id) and the import report names the pick - then the content is linked and
written like any import: all or nothing, ending with the whole graph's characterisation
(api/services/importing.commit_content). The model file is stored with the database, so that
an export gives it back and a declaration finds the stage of each input.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from api.services.importing import Progress, commit_content, resolve_background
from graph.browse import read_databases, read_flows, read_processes
from graph.foreground import read_model_document, write_model_document
from graph.reader import read_provider_candidates, read_provider_exchanges
from graph.store import GraphStore
from lcagraph.errors import InvalidArgument, NodeNotFound, SingularTechnosphere, UnresolvedReference
from lcagraph.records import ImportReport, ProviderCandidate
from loaders.linking import link_providers, pick_provider
from loaders.model_content import ResolvedProvider, database_id, model_content, process_id
from loaders.model_dump import model_to_json
from loaders.model_file import ModelFile, ModelInput, ModelProcess, read_model_text
from loaders.solvability import check_solvable

__all__ = ["ModelImport", "export_model", "import_model", "import_model_text", "read_model"]


@dataclass(frozen=True, slots=True)
class ModelImport:
    """A committed model import: its database, its processes (graph ids) and the import report."""

    database: str
    processes: tuple[str, ...]
    report: ImportReport


def import_model(store: GraphStore, path: Path | str, *, progress: Progress | None = None) -> ModelImport:
    """Import the model file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidArgument(f"cannot read model file {str(path)!r}: {e}") from e
    return import_model_text(store, text, path.name, progress=progress)


def import_model_text(
    store: GraphStore,
    text: str,
    file: str = "model.json",
    *,
    progress: Progress | None = None,
) -> ModelImport:
    """Import a model given as JSON text (all or nothing)."""
    step = progress or (lambda _name, _rows: None)
    model = read_model_text(text, file)
    db = database_id(model)
    _check_database_free(store, db)
    background = _background_ids(store, model, db)
    candidates = read_provider_candidates(store, background) if background else []
    providers, warnings = _resolve(store, model, candidates)
    content = model_content(model, providers)
    step("read model", len(content.processes))
    content = link_providers(
        content,
        candidates,
        {},
        read_provider_exchanges(store, sorted({p.process for p in providers.values()})),
    )
    try:
        check_solvable(content)
    except SingularTechnosphere as e:
        raise SingularTechnosphere(f"file {file!r}: {e}", e.processes) from e
    assert content.report is not None
    content = replace(content, report=replace(content.report, warnings=content.report.warnings + warnings))
    canonical = json.dumps(model_to_json(model), indent=2, ensure_ascii=False)
    report = commit_content(
        store, content, step, also=lambda writer: write_model_document(writer, db, canonical, file)
    )
    return ModelImport(db, tuple(p.id for p in content.processes), report)


def read_model(store: GraphStore, model: str) -> ModelFile:
    """The model file stored with database ``model`` (its id or name)."""
    db = _model_database(store, model)
    found = read_model_document(store, db)
    if found is None:
        raise NodeNotFound(
            f"database {model!r} was not imported from a model file; `lcagraph model import` "
            "one, or export this database with `lcagraph export`"
        )
    return read_model_text(found[0], found[1] or f"{db}.json")


def export_model(store: GraphStore, model: str) -> str:
    """The model file of ``model`` as JSON text (its meaning unchanged: importing it again gives the
    same database)."""
    return json.dumps(model_to_json(read_model(store, model)), indent=2, ensure_ascii=False) + "\n"


def _model_database(store: GraphStore, model: str) -> str:
    for view in read_databases(store):
        if model in (view.database.id, view.database.name):
            return view.database.id
    raise NodeNotFound(f"no database {model!r} in the graph; `lcagraph info` lists them")


def _check_database_free(store: GraphStore, db: str) -> None:
    """A model replaces its own earlier import, never another database of the same id."""
    for view in read_databases(store):
        if view.database.id == db and read_model_document(store, db) is None:
            raise InvalidArgument(
                f"model id {db!r} is the id of database {view.database.name!r}, which was not imported "
                'from a model file; give the model another "id"'
            )


def _background_ids(store: GraphStore, model: ModelFile, own: str) -> list[str]:
    named = {x.provider.database for p in model.processes for x in p.inputs if x.provider.database}
    ids = resolve_background(store, [*model.background, *sorted(named - set(model.background))], own)
    if ids or not any(x.provider.id for p in model.processes for x in p.inputs):
        return list(dict.fromkeys(ids))
    return [v.database.id for v in read_databases(store) if v.database.id != own]


def _resolve(
    store: GraphStore,
    model: ModelFile,
    candidates: Sequence[ProviderCandidate],
) -> tuple[dict[str, ResolvedProvider], tuple[str, ...]]:
    """Every background provider the model names, with the unit of the product it supplies."""
    by_id: dict[str, list[ProviderCandidate]] = defaultdict(list)
    for c in candidates:
        by_id[c.process].append(c)
        if c.uuid:
            by_id[c.uuid].append(c)
    names = _names_by_database(store, model, candidates)
    found: dict[str, ProviderCandidate] = {}
    warnings: list[str] = []
    for p in model.processes:
        for x in p.inputs:
            if x.provider.process or x.provider.key in found:
                continue
            options = (
                by_id.get(x.provider.id, [])
                if x.provider.id
                else names.get((slug_of(store, x.provider.database), _name_key(x.provider.name)), [])
            )
            if not options:
                raise _not_found(model, p, x)
            picked = pick_provider(options, p.location)
            if len(picked) > 1:
                warnings.append(
                    f"dataset {p.id}, field {x.where}: {len(picked)} processes match "
                    f"{x.provider.name or x.provider.id!r} ({', '.join(c.process for c in picked)}); "
                    f"linked to {picked[0].process} (location, unit before system, lowest id); "
                    'give its "id" to choose another'
                )
            found[x.provider.key] = picked[0]
    units = read_flows(store, sorted({c.flow for c in found.values()}))
    providers = {
        key: ResolvedProvider(c.process, c.database, c.flow, units[c.flow].unit if c.flow in units else "")
        for key, c in found.items()
    }
    return providers, tuple(warnings)


def slug_of(store: GraphStore, database: str) -> str:
    """The id of a database given by id or name."""
    return resolve_background(store, [database], "")[0]


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _names_by_database(
    store: GraphStore,
    model: ModelFile,
    candidates: Sequence[ProviderCandidate],
) -> dict[tuple[str, str], list[ProviderCandidate]]:
    """Candidates by (database id, name key), for the databases the model names processes in."""
    wanted = {
        slug_of(store, x.provider.database) for p in model.processes for x in p.inputs if x.provider.database
    }
    pool = [c for c in candidates if c.database in wanted]
    processes = read_processes(store, [c.process for c in pool])
    out: dict[tuple[str, str], list[ProviderCandidate]] = defaultdict(list)
    for c in pool:
        if c.process in processes:
            out[(c.database, _name_key(processes[c.process].name))].append(c)
    return out


def _not_found(model: ModelFile, p: ModelProcess, x: ModelInput) -> UnresolvedReference:
    ref = x.provider
    what = (
        f"process id {ref.id!r} is not a process of the background databases "
        f"({', '.join(model.background) or 'all databases in the graph'})"
        if ref.id
        else f"no process named {ref.name!r} in database {ref.database!r}"
    )
    return UnresolvedReference(
        f'{what}; import that database first and list it under "background", or correct the provider '
        "(find ids with `lcagraph cypher` or the viewer's search)",
        file=model.file,
        dataset=p.id,
        field=x.where.replace(" (", ".provider (", 1),
    )


def model_process_ids(model: ModelFile) -> list[str]:
    """The graph ids of a model's processes."""
    return [process_id(model, p.id) for p in model.processes]
