"""Shared pieces of the API abuse tests: the hand-solved system of tests/graph/test_tree_store.py
served by uvicorn on 127.0.0.1 (random port) on the real embedded engine, and a two-process loop at
amount 1 that makes the whole technosphere singular."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from graph.store import GraphStore
from graph.writer import write_database_content
from lcagraph.config import Settings
from lcagraph.records import Flow
from tests.shared_cases import tree_store_hand

TOKEN = "s3cret-token"



HAND = tree_store_hand()


def settings(**overrides: Any) -> Settings:
    base = Settings(
        graph_url="embedded://unused",
        data_dir=Path("."),
        neo4j_user="",
        neo4j_password="",
        neo4j_database="",
        public_base_url="",
        api_token=TOKEN,
    )
    return replace(base, **overrides)


def write_hand_system(store: GraphStore) -> None:
    HAND.write_hand_system(store)
    HAND.write_results(store, store.graph_version())


def write_singular_loop(store: GraphStore) -> None:
    """X needs 1 of Y's product and Y 1 of X's: (I - A) has a zero column sum, the system is singular.
    Written straight to the graph (an import refuses it): a graph that became unsolvable anyway."""
    flows = (Flow("f-x", "product x", "product", "kg"), Flow("f-y", "product y", "product", "kg"))
    content = HAND._content(
        "loop",
        [("X", 1.0, False), ("Y", 1.0, False)],
        [
            HAND._x("X", 0, "f-x", False, 1.0, is_reference=True),
            HAND._x("X", 1, "f-y", True, 1.0),
            HAND._x("Y", 0, "f-y", False, 1.0, is_reference=True),
            HAND._x("Y", 1, "f-x", True, 1.0),
        ],
        [("X", "Y", 1, 1.0), ("Y", "X", 1, 1.0)],
        flows,
    )
    with store.unit_of_work() as writer:
        write_database_content(writer, content)
