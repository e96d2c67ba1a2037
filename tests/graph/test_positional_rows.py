"""Positional (list) rows of the exchange and provider-link upserts, and their parameter text.

The writer sends exchanges and supply links as lists (graph/queries.py EXCHANGE_ROW, graph/rows.py),
which graph/falkor_reply.param_text writes with json; FalkorDB does not decode json's \\uXXXX,
\\b or \\f, so text with such characters must fall back to the client's own quoting. Either way,
every string must come back exactly as written.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable

import pytest
from falkordb.helpers import stringify_param_value

from graph import queries as q
from graph.falkor import FalkorStore
from graph.falkor_reply import param_text
from graph.reader import read_database_content
from graph.writer import exchange_rows, provider_link_row, write_database_content
from lcagraph.records import DatabaseContent, Exchange, ProviderLink

MakeContent = Callable[..., DatabaseContent]

# real data: µg, °C, accents, CJK; Cypher-sensitive: quotes, backslashes (also before n/u/b/f),
# newlines, tabs; control characters json writes as \u0001 or \f (the fallback path)
TEXTS = (
    "µg/m³ at 25 °C — café, naïve, Zürich, 中文",
    'quote " and \' apostrophe, backtick `',
    "back\\slash, trailing backslash \\",
    "literal \\n and \\t and \\r and \\\\ (backslash letters, not escapes)",
    "line one\nline two\r\nwith\ttab",
    "",
)
# json writes these as \uXXXX / \f / \b (control characters), or they contain the text \u, \b, \f
CONTROL_TEXTS = ("bell \x07 and form feed \x0c and backspace \x08", "unit separator \x1f, nul-free",
                 "literal \\u00e9 and \\b and \\f")
JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def odd_content(content: DatabaseContent, texts: tuple[str, ...]) -> DatabaseContent:
    """The sample with ``texts`` in the string properties of exchanges and their links."""
    exchanges = []
    for i, x in enumerate(content.exchanges):
        text = texts[i % len(texts)]
        exchanges.append(dataclasses.replace(
            x, unit=f"{x.unit}{text[:1]}", description=text, formula=text[::-1], data_quality=text))
    links = tuple(dataclasses.replace(link, candidates=(*link.candidates, *texts[:2]))
                  if link.candidates else link for link in content.links)
    unlinked = tuple(dataclasses.replace(u, reason=texts[0] + texts[-2]) for u in content.unlinked)
    return dataclasses.replace(content, exchanges=tuple(exchanges), links=links, unlinked=unlinked)


@pytest.mark.parametrize("texts", [TEXTS, CONTROL_TEXTS, TEXTS + CONTROL_TEXTS],
                         ids=["json", "fallback", "mixed"])
def test_strings_in_exchanges_round_trip_exactly(
    store: FalkorStore, make_content: MakeContent, texts: tuple[str, ...],
) -> None:
    content = odd_content(make_content(), texts)
    outputs = exchange_rows(content)[1]
    uses_json = param_text(outputs) == JSON(outputs)
    assert uses_json == (texts == TEXTS)  # the path under test is the one taken
    with store.unit_of_work() as writer:
        write_database_content(writer, content)
    back = read_database_content(store, "sample")
    assert back.exchanges == tuple(sorted(content.exchanges, key=lambda x: x.id))
    assert back.links == tuple(sorted(content.links, key=lambda link: link.exchange))
    assert back.unlinked == content.unlinked
    assert {x.description for x in back.exchanges} >= set(texts) - {""}


def test_json_text_is_used_only_where_cypher_reads_it_the_same() -> None:
    clean = [["a", 1.5, True, None, ["x", "y"], "µ ° é \" \\ \n"], ["b", 1e-12, False, 3, [], ""]]
    text = param_text(clean)
    assert text.startswith('[["a",1.5,true,null,["x","y"],"µ ° é \\" \\\\ \\n"]')
    for control in ("\x01", "\x08", "\x0c"):
        rows = [["a", f"x{control}y"]]
        assert param_text(rows) == stringify_param_value(rows)
    assert param_text([["nan", float("nan")]]) == stringify_param_value([["nan", float("nan")]])
    assert param_text({"id": "a"}) == stringify_param_value({"id": "a"})  # maps: the client's text
    assert param_text(["a", "b"]) == stringify_param_value(["a", "b"])


def test_control_characters_survive_a_query_through_either_path(store: FalkorStore) -> None:
    """Statement-level check: what a list-of-lists parameter holds is what Cypher sees."""
    values = [*TEXTS, *CONTROL_TEXTS]
    rows = store.read("UNWIND $rows AS row RETURN row[0] AS i, row[1] AS text",
                      {"rows": [[i, v] for i, v in enumerate(values)]})
    assert [r["text"] for r in sorted(rows, key=lambda r: r["i"])] == values


def test_row_fields_match_the_upserts(make_content: MakeContent) -> None:
    """Each field name sits at the index the Cypher reads it from (x.<name> = row[i])."""
    for query in (q.UPSERT_INPUTS, q.UPSERT_OUTPUTS):
        assigned = dict(re.findall(r"x\.(\w+) = row\[(\d+)\]", query))
        assert assigned == {name: str(i) for i, name in enumerate(q.EXCHANGE_ROW.names) if i >= 3}
        assert "{id: row[0]}" in query and "{id: row[1]}" in query and "{id: row[2]}" in query
    links = dict(re.findall(r"l\.(\w+) = (?:coalesce\()?row\[(\d+)\]", q.UPSERT_PROVIDER_LINKS))
    fields = q.PROVIDER_LINK_ROW.names
    assert links == {"flow": "2", "amount": "4", "kind": "5", "is_waste": "6", "scale": "7"}
    assert links == {name: str(fields.index(name)) for name in links}
    content = make_content()
    inputs, outputs = exchange_rows(content)
    assert len(inputs) + len(outputs) == len(content.exchanges)
    assert all(len(row) == len(q.EXCHANGE_ROW) for row in inputs + outputs)
    x: Exchange = content.exchanges[1]
    row = q.EXCHANGE_ROW.named(next(r for r in inputs if r[0] == x.id))
    assert (row["process"], row["flow"], row["amount"], row["unit"], row["formula"], row["link"]) == (
        x.process, x.flow, x.amount, x.unit, x.formula, "default")
    link: ProviderLink = content.links[0]
    assert dict(zip(fields, provider_link_row(link, is_waste=False), strict=True)) == {
        "consumer": link.consumer, "provider": link.provider, "flow": link.flow, "exchange": link.exchange,
        "amount": link.amount_ref, "kind": link.kind, "is_waste": False, "scale": link.provider_scale}
