"""api.services.qr: every rendering decodes, with a real decoder, to the exact URL."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from api.cli import main
from api.services.qr import MAX_SIZE, MIN_SIZE, QUIET_ZONE, qr_matrix, render_png, render_svg, render_terminal
from graph.connect import open_embedded
from graph.writer import write_database_content
from lcagraph.errors import InvalidArgument

URL = (
    "http://127.0.0.1:8000/n/0001b273-4a23-3c9f-b790-840b628d1bf5"
    "?path=0001b273-4a23-3c9f-b790-840b628d1bf5/d9dcd1ad-410d-3ccd-a3d3-114a4f71459e&amount=2.5"
)


def _decode(image: Image.Image) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, "exactly one QR code expected"
    return found[0]


def _raster(matrix: list[list[bool]], box: int = 4) -> Image.Image:
    n = len(matrix)
    image = Image.new("L", (n * box, n * box), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                draw.rectangle((x * box, y * box, x * box + box - 1, y * box + box - 1), fill=0)
    return image


@pytest.mark.parametrize("size", [MIN_SIZE * 2, 333, 512, MAX_SIZE])
def test_png_decodes_to_url_with_level_m_and_exact_size(size: int) -> None:
    image = Image.open(io.BytesIO(render_png(URL, size)))
    assert image.format == "PNG"
    assert image.size == (size, size)
    code = _decode(image)
    assert code.text == URL
    assert code.ec_level in ("M", "Q", "H")


def test_png_keeps_quiet_zone() -> None:
    n = len(qr_matrix(URL))
    size = 400
    image = Image.open(io.BytesIO(render_png(URL, size))).convert("L")
    margin = (size - (size // n) * n) // 2 + QUIET_ZONE * (size // n)
    pixels = image.load()
    assert pixels is not None
    border = [pixels[x, y] for x in range(size) for y in range(size)
              if min(x, y) < margin or max(x, y) >= size - margin]
    assert set(border) == {255}
    inner = [pixels[x, y] for x in range(margin, size - margin) for y in range(margin, size - margin)]
    assert 0 in inner


def test_matrix_has_four_light_modules_around() -> None:
    matrix = qr_matrix(URL)
    n = len(matrix)
    for i in range(n):
        for j in range(n):
            if min(i, j) < QUIET_ZONE or max(i, j) >= n - QUIET_ZONE:
                assert not matrix[i][j]


def _svg_matrix(svg: str) -> list[list[bool]]:
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    n = int(root.attrib["viewBox"].split()[2])
    path = root.find("s:path", ns)
    assert path is not None
    matrix = [[False] * n for _ in range(n)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path.attrib["d"]):
        for dx in range(int(w)):
            matrix[int(y)][int(x) + dx] = True
    return matrix


def test_svg_geometry_decodes_to_url() -> None:
    svg = render_svg(URL, 300)
    root = ET.fromstring(svg)
    assert (root.attrib["width"], root.attrib["height"]) == ("300", "300")
    matrix = _svg_matrix(svg)
    assert matrix == qr_matrix(URL)
    assert _decode(_raster(matrix)).text == URL


def test_svg_title_is_escaped() -> None:
    svg = render_svg(URL, 200, title='<script>alert("x")</script> & co')
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text == '<script>alert("x")</script> & co'


@pytest.mark.parametrize("dark_background", [True, False])
def test_terminal_rendering_decodes(dark_background: bool) -> None:
    text = render_terminal(URL, dark_background=dark_background)
    top = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}
    rows: list[list[bool]] = []
    for line in text.splitlines():
        halves = [top[ch] for ch in line]
        rows.append([h[0] for h in halves])
        rows.append([h[1] for h in halves])
    matrix = [[cell != dark_background for cell in row] for row in rows]
    expected = qr_matrix(URL)
    assert matrix[: len(expected)] == expected
    assert _decode(_raster(matrix)).text == URL


@pytest.mark.parametrize("size", [MIN_SIZE - 1, MAX_SIZE + 1, 0, -5])
def test_size_out_of_range_is_refused(size: int) -> None:
    with pytest.raises(InvalidArgument, match="out of range"):
        render_png(URL, size)
    with pytest.raises(InvalidArgument, match="out of range"):
        render_svg(URL, size)


def test_size_too_small_for_a_long_url_names_the_minimum() -> None:
    long_url = URL + "/" + "/".join(["d9dcd1ad-410d-3ccd-a3d3-114a4f71459e"] * 6)
    n = len(qr_matrix(long_url))
    assert n > MIN_SIZE
    with pytest.raises(InvalidArgument, match=f"at least {n} pixels"):
        render_png(long_url, MIN_SIZE)
    assert _decode(Image.open(io.BytesIO(render_png(long_url, n * 3)))).text == long_url


def test_overlong_and_empty_text_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="do not fit"):
        qr_matrix("x" * 5000)
    with pytest.raises(InvalidArgument, match="empty"):
        qr_matrix("")


# --- lcagraph qr ---------------------------------------------------------------------------------

@pytest.fixture
def graph_url(embedded_dir: Path, monkeypatch: pytest.MonkeyPatch, make_content: Callable[..., Any]) -> str:
    store = open_embedded(embedded_dir)
    try:
        with store.unit_of_work() as writer:
            write_database_content(writer, make_content())
    finally:
        store.close()
    url = f"embedded://{embedded_dir}"
    monkeypatch.setenv("LCAGRAPH_GRAPH_URL", url)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lca.example.org/")
    return url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("graph_url")
def test_cli_writes_png_and_svg_of_the_deep_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png, svg = tmp_path / "node.png", tmp_path / "node.svg"
    link = "https://lca.example.org/n/steel?path=bike/steel&amount=3.0"
    code, out, err = _run(capsys, "qr", "steel", "--path", "bike/steel", "--amount", "3", "--out", str(png),
                          "--size", "256")
    assert code == 0, err
    assert link in out and "steel production" in out
    image = Image.open(png)
    assert image.size == (256, 256) and _decode(image).text == link
    code, _, err = _run(capsys, "qr", "steel", "--out", str(svg), "--base-url", "http://10.0.0.5:8000")
    assert code == 0, err
    assert _decode(_raster(_svg_matrix(svg.read_text(encoding="utf-8")))).text == "http://10.0.0.5:8000/n/steel"


@pytest.mark.usefixtures("graph_url")
def test_cli_prints_the_code_in_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "qr", "bike")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "https://lca.example.org/n/bike" and lines[-2] == "bicycle assembly"
    assert set("".join(lines[:-2])) <= {" ", "▀", "▄", "█"}
    assert len(lines[:-2]) == (len(qr_matrix(lines[-1])) + 1) // 2


@pytest.mark.usefixtures("graph_url")
@pytest.mark.parametrize(("args", "says"), [
    (("qr", "nope"), "process 'nope' is not in the graph"),
    (("qr", "steel", "--path", "bike/nope/steel"), "process 'nope' is not in the graph"),
    (("qr", "steel", "--path", "bike/power"), "ends at 'power'"),
    (("qr", "steel", "--out", "x.gif"), ".png or .svg"),
    (("qr", "steel", "--out", "x.png", "--size", "9999"), "out of range"),
])
def test_cli_errors_are_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...], says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, *args)
    assert code == 1 and err.startswith("error: ") and says in err
    assert list(tmp_path.iterdir()) == []
