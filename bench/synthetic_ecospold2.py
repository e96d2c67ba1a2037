"""The synthetic ecoinvent-sized database (bench/synthetic_database.py) as EcoSpold2 files: one
``.spold`` per activity in a folder, as an ecoinvent release ships them, so that lcagraph and
bw2io (bench/bench_ecospold2.py) import the same files.

    write_ecospold2(content, folder) -> number of files

Mapping (ecoinvent 3 conventions, as both readers expect them):
- the reference product is an ``intermediateExchange`` in ``outputGroup`` 0; a waste treatment's
  reference is its waste with a negative amount;
- a product input is in ``inputGroup`` 5 with ``activityLinkId`` = its provider: the default
  provider where the dataset names one, else the first process making that product (ecoinvent
  links every input); an input of a product nobody makes has no link (a cut-off);
- a waste output is an input of the treatment's waste with a negative amount (ecoinvent's sign);
- elementary flows: ``elementaryExchange`` in ``inputGroup`` 4 (resources) or ``outputGroup`` 4,
  with compartment and subcompartment; lognormal uncertainties with their pedigree entries.
Formulas and per-exchange allocation factors of the records are not written (EcoSpold2 keeps
them in parameters and properties that this bench does not need); amounts are as given.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lcagraph.records import DatabaseContent, Exchange, Flow, Process

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02">\n'


def write_ecospold2(content: DatabaseContent, folder: Path) -> int:
    """Write one ``<process id>.spold`` per process into ``folder``; returns the file count."""
    folder.mkdir(parents=True, exist_ok=True)
    flows = {f.id: f for f in content.flows}
    makers: dict[str, str] = {}
    for p in content.processes:
        if p.ref_flow:
            makers.setdefault(p.ref_flow, p.id)
    by_process: dict[str, list[Exchange]] = defaultdict(list)
    for x in content.exchanges:
        by_process[x.process].append(x)
    for p in content.processes:
        body = "".join(_exchange(x, flows[x.flow], makers) for x in by_process[p.id])
        (folder / f"{p.id}.spold").write_text(HEAD + _activity(p, body) + "</ecoSpold>\n", encoding="utf-8")
    return len(content.processes)


def _activity(p: Process, exchanges: str) -> str:
    return (
        "<activityDataset><activityDescription>"
        f'<activity id="{p.id}" activityNameId="{p.id}" type="1" specialActivityType="0">'
        f'<activityName xml:lang="en">{escape(p.name)}</activityName></activity>'
        f'<classification><classificationSystem xml:lang="en">ISIC rev.4 ecoinvent</classificationSystem>'
        f'<classificationValue xml:lang="en">{escape(p.category)}</classificationValue></classification>'
        f'<geography><shortname xml:lang="en">{escape(p.location or "GLO")}</shortname></geography>'
        '<technology technologyLevel="3"/>'
        f'<timePeriod startDate="{p.valid_from or "2015-01-01"}" endDate="{p.valid_until or "2022-12-31"}" '
        'isDataValidForEntirePeriod="true"/>'
        f"</activityDescription><flowData>{exchanges}</flowData>"
        '<administrativeInformation>'
        '<dataEntryBy personId="bench" personName="bench" personEmail="b@example.org"/>'
        '<dataGeneratorAndPublication personName="bench" personEmail="b@example.org"/>'
        "</administrativeInformation></activityDataset>\n"
    )


def _exchange(x: Exchange, flow: Flow, makers: dict[str, str]) -> str:
    unit = f'<unitName xml:lang="en">{escape(x.unit)}</unitName>'
    name = f'<name xml:lang="en">{escape(flow.name)}</name>'
    uncertainty = _uncertainty(x)
    if flow.type == "elementary":
        compartment = (
            f'<compartment subcompartmentId="{flow.id[:8]}"><compartment xml:lang="en">'
            f'{escape(flow.compartment[1] if len(flow.compartment) > 1 else "air")}</compartment>'
            f'<subcompartment xml:lang="en">{escape(flow.compartment[-1] if flow.compartment else "")}'
            "</subcompartment></compartment>")
        group = "<inputGroup>4</inputGroup>" if x.is_input else "<outputGroup>4</outputGroup>"
        cas = f' casNumber="{flow.cas}"' if flow.cas else ""
        return (f'<elementaryExchange id="{_own_id(x)}" elementaryExchangeId="{flow.id}" '
                f'amount="{x.amount!r}"{cas}>{name}{unit}{uncertainty}{compartment}{group}</elementaryExchange>')
    amount = x.amount
    if x.is_reference:
        amount, group, link = (-amount if x.is_input else amount), "<outputGroup>0</outputGroup>", ""
    else:
        if not x.is_input:  # a waste output: ecoinvent lists it as a negative input
            amount = -amount
        group = "<inputGroup>5</inputGroup>"
        provider = x.default_provider or makers.get(x.flow)
        link = f" activityLinkId={quoteattr(provider)}" if provider else ""
    return (f'<intermediateExchange id="{_own_id(x)}" intermediateExchangeId="{flow.id}" amount="{amount!r}"'
            f"{link}>{name}{unit}{uncertainty}{group}</intermediateExchange>")


def _own_id(x: Exchange) -> str:
    return x.id.replace("/", "-")


def _uncertainty(x: Exchange) -> str:
    u = x.uncertainty
    if u is None or u.distribution != "lognormal" or not u.geomean or not u.geosd or u.geosd <= 1:
        return ""
    variance = math.log(u.geosd) ** 2
    pedigree = x.data_quality.strip("()").split(";") if x.data_quality else []
    matrix = ""
    if len(pedigree) == 5:
        keys = ("reliability", "completeness", "temporalCorrelation", "geographicalCorrelation",
                "furtherTechnologyCorrelation")
        pairs = " ".join(f'{k}="{v}"' for k, v in zip(keys, pedigree, strict=True))
        matrix = f"<pedigreeMatrix {pairs}/>"
    mu = math.log(abs(x.amount)) if x.amount else 0.0
    return (f'<uncertainty><lognormal meanValue="{abs(x.amount)!r}" mu="{mu!r}" variance="{variance!r}" '
            f'varianceWithPedigreeUncertainty="{variance!r}"/>{matrix}</uncertainty>')
