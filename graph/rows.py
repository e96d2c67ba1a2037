"""Named columns of positional rows: declared once, next to the statement that takes them.

Bulk writes send rows as lists, not maps: the parameter text is half as long (no key per
value), which halves FalkorDB's parse time, and graph/falkor_reply.param_text writes it with
json. A statement is written with ``row.<name>``; :meth:`RowColumns.fill` turns each into
``row[i]``, so the writer (:meth:`RowColumns.row`), the statement and the readers
(:meth:`RowColumns.named`) take their positions from the one tuple of names.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from typing import Any

_COLUMN = re.compile(r"\brow\.(\w+)\b")


class RowColumns:
    """The column names of positional rows, in order."""

    __slots__ = ("_pick", "index", "names")

    def __init__(self, *names: str) -> None:
        self.names = names
        self.index = {name: i for i, name in enumerate(names)}
        self._pick = operator.itemgetter(*names)  # in C: a named row costs what a list literal does
        if len(self.index) != len(names):
            raise ValueError(f"a column name occurs twice in {names}")

    def __len__(self) -> int:
        return len(self.names)

    def fill(self, statement: str) -> str:
        """``statement`` with every ``row.<name>`` as ``row[<position of name>]``."""
        def position(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.index:
                raise KeyError(f"row.{name} is not a column of {self.names}")
            return f"row[{self.index[name]}]"

        return _COLUMN.sub(position, statement)

    def row(self, **values: Any) -> list[Any]:
        """A positional row from values given by name (every column, no other)."""
        if len(values) != len(self.names):
            missing = set(self.names) - values.keys()
            raise ValueError(f"row needs columns {sorted(missing)} and no others than {self.names}")
        picked = self._pick(values)
        return list(picked) if len(self.names) > 1 else [picked]

    def named(self, row: Sequence[Any]) -> dict[str, Any]:
        """A positional row (as written or as a read collected it) by column name."""
        return dict(zip(self.names, row, strict=True))
