"""Publishing a process as a PACT product: freeze its footprint document, supersede the previous
one, tell the subscribed data recipients (a PublishedEvent to every configured callback).

A published document never changes. Publishing again makes a new footprint (new id) that lists
the earlier ones in ``precedingPfIds``; the earlier one becomes ``Deprecated``. Publishing the
same content again (same figures and declaration) returns the Active footprint unchanged.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from api.pact.delivery import Delivery, deliver_all
from api.pact.documents import SPEC_VERSION, ProductDeclaration, footprint_body
from api.pact.events import published_event
from api.pact.figures import read_figures
from graph import pact_store
from graph.pact_store import FootprintKeys
from graph.store import GraphStore
from lcagraph.config import Settings
from lcagraph.errors import StoreBusy
from lcagraph.records import PactFootprint

_FALLBACK_VALIDITY_YEARS = 3  # spec: without a validity period, valid 3 years from referencePeriodEnd


@dataclass(frozen=True, slots=True)
class Publication:
    """What ``publish`` did: the Active footprint, whether it is new, and the event deliveries."""

    footprint: PactFootprint
    created: bool
    deliveries: tuple[Delivery, ...]

    @property
    def document(self) -> dict[str, Any]:
        return document_of(self.footprint)


def publish(
    store: GraphStore, settings: Settings, declaration: ProductDeclaration, now: datetime | None = None,
) -> Publication:
    """Publish the footprint of one declared unit of ``declaration.process``'s reference product."""
    body = footprint_body(read_figures(store, declaration.process), declaration)
    # the comment names the graph version: a new version alone (another database imported) is no new content
    stated = {k: v for k, v in body.items() if k != "comment"}
    content_hash = hashlib.sha256(json.dumps(stated, sort_keys=True).encode()).hexdigest()
    previous = pact_store.read_active_footprint(store, declaration.process)
    if previous is not None and previous.content_hash == content_hash:
        return Publication(previous, created=False, deliveries=())
    created = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    document: dict[str, Any] = {"id": str(uuid.uuid4()), "specVersion": SPEC_VERSION, "created": created}
    if previous is not None:
        earlier = json.loads(previous.document).get("precedingPfIds", [])
        document["precedingPfIds"] = [previous.id, *earlier]
    document.update(body)
    footprint = PactFootprint(id=document["id"], process=declaration.process, status="Active",
                              created=created, document=json.dumps(document), content_hash=content_hash)
    if not pact_store.publish_footprint(store, footprint, search_keys(document),
                                        previous.id if previous is not None else None):
        raise StoreBusy(f"another footprint of process {declaration.process!r} was published meanwhile; "
                        "publish again to supersede it")
    event = published_event([footprint.id], source=f"{settings.public_base_url}/3/events")
    return Publication(footprint, created=True, deliveries=deliver_all(settings.pact, event))


def document_of(footprint: PactFootprint) -> dict[str, Any]:
    """The ProductFootprint as served: the frozen document with its current status."""
    document: dict[str, Any] = json.loads(footprint.document)
    document["status"] = footprint.status
    return document


def search_keys(document: dict[str, Any]) -> FootprintKeys:
    """What ListFootprints filters on; without a validity period: 3 years from the reference period end."""
    pcf = document["pcf"]
    start = document.get("validityPeriodStart", pcf["referencePeriodEnd"])
    until = document.get("validityPeriodEnd") or _years_after(pcf["referencePeriodEnd"],
                                                               _FALLBACK_VALIDITY_YEARS)
    fields = ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion")
    places = [pcf[k] for k in fields if k in pcf]
    return FootprintKeys(
        product_ids=tuple(v.lower() for v in document["productIds"]),
        company_ids=tuple(v.lower() for v in document["companyIds"]),
        classifications=tuple(v.lower() for v in document.get("productClassifications", ())),
        geographies=tuple(v.lower() for v in places), valid_from=start, valid_until=until,
    )


def _years_after(utc: str, years: int) -> str:
    moment = datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ")
    try:
        later = moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        later = moment.replace(year=moment.year + years, day=28) + timedelta(days=1)
    return later.strftime("%Y-%m-%dT%H:%M:%SZ")
