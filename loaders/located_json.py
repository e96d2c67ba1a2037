"""JSON that keeps the line of every object, read through a small typed accessor whose errors
name the file, the line and the field path (``processes[1].inputs[0].amount (line 12)``)."""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
from collections.abc import Mapping, Sequence
from typing import Any

from lcagraph.errors import MalformedDataset

_JSON_OBJECT: Any = getattr(json.decoder, "JSONObject")  # noqa: B009
_MAKE_SCANNER: Any = getattr(json.scanner, "py_make_scanner")  # noqa: B009


class Located(dict[str, Any]):
    """A JSON object that knows the line it starts on."""

    line: int = 0


def load_json(text: str, file: str) -> Any:
    """Parse JSON keeping each object's line (errors name the line and column)."""
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Located, int]:
        pairs, end = _JSON_OBJECT(s_and_end, *args)
        found = Located(pairs)
        found.line = bisect.bisect_left(newlines, s_and_end[1]) + 1
        return found, end

    # the pure-Python scanner calls parse_object (the C one does not): model files are small
    setattr(decoder, "parse_object", parse_object)  # noqa: B010
    setattr(decoder, "scan_once", _MAKE_SCANNER(decoder))  # noqa: B010
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as e:
        raise MalformedDataset(
            f"not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}", file=file
        ) from e


class Reader:
    """Typed access to one JSON object, with errors naming file, line and field path."""

    def __init__(self, data: Any, path: str, file: str, dataset: str = "") -> None:
        if not isinstance(data, dict):
            raise MalformedDataset(
                f"expected an object, found {json.dumps(data)[:60]}",
                file=file,
                dataset=dataset,
                field=path or "(top level)",
            )
        self.data: Mapping[str, Any] = data
        self.path, self.file, self.dataset = path, file, dataset
        self.line = getattr(data, "line", 0)

    def fail(self, key: str, message: str) -> MalformedDataset:
        field = f"{self.path}.{key}" if self.path else key
        return MalformedDataset(
            message, file=self.file, dataset=self.dataset, field=f"{field} (line {self.line})"
        )

    def check_keys(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, f"unknown field {key!r}; allowed here: {', '.join(allowed)}")

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, f"{key!r} is missing; give it as a non-empty string")
            return ""
        if not isinstance(value, str):
            raise self.fail(key, f"{key!r} must be a string, not {json.dumps(value)}")
        return value.strip()

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"{key!r} must be a number, not {json.dumps(value)}")
        return float(value)

    def items(self, key: str, *, required: bool = False) -> list[Reader]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(key, f"{key!r} is missing; give a list")
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"{key!r} must be a list")
        return [
            Reader(v, f"{self.path}.{key}[{i}]" if self.path else f"{key}[{i}]", self.file, self.dataset)
            for i, v in enumerate(value)
        ]

    def child(self, key: str) -> Reader | None:
        value = self.data.get(key)
        if value is None:
            return None
        return Reader(value, f"{self.path}.{key}" if self.path else key, self.file, self.dataset)

    def where(self) -> str:
        return f"{self.path} (line {self.line})"
