"""loaders.archive: safe member listing and reading for zips and folders."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lcagraph.config import InputLimits, find_data_dir
from lcagraph.errors import MalformedDataset, UnsafeArchive
from loaders.archive import open_archive


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_and_folder_give_same_members(tmp_path: Path) -> None:
    members = {"top/processes/a.json": b"{}", "top/flows/b.json": b"[1]", "top/context.json": b"x"}
    z = _zip(tmp_path / "p.zip", members)
    folder = tmp_path / "dir"
    for name, data in members.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    for src in (z, folder):
        with open_archive(src) as a:
            assert a.names() == tuple(sorted(members))
            assert a.read("top/flows/b.json") == b"[1]"
            root = a.find_root(lambda rel: rel.startswith("processes/"))
            assert root == "top/"
            assert a.names_under(root) == ("context.json", "flows/b.json", "processes/a.json")
            assert a.find_root(lambda rel: rel.startswith("nothing/")) is None


def test_find_root_prefers_shortest_prefix(tmp_path: Path) -> None:
    z = _zip(tmp_path / "p.zip", {"processes/a.json": b"{}", "x/processes/b.json": b"{}"})
    with open_archive(z) as a:
        assert a.find_root(lambda rel: rel.startswith("processes/")) == ""


@pytest.mark.parametrize("bad", ["../evil.json", "a/../../evil.json", "/etc/passwd", "C:/x.json"])
def test_traversal_refused(tmp_path: Path, bad: str) -> None:
    z = _zip(tmp_path / "bad.zip", {"ok.json": b"{}", bad: b"{}"})
    with pytest.raises(UnsafeArchive) as info:
        open_archive(z)
    assert "bad.zip" in str(info.value)
    assert info.value.field == bad


def test_expansion_ratio_refused(tmp_path: Path) -> None:
    z = _zip(tmp_path / "bomb.zip", {"zeros.json": b"0" * (8 << 20)})
    with pytest.raises(UnsafeArchive, match="ratio"):
        open_archive(z)


def test_member_size_limit(tmp_path: Path) -> None:
    z = _zip(tmp_path / "big.zip", {"a.json": b"{" * 5000})
    with pytest.raises(UnsafeArchive, match="larger than"):
        open_archive(z, InputLimits(member_bytes=1000))


def test_missing_member_and_missing_path(tmp_path: Path) -> None:
    z = _zip(tmp_path / "p.zip", {"a.json": b"{}"})
    with open_archive(z) as a, pytest.raises(MalformedDataset, match=r"b\.json"):
        a.read("b.json")
    with pytest.raises(MalformedDataset, match="no such file"):
        open_archive(tmp_path / "absent.zip")
    (tmp_path / "not.zip").write_bytes(b"plain text")
    with pytest.raises(MalformedDataset, match="not a readable zip"):
        open_archive(tmp_path / "not.zip")


def test_symlink_out_of_folder_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("s")
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "link.json").symlink_to(outside)
    with pytest.raises(UnsafeArchive, match="outside"):
        open_archive(folder)


def test_real_package_with_top_folder() -> None:
    path = find_data_dir() / "flcac" / "uslci-transport_v1.1_jsonld.zip"
    with open_archive(path) as a:
        assert a.find_root(lambda rel: rel.startswith("processes/")) == "uslci-transport_v1.1/"
