"""Fixtures of the hostile-input tests: small JSON-LD packages written in the test, a secret file
that must never leak, and input limits taken from the environment afresh for each test."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lcagraph.config import input_limits

SECRET = "lcagraph-test-secret-7f3a9c"

Members = dict[str, Any]
WritePackage = Callable[..., Path]


@pytest.fixture
def write_package(tmp_path: Path) -> WritePackage:
    """write_package(members, name="pkg.zip"): a stored (uncompressed) zip; values are bytes, str
    or JSON-serialisable objects."""

    def write(content: Members, name: str = "pkg.zip") -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
            for member, value in content.items():
                data = value if isinstance(value, bytes | str) else json.dumps(value)
                zf.writestr(member, data)
        return path

    return write


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A file outside every package whose content must appear in no error and no record."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """Limits are read from the environment once per process; tests that set LCAGRAPH_MAX_* see them."""
    input_limits.cache_clear()
    yield
    input_limits.cache_clear()
