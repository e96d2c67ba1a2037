"""Where the demo's open data comes from: a local copy, or a checked download.

Order: ``$LCAGRAPH_DATA``, then ``../shared/data`` next to the project; a folder is used when it
holds every demo file. Otherwise the files go to a per-user cache (``$LCAGRAPH_CACHE``), each
downloaded from ``$LCAGRAPH_DATA_URL`` (a mirror with the same layout, ``https://``, ``http://`` or ``file://``)
or, without a mirror, from the US LCA Commons repository that publishes it as a single file.
Every download is checked against the published sha256 before it is moved into place, so a
cache never holds a partial or altered file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from platformdirs import user_cache_dir

from lcagraph.config import PROJECT_ROOT, Settings
from lcagraph.errors import ChecksumMismatch, ConfigurationError

CHUNK = 1 << 20
TIMEOUT_S = 60.0
_RAW = "https://raw.githubusercontent.com/FLCAC-admin"


@dataclass(frozen=True, slots=True)
class DataFile:
    """One published file: its place in the data folder, its sha256 and where it comes from.

    ``url`` is set where the publisher offers exactly these bytes as one file; releases that are
    published as a folder of JSON files (re-zipped for the shared data) have none.
    """

    key: str
    path: str
    sha256: str
    origin: str
    url: str | None = None


DEMO_FILES: tuple[DataFile, ...] = (
    DataFile(
        "uslci", "uslci/uslci_fy17q4_jsonld.zip",
        "199ced09e0a8ac0e313c2aa49630834bfe5cf679795aa7bed9b0bf5af5eb1399",
        "FLCAC-admin/uslci-content, folder downloads/uslci_fy17_q4_02_olca1_5_0_json_ld",
    ),
    DataFile(
        "transport", "flcac/uslci-transport_v1.1_jsonld.zip",
        "2fa25030ee552b488c095505c809a72f82ce17a3fe7575b3320605706d90d937",
        "FLCAC-admin/uslci-transport, folder output/uslci-transport_v1.1",
    ),
    DataFile(
        "rail", "flcac/uslci-rail_v1.0_jsonld.zip",
        "92b889cae8201c303bef695b3fd5926d72f5b4a2d4d854fe1b621929ca3be343",
        "FLCAC-admin/uslci-rail, folder output/uslci-rail_v1.0",
    ),
    DataFile(
        "marine", "flcac/uslci-marine_v1.0_jsonld.zip",
        "6a8e15704e38f5eb97df638cac7496e5e19b37e63d7de4650731ced61cd9b3bf",
        "FLCAC-admin/uslci-marine, folder output/marine_v1.0",
    ),
    DataFile(
        "ipcc", "methods/fedefl_ipcc_v1.0.3_jsonld.zip",
        "d7e01becd54965106f48a33c1038fd05ce3579e7e77779319e36bda1263dae8b",
        "FLCAC-admin/uslci-content, docs/methods/IPCC_json_v1.0.3.zip",
        f"{_RAW}/uslci-content/abcfdf3c83c17b96066c99beab1620c9eba7c7b1/docs/methods/IPCC_json_v1.0.3.zip",
    ),
)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_url(url: str, timeout_s: float) -> IO[bytes]:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("https", "http", "file"):
        raise ConfigurationError(f"cannot download {url!r}: use an https://, http:// or file:// URL")
    try:
        return cast(IO[bytes], urllib.request.urlopen(url, timeout=timeout_s))  # noqa: S310 - scheme checked
    except OSError as e:
        raise ConfigurationError(f"cannot download {url!r}: {e}; check the network or the URL") from e


def fetch_file(url: str, dest: Path, sha256: str, timeout_s: float = TIMEOUT_S) -> Path:
    """Download ``url`` to ``dest`` if its sha256 is ``sha256``; nothing is left behind otherwise."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, _open_url(url, timeout_s) as src:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ChecksumMismatch(
                f"{url} has sha256 {digest.hexdigest()}, expected {sha256} for {dest.name}: the "
                "download is corrupt or a different release; nothing was saved, try again or use a mirror"
            )
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def candidate_dirs(settings: Settings) -> list[Path]:
    """Local data folders in the order they are tried."""
    return list(dict.fromkeys([settings.data_dir, PROJECT_ROOT.parent / "shared" / "data"]))


def cache_dir(settings: Settings) -> Path:
    """Where downloads go: ``$LCAGRAPH_CACHE`` or the per-user cache folder."""
    return settings.data_cache or Path(user_cache_dir("lcagraph")) / "data"


def source_url(item: DataFile, mirror: str) -> str:
    """The mirror's URL for a file, else its publisher's; explain when there is neither."""
    if mirror:
        return f"{mirror.rstrip('/')}/{urllib.parse.quote(item.path)}"
    if item.url:
        return item.url
    raise ConfigurationError(
        f"{item.path} is not in $LCAGRAPH_DATA or ../shared/data, and its publisher ({item.origin}) "
        "offers it as a folder, not as one file: set LCAGRAPH_DATA to a folder that holds it, or "
        "LCAGRAPH_DATA_URL to a mirror of the shared data layout"
    )


def locate_data(files: Sequence[DataFile], settings: Settings) -> Path:
    """A folder that holds every file of ``files``, downloading missing ones into the cache."""
    for folder in candidate_dirs(settings):
        if all((folder / f.path).is_file() for f in files):
            return folder
    cache = cache_dir(settings)
    for item in files:
        target = cache / item.path
        if not target.is_file():
            fetch_file(source_url(item, settings.data_url), target, item.sha256)
    return cache
