"""Domain records of lcagraph: plain, frozen, typed; no database imports.

Vocabulary follows ILCD / openLCA: a *process* has *exchanges* of *flows*; one output (or, for
waste treatment, one input) is its *quantitative reference*; product inputs are linked to
*providers*; elementary flows are characterised by *impact categories* of an *impact method*.
Amounts named ``*_ref`` are in the flow's reference unit (kg, MJ, m3, d, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FlowType = Literal["product", "waste", "elementary"]
ProcessType = Literal["unit", "system"]
DatabaseKind = Literal["background", "foreground"]
LinkKind = Literal["default", "unique", "ambiguous", "override", "model"]
Distribution = Literal["lognormal", "normal", "triangular", "uniform"]


@dataclass(frozen=True, slots=True)
class Database:
    """A named collection of datasets: a background release or a user's foreground model."""

    id: str
    name: str
    source: str = ""
    version: str = ""
    licence: str = ""
    format: str = ""
    kind: DatabaseKind = "background"
    description: str = ""


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Uncertainty of an amount, parameters as given (lognormal: geometric mean and sd)."""

    distribution: Distribution
    geomean: float | None = None
    geosd: float | None = None
    mean: float | None = None
    sd: float | None = None
    minimum: float | None = None
    mode: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True)
class DataQuality:
    """Data-quality rating: pedigree entry "(1;2;3;4;5)" or EU PEF indicators (TeR, GR, TiR, P, DQR)."""

    system: str
    entry: str = ""
    indicators: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Flow:
    """A product, waste or elementary flow with its reference flow property and unit."""

    id: str
    name: str
    type: FlowType
    unit: str
    flow_property: str = ""
    cas: str = ""
    formula: str = ""
    compartment: tuple[str, ...] = ()
    location: str = ""
    synonyms: tuple[str, ...] = ()
    # the compartment was not given but inferred (loaders.compartments: an input-only flow is a resource)
    compartment_inferred: bool = False
    # other flow properties: (name, amount per reference unit), e.g. ("Mass", 849.0) for diesel in m3
    property_factors: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named value of a process (or a global one) that amount formulas refer to.

    ``value`` is the evaluated value; ``formula`` is kept where the value is calculated.
    """

    name: str
    value: float
    formula: str = ""
    scope: Literal["process", "global"] = "process"
    description: str = ""


