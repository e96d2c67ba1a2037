"""Helpers of the conformance tests (test_conformance_*.py): requests as the PACT conformance
runner (../shared/pact/v3-test-cases.ts) makes them, every answer checked against the OpenAPI
description. Published, in created order: steel v1 (Deprecated), wood, power, steel v2
(pact_harness.publish_all)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pact_harness import Pact

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


def links_of(response: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))}


def expect(pact: Pact, params: Any, names: list[str]) -> list[dict[str, Any]]:
    response, body = listed(pact, params)
    assert response.status_code == 200
    assert ids(body) == [published(pact)[n] for n in names]
    return list(body["data"])


def empty(pact: Pact, params: Any) -> None:
    response, body = listed(pact, params)
    assert response.status_code == 200 and body == {"data": []}
