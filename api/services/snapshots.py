"""Read models to JSON and back, for the frozen snapshot of a published version.

A read model (frozen dataclasses of str, float, int, bool, None, tuples, lists, mappings and
other such dataclasses) is written as plain JSON; :func:`from_plain` rebuilds it from its type
hints, so that a published page renders from exactly the record the live page rendered.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_plain(value: Any) -> Any:
    """JSON-ready form of a read model (dataclass fields by name)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def from_plain(kind: type[T], data: Any) -> T:
    """The read model of type ``kind`` that :func:`to_plain` wrote as ``data``."""
    built: T = _build(kind, data)
    return built


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _build(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any or data is None:
        return data
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _build(options[0], data) if len(options) == 1 else data
    if origin is typing.Literal:
        return data
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)  # type: ignore[arg-type]
        fields = [f for f in dataclasses.fields(hint) if f.init and f.name in data]
        maker: Any = hint
        return maker(**{f.name: _build(hints[f.name], data[f.name]) for f in fields})
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], v) for v in data)
        return tuple(_build(a, v) for a, v in zip(args, data, strict=True))
    if origin is list:
        return [_build(typing.get_args(hint)[0], v) for v in data]
    if origin in (dict, Mapping):
        _key, item = typing.get_args(hint)
        return {k: _build(item, v) for k, v in data.items()}
    if hint is float:
        return float(data)
    return data