@dataclass(frozen=True, slots=True)
class Process:
    """A unit process or aggregated (system) dataset.

    ``id`` is the dataset UUID, or ``<uuid>@<database id>`` where another database already held
    that UUID when this database was first imported (databases are separate namespaces; see
    loaders.identity); ``uuid`` is then the dataset UUID (empty means the same as ``id``).
    """

    id: str
    name: str
    database: str
    type: ProcessType = "unit"
    location: str = ""
    category: str = ""
    description: str = ""
    ref_flow: str | None = None
    ref_amount: float = 1.0
    ref_unit: str = ""
    ref_is_input: bool = False
    allocation_method: str = ""
    data_quality: DataQuality | None = None
    exchange_dq_system: str = ""
    valid_from: str = ""
    valid_until: str = ""
    sources: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    uuid: str = ""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One input or output of a process.

    ``amount``/``unit`` are as given in the dataset; ``amount_ref`` is in the flow's reference
    unit. ``allocation`` is the factor for the process's reference product under its default
    allocation method (1.0 where none applies).
    """

    id: str
    process: str
    flow: str
    is_input: bool
    amount: float
    unit: str
    amount_ref: float
    is_reference: bool = False
    default_provider: str | None = None
    is_avoided: bool = False
    allocation: float = 1.0
    formula: str = ""
    data_quality: str = ""
    uncertainty: Uncertainty | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class ProviderLink:
    """A resolved supply link: the consumer's exchange is supplied by the provider process.

    ``provider_scale`` turns ``amount_ref`` (in the linked flow's reference unit) into the
    provider's reference product: 1 where the provider's reference is the linked flow; r/c where
    the linked flow is a co-product (c of it per r of the reference, both in reference units).
    """

    consumer: str
    provider: str
    flow: str
    exchange: str
    amount_ref: float
    kind: LinkKind
    is_waste: bool = False
    candidates: tuple[str, ...] = ()
    provider_scale: float = 1.0


@dataclass(frozen=True, slots=True)
class ProviderCandidate:
    """A process that can supply a flow: its quantitative reference is that flow.

    ``is_treatment`` is true where the reference is a waste input (a treatment process).
    ``location`` and ``type`` serve the deterministic pick among ambiguous candidates.
    """

    process: str
    database: str
    flow: str
    is_treatment: bool = False
    location: str = ""
    type: ProcessType = "unit"
    uuid: str = ""  # the dataset UUID where the process id is qualified (see Process)


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A product or waste exchange with no provider: a cut-off (recorded, contributes nothing)."""

    process: str
    flow: str
    exchange: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImpactMethod:
    """An LCIA method, e.g. IPCC AR6 GWP100."""

    id: str
    name: str
    version: str = ""
    source: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class ImpactCategory:
    """One indicator of a method, with its reference unit (e.g. kg CO2-eq)."""

    id: str
    name: str
    method: str
    unit: str


@dataclass(frozen=True, slots=True)
class CharacterisationFactor:
    """Factor per unit of the flow's reference unit.

    ``matched_by`` says how the method's factor found this flow: 'uuid', 'cas' or 'name'.
    """

    category: str
    flow: str
    value: float
    matched_by: str = "uuid"


@dataclass(frozen=True, slots=True)
class FactorSpec:
    """A method's factor before it meets the flows of a database (see loaders.matching).

    ``flow`` is the flow UUID the method keys it by (None where the method names the substance
    only); ``compartment`` the path as given (matched on its medium: air, water, soil, resource);
    ``value`` is per ``unit`` of the flow (e.g. kg CO2-eq per kg).
    """

    category: str
    value: float
    flow: str | None = None
    name: str = ""
    cas: str = ""
    compartment: tuple[str, ...] = ()
    unit: str = "kg"
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProductSystem:
    """A model imported with the data: a reference process, a demand and its process links."""

    id: str
    name: str
    database: str
    ref_process: str
    ref_flow: str
    amount: float
    unit: str = ""
    links: tuple[ProviderLink, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: counts, links, conversions, unmatched flows and warnings."""

    database: str
    file: str
    format: str
    datasets: tuple[tuple[str, int], ...] = ()
    exchanges: int = 0
    links: tuple[tuple[str, int], ...] = ()
    unit_conversions: int = 0
    formulas_evaluated: int = 0
    unmatched_flows: tuple[str, ...] = ()
    co_products: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # (impact category id, elementary flows with a factor in it: the import's own, and for a method
    # the import brings, also the flows of other databases it reached)
    characterised: tuple[tuple[str, int], ...] = ()
    # the same flows, per (category, matching rule: uuid, cas, name, fedefl)
    matched_by: tuple[tuple[str, str, int], ...] = ()
    # flows left without a factor because several candidate factors disagree, with the candidates
    ambiguous_factors: tuple[str, ...] = ()
    replaced: bool = False  # a database of this name (id) was in the graph and is replaced


@dataclass(frozen=True, slots=True)
class DatabaseContent:
    """Everything one import brings, as domain records, ready to be written in one unit."""

    database: Database
    flows: tuple[Flow, ...] = ()
    processes: tuple[Process, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    links: tuple[ProviderLink, ...] = ()
    unlinked: tuple[Unlinked, ...] = ()
    methods: tuple[ImpactMethod, ...] = ()
    categories: tuple[ImpactCategory, ...] = ()
    factors: tuple[CharacterisationFactor, ...] = ()
    product_systems: tuple[ProductSystem, ...] = ()
    report: ImportReport | None = field(default=None)


@dataclass(frozen=True, slots=True)
class PactClient:
    """A data recipient allowed to call the PACT API: ``secret_hash`` is the scrypt hash of its
    secret (api/pact/credentials.py); the secret itself is shown once and never stored."""

    id: str
    name: str
    secret_hash: str
    created: str


@dataclass(frozen=True, slots=True)
class PactFootprint:
    """A published PACT ProductFootprint: ``document`` is the frozen JSON text of every field
    but ``status`` (the one field that changes, Active -> Deprecated, when a newer footprint of
    the same process supersedes it)."""

    id: str
    process: str
    status: str
    created: str
    document: str
    content_hash: str
