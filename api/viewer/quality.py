"""The accuracy and completeness of one total on the phone viewer: a colour band for the DQR
rating (class ``dq-<rating>`` on the row), the 95 % interval, a coverage bar, and the same as a
sentence for screen readers (the visual parts are aria-hidden)."""

from __future__ import annotations

from api.services.readmodels import NodeQuality
from api.viewer.format import e, fmt_number


def rating_class(figures: NodeQuality | None) -> str:
    """`` dq-good``, `` dq-no-data``, … (empty without figures): the row's colour band."""
    return "" if figures is None else " dq-" + figures.quality.rating.replace(" ", "-")


def describe(figures: NodeQuality, unit: str) -> str:
    """The figures as one sentence."""
    q, u, c = figures.quality, figures.uncertainty, figures.completeness
    dqr = f"data quality {q.rating}" + (f" (DQR {q.dqr:.1f})" if q.dqr is not None else "")
    coverage = "coverage unknown" if c.coverage is None else f"coverage {100 * c.coverage:.0f} %"
    unlinked = f", {c.unlinked} unlinked input{'s' if c.unlinked != 1 else ''}" if c.unlinked else ""
    return (f"{dqr}; 95 % interval {fmt_number(u.low)} to {fmt_number(u.high)} {unit}; "
            f"{coverage}{unlinked}")


def render_quality(figures: NodeQuality | None, unit: str) -> str:
    """The compact block under a total (empty without figures)."""
    if figures is None:
        return ""
    q, u, c = figures.quality, figures.uncertainty, figures.completeness
    width = 0.0 if c.coverage is None else 100.0 * c.coverage
    dqr = e(q.rating) + (f" {q.dqr:.1f}" if q.dqr is not None else "")
    return (
        '<div class="dq">'
        f'<span class="sr-only">{e(describe(figures, unit))}</span>'
        f'<span class="dq-rating" aria-hidden="true">DQR {dqr}</span>'
        f'<span class="dq-range" aria-hidden="true">{e(fmt_number(u.low))}–{e(fmt_number(u.high))}</span>'
        f'<span class="dq-cov" aria-hidden="true" title="coverage">'
        f'<span style="width:{width:.0f}%"></span></span>'
        "</div>"
    )
