"""PACT v3.0 conformance cases #20–#40: ListFootprints filters (OR within a parameter, AND
across), matches and non-matches, and malformed requests.

One test per case, named by its number, each run in-process and over real TLS on 127.0.0.1
(fixture ``pact``); every response body is validated against the v3.0 OpenAPI description."""

from __future__ import annotations

from pact_cases import empty, event, expect, filter_params, listed, post_event
from pact_harness import Pact

from api.pact.events import PUBLISHED


def test_case_20_filter_by_product_id(pact: Pact) -> None:
    wanted = filter_params(pact)["productId"]
    found = expect(pact, {"productId": wanted}, ["steel1", "steel2"])
    assert all(wanted in f["productIds"] for f in found)
    expect(pact, {"productId": wanted.upper()}, ["steel1", "steel2"])  # matches ignore case


def test_case_21_filter_by_company_id(pact: Pact) -> None:
    wanted = filter_params(pact)["companyId"]
    found = expect(pact, {"companyId": wanted}, ["steel1", "power", "steel2"])
    assert all(wanted in f["companyIds"] for f in found)


def test_case_22_filter_by_geography(pact: Pact) -> None:
    assert filter_params(pact)["geography"] == "US"
    expect(pact, {"geography": "US"}, ["steel1", "power", "steel2"])
    expect(pact, [("geography", "de"), ("geography", "FR")], ["wood"])


def test_case_23_filter_by_classification(pact: Pact) -> None:
    wanted = filter_params(pact)["classification"]
    found = expect(pact, {"classification": wanted}, ["steel1", "steel2"])
    assert all(wanted in f["productClassifications"] for f in found)


def test_case_24_filter_valid_on(pact: Pact) -> None:
    assert filter_params(pact)["validOn"] == "2025-01-01T00:00:00Z"
    expect(pact, {"validOn": "2025-01-01T00:00:00Z"}, ["steel1", "wood", "power", "steel2"])
    expect(pact, {"validOn": "2027-06-01T00:00:00Z"}, ["steel1", "power", "steel2"])  # wood ends 2027-01-01


def test_case_25_filter_valid_after(pact: Pact) -> None:
    expect(pact, {"validAfter": filter_params(pact)["validAfter"]}, ["steel1", "power", "steel2"])


def test_case_26_filter_valid_before(pact: Pact) -> None:
    expect(pact, {"validBefore": filter_params(pact)["validBefore"]}, ["steel1", "wood", "power", "steel2"])
    expect(pact, {"validBefore": "2027-06-01T00:00:00+00:00"}, ["wood"])


def test_case_27_filter_by_status(pact: Pact) -> None:
    assert filter_params(pact)["status"] == "Deprecated"
    expect(pact, {"status": "Deprecated"}, ["steel1"])
    expect(pact, {"status": "active"}, ["wood", "power", "steel2"])


def test_case_28_filter_by_status_and_product_id(pact: Pact) -> None:
    params = filter_params(pact)
    expect(pact, {"status": params["status"], "productId": params["productId"]}, ["steel1"])
    expect(pact, {"status": "Active", "productId": params["productId"]}, ["steel2"])


def test_case_29_filter_or_within_one_parameter(pact: Pact) -> None:
    wanted = filter_params(pact)["companyId"]
    expect(pact, [("companyId", wanted), ("companyId", "Xk3q9ZpL"), ("companyId", "urn:uuid:other")],
           ["steel1", "power", "steel2"])
    expect(pact, [("companyId", wanted), ("companyId", "urn:uuid:2b0b8e8e-6f1f-4c8a-9a53-0d3f3c1f0002")],
           ["steel1", "wood", "power", "steel2"])


def test_case_30_no_match_product_id(pact: Pact) -> None:
    empty(pact, {"productId": "urn:bogus:product:nonexistent123"})


def test_case_31_no_match_company_id(pact: Pact) -> None:
    empty(pact, {"companyId": "urn:bogus:company:nonexistent456"})


def test_case_32_no_match_geography(pact: Pact) -> None:
    empty(pact, {"geography": "XX"})


def test_case_33_no_match_classification(pact: Pact) -> None:
    empty(pact, {"classification": "urn:bogus:classification:nonexistent789"})


def test_case_34_no_match_valid_on(pact: Pact) -> None:
    empty(pact, {"validOn": "1900-01-01T00:00:00Z"})


def test_case_35_no_match_valid_after(pact: Pact) -> None:
    empty(pact, {"validAfter": "2099-12-31T23:59:59Z"})


def test_case_36_no_match_valid_before(pact: Pact) -> None:
    empty(pact, {"validBefore": "1900-01-01T00:00:00Z"})


def test_case_37_no_match_status(pact: Pact) -> None:
    empty(pact, {"status": "BogusStatusValue"})


def test_case_38_no_match_and_across_parameters(pact: Pact) -> None:
    empty(pact, {"companyId": "urn:bogus:company:5FIi8zS3", "productId": "urn:bogus:product:nonexistent123"})
    empty(pact, {"companyId": filter_params(pact)["companyId"], "geography": "DE"})  # each matches, not both


def test_case_39_no_match_or_within_one_parameter(pact: Pact) -> None:
    empty(pact, [("companyId", f"urn:bogus:company:nonexistent{i}") for i in (1, 2, 3)])


def test_case_40_malformed_requests_are_rejected(pact: Pact) -> None:
    """The runner sends a PublishedEvent whose pfIds is a URN, not a footprint id (a UUID); the
    expected-results text a v2 ``$filter`` query. Both are 400 BadRequest."""
    response = post_event(pact, event(PUBLISHED, {"pfIds": ["urn:gtin:4712345060507"]}, "https://x.example"))
    assert response.status_code == 400 and response.json()["code"] == "BadRequest"
    response, body = listed(pact, {"$filter": "created ge '2023-01-15T10:15:30Z'"})
    assert response.status_code == 400 and body["code"] == "BadRequest"
