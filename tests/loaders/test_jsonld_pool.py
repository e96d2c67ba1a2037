"""loaders.jsonld_pool: the worker pool reads USLCI FY17 Q4 (JSON-LD) into exactly the records of a
serial read, and a broken process dataset fails with the serial read's error."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import loaders.jsonld_pool as pool
from lcagraph.config import find_data_dir
from lcagraph.errors import MalformedDataset
from lcagraph.records import Database
from loaders.jsonld import read_jsonld

USLCI = find_data_dir() / "uslci/uslci_fy17q4_jsonld.zip"
DB = Database("uslci", "USLCI FY17 Q4")


def test_pool_and_serial_read_give_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = read_jsonld(USLCI, DB, workers=1)
    monkeypatch.setattr(pool, "MIN_FILES", 0)
    pooled = read_jsonld(USLCI, DB, workers=2)
    assert len(pooled.processes) > 700
    assert pooled == serial


def test_a_broken_process_fails_as_in_a_serial_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(USLCI) as source, zipfile.ZipFile(broken, "w") as out:
        names = source.namelist()
        victim = [n for n in names if "processes/" in n][9]
        for name in names:
            data = source.read(name)
            if name == victim:  # a duplicate key: the last one wins, so "amount" is "x"
                data = data.replace(b'"amount":', b'"amount": "x", "_":', 1)
            out.writestr(name, data)
    with pytest.raises(MalformedDataset) as serial:
        read_jsonld(broken, DB, workers=1)
    monkeypatch.setattr(pool, "MIN_FILES", 0)
    with pytest.raises(MalformedDataset) as pooled:
        read_jsonld(broken, DB, workers=2)
    assert str(pooled.value) == str(serial.value) and victim in str(pooled.value)
