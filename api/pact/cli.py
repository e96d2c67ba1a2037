"""``lcagraph pact …``: PACT clients and publishing processes as products.

    lcagraph pact client add NAME            # prints the client id and secret, once
    lcagraph pact client list | remove ID
    lcagraph pact footprints [--json]         # published footprints and their status
    lcagraph pact publish PROCESS_ID --product-id urn:… --company-id urn:… --company-name NAME
                          [--classification urn:…] [--reference-period-start D --reference-period-end D] …
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer

from api.pact.credentials import hash_secret, new_client_credentials
from api.pact.documents import ProductDeclaration
from api.pact.listing import MAX_LIMIT
from api.pact.publishing import document_of, publish
from graph import pact_store
from graph.connect import open_store
from graph.pact_store import FootprintSelection
from graph.store import GraphStore
from lcagraph.config import Settings, load_settings
from lcagraph.errors import CallbackFailed, InvalidArgument, NodeNotFound
from lcagraph.records import PactClient

pact_app = typer.Typer(name="pact", no_args_is_help=True, help="Share footprints over PACT v3.0.")
client_app = typer.Typer(name="client", no_args_is_help=True, help="Data recipients allowed to call the API.")
pact_app.add_typer(client_app)


@contextmanager
def opened() -> Iterator[tuple[Settings, GraphStore]]:
    settings = load_settings()
    store = open_store(settings)
    try:
        yield settings, store
    finally:
        store.close()


NameArg = Annotated[str, typer.Argument(help="who the client is, e.g. the customer's name")]


@client_app.command("add")
def add_client(name: NameArg) -> None:
    """Make a client; its id and secret are printed once (only a hash of the secret is kept)."""
    if not name.strip():
        raise InvalidArgument("NAME is empty: say who the client is")
    client_id, secret = new_client_credentials()
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with opened() as (_, store):
        pact_store.create_client(store, PactClient(client_id, name.strip(), hash_secret(secret), created))
    typer.echo(f"client_id: {client_id}\nclient_secret: {secret}\n"
               "The secret is shown only now: hand it to the client over a safe channel.")


@client_app.command("list")
def list_clients() -> None:
    """Clients allowed to call the PACT API (ids and names; secrets are never shown)."""
    with opened() as (_, store):
        for client in pact_store.read_clients(store):
            typer.echo(f"{client.id}  {client.created}  {client.name}")


@client_app.command("remove")
def remove_client(client_id: Annotated[str, typer.Argument(help="the client id")]) -> None:
    """Remove a client: its tokens stop working at once."""
    with opened() as (_, store):
        if not pact_store.delete_client(store, client_id):
            raise NodeNotFound(f"client {client_id!r} is not there; see `lcagraph pact client list`")
    typer.echo(f"removed client {client_id}")


Urns = Annotated[list[str], typer.Option(help="a URN (repeat for several)")]
Text = Annotated[str, typer.Option()]
MaybeText = Annotated[str | None, typer.Option()]
MaybeNumber = Annotated[float | None, typer.Option()]


@pact_app.command("publish")
def publish_command(
    process_id: Annotated[str, typer.Argument(help="the process whose reference product is the product")],
    product_id: Urns, company_id: Urns,
    company_name: Annotated[str, typer.Option(help="the company that owns the footprint")],
    classification: Annotated[list[str] | None, typer.Option(help="product classification URN")] = None,
    product_name: Text = "", description: Text = "",
    geography: Annotated[str | None, typer.Option(help="country, subdivision or region")] = None,
    reference_period_start: MaybeText = None, reference_period_end: MaybeText = None,
    valid_from: MaybeText = None, valid_until: MaybeText = None,
    fossil_carbon_content: Annotated[float, typer.Option(help="kg C per declared unit")] = 0.0,
    mass_per_declared_unit: MaybeNumber = None,
    standard: Annotated[list[str] | None, typer.Option(help="cross-sectoral standard, e.g. ISO14067")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the ProductFootprint")] = False,
) -> None:
    """Publish the reference product of a process as a PACT ProductFootprint (a new version, and the
    previous one Deprecated, when the figures or the declaration changed)."""
    declaration = ProductDeclaration(
        process=process_id, product_ids=tuple(product_id), company_ids=tuple(company_id),
        company_name=company_name, classifications=tuple(classification or ()), product_name=product_name,
        description=description, geography=geography,
        reference_period=_pair("--reference-period", reference_period_start, reference_period_end),
        validity=_pair("--valid", valid_from, valid_until), fossil_carbon_content=fossil_carbon_content,
        mass_per_declared_unit=mass_per_declared_unit, standards=tuple(standard or ("ISO14067",)),
    )
    with opened() as (settings, store):
        done = publish(store, settings, declaration)
    document = done.document
    if as_json:
        typer.echo(json.dumps(document, indent=2))
    else:
        state = "published" if done.created else "unchanged, still active:"
        typer.echo(f"{state} {document['id']} ({document['pcf']['pcfExcludingBiogenicUptake']} kg CO2-eq per "
                   f"{document['pcf']['declaredUnitAmount']} {document['pcf']['declaredUnitOfMeasurement']})")
    failed = [d for d in done.deliveries if not d.ok]
    if failed:
        raise CallbackFailed("the footprint is published, but the PublishedEvent did not reach "
                             + "; ".join(f"{d.url} ({d.error})" for d in failed))


@pact_app.command("footprints")
def list_published(
    as_json: Annotated[bool, typer.Option("--json", help="print the ProductFootprints")] = False,
) -> None:
    """Published footprints, oldest first: id, status, process, product ids and the two PCFs."""
    with opened() as (_, store):
        found, _ = pact_store.list_footprints(store, FootprintSelection(), 0, MAX_LIMIT)
    documents = [document_of(f) for f in found]
    if as_json:
        typer.echo(json.dumps(documents, indent=2))
        return
    for f, d in zip(found, documents, strict=True):
        pcf = d["pcf"]
        typer.echo(f"{d['id']}  {d['status']:<10}  {f.process}  {' '.join(d['productIds'])}  "
                   f"{pcf['pcfExcludingBiogenicUptake']} / {pcf['pcfIncludingBiogenicUptake']} kg CO2-eq "
                   f"per {pcf['declaredUnitOfMeasurement']}")


def _pair(option: str, start: str | None, end: str | None) -> tuple[str, str] | None:
    if (start is None) != (end is None):
        raise InvalidArgument(f"give both {option}-start and {option}-end, or neither")
    return (start, end) if start is not None and end is not None else None
