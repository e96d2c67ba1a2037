"""Fetch the pinned browser assets of GraphiQL and /docs (api/webassets/packages.txt) into
api/webassets/vendor/, so the server needs no CDN. Run by scripts/install; needs npm.

Each package is fetched once with ``npm pack`` (the tarball alone, no dependencies), its sha512
checked against the integrity pinned in packages.txt, and the named files copied. A stamp
(the sha256 of packages.txt) skips the work when nothing changed.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "api" / "webassets"
MANIFEST = ROOT / "packages.txt"
VENDOR = ROOT / "vendor"
STAMP = VENDOR / ".installed"


def read_manifest() -> list[tuple[str, str, str, str]]:
    """(package@version, integrity, file in the package, served as) per line."""
    rows = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            spec, integrity, member, served = line.split()
            rows.append((spec, integrity, member, served))
    return rows


def fetch(spec: str, integrity: str, folder: Path) -> Path:
    """The package tarball, checked against its pinned integrity."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("GraphiQL and /docs are served from npm packages fetched at install time: install Node 20+ "
                 "with npm")
    done = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", str(folder)], check=False,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"npm pack {spec} failed: {done.stderr.strip()[-400:]}")
    tarball = folder / done.stdout.strip().splitlines()[-1]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != integrity:
        sys.exit(f"{spec}: the tarball's sha512 is {digest}, packages.txt pins {integrity}; not using it")
    return tarball


def main() -> None:
    wanted = hashlib.sha256(MANIFEST.read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text().strip() == wanted:
        return
    print("fetching GraphiQL and /docs assets (npm pack)", file=sys.stderr)
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    VENDOR.mkdir(parents=True)
    tarballs: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="lcagraph-npm-") as tmp:
        for spec, integrity, member, served in read_manifest():
            if spec not in tarballs:
                tarballs[spec] = fetch(spec, integrity, Path(tmp))
            with tarfile.open(tarballs[spec]) as archive:
                source = archive.extractfile(f"package/{member}")
                if source is None:
                    sys.exit(f"{spec} has no file {member}")
                (VENDOR / served).write_bytes(source.read())
    STAMP.write_text(wanted)


if __name__ == "__main__":
    main()
