"""Named columns of positional rows (graph/rows.py): one tuple gives statement, writer and reader
the same positions."""

from __future__ import annotations

import re

import pytest

from graph import queries as q
from graph.rows import RowColumns


def test_fill_row_and_named_agree() -> None:
    cols = RowColumns("id", "amount", "unit")
    assert cols.fill("MERGE (x {id: row.id}) SET x.amount = row.amount, x.unit = row.unit") == (
        "MERGE (x {id: row[0]}) SET x.amount = row[1], x.unit = row[2]")
    row = cols.row(unit="kg", id="a", amount=2.5)
    assert row == ["a", 2.5, "kg"] and cols.named(row) == {"id": "a", "amount": 2.5, "unit": "kg"}


def test_unknown_or_missing_columns_are_refused() -> None:
    cols = RowColumns("id", "amount")
    with pytest.raises(KeyError, match=r"row\.mass"):
        cols.fill("SET x.mass = row.mass")
    with pytest.raises(ValueError, match="amount"):
        cols.row(id="a")
    with pytest.raises(ValueError, match="twice"):
        RowColumns("id", "id")


def test_bulk_write_statements_use_only_positions() -> None:
    for statement in (q.UPSERT_INPUTS, q.UPSERT_OUTPUTS, q.UPSERT_PROVIDER_LINKS):
        assert "row." not in statement and re.search(r"row\[\d+\]", statement)
    collected = q.READ_PROVIDER_LINKS_OF_DATABASE.split("collect([", 1)[1].split("])", 1)[0]
    assert len(re.split(r",(?![^(]*\))", collected)) == len(q.PROVIDER_LINK_ROW)  # commas outside calls
