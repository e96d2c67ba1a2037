"""PACT v3.0 events: CloudEvents 1.0 in structured JSON mode, checked on the way in, built on the
way out. Request criteria are the ListFootprints filters (api/pact/listing.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.pact.listing import selection_of
from graph.pact_store import FootprintSelection
from lcagraph.errors import InvalidArgument

_PREFIX = "org.wbcsd.pact.ProductFootprint."
PUBLISHED = _PREFIX + "PublishedEvent.3"
REQUEST_CREATED = _PREFIX + "RequestCreatedEvent.3"
REQUEST_FULFILLED = _PREFIX + "RequestFulfilledEvent.3"
REQUEST_REJECTED = _PREFIX + "RequestRejectedEvent.3"
EVENT_TYPES = (PUBLISHED, REQUEST_CREATED, REQUEST_FULFILLED, REQUEST_REJECTED)
_LIST_CRITERIA = {"productId", "companyId", "geography", "classification", "status"}
_TIME_CRITERIA = {"validOn", "validAfter", "validBefore"}


@dataclass(frozen=True, slots=True)
class CloudEvent:
    """An accepted event (its ``data`` checked for its ``type``)."""

    type: str
    id: str
    source: str
    time: str
    data: dict[str, Any]


def parse_event(body: bytes) -> CloudEvent:
    """The event in ``body``; InvalidArgument naming the first field that is wrong."""
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidArgument(f"the body is not JSON: {e}") from e
    if not isinstance(event, dict):
        raise InvalidArgument("the body is not a JSON object (a CloudEvent in structured mode)")
    if event.get("specversion") != "1.0":
        raise InvalidArgument(f"specversion {event.get('specversion')!r}: PACT events are CloudEvents '1.0'")
    if event.get("type") not in EVENT_TYPES:
        raise InvalidArgument(f"type {event.get('type')!r} is not a PACT v3 event: "
                              f"one of {', '.join(EVENT_TYPES)}")
    for name in ("id", "source", "time"):
        if not isinstance(event.get(name), str) or not event[name].strip():
            raise InvalidArgument(f"field {name!r} is missing or empty")
    _check_time("time", event["time"])
    data = event.get("data")
    if not isinstance(data, dict):
        raise InvalidArgument("field 'data' is missing or not an object")
    _DATA_CHECKS[event["type"]](data)
    return CloudEvent(type=event["type"], id=event["id"], source=event["source"], time=event["time"],
                      data=data)


def request_selection(event: CloudEvent) -> FootprintSelection:
    """The ListFootprints selection a RequestCreatedEvent asks for."""
    pairs = [(k, str(v)) for k in _LIST_CRITERIA for v in event.data.get(k, ())]
    pairs += [(k, str(event.data[k])) for k in _TIME_CRITERIA if k in event.data]
    return selection_of(pairs)


def published_event(ids: list[str], source: str) -> dict[str, Any]:
    return _event(PUBLISHED, source, {"pfIds": ids})


def fulfilled_event(request_id: str, footprints: list[dict[str, Any]], source: str) -> dict[str, Any]:
    return _event(REQUEST_FULFILLED, source, {"requestEventId": request_id, "pfs": footprints})


def rejected_event(request_id: str, code: str, message: str, source: str) -> dict[str, Any]:
    return _event(REQUEST_REJECTED, source, {"requestEventId": request_id,
                                             "error": {"code": code, "message": message}})


def _event(kind: str, source: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "specversion": "1.0", "id": str(uuid.uuid4()), "source": source,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}


def _check_published(data: dict[str, Any]) -> None:
    ids = data.get("pfIds")
    if not isinstance(ids, list) or not ids:
        raise InvalidArgument("data.pfIds is missing or empty: list the published footprint ids")
    for value in ids:
        try:
            uuid.UUID(str(value))
        except ValueError as e:
            raise InvalidArgument(f"data.pfIds: {value!r} is not a footprint id (a UUID)") from e


def _check_request(data: dict[str, Any]) -> None:
    for name in _LIST_CRITERIA:
        values = data.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidArgument(f"data.{name} must be a list of text values")
    for name in _TIME_CRITERIA & data.keys():
        _check_time(f"data.{name}", data[name])
    if "comment" in data and not isinstance(data["comment"], str):
        raise InvalidArgument("data.comment must be text")


def _check_fulfilled(data: dict[str, Any]) -> None:
    _check_request_id(data)
    pfs = data.get("pfs")
    if not isinstance(pfs, list) or not pfs or not all(isinstance(p, dict) for p in pfs):
        raise InvalidArgument("data.pfs must be a non-empty list of ProductFootprints")


def _check_rejected(data: dict[str, Any]) -> None:
    _check_request_id(data)
    error = data.get("error")
    if not isinstance(error, dict) or not isinstance(error.get("code"), str) \
            or not isinstance(error.get("message"), str):
        raise InvalidArgument("data.error must be an Error object with 'code' and 'message'")


def _check_request_id(data: dict[str, Any]) -> None:
    if not isinstance(data.get("requestEventId"), str) or not data["requestEventId"]:
        raise InvalidArgument("data.requestEventId is missing: give the id of the RequestCreatedEvent")


def _check_time(name: str, value: Any) -> None:
    try:
        datetime.fromisoformat(str(value))
    except ValueError as e:
        raise InvalidArgument(f"{name} {value!r} is not a date-time (RFC 3339)") from e


_DATA_CHECKS = {PUBLISHED: _check_published, REQUEST_CREATED: _check_request,
                REQUEST_FULFILLED: _check_fulfilled, REQUEST_REJECTED: _check_rejected}
