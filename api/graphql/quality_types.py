"""GraphQL types of a total's accuracy (issue 12): data quality (EU PEF DQR) and uncertainty."""

from __future__ import annotations

import strawberry

from api.services import readmodels as rm


@strawberry.type(description="Contribution-weighted EU PEF DQR of a total (1 best … 5 worst).")
class Quality:
    dqr: float | None = strawberry.field(description="Null when no dataset upstream has DQ data.")
    rating: str = strawberry.field(
        description="excellent | very good | good | fair | poor | no data | undetermined")
    without_data: float = strawberry.field(description="Share of the total from datasets without DQ data.")

    @classmethod
    def of(cls, q: rm.QualityScore) -> Quality:
        return cls(dqr=q.dqr, rating=q.rating, without_data=q.without_data)


@strawberry.type(description="First-order uncertainty of a total: GSD² and the 95 % interval.")
class Uncertainty:
    gsd2: float
    low: float = strawberry.field(description="2.5 % bound, in the unit of the total.")
    high: float = strawberry.field(description="97.5 % bound, in the unit of the total.")
    method: str = strawberry.field(description="exact | sketch (randomised, for many uncertain cells)")

    @classmethod
    def of(cls, u: rm.UncertaintyRange) -> Uncertainty:
        return cls(gsd2=u.gsd2, low=u.low, high=u.high, method=u.method)


@strawberry.type(description="Monte Carlo of one reference amount of a process, with the analytic interval.")
class MonteCarlo:
    process_id: strawberry.ID
    category: strawberry.ID
    impact_unit: str
    amount: float = strawberry.field(description="The process's reference amount the runs are for.")
    graph_version: int
    runs: int
    seed: int
    backend: str
    deterministic: float
    mean: float
    median: float
    sd: float
    low: float = strawberry.field(description="2.5 percentile of the runs.")
    high: float = strawberry.field(description="97.5 percentile of the runs.")
    gsd2: float = strawberry.field(description="exp(2 sd(ln total)) over the runs.")
    analytic: Uncertainty = strawberry.field(description="First-order interval of the same amount.")

    @classmethod
    def of(cls, s: rm.MonteCarloSummary) -> MonteCarlo:
        return cls(process_id=strawberry.ID(s.process), category=strawberry.ID(s.category),
                   impact_unit=s.impact_unit, amount=s.amount, graph_version=s.graph_version, runs=s.runs,
                   seed=s.seed, backend=s.backend, deterministic=s.deterministic, mean=s.mean,
                   median=s.median, sd=s.sd, low=s.low, high=s.high, gsd2=s.gsd2,
                   analytic=Uncertainty.of(s.analytic))
