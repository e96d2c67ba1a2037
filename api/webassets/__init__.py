"""Browser assets of GraphiQL and the OpenAPI docs, served by the app at /assets so both work
offline: the files come from pinned npm packages (packages.txt) that scripts/install fetches into
vendor/ (git-ignored); graphiql.html is strawberry's GraphiQL page pointing at them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lcagraph.errors import ConfigurationError

PREFIX = "/assets"


def vendor_dir() -> Path:
    """The folder the pinned assets are installed into."""
    return Path(str(resources.files("api.webassets"))) / "vendor"


def graphiql_html() -> str:
    """The GraphiQL page; ConfigurationError where scripts/install has not fetched its assets."""
    if not (vendor_dir() / "graphiql.min.js").is_file():
        raise ConfigurationError(
            f"the GraphiQL assets are missing from {vendor_dir()}: run scripts/install (it fetches "
            "the pinned npm packages of api/webassets/packages.txt)")
    return resources.files("api.webassets").joinpath("graphiql.html").read_text(encoding="utf-8")
