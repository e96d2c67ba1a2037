"""Safe, uniform access to data packages given as a zip file or as a folder.

Every loader (JSON-LD, EcoSpold2, ILCD) reads its input through :func:`open_archive`, so that
path traversal, zip bombs and oversized members are refused in one place, with
:class:`~lcagraph.errors.UnsafeArchive` naming the file and the member.

API::

    with open_archive(path) as archive:
        archive.names()                  # member paths, '/'-separated, files only, sorted
        archive.read("processes/x.json") # bytes of one member (size-checked while reading)
        root = archive.find_root(lambda rel: rel.startswith("processes/") and rel.endswith(".json"))
        archive.names_under(root)        # members below that prefix, relative to it

``find_root`` handles packages with a top folder (``uslci-transport_v1.1/processes/...``)
and without one (``processes/...``): it returns the shortest prefix ("" or "top/") under which
some member satisfies the predicate.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from types import TracebackType

from lcagraph.config import LIMIT_VARIABLES, InputLimits, input_limits
from lcagraph.errors import MalformedDataset, UnsafeArchive

_RATIO_FLOOR = 64 << 10  # a member below 64 KiB uncompressed is no bomb alone, whatever its ratio
_TOTAL_RATIO_FLOOR = 64 << 20  # many small members are, together: the package's ratio counts above 64 MiB
_NESTED_SUFFIXES = (".zip", ".jar")  # zips in the zip: a nested bomb is refused unread
_S_IFMT, _S_IFLNK = 0o170000, 0o120000
_EOCD_SEARCH = 22 + 0xFFFF  # the end record (22 bytes) and a zip comment of at most 64 KiB


def check_member_name(name: str, file: str) -> str:
    """Return the normalised member path or raise UnsafeArchive for absolute or `..` paths."""
    if not (
        name.startswith("/")
        or "\\" in name
        or ":" in name
        or ".." in name
        or "/./" in name
        or name.startswith("./")
        or "//" in name
    ):
        return name.removesuffix("/")  # the common, plainly relative case
    cleaned = name.replace("\\", "/")
    parts = PurePosixPath(cleaned).parts
    if cleaned.startswith("/") or (parts and parts[0].endswith(":")) or ".." in parts:
        raise UnsafeArchive(
            f"member path {name!r} leaves the package (absolute or '..'); the archive is refused, "
            "re-create it with relative paths",
            file=file,
            field=name,
        )
    return "/".join(p for p in parts if p not in ("", "."))


class Archive:
    """Read-only view of a zip or folder; member names are relative '/'-separated paths."""

    def __init__(self, source: Path, limits: InputLimits) -> None:
        self.source = source
        self.limits = limits
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo | Path] = {}

    def names(self) -> tuple[str, ...]:
        """All member file names, sorted."""
        return tuple(sorted(self._members))

    def names_under(self, root: str) -> tuple[str, ...]:
        """Names of members below the prefix `root` (as returned by find_root), relative to it."""
        return tuple(n[len(root) :] for n in self.names() if n.startswith(root))

    def read(self, name: str) -> bytes:
        """Bytes of member `name`; raises MalformedDataset if absent, UnsafeArchive if too big."""
        member = self._members.get(name)
        if member is None:
            raise MalformedDataset(f"no member {name!r} in the package", file=str(self.source), field=name)
        if isinstance(member, Path):
            if member.stat().st_size > self.limits.member_bytes:
                raise self._too_big(name)
            return member.read_bytes()
        assert self._zip is not None
        return self._read_zip_member(member)

    def find_root(self, predicate: Callable[[str], bool]) -> str | None:
        """Shortest folder prefix ('' or 'a/b/') under which a member's relative path satisfies predicate."""
        best: str | None = None
        for name in self._members:
            parts = name.split("/")
            for depth in range(len(parts)):
                prefix = "/".join(parts[:depth]) + ("/" if depth else "")
                if best is not None and len(prefix) >= len(best):
                    break
                if predicate(name[len(prefix) :]):
                    best = prefix
                    break
        return best

    def close(self) -> None:
        """Release the zip file handle (no-op for folders)."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _too_big(self, name: str) -> UnsafeArchive:
        return UnsafeArchive(
            f"member is larger than {self.limits.member_bytes} bytes uncompressed; refused as a possible "
            f"zip bomb (raise {LIMIT_VARIABLES['member_bytes']} if the data is genuine)",
            file=str(self.source),
            field=name,
        )

    def _read_zip_member(self, info: zipfile.ZipInfo) -> bytes:
        # Headers can lie about sizes: count bytes while inflating and stop at the limit.
        assert self._zip is not None
        chunks: list[bytes] = []
        total = 0
        limit = min(self.limits.member_bytes, max(_RATIO_FLOOR, int(info.compress_size * self.limits.ratio)))
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > limit:
                        raise UnsafeArchive(
                            f"member inflates beyond {limit} bytes (compressed {info.compress_size}, "
                            f"{LIMIT_VARIABLES['ratio']}={self.limits.ratio:g}); refused as a zip bomb",
                            file=str(self.source),
                            field=info.filename,
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise MalformedDataset(
                f"cannot read zip member: {e}", file=str(self.source), field=info.filename
            ) from e
        return b"".join(chunks)


def open_archive(path: Path, limits: InputLimits | None = None) -> Archive:
    """Open a zip file or a folder for reading, checking member paths and sizes up front."""
    limits = limits or input_limits()
    archive = Archive(Path(path), limits)
    if archive.source.is_dir():
        _index_folder(archive)
    elif archive.source.is_file():
        check_file_size(archive.source, limits)
        _index_zip(archive)
    else:
        raise MalformedDataset("no such file or folder; check the path", file=str(path))
    return archive


def check_file_size(path: Path, limits: InputLimits) -> None:
    """Refuse a file larger than ``limits.archive_bytes`` before reading any of it."""
    size = path.stat().st_size
    if size > limits.archive_bytes:
        raise UnsafeArchive(
            f"file is {size} bytes, more than {LIMIT_VARIABLES['archive_bytes']}={limits.archive_bytes}; "
            "refused (raise the limit if the data is genuine)",
            file=str(path),
        )


def declared_entries(path: Path) -> int:
    """Entry count from the zip's end-of-central-directory record (ZIP64 too), read before
    zipfile builds one ZipInfo per entry; 0 where the record is not found (zipfile then says why)."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - _EOCD_SEARCH))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return 0
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    locator = tail.rfind(b"PK\x06\x07", 0, at)
    if count == 0xFFFF and locator >= 0:  # ZIP64: the count is in the zip64 record the locator points to
        with path.open("rb") as fh:
            fh.seek(int.from_bytes(tail[locator + 8 : locator + 16], "little") + 32)
            count = int.from_bytes(fh.read(8), "little")
    return count


