"""Publishing processes as PACT products: figures from the calculation (hand-solved model in
pact_harness.py), frozen documents, new versions superseding old ones, PublishedEvents."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from pact_harness import EXCL, INCL, OpenApi, Receiver, declaration, pact_settings

from api.pact.figures import read_figures
from api.pact.publishing import publish, search_keys
from api.services.footprint import footprint
from api.services.importing import import_database
from graph import pact_store
from graph.falkor import FalkorStore
from lcagraph.config import PactCallback, PactSettings, find_data_dir
from lcagraph.errors import InvalidArgument, NodeNotFound


def test_figures_are_the_hand_solved_numbers(pact_graph: FalkorStore) -> None:
    steel, wood, power = (read_figures(pact_graph, p) for p in ("steel", "wood", "power"))
    got = [[f.excluding_uptake, f.including_uptake, f.fossil] for f in (steel, wood, power)]
    np.testing.assert_allclose(got, [[2.7096, 1.9096, 2.6096], [0.3, -1.3, 0.1], [0.5298, 0.5298, 0.5298]],
                               rtol=1e-12)
    np.testing.assert_allclose(steel.exempted_percent, 100 / 3, rtol=1e-12)  # 1 of 3 inputs unlinked
    assert (steel.amount, steel.unit, steel.mass_per_unit) == (1, "kg", 1)
    assert (power.unit, power.mass_per_unit) == ("kWh", None)


def test_published_document_declares_the_figures(pact_graph: FalkorStore, receiver: Receiver,
                                                 openapi: OpenApi) -> None:
    done = publish(pact_graph, pact_settings(receiver), declaration("steel"))
    document = done.document
    openapi.validate(document, "/components/schemas/ProductFootprint")
    assert document["pcf"] == {
        "declaredUnitOfMeasurement": "kilogram", "declaredUnitAmount": "1", "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2024-01-01T00:00:00Z", "referencePeriodEnd": "2025-01-01T00:00:00Z",
        "geographyCountry": "US", "boundaryProcessesDescription": "Cradle-to-gate",
        "pcfExcludingBiogenicUptake": "2.7096", "pcfIncludingBiogenicUptake": "1.9096",
        "fossilGhgEmissions": "2.6096", "fossilCarbonContent": "0", "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"], "exemptedEmissionsPercent": "33.3333",
        "exemptedEmissionsDescription": document["pcf"]["exemptedEmissionsDescription"],
    }
    assert (document["status"], document["specVersion"], document["productNameCompany"]) == (
        "Active", "3.0.0", "steel, at mill")
    power = publish(pact_graph, pact_settings(receiver), declaration("power")).document
    assert (power["pcf"]["declaredUnitOfMeasurement"], power["pcf"]["productMassPerDeclaredUnit"]) == (
        "kilowatt hour", "0")
    assert power["pcf"]["pcfIncludingBiogenicUptake"] == "0.5298"


def test_a_new_version_supersedes_the_old_one(pact_graph: FalkorStore, receiver: Receiver,
                                              openapi: OpenApi) -> None:
    settings = pact_settings(receiver)
    first = publish(pact_graph, settings, declaration("wood"), now=datetime(2026, 2, 1, tzinfo=UTC))
    again = publish(pact_graph, settings, declaration("wood"))
    assert (again.created, again.footprint.id, again.deliveries) == (False, first.footprint.id, ())
    second = publish(pact_graph, settings, declaration("wood", product_name="Sawn spruce"))
    third = publish(pact_graph, settings, declaration("wood", fossil_carbon_content=0.01))
    assert second.document["precedingPfIds"] == [first.footprint.id]
    assert third.document["precedingPfIds"] == [second.footprint.id, first.footprint.id]
    old = pact_store.read_footprint(pact_graph, first.footprint.id)
    assert old is not None and old.status == "Deprecated" and old.document == first.footprint.document
    assert pact_store.read_active_footprint(pact_graph, "wood") == third.footprint
    for done in (first, second, third):
        assert [d.ok for d in done.deliveries] == [True]
        sent = next(e for e in receiver.events if e["id"] == done.deliveries[0].event_id)
        openapi.validate(sent, "/components/schemas/PublishedEvent")
        assert sent["data"]["pfIds"] == [done.footprint.id]


def test_an_unreachable_callback_is_reported(pact_graph: FalkorStore, receiver: Receiver) -> None:
    settings = pact_settings(receiver)
    nowhere = PactSettings(callbacks=(PactCallback("http://127.0.0.1:9", "id", "secret"),))
    done = publish(pact_graph, replace(settings, pact=nowhere),
                   declaration("steel", product_name="Steel, unreachable recipient"))
    assert done.created and len(done.deliveries) == 1
    assert not done.deliveries[0].ok and "Connect" in done.deliveries[0].error


@pytest.mark.parametrize(("process", "changes", "error", "words"), [
    ("nothing", {}, NodeNotFound, "'nothing' is not in the graph"),
    ("steel", {"product_ids": ("4012345000016",)}, InvalidArgument, "is not a URN"),
    ("steel", {"company_ids": ()}, InvalidArgument, "--company-id is missing"),
    ("steel", {"geography": "Atlantis"}, InvalidArgument, "give --geography"),
    ("steel", {"reference_period": ("2024-13-01", "2024-12-31")}, InvalidArgument, "is not a date"),
])
def test_wrong_declarations_are_refused(
    pact_graph: FalkorStore, receiver: Receiver, process: str, changes: dict[str, object],
    error: type[Exception], words: str,
) -> None:
    chosen = replace(declaration("steel", **changes), process=process)
    with pytest.raises(error, match=words):
        publish(pact_graph, pact_settings(receiver), chosen)


def test_stored_document_has_no_status(pact_graph: FalkorStore, receiver: Receiver) -> None:
    """Only ``status`` changes after publication, so it lives beside the frozen document."""
    done = publish(pact_graph, pact_settings(receiver), declaration("power", product_name="Grid power"))
    assert "status" not in json.loads(done.footprint.document)


def test_only_the_active_footprint_can_be_superseded(pact_graph: FalkorStore, receiver: Receiver) -> None:
    """A publication that read an Active footprint which another one superseded meanwhile writes
    nothing (the statement checks what is Active when it runs)."""
    first = publish(pact_graph, pact_settings(receiver), declaration("power", product_name="Power A"))
    publish(pact_graph, pact_settings(receiver), declaration("power", product_name="Power B"))
    late = replace(first.footprint, id="7f9c2c1e-0000-4000-8000-000000000001")
    keys = search_keys(json.loads(first.footprint.document))
    assert not pact_store.publish_footprint(pact_graph, late, keys, supersedes=first.footprint.id)
    assert pact_store.read_footprint(pact_graph, late.id) is None
    assert not pact_store.publish_footprint(pact_graph, late, keys, supersedes=None)


def test_a_new_graph_version_with_the_same_figures_is_no_new_footprint(
    pact_graph: FalkorStore, receiver: Receiver,
) -> None:
    chosen = declaration("wood", product_name="Wood across graph versions")
    first = publish(pact_graph, pact_settings(receiver), chosen)
    version = pact_graph.graph_version()
    with pact_graph.unit_of_work() as writer:  # e.g. another database imported: figures unchanged
        writer.run("MATCH (m:Meta {id: 'graph'}) RETURN m.version AS version")
    assert pact_graph.graph_version() == version + 1
    again = publish(pact_graph, pact_settings(receiver), chosen)
    assert (again.created, again.footprint.id) == (False, first.footprint.id)


def test_a_real_model_per_declared_unit(store: FalkorStore, openapi: OpenApi) -> None:
    """The beef sample (openLCA JSON-LD) imported with the built-in categories: its reference
    amount is 2 914 841 kg, the footprint is declared per 1 kilogram, the figures are those of the
    footprint use-case for 1 kg, and its xsd dates with a zone become UTC times."""
    import_database(store, find_data_dir() / "samples" / "jsonld" / "beef-cattle-finishing", "Beef")
    beef = "1b97b691-7c00-4150-9e97-df2020bfd203"
    settings = replace(pact_settings(Receiver()), pact=PactSettings())
    document = publish(store, settings, replace(declaration("steel"), process=beef)).document
    openapi.validate(document, "/components/schemas/ProductFootprint")
    pcf = document["pcf"]
    declared = ("declaredUnitOfMeasurement", "declaredUnitAmount", "productMassPerDeclaredUnit")
    assert [pcf[k] for k in declared] == ["kilogram", "1", "1"]
    for field, category in (("pcfExcludingBiogenicUptake", EXCL), ("pcfIncludingBiogenicUptake", INCL)):
        expected = footprint(store, beef, amount=1.0, method=category).total
        np.testing.assert_allclose(float(pcf[field]), expected, rtol=1e-8)
    assert 0 < float(pcf["fossilGhgEmissions"]) <= float(pcf["pcfExcludingBiogenicUptake"])
    period = (pcf["referencePeriodStart"], pcf["referencePeriodEnd"])
    assert period == ("2011-01-01T05:00:00Z", "2012-01-01T05:00:00Z")
    assert pcf["geographyCountrySubdivision"] == "US-NE"
