"""``lcagraph montecarlo ID --runs N --seed S``: Monte Carlo of one node's total with a progress
bar, printed next to the analytic 95 % interval (api/services/montecarlo.py)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.cli.calculation import JsonOpt, MethodOpt, ProcessArg
from api.services.montecarlo import monte_carlo
from api.services.readmodels import MonteCarloSummary
from api.services.session import opened_store

RunsOpt = Annotated[int, typer.Option("--runs", help="number of runs (2 to 100,000)")]
SeedOpt = Annotated[int, typer.Option("--seed", help="random seed: the same seed gives the same samples")]


def montecarlo_command(
    process_id: ProcessArg, runs: RunsOpt = 1000, seed: SeedOpt = 0, method: MethodOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo of a process's total, next to the analytic 95 % interval."""
    err = Console(stderr=True)
    columns = (TextColumn("Monte Carlo"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with opened_store() as store, Progress(*columns, console=err, transient=True,
                                           disable=not err.is_terminal) as bar:
        task = bar.add_task("runs", total=runs)
        summary = monte_carlo(store, process_id, runs=runs, seed=seed, method=method,
                              progress=lambda done, _total: bar.update(task, completed=done))
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(summary), indent=1))
    else:
        print_summary(Console(), summary)


def print_summary(console: Console, s: MonteCarloSummary) -> None:
    unit, a = s.impact_unit, s.analytic
    console.print(f"{s.process} · {s.amount:g} reference units · {s.category} · graph version "
                  f"{s.graph_version}", highlight=False)
    console.print(f"deterministic {s.deterministic:.6g} {unit} · {s.runs:,} runs "
                  f"(seed {s.seed}, {s.backend})")
    console.print(f"Monte Carlo: mean {s.mean:.6g} · median {s.median:.6g} · 95 % {s.low:.6g}…{s.high:.6g}"
                  f" · GSD² {s.gsd2:.4g}")
    console.print(f"analytic ({a.method}): 95 % {a.low:.6g}…{a.high:.6g} · GSD² {a.gsd2:.4g}")
