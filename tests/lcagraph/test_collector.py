"""The cyclic collector's pause during imports: off inside, restored after, counted across
overlapping holders (threads of the API server), and left off when it was off before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from lcagraph.collector import collection_paused


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_off_inside_and_on_after_even_after_an_error() -> None:
    with pytest.raises(KeyError), collection_paused():
        assert not gc.isenabled()
        raise KeyError("boom")
    assert gc.isenabled()


def test_overlapping_holders_reenable_only_when_the_last_ends() -> None:
    first_inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collection_paused():
            first_inside.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    assert first_inside.wait(10)
    with collection_paused():
        release.set()
        worker.join(10)
        assert not gc.isenabled(), "the other holder's end re-enabled the collector under this one"
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
