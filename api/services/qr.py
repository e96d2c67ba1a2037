"""QR codes for deep links: PNG, SVG and terminal renderings of one URL.

Error correction level M (15 % of the code words can be lost) and the 4-module quiet zone the
standard requires are kept in every rendering; extra pixels from rounding only widen the quiet
zone, so module edges stay on whole pixels and phone cameras read even small prints.
"""

from __future__ import annotations

import io
from html import escape

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw

from lcagraph.errors import InvalidArgument

QUIET_ZONE = 4
MIN_SIZE = 64
MAX_SIZE = 2048
DEFAULT_SIZE = 400
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M

Matrix = list[list[bool]]


def qr_matrix(data: str) -> Matrix:
    """Dark (True) / light modules of the smallest code that holds ``data``, quiet zone included."""
    if not data:
        raise InvalidArgument("cannot encode an empty text as a QR code: give the URL to encode")
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(data)
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError) as e:  # ValueError: "version 41"
        raise InvalidArgument(
            f"{len(data)} characters do not fit in a QR code: shorten the URL (fewer path steps)"
        ) from e
    return [[bool(m) for m in row] for row in code.get_matrix()]


def check_size(size: int, modules: int) -> int:
    """The pixel size if it is within range and gives every module at least one whole pixel."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InvalidArgument(f"size={size} is out of range: use {MIN_SIZE} to {MAX_SIZE} pixels")
    if size < modules:
        raise InvalidArgument(
            f"size={size} is too small for this code ({modules} modules with its quiet zone): "
            f"use at least {modules} pixels"
        )
    return size


def render_png(data: str, size: int = DEFAULT_SIZE) -> bytes:
    """A ``size``×``size`` black-on-white PNG; each module is ``size // modules`` whole pixels."""
    matrix = qr_matrix(data)
    n = len(matrix)
    check_size(size, n)
    box = size // n
    offset = (size - box * n) // 2
    image = Image.new("1", (size, size), 1)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                left, top = offset + x * box, offset + y * box
                draw.rectangle((left, top, left + box - 1, top + box - 1), fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _svg_path(matrix: Matrix) -> str:
    """One path of horizontal runs of dark modules, in module units."""
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)


MAX_LABEL = 200


def render_svg(data: str, size: int = DEFAULT_SIZE, title: str = "") -> str:
    """A scalable SVG (viewBox in modules) shown at ``size`` pixels, with an accessible title."""
    matrix = qr_matrix(data)
    n = len(matrix)
    check_size(size, n)
    text = title or f"QR code for {data}"
    # A name may be up to LCAGRAPH_MAX_STRING_BYTES long; an image's label needs far less.
    label = escape(text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…", quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{size}" height="{size}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{_svg_path(matrix)}"/></svg>'
    )


_HALF_BLOCKS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def render_terminal(data: str, dark_background: bool = True) -> str:
    """Text rendering with half blocks (two module rows per line).

    A terminal draws characters in its (light) foreground colour, so on a dark background the
    *light* modules are drawn; ``dark_background=False`` draws the dark modules instead.
    """
    matrix = qr_matrix(data)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))  # one more light row of quiet zone
    drawn = [[cell != dark_background for cell in row] for row in matrix]
    lines = [
        "".join(_HALF_BLOCKS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(drawn[0::2], drawn[1::2], strict=True)
    ]
    return "\n".join(lines) + "\n"
