"""The PACT v3.0 conformance cases, one test per case (#1–#40; #18/#19 are optional), each run
in-process and over real TLS on 127.0.0.1 (the ``pact`` fixture), as the conformance runner
defines them (../shared/pact/v3-test-cases.ts) and with the footprints known exactly.

Every response body is validated against ../shared/pact/openapi_v3_0.yaml (``pact.openapi``);
the token endpoint's against OAuth2's shapes, which that file does not describe. Published, in
created order: steel v1 (Deprecated), wood, power, steel v2 (see conftest.publish_all).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
from pact_harness import GRANT, OAUTH_ERROR, TOKEN_RESPONSE, Pact

from api.pact.events import PUBLISHED, REQUEST_CREATED

LIST, ONE, EVENTS = "/3/footprints", "/3/footprints/{id}", "/3/events"
CLOUDEVENTS = {"Content-Type": "application/cloudevents+json; charset=UTF-8"}


def listed(pact: Pact, params: Any = None, token: str | None = None) -> tuple[httpx.Response, Any]:
    response = pact.secure.get(LIST, params=params, headers=pact.auth(token))
    return response, pact.openapi.check(response, "GET", LIST)


def ids(body: Any) -> list[str]:
    return [f["id"] for f in body["data"]]


def published(pact: Pact) -> dict[str, str]:
    steel1, wood, power, steel2 = (p.footprint.id for p in pact.publications)
    return {"steel1": steel1, "wood": wood, "power": power, "steel2": steel2}


def filter_params(pact: Pact) -> dict[str, Any]:
    """The runner's getFilterParameters: criteria taken from the first listed footprint."""
    first = listed(pact)[1]["data"][0]
    start = first.get("validityPeriodStart") or first["pcf"]["referencePeriodEnd"]
    end = first.get("validityPeriodEnd") or _plus_years(first["pcf"]["referencePeriodEnd"], 3)
    return {"id": first["id"], "productId": first["productIds"][0], "companyId": first["companyIds"][0],
            "geography": first["pcf"].get("geographyCountry", ""),
            "classification": first.get("productClassifications", [""])[0], "status": first["status"],
            "validOn": start, "validAfter": _shift(start, -1), "validBefore": _shift(end, 1)}


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _shift(text: str, days: int) -> str:
    return (_time(text) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _plus_years(text: str, years: int) -> str:
    moment = _time(text)
    return moment.replace(year=moment.year + years).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(kind: str, data: dict[str, Any], source: str) -> dict[str, Any]:
    return {"specversion": "1.0", "id": f"test-run-{uuid.uuid4()}", "source": source,
            "time": datetime.now(UTC).isoformat(), "type": kind, "data": data}


def post_event(pact: Pact, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    response = pact.secure.post(EVENTS, json=body, headers={**CLOUDEVENTS, **pact.auth(token)})
    pact.openapi.check(response, "POST", EVENTS)
    return response


def refused(response: httpx.Response, pact: Pact, key: str) -> None:
    """Plain HTTP: an error, never ``key`` (the token or the data), and the error is a PACT Error."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert key not in body and body["code"] == "BadRequest"
    pact.openapi.validate(body, "/components/schemas/Error")


def test_case_01_token_with_valid_credentials(pact: Pact) -> None:
    response = pact.secure.post("/auth/token", content=GRANT, headers=pact.basic())
    assert response.status_code == 200
    jsonschema.validate(response.json(), TOKEN_RESPONSE)
    assert response.headers["cache-control"] == "no-store"
    assert listed(pact, token=response.json()["access_token"])[0].status_code == 200


def test_case_02_token_with_invalid_credentials(pact: Pact) -> None:
    for headers in (pact.basic("conformance-client", "wrong"), pact.basic("nobody", "x"),
                    {"Authorization": "Basic !!!", "Content-Type": "application/x-www-form-urlencoded"}):
        response = pact.secure.post("/auth/token", content=GRANT, headers=headers)
        assert response.status_code in (400, 401)
        jsonschema.validate(response.json(), OAUTH_ERROR)
        assert response.json()["error"] == "invalid_client" and "access_token" not in response.json()


def test_case_03_get_footprint(pact: Pact) -> None:
    wanted = filter_params(pact)["id"]
    response = pact.secure.get(f"/3/footprints/{wanted}", headers=pact.auth())
    assert response.status_code == 200
    body = pact.openapi.check(response, "GET", ONE)
    assert body["data"]["id"] == wanted == published(pact)["steel1"]
    assert body["data"] == listed(pact)[1]["data"][0]


def test_case_04_list_footprints(pact: Pact) -> None:
    response, body = listed(pact)
    assert response.status_code in (200, 202)
    assert ids(body) == list(published(pact).values())
    assert "link" not in response.headers  # everything fits in one page


def test_case_05_pagination_links(pact: Pact) -> None:
    response, body = listed(pact, {"limit": 1})
    seen = ids(body)
    links = _links(response)
    assert set(links) == {"first", "next", "last"}
    host = urlsplit(str(response.request.url)).netloc
    while "next" in links:
        assert urlsplit(links["next"]).netloc == host and links["next"].startswith(("http://", "https://"))
        response = pact.secure.get(links["next"], headers=pact.auth())
        assert response.status_code == 200
        seen += ids(pact.openapi.check(response, "GET", LIST))
        links = _links(response)
    assert seen == list(published(pact).values())
    assert set(links) == {"first", "prev", "last"}


def _links(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))}


def test_case_06_list_with_invalid_token(pact: Pact) -> None:
    response, body = listed(pact, token="very-invalid-access-token-abc")
    assert response.status_code in (400, 401) and body["code"] == "BadRequest"
    forged = pact.token[:-2] + ("AA" if not pact.token.endswith("AA") else "BB")
    assert listed(pact, token=forged)[0].status_code == 401


def test_case_07_get_with_invalid_token(pact: Pact) -> None:
    response = pact.secure.get(f"/3/footprints/{published(pact)['wood']}", headers=pact.auth("very-invalid"))
    assert response.status_code in (400, 401)
    assert pact.openapi.check(response, "GET", ONE)["code"] == "BadRequest"


def test_case_08_get_non_existent_footprint(pact: Pact) -> None:
    response = pact.secure.get("/3/footprints/00000000-0000-0000-0000-000000000000", headers=pact.auth())
    assert response.status_code == 404
    assert pact.openapi.check(response, "GET", ONE)["code"] == "NotFound"
    malformed = pact.secure.get("/3/footprints/non-existent-id", headers=pact.auth())
    assert malformed.status_code == 400
    assert pact.openapi.check(malformed, "GET", ONE)["code"] == "BadRequest"


def test_case_09_token_over_plain_http_is_refused(pact: Pact) -> None:
    refused(pact.plain.post("/auth/token", content=GRANT, headers=pact.basic()), pact, "access_token")


def test_case_10_list_over_plain_http_is_refused(pact: Pact) -> None:
    refused(pact.plain.get(LIST, headers=pact.auth()), pact, "data")


def test_case_11_get_over_plain_http_is_refused(pact: Pact) -> None:
    refused(pact.plain.get(f"/3/footprints/{published(pact)['steel2']}", headers=pact.auth()), pact, "data")


def test_case_12_request_created_is_accepted(pact: Pact) -> None:
    product_ids = listed(pact)[1]["data"][0]["productIds"]
    request = event(REQUEST_CREATED, {"productId": product_ids, "comment": "Please send PCF data."},
                    pact.receiver.url)
    response = post_event(pact, request)
    assert response.status_code == 200 and response.content == b""
    pact.receiver.wait_for("RequestFulfilledEvent.3", request["id"])  # answered later, on the callback


def test_case_13_request_fulfilled_callback(pact: Pact) -> None:
    request = event(REQUEST_CREATED, {"productId": ["urn:gtin:4012345000016"]}, pact.receiver.url)
    assert post_event(pact, request).status_code == 200
    answer = pact.receiver.wait_for("RequestFulfilledEvent.3", request["id"])
    pact.openapi.validate(answer, "/components/schemas/RequestFulfilledEvent")
    assert [f["id"] for f in answer["data"]["pfs"]] == [published(pact)["steel1"], published(pact)["steel2"]]
    headers = pact.receiver.headers[pact.receiver.events.index(answer)]
    assert headers["content-type"].startswith("application/cloudevents+json")


def test_case_14a_request_to_be_rejected_is_accepted(pact: Pact) -> None:
    request = event(REQUEST_CREATED, {"productId": ["urn:pact:null"]}, pact.receiver.url)
    response = post_event(pact, request)
    assert response.status_code == 200 and response.content == b""


def test_case_14b_request_rejected_callback(pact: Pact) -> None:
    request = event(REQUEST_CREATED, {"productId": ["urn:pact:null"], "comment": "x"}, pact.receiver.url)
    assert post_event(pact, request).status_code == 200
    answer = pact.receiver.wait_for("RequestRejectedEvent.3", request["id"])
    pact.openapi.validate(answer, "/components/schemas/RequestRejectedEvent")
    assert answer["data"]["error"]["code"] == "NotFound"


def test_case_15_published_event_is_accepted(pact: Pact) -> None:
    response = post_event(pact, event(PUBLISHED, {"pfIds": [str(uuid.uuid4())]}, "https://webhook.example.com"))
    assert response.status_code == 200 and response.content == b""


def test_case_16_events_with_invalid_token(pact: Pact) -> None:
    body = event(PUBLISHED, {"pfIds": [str(uuid.uuid4())]}, "https://webhook.example.com")
    response = post_event(pact, body, token="very-invalid-access-token-xyz")
    assert response.status_code in (400, 401) and response.json()["code"] == "BadRequest"


def test_case_17_events_over_plain_http_are_refused(pact: Pact) -> None:
    body = event(PUBLISHED, {"pfIds": [str(uuid.uuid4())]}, "https://webhook.example.com")
    refused(pact.plain.post(EVENTS, json=body, headers={**CLOUDEVENTS, **pact.auth()}), pact, "data")


def test_case_18_optional_token_at_the_token_endpoint(pact: Pact) -> None:
    """Optional (OpenID Connect): the runner posts to /auth/token when no OIDC URL is configured."""
    response = pact.secure.post("/auth/token", content=GRANT, headers=pact.basic())
    assert response.status_code == 200
    jsonschema.validate(response.json(), TOKEN_RESPONSE)


def test_case_19_optional_token_with_incorrect_credentials(pact: Pact) -> None:
    response = pact.secure.post("/auth/token", content=GRANT, headers=pact.basic(secret="incorrect"))
    assert response.status_code in (400, 401)
    jsonschema.validate(response.json(), OAUTH_ERROR)


def expect(pact: Pact, params: Any, names: list[str]) -> list[dict[str, Any]]:
    response, body = listed(pact, params)
    assert response.status_code == 200
    assert ids(body) == [published(pact)[n] for n in names]
    return list(body["data"])


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


def empty(pact: Pact, params: Any) -> None:
    response, body = listed(pact, params)
    assert response.status_code == 200 and body == {"data": []}


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
