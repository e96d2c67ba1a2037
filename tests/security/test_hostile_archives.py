"""Hostile XML and archives (issue 16, point 2): refused with one line naming the file and member,
nothing read outside the package (a secret file's content appears in no error), the graph unchanged."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from api.services.importing import import_database
from graph.falkor import FalkorStore
from graph.reader import count_labels, count_relationship_types
from lcagraph.config import find_data_dir
from lcagraph.errors import LcaGraphError, LimitExceeded, MalformedDataset, UnsafeArchive, UnsupportedFormat
from loaders.archive import open_archive
from loaders.detect import detect_format
from loaders.ilcd import read_ilcd

WritePackage = Callable[..., Path]
BEEF = find_data_dir() / "samples" / "jsonld" / "beef-cattle-finishing"
TRIED = (
    "tried a zip or folder package (openLCA JSON-LD, EcoSpold2, ILCD), an EcoSpold2 XML file and an "
    "ILCD XML file"
)
DTD_REFUSED = (
    "XML with a DTD or entity declarations is refused (DTDForbidden); EcoSpold and ILCD files need "
    "neither, remove the <!DOCTYPE ...> block"
)


def ilcd_process(doctype: str, body: str = "", encoding: str = "UTF-8") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}\n'
            f'<processDataSet xmlns="http://lca.jrc.it/ILCD/Process">{body}</processDataSet>\n')


def refusal(call: Callable[[], object], kind: type[Exception], secret: str = "") -> str:
    with pytest.raises(kind) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    if secret:
        assert secret not in message and secret not in repr(info.value.__cause__)
    return message


# --- XML --------------------------------------------------------------------------------------

def test_external_entity_to_a_local_file_refused(write_package: WritePackage, secret_file: Path) -> None:
    xml = ilcd_process(f'<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret_file}">]>', "&s;")
    path = write_package({"ILCD/processes/p.xml": xml})
    message = refusal(lambda: read_ilcd(path, "hostile"), UnsafeArchive, secret_file.read_text())
    assert message == f"file '{path}!ILCD/processes/p.xml': {DTD_REFUSED}"


def test_external_entity_in_utf16_refused(tmp_path: Path, secret_file: Path) -> None:
    # UTF-16 bypasses the byte-level DOCTYPE check; defusedxml refuses it
    path = tmp_path / "p.xml"
    xml = ilcd_process(f'<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret_file}">]>', "&s;", "UTF-16")
    path.write_bytes(xml.encode("utf-16"))
    message = refusal(lambda: detect_format(path), UnsafeArchive, secret_file.read_text())
    assert message == f"file '{path}': {DTD_REFUSED}"


def test_external_dtd_refused(write_package: WritePackage, secret_file: Path) -> None:
    path = write_package({"ILCD/processes/p.xml": ilcd_process(f'<!DOCTYPE x SYSTEM "file://{secret_file}">')})
    message = refusal(lambda: read_ilcd(path, "hostile"), UnsafeArchive, secret_file.read_text())
    assert message == f"file '{path}!ILCD/processes/p.xml': {DTD_REFUSED}"


def test_billion_laughs_refused(write_package: WritePackage) -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = ilcd_process(f'<!DOCTYPE x [<!ENTITY l0 "lol">{entities}]>', "&l9;")
    path = write_package({"ILCD/processes/p.xml": xml})
    assert refusal(lambda: read_ilcd(path, "hostile"), UnsafeArchive) == (
        f"file '{path}!ILCD/processes/p.xml': {DTD_REFUSED}")


@pytest.mark.parametrize("encoding", ["shift_jis", "utf-7"])
def test_undecodable_declared_encoding_refused(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "p.xml"
    path.write_bytes(ilcd_process("", "x").encode("ascii").replace(b"UTF-8", encoding.encode()))
    assert refusal(lambda: detect_format(path), MalformedDataset) == (
        f"file '{path}': XML declares encoding '{encoding}', which lcagraph cannot read (multi-byte "
        "encodings are not supported); re-save the file as UTF-8"
    )


def test_long_xml_text_refused(write_package: WritePackage) -> None:
    xml = ilcd_process("", "<processInformation><x>" + "a" * 200_000 + "</x></processInformation>")
    path = write_package({"ILCD/processes/p.xml": xml})
    assert refusal(lambda: read_ilcd(path, "hostile"), LimitExceeded) == (
        f"file '{path}!ILCD/processes/p.xml', field 'x': text of <x> is 200000 bytes long, more than "
        "LCAGRAPH_MAX_STRING_BYTES=100000; refused"
    )


# --- archives ---------------------------------------------------------------------------------

def deflated(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_flat_zip_bomb_refused(tmp_path: Path) -> None:
    path = deflated(tmp_path / "bomb.zip", {"processes/a.json": bytes(8 << 20)})
    info = zipfile.ZipFile(path).getinfo("processes/a.json")
    assert refusal(lambda: detect_format(path), UnsafeArchive) == (
        f"file '{path}', field 'processes/a.json': expansion ratio {info.file_size / info.compress_size:.0f} "
        "exceeds LCAGRAPH_MAX_RATIO=100; refused as a zip bomb"
    )


def test_members_of_one_mib_are_ratio_checked(tmp_path: Path) -> None:
    # the case: members of exactly 1 MiB skipped the ratio check (1,000 x 1 MiB in 1.3 MB)
    path = deflated(tmp_path / "bomb.zip", {f"processes/{i:03}.json": bytes(1 << 20) for i in range(100)})
    info = zipfile.ZipFile(path).getinfo("processes/000.json")
    assert refusal(lambda: detect_format(path), UnsafeArchive) == (
        f"file '{path}', field 'processes/000.json': expansion ratio "
        f"{info.file_size / info.compress_size:.0f} exceeds LCAGRAPH_MAX_RATIO=100; refused as a zip bomb"
    )


def test_many_small_members_are_ratio_checked_together(tmp_path: Path) -> None:
    count = 1100  # 64 KiB each (below the per-member floor), 68.75 MiB together
    path = deflated(tmp_path / "bomb.zip", {f"processes/{i:04}.json": bytes(64 << 10) for i in range(count)})
    infos = zipfile.ZipFile(path).infolist()
    total, compressed = sum(i.file_size for i in infos), sum(i.compress_size for i in infos)
    assert refusal(lambda: detect_format(path), UnsafeArchive) == (
        f"file '{path}': {count} members expand {total / compressed:.0f}-fold together ({total} bytes), "
        "beyond LCAGRAPH_MAX_RATIO=100; refused as a zip bomb"
    )


def test_nested_zip_bomb_refused(tmp_path: Path) -> None:
    inner = deflated(tmp_path / "inner.zip", {"zeros.json": bytes(8 << 20)})
    path = deflated(tmp_path / "outer.zip", {"processes/a.json": b"{}", "inner.zip": inner.read_bytes()})
    assert refusal(lambda: detect_format(path), UnsafeArchive) == (
        f"file '{path}', field 'inner.zip': member is itself an archive; lcagraph does not open archives "
        "inside archives (nesting depth 0): unpack it and import the inner package on its own"
    )


@pytest.mark.parametrize("name", ["../escape.json", "processes/../../escape.json", "/etc/escape.json"])
def test_member_paths_leaving_the_package_refused(tmp_path: Path, name: str) -> None:
    path = deflated(tmp_path / "p.zip", {"processes/a.json": b"{}", name: b"{}"})
    assert refusal(lambda: detect_format(path), UnsafeArchive) == (
        f"file '{path}', field '{name}': member path '{name}' leaves the package (absolute or '..'); the "
        "archive is refused, re-create it with relative paths"
    )


def test_symlink_member_refused(tmp_path: Path, secret_file: Path) -> None:
    path = tmp_path / "p.zip"
    link = zipfile.ZipInfo("processes/a.json")
    link.external_attr = 0o120777 << 16  # a Unix symbolic link whose target is the member's data
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(link, str(secret_file))
    message = refusal(lambda: detect_format(path), UnsafeArchive, secret_file.read_text())
    assert message == (
        f"file '{path}', field 'processes/a.json': member is a symbolic link; links are refused, re-create "
        "the zip without them"
    )


def test_symlink_in_a_folder_package_refused(tmp_path: Path, secret_file: Path) -> None:
    folder = tmp_path / "pkg" / "processes"
    folder.mkdir(parents=True)
    (folder / "a.json").symlink_to(secret_file)
    refusal(lambda: detect_format(folder.parent), UnsafeArchive, secret_file.read_text())


def test_truncated_zip_refused(tmp_path: Path) -> None:
    whole = deflated(tmp_path / "whole.zip", {"processes/a.json": b"{}" * 1000})
    path = tmp_path / "cut.zip"
    path.write_bytes(whole.read_bytes()[:-30])
    assert refusal(lambda: detect_format(path), MalformedDataset) == (
        f"file '{path}': a zip file that cannot be read (truncated or damaged: its central directory is "
        "missing); download or create it again"
    )
    assert refusal(lambda: open_archive(path), MalformedDataset) == (
        f"file '{path}': not a readable zip file (File is not a zip file); the file may be truncated: give "
        "a complete zip or a folder"
    )


def test_empty_zip_refused(tmp_path: Path) -> None:
    path = deflated(tmp_path / "empty.zip", {})
    assert refusal(lambda: detect_format(path), UnsupportedFormat) == (
        f"{path}: found no JSON-LD, EcoSpold2 or ILCD datasets (it holds 0 files: nothing); lcagraph reads "
        "openLCA JSON-LD, EcoSpold2 (.spold) and ILCD XML packages"
    )


def test_empty_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "nothing.zip"
    path.write_bytes(b"")
    assert refusal(lambda: detect_format(path), UnsupportedFormat) == f"{path}: the file is empty; {TRIED}"


@pytest.mark.parametrize("data", [b"just some text\n", b"\x89PNG\r\n\x1a\n" + bytes(100), os.urandom(4096)])
def test_non_archive_file_names_the_formats_tried(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(data.replace(b"<", b"?").replace(b"PK", b"pk").lstrip())
    shown = repr(path.read_bytes()[:8])
    assert refusal(lambda: detect_format(path), UnsupportedFormat) == (
        f"{path}: {TRIED}; the file is none of them (it starts with bytes {shown})")


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("LCAGRAPH_MAX_ARCHIVE_BYTES", "100", "file is {size} bytes, more than LCAGRAPH_MAX_ARCHIVE_BYTES=100; "
                                          "refused (raise the limit if the data is genuine)"),
    ("LCAGRAPH_MAX_MEMBERS", "2", "3 members exceed LCAGRAPH_MAX_MEMBERS=2"),
    ("LCAGRAPH_MAX_UNCOMPRESSED_BYTES", "5", "6 bytes uncompressed exceed LCAGRAPH_MAX_UNCOMPRESSED_BYTES=5"),
])
def test_archive_limits_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    path = deflated(tmp_path / "p.zip", {"processes/a.json": b"{}", "flows/b.json": b"{}", "c.json": b"{}"})
    monkeypatch.setenv(variable, value)
    message = refusal(lambda: detect_format(path), UnsafeArchive)
    assert message == f"file '{path}': " + expected.format(size=path.stat().st_size)


def test_member_count_is_read_before_the_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a 100 MB zip can hold a million empty entries; zipfile would build all their records first
    path = deflated(tmp_path / "p.zip", {"processes/a.json": b"{}"})
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (60_000).to_bytes(2, "little") * 2  # entries on this disk, in total
    path.write_bytes(bytes(data))
    monkeypatch.setenv("LCAGRAPH_MAX_MEMBERS", "1000")
    assert refusal(lambda: detect_format(path), UnsafeArchive) == (
        f"file '{path}': 60000 members exceed LCAGRAPH_MAX_MEMBERS=1000")


def test_a_limit_variable_that_is_no_number_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCAGRAPH_MAX_RATIO", "lots")
    path = deflated(tmp_path / "p.zip", {"processes/a.json": b"{}"})
    assert refusal(lambda: detect_format(path), LcaGraphError) == (
        "LCAGRAPH_MAX_RATIO='lots' is not a positive number; unset it or give e.g. 100.0")


# --- through the import: the graph is unchanged -----------------------------------------------

def hostile_packages(tmp_path: Path, secret: Path) -> list[Path]:
    xxe = ilcd_process(f'<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>', "&s;")
    big_name = b'{"@type": "Process", "@id": "p", "name": "' + b"a" * 200_000 + b'"}'
    return [
        deflated(tmp_path / "xxe.zip", {"ILCD/processes/p.xml": xxe.encode()}),
        deflated(tmp_path / "bomb.zip", {f"processes/{i}.json": bytes(1 << 20) for i in range(3)}),
        deflated(tmp_path / "name.zip", {"olca-schema.json": b"{}", "processes/p.json": big_name}),
        deflated(tmp_path / "escape.zip", {"processes/a.json": b"{}", "../x.json": b"{}"}),
    ]


def test_refused_imports_leave_the_graph_unchanged(
    store: FalkorStore, tmp_path: Path, secret_file: Path
) -> None:
    import_database(store, BEEF, "Beef")
    before = (count_labels(store), count_relationship_types(store), store.graph_version())
    for path in hostile_packages(tmp_path, secret_file):
        secret = secret_file.read_text()
        refusal(lambda path=path: import_database(store, path, "Beef"), MalformedDataset, secret)
        assert (count_labels(store), count_relationship_types(store), store.graph_version()) == before


def test_secret_content_is_nowhere_in_the_graph(
    store: FalkorStore, tmp_path: Path, secret_file: Path
) -> None:
    for path in hostile_packages(tmp_path, secret_file):
        with pytest.raises(MalformedDataset):
            import_database(store, path, "Hostile")
    assert store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]  # nothing written, secret or not
