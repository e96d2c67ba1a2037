"""Sending PACT events to data recipients: only to the callbacks configured in settings
(LCAGRAPH_PACT_CALLBACKS), each with the client credentials that recipient issued to us.

One delivery: a token from ``{url}/auth/token`` or the callback's ``token_url`` (client
credentials, HTTP Basic), then the
event to ``{url}/3/events``. Connection failures and 5xx answers are retried with exponential
backoff (``ATTEMPTS`` tries); the outcome of each delivery is returned, never swallowed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from lcagraph.config import PactCallback, PactSettings

ATTEMPTS = 3
FIRST_WAIT_S = 0.5
TIMEOUT_S = 10.0
CLOUDEVENTS_JSON = "application/cloudevents+json; charset=UTF-8"


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of sending one event to one callback; ``error`` is empty when it was accepted."""

    url: str
    event_id: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def find_callback(settings: PactSettings, source: str) -> PactCallback | None:
    """The configured callback an event's ``source`` names (its base URL), if any."""
    wanted = source.rstrip("/")
    return next((c for c in settings.callbacks if c.url == wanted or f"{c.url}/3/events" == wanted), None)


def deliver_all(settings: PactSettings, event: dict[str, Any]) -> tuple[Delivery, ...]:
    return tuple(deliver(callback, event) for callback in settings.callbacks)


def deliver(callback: PactCallback, event: dict[str, Any]) -> Delivery:
    """Send ``event`` to one callback, retrying transient failures."""
    error = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(FIRST_WAIT_S * 2 ** (attempt - 1))
        try:
            with httpx.Client(timeout=TIMEOUT_S) as client:
                answer = _post_event(client, callback, event)
        except httpx.HTTPError as e:
            error = f"{type(e).__name__}: {e}"
            continue
        if answer.status_code < 300:
            return Delivery(callback.url, event["id"])
        error = f"HTTP {answer.status_code}: {answer.text[:200]}"
        if answer.status_code < 500:
            break  # the recipient refused the event: sending it again will not help
    return Delivery(callback.url, event["id"], error)


def _post_event(client: httpx.Client, callback: PactCallback, event: dict[str, Any]) -> httpx.Response:
    token_url = callback.token_url or f"{callback.url}/auth/token"
    granted = client.post(token_url, data={"grant_type": "client_credentials"},
                          auth=(callback.client_id, callback.client_secret))
    if granted.status_code != 200:
        return granted
    token = granted.json()["access_token"]
    return client.post(f"{callback.url}/3/events", content=json.dumps(event).encode(),
                       headers={"Content-Type": CLOUDEVENTS_JSON, "Authorization": f"Bearer {token}"})