def _index_zip(archive: Archive) -> None:
    file = str(archive.source)
    entries = declared_entries(archive.source)
    if entries > archive.limits.members:
        raise UnsafeArchive(
            f"{entries} members exceed {LIMIT_VARIABLES['members']}={archive.limits.members}", file=file
        )
    try:
        zf = zipfile.ZipFile(archive.source)
    except (zipfile.BadZipFile, OSError) as e:
        raise MalformedDataset(
            f"not a readable zip file ({e}); the file may be truncated: give a complete zip or a folder",
            file=file,
        ) from e
    archive._zip = zf
    try:
        _index_zip_members(archive, zf, file)
    except UnsafeArchive:
        archive.close()
        raise


def _index_zip_members(archive: Archive, zf: zipfile.ZipFile, file: str) -> None:
    limits = archive.limits
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits.members:
        raise UnsafeArchive(
            f"{len(infos)} members exceed {LIMIT_VARIABLES['members']}={limits.members}", file=file
        )
    total = compressed = 0
    for info in infos:
        name = check_member_name(info.filename, file)
        _check_member_kind(info, file)
        total += info.file_size
        compressed += info.compress_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.member_bytes:
            raise archive._too_big(info.filename)
        if info.file_size > _RATIO_FLOOR and ratio > limits.ratio:
            raise UnsafeArchive(
                f"expansion ratio {ratio:.0f} exceeds {LIMIT_VARIABLES['ratio']}={limits.ratio:g}; "
                "refused as a zip bomb",
                file=file,
                field=info.filename,
            )
        if name:
            archive._members[name] = info
    if total > limits.total_bytes:
        raise UnsafeArchive(
            f"{total} bytes uncompressed exceed {LIMIT_VARIABLES['total_bytes']}={limits.total_bytes}",
            file=file,
        )
    if total > _TOTAL_RATIO_FLOOR and total / max(compressed, 1) > limits.ratio:
        raise UnsafeArchive(
            f"{len(infos)} members expand {total / max(compressed, 1):.0f}-fold together ({total} bytes), "
            f"beyond {LIMIT_VARIABLES['ratio']}={limits.ratio:g}; refused as a zip bomb",
            file=file,
        )


def _check_member_kind(info: zipfile.ZipInfo, file: str) -> None:
    """Refuse symbolic links and archives inside the archive (no loader opens either)."""
    if (info.external_attr >> 16) & _S_IFMT == _S_IFLNK:
        raise UnsafeArchive(
            "member is a symbolic link; links are refused, re-create the zip without them",
            file=file,
            field=info.filename,
        )
    if info.filename.lower().endswith(_NESTED_SUFFIXES):
        raise UnsafeArchive(
            "member is itself an archive; lcagraph does not open archives inside archives (nesting "
            "depth 0): unpack it and import the inner package on its own",
            file=file,
            field=info.filename,
        )


def _index_folder(archive: Archive) -> None:
    root = archive.source.resolve()
    for p in sorted(archive.source.rglob("*")):
        if not p.is_file():
            continue
        real = p.resolve()
        if not real.is_relative_to(root):
            raise UnsafeArchive(
                f"{p} links outside the folder ({real}); remove the link or copy the data in",
                file=str(archive.source),
                field=str(p.relative_to(archive.source)),
            )
        archive._members[p.relative_to(archive.source).as_posix()] = p
        if len(archive._members) > archive.limits.members:
            raise UnsafeArchive(
                f"more than {LIMIT_VARIABLES['members']}={archive.limits.members} files",
                file=str(archive.source),
            )
