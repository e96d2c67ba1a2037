"""The viewer's start page: search processes by name, and the databases in the graph."""

from __future__ import annotations

from collections.abc import Sequence

from api.services.links import deep_link
from api.services.readmodels import DatabaseView
from api.viewer.format import e
from api.viewer.render import template

MAX_HITS = 30


def render_hits(query: str, hits: Sequence[tuple[str, str, str]], base: str) -> str:
    """Search results: name (link to the node page) and database."""
    if not query:
        return ""
    if not hits:
        return f'<p class="none">No process name holds every word of “{e(query)}”.</p>'
    items = "".join(
        f'<li><a href="{e(deep_link(base, pid))}">{e(name)}</a> <span class="db">{e(db)}</span></li>'
        for pid, name, db in hits[:MAX_HITS]
    )
    more = f'<p class="note">More than {MAX_HITS} match: add words.</p>' if len(hits) > MAX_HITS else ""
    return f'<h2>Processes</h2><ul class="hits">{items}</ul>{more}'


def render_databases(databases: Sequence[DatabaseView]) -> str:
    """Name, version, licence and size of every database."""
    if not databases:
        return "<p>The graph is empty: import a database with <code>lcagraph import</code>.</p>"
    items = "".join(
        f"<li><strong>{e(d.database.name)}</strong> {e(d.database.version)}"
        f'<span class="db">{d.process_count} processes · {e(d.database.licence or "licence not given")}'
        "</span></li>"
        for d in databases
    )
    return f'<ul class="dbs">{items}</ul>'


def render_home(
    query: str, hits: Sequence[tuple[str, str, str]], databases: Sequence[DatabaseView], static: str,
    base: str,
) -> str:
    """The whole start page."""
    return template("home.html").substitute(
        static=e(static), home=e(base + "/"), query=e(query), hits=render_hits(query, hits, base),
        databases=render_databases(databases), graphql=e(base + "/graphql"), docs=e(base + "/docs"),
    )
