"""loaders.ecospold2_pool: the worker pool reads the USLCI FY18 Q1 EcoSpold2 release into exactly
the records of a serial read, and a broken member fails with the serial read's error."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import loaders.ecospold2_pool as pool
from lcagraph.config import find_data_dir
from lcagraph.errors import MalformedDataset
from loaders.ecospold2 import read_ecospold2

ES2_ZIP = find_data_dir() / "uslci/uslci_fy18q1_ecospold2.zip"


def test_pool_and_serial_read_give_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = read_ecospold2(ES2_ZIP, "uslci", workers=1)
    monkeypatch.setattr(pool, "MIN_FILES", 0)
    pooled = read_ecospold2(ES2_ZIP, "uslci", workers=2)
    assert len(pooled.processes) > 100
    assert pooled == serial


def test_a_broken_member_fails_as_in_a_serial_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(ES2_ZIP) as source, zipfile.ZipFile(broken, "w") as out:
        names = source.namelist()
        for name in names:
            data = source.read(name)
            out.writestr(name, data.replace(b'amount="', b'amount="x', 1) if name == names[7] else data)
    with pytest.raises(MalformedDataset) as serial:
        read_ecospold2(broken, "uslci", workers=1)
    monkeypatch.setattr(pool, "MIN_FILES", 0)
    with pytest.raises(MalformedDataset) as pooled:
        read_ecospold2(broken, "uslci", workers=2)
    assert str(pooled.value) == str(serial.value) and names[7] in str(pooled.value)
