"""Rows for people and for logs: a table where it fits the terminal, else a list.

A table wider than the terminal wraps every cell into unreadable slivers, and in a log file
(no terminal) box-drawing tables break on the first long name. So a table is drawn only on a
terminal wide enough for every cell unbroken; otherwise each row becomes an entry of ``key: value``
lines, which reads at 80 columns and greps well in logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

Row = Mapping[str, str]


def table_width(rows: Sequence[Row]) -> int:
    """Columns a table of ``rows`` needs with every cell on one line (rich's box and padding)."""
    keys = list(rows[0])
    widths = [max(len(k), *(len(r[k]) for r in rows)) for k in keys]
    return sum(widths) + 3 * len(keys) + 1


def print_records(console: Console, rows: Sequence[Row], title: str = "", right: Sequence[str] = ()) -> None:
    """``rows`` (same keys, first key = what the row is about) as a table or, narrow or not on a
    terminal, as a list; ``right`` names the columns aligned right in a table."""
    if not rows:
        return
    if console.is_terminal and table_width(rows) <= console.width:
        table = Table(title=title or None, title_justify="left")
        for key in rows[0]:
            table.add_column(key, justify="right" if key in right else "left")
        for row in rows:
            table.add_row(*(Text(v) for v in row.values()))
        console.print(table)
        return
    if title:
        console.print(Text(title, style="bold"))
    for row in rows:
        (_, head), *rest = row.items()
        console.print(Text(f"- {head}"))
        for key, value in rest:
            if value:
                console.print(Text(f"    {key}: {value}"))
