"""PACT v3.0 conformance cases #12–#19: asynchronous events and their callbacks, bad tokens,
plain HTTP refused; #18/#19 (optional, OpenID Connect) against /auth/token.

One test per case, named by its number, each run in-process and over real TLS on 127.0.0.1
(fixture ``pact``); every response body is validated against the v3.0 OpenAPI description."""

from __future__ import annotations

import uuid

import jsonschema
from pact_cases import CLOUDEVENTS, EVENTS, event, listed, post_event, published, refused
from pact_harness import GRANT, Pact
from pact_openapi import OAUTH_ERROR, TOKEN_RESPONSE

from api.pact.events import PUBLISHED, REQUEST_CREATED


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
