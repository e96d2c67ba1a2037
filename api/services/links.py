"""Public links to model nodes: the deep link a QR code encodes and the QR image that shows it.

One place builds them, so the GraphQL fields, the QR endpoints and the phone viewer agree::

    {base}/n/{processId}[?path=root/…/processId&amount=2.5&method=<category id>]
    {base}/qr/{processId}.{svg|png}[?same query]

``base`` is ``PUBLIC_BASE_URL`` when set (what a phone can reach), else the URL the request
came in on. ``path`` (process ids from the root, joined with ``/``) keeps the context of a node
inside a tree, so the amount and share are those of that place in the supply chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlencode

from lcagraph.errors import InvalidArgument

NODE_PREFIX = "/n/"
QR_PREFIX = "/qr/"
QR_FORMATS = ("svg", "png")
PATH_SEPARATOR = "/"


def node_path(process_id: str) -> str:
    """Path of the viewer page of a process: ``/n/{processId}``."""
    return f"{NODE_PREFIX}{quote(process_id, safe='')}"


def link_query(
    path: Sequence[str] = (), amount: float | None = None, method: str | None = None,
    version: str | None = None,
) -> str:
    """``?path=…&amount=…&method=…&v=…`` with only the parts given ('' when none); ``v`` names a
    published version (api/services/publishing.py)."""
    params: list[tuple[str, str]] = []
    if path:
        params.append(("path", PATH_SEPARATOR.join(path)))
    if amount is not None:
        params.append(("amount", repr(float(amount))))
    if method:
        params.append(("method", method))
    if version:
        params.append(("v", version))
    return "?" + urlencode(params, safe=PATH_SEPARATOR) if params else ""


def parse_path(text: str | None) -> tuple[str, ...]:
    """The ``path`` query value back to process ids (empty steps refused)."""
    if not text:
        return ()
    steps = tuple(text.split(PATH_SEPARATOR))
    if any(not s for s in steps):
        raise InvalidArgument(f"path {text!r} has an empty step: give process ids joined with '/'")
    return steps


def deep_link(
    base_url: str,
    process_id: str,
    *,
    path: Sequence[str] = (),
    amount: float | None = None,
    method: str | None = None,
    version: str | None = None,
) -> str:
    """``{PUBLIC_BASE_URL}/n/{processId}``: opens the node in the phone viewer."""
    return f"{base_url.rstrip('/')}{node_path(process_id)}{link_query(path, amount, method, version)}"


def qr_url(
    base_url: str,
    process_id: str,
    *,
    fmt: str = "svg",
    path: Sequence[str] = (),
    amount: float | None = None,
    method: str | None = None,
    version: str | None = None,
) -> str:
    """``{PUBLIC_BASE_URL}/qr/{processId}.{svg|png}``: the QR code image of the node's deep link."""
    if fmt not in QR_FORMATS:
        raise InvalidArgument(f"QR format {fmt!r} is not supported: use one of {', '.join(QR_FORMATS)}")
    name = f"{quote(process_id, safe='')}.{fmt}"
    return f"{base_url.rstrip('/')}{QR_PREFIX}{name}{link_query(path, amount, method, version)}"
