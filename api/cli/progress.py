"""The progress display of long commands (import, calculate, footprint, export): one line on
stderr naming the running step, with a bar where the step knows its size ("12,000/60,000").
Quiet with ``--json`` (the output is for a program) and when stderr is not a terminal."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

_COUNT = re.compile(r"([\d,]+)/([\d,]+)\s*$")


@contextmanager
def progress_line(title: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Yields ``say(step)``: shows ``step``; a step ending in ``done/total`` fills the bar."""
    console = Console(stderr=True)
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=quiet or not console.is_terminal)
    with bar:
        task = bar.add_task(title, total=None)

        def say(step: str) -> None:
            counted = _COUNT.search(step)
            if counted:
                done, total = (int(v.replace(",", "")) for v in counted.groups())
                bar.update(task, description=step, completed=done, total=total)
            else:
                bar.update(task, description=step, completed=0, total=None)

        yield say
