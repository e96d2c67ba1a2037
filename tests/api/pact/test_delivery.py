"""Sending events to a data recipient: token first (at {url}/auth/token or the callback's
token_url), then the CloudEvent; refusals are reported, not retried."""

from __future__ import annotations

from pact_harness import RECEIVER_ID, RECEIVER_SECRET, Receiver

from api.pact.delivery import deliver, find_callback
from api.pact.events import published_event
from lcagraph.config import PactCallback, PactSettings


def test_an_event_reaches_the_recipient(receiver: Receiver) -> None:
    event = published_event(["0b4f7a4e-3f27-4a43-9d7a-6f7c1c2f8e51"], "/3/events")
    done = deliver(PactCallback(receiver.url, RECEIVER_ID, RECEIVER_SECRET,
                                token_url=f"{receiver.url}/auth/token"), event)
    assert done.ok and done.event_id == event["id"]
    assert receiver.wait_for("PublishedEvent.3")["id"] == event["id"]
    assert receiver.headers[-1]["content-type"] == "application/cloudevents+json; charset=UTF-8"


def test_a_refusal_is_reported_at_once(receiver: Receiver) -> None:
    before = receiver.token_requests
    done = deliver(PactCallback(receiver.url, RECEIVER_ID, "wrong secret"), published_event([], "/3/events"))
    assert not done.ok and done.error.startswith("HTTP 401")
    assert receiver.token_requests == before + 1  # a 4xx is not retried
    elsewhere = PactCallback(receiver.url, RECEIVER_ID, RECEIVER_SECRET, token_url=f"{receiver.url}/nope")
    missing = deliver(elsewhere, published_event([], "/3/events"))
    assert not missing.ok and missing.error.startswith("HTTP 404")


def test_callbacks_are_found_by_the_source_of_a_request() -> None:
    one = PactCallback("https://a.example", "x", "y")
    settings = PactSettings(callbacks=(one,))
    assert find_callback(settings, "https://a.example/") is one
    assert find_callback(settings, "https://a.example/3/events") is one
    assert find_callback(settings, "https://a.example.evil.test") is None
