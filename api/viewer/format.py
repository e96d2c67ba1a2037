"""Number and text formatting of the phone viewer (the same rules as ``viewer.js``)."""

from __future__ import annotations

import math
from html import escape

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_number(x: float) -> str:
    """Four significant digits; fixed notation from 1e-3 to 1e6, else ``1.234×10⁻⁵``."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    exponent = math.floor(math.log10(abs(x)))
    if -3 <= exponent < 6:
        text = f"{x:.{max(0, 3 - exponent)}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "0" if text in ("-0", "") else text.replace("-", "−")
    mantissa, exp = f"{x:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}×10{str(int(exp)).translate(_SUPERSCRIPT)}".replace("-", "−", 1)


def fmt_share(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` with one decimal; "–" where whole is 0."""
    if whole == 0:
        return "–"
    pct = 100.0 * part / whole
    if 0 < abs(pct) < 0.05:
        return "<0.1 %" if pct > 0 else ">−0.1 %"
    return f"{pct:.1f} %".replace("-", "−")


def e(value: object) -> str:
    """Escape a value for HTML text and attributes."""
    return escape(str(value), quote=True)
