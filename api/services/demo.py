"""What ``lcagraph demo`` imports and which node it opens."""

from __future__ import annotations

from dataclasses import dataclass

from api.services.foreground import import_model
from graph import queries as q
from graph.store import GraphStore
from lcagraph.config import PROJECT_ROOT
from lcagraph.errors import NodeNotFound
from loaders.xml import slug


@dataclass(frozen=True, slots=True)
class DemoImport:
    """One import of the demo: data file key (api/services/datasets.py), database name, backgrounds."""

    key: str
    name: str
    background: tuple[str, ...] = ()
    version: str = ""
    licence: str = ""  # as the data's provenance states it (../shared/data/README.md); "" where not stated

    @property
    def database(self) -> str:
        """The database id the import gets (slug of the name)."""
        return slug(self.name)


USLCI = "USLCI FY17 Q4"
TRANSPORT = "USLCI transport v1.1"
DEMO_IMPORTS: tuple[DemoImport, ...] = (
    DemoImport("uslci", USLCI, version="FY17 Q4", licence="CC0 1.0 (public domain)"),
    DemoImport("transport", TRANSPORT, (USLCI,), version="1.1"),
    DemoImport("rail", "USLCI rail v1.0", (USLCI,), version="1.0"),
    DemoImport("marine", "USLCI marine v1.0", (USLCI,), version="1.0"),
    DemoImport("ipcc", "FEDEFL IPCC v1.0.3", version="1.0.3", licence="public domain (US EPA)"),
)


def present_databases(store: GraphStore) -> set[str]:
    """Ids of the databases in the graph."""
    return {str(r["id"]) for r in store.read(q.DEMO_DATABASE_IDS)}


def demo_node(store: GraphStore) -> tuple[str, str]:
    """(id, name) of the transport-module process with the most providers in other databases."""
    rows = store.read(q.DEMO_CROSSING_PROCESS, {"database": slug(TRANSPORT)})
    if not rows:
        raise NodeNotFound(f"no process of {TRANSPORT!r} links into another database; re-import it with "
                           f"`lcagraph import … --background {USLCI!r}`")
    return str(rows[0]["id"]), str(rows[0]["name"])


#: The worked battery example the demo shows beside the transport node (examples/, on USLCI +
#: the transport module): the model file, its pack process, the published version and the use
#: that defines E (60 kWh x 200 cycles a year x 12 years).
BATTERY_EXAMPLE = PROJECT_ROOT / "examples" / "lfp-battery-pack.json"
BATTERY_MODEL = "lfp-pack-60kwh"
BATTERY_PROCESS = f"{BATTERY_MODEL}:pack"
BATTERY_VERSION = "2026.1"
BATTERY_USE = (60.0, 200.0, 12.0)


def ensure_battery_model(store: GraphStore) -> bool:
    """Import the battery example unless its database is in the graph; True if it was imported."""
    if BATTERY_MODEL in present_databases(store):
        return False
    import_model(store, BATTERY_EXAMPLE)
    return True
