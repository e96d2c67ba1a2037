"""GraphiQL and /docs reference only the app's own /assets (pinned npm packages, fetched by
scripts/install into the git-ignored api/webassets/vendor/); the Chromium test with the network
blocked is tests/api/test_e2e_viewer.py::test_graphiql_and_docs_work_offline."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess

from api.webassets import graphiql_html, vendor_dir
from lcagraph.config import PROJECT_ROOT

MANIFEST = PROJECT_ROOT / "api" / "webassets" / "packages.txt"


def _rows() -> list[list[str]]:
    return [line.split() for line in MANIFEST.read_text().splitlines() if line.strip() and line[0] != "#"]


def test_every_asset_is_pinned_with_an_integrity_and_installed() -> None:
    rows = _rows()
    packages = {r[0].rsplit("@", 1)[0] for r in rows}
    assert packages == {"react", "react-dom", "graphiql", "@graphiql/plugin-explorer", "swagger-ui-dist"}
    for spec, integrity, _, served in rows:
        assert re.fullmatch(r"@?[\w/.-]+@\d+\.\d+\.\d+", spec), spec  # an exact version
        assert integrity.startswith("sha512-") and len(base64.b64decode(integrity[7:])) == 64
        assert (vendor_dir() / served).stat().st_size > 0, served
    stamp = (vendor_dir() / ".installed").read_text().strip()
    assert stamp == hashlib.sha256(MANIFEST.read_bytes()).hexdigest()
    ignored = subprocess.run(["git", "check-ignore", "-q", "api/webassets/vendor/graphiql.min.js"],
                             cwd=PROJECT_ROOT, check=False)
    assert ignored.returncode == 0, "the fetched assets stay out of git"


def test_graphiql_page_loads_nothing_from_outside() -> None:
    html = graphiql_html()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    served = {r[3] for r in _rows()}
    local = [s for s in sources if s.startswith("/assets/")]
    assert {s.removeprefix("/assets/") for s in local} <= served and len(local) == 6
    assert not [s for s in sources if s.startswith("http")], sources
    assert html.lstrip().lower().startswith("<!doctype html>")
