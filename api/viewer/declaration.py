"""The printable carbon-footprint declaration of a battery (``lcagraph declare battery --html``,
``GET /declaration/battery/{processId}?capacity_kwh=…&cycles_per_year=…&years=…[&v=…]``).

One self-contained page (styles inline, QR code as inline SVG, no script), A4-friendly: the
declared footprint per kWh, E and how it is made up, the four stages with shares, the study
(the published version's deep link) and its QR code. Values are escaped exactly once.
"""

from __future__ import annotations

from api.services.battery import STAGE_NAMES, BatteryDeclaration
from api.services.qr import render_svg
from api.viewer.render import e, fmt_number

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{border-bottom:1px solid #ccc;padding:.35rem;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}.big{font-size:1.8rem;font-weight:700}"
    ".qr{float:right;margin-left:1rem}@media print{a{color:#000;text-decoration:none}}"
)


def render_declaration(d: BatteryDeclaration) -> str:
    """The whole page."""
    unit = e(d.impact_unit)
    rows = "".join(
        f'<tr><th scope="row">{e(STAGE_NAMES[s.stage])}</th>'
        f'<td class="n">{e(fmt_number(s.impact / d.energy_kwh))}</td>'
        f'<td class="n">{e(fmt_number(s.impact))}</td><td class="n">{100 * s.share:.1f} %</td></tr>'
        for s in d.stages
    )
    qr = render_svg(d.study_link, 180, title="QR code of the carbon-footprint study") if d.study_link else ""
    study = (
        f'<p>Carbon-footprint study: <a href="{e(d.study_link)}">{e(d.study_link)}</a><br>'
        f"published version {e(d.version_label)} · content hash <code>{e(d.version_hash)}</code></p>"
        if d.study_link
        else "<p>Not published: these figures are the live model's, with no frozen study.</p>"
    )
    klass = e(d.performance_class or "not assigned (classes are set by the European Commission)")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Carbon footprint declaration — '
        f'{e(d.name)}</title><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body><main>"
        f'<div class="qr">{qr}</div><h1>Battery carbon footprint declaration</h1>'
        f"<p>Regulation (EU) 2023/1542, Article 7 · {e(d.name)} (<code>{e(d.process)}</code>), "
        f"model {e(d.model)}</p>"
        f'<p class="big">{e(fmt_number(d.per_kwh))} {unit}/kWh</p>'
        "<p>per kWh of the total energy provided over the service life: "
        f"E = {e(fmt_number(d.capacity_kwh))} kWh × {e(fmt_number(d.cycles_per_year))} cycles/year × "
        f"{e(fmt_number(d.years))} years = "
        f"{e(fmt_number(d.energy_kwh))} kWh. Absolute footprint: {e(fmt_number(d.total))} {unit} per battery "
        f"({e(d.category)}; use stage excluded).</p>"
        f"<table><thead><tr><th>Life-cycle stage</th><th>{unit}/kWh</th><th>{unit} per battery</th>"
        f"<th>Share</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<p>Performance class: {klass}. Completeness: {e(d.completeness)} ({d.linked} inputs linked, "
        f"{d.cut_offs} cut-offs).</p>{study}</main></body></html>\n"
    )
