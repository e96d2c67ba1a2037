"""PACT v3.0 conformance cases #1–#11: tokens, GetFootprint, ListFootprints with pagination,
bad tokens, plain HTTP refused.

One test per case, named by its number, each run in-process and over real TLS on 127.0.0.1
(fixture ``pact``); every response body is validated against the v3.0 OpenAPI description."""

from __future__ import annotations

from urllib.parse import urlsplit

import jsonschema
from pact_cases import LIST, ONE, filter_params, ids, links_of, listed, published, refused
from pact_harness import GRANT, Pact
from pact_openapi import OAUTH_ERROR, TOKEN_RESPONSE


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


def test_case_05_paginationlinks_of(pact: Pact) -> None:
    response, body = listed(pact, {"limit": 1})
    seen = ids(body)
    links = links_of(response)
    assert set(links) == {"first", "next", "last"}
    host = urlsplit(str(response.request.url)).netloc
    while "next" in links:
        assert urlsplit(links["next"]).netloc == host and links["next"].startswith(("http://", "https://"))
        response = pact.secure.get(links["next"], headers=pact.auth())
        assert response.status_code == 200
        seen += ids(pact.openapi.check(response, "GET", LIST))
        links = links_of(response)
    assert seen == list(published(pact).values())
    assert set(links) == {"first", "prev", "last"}


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
