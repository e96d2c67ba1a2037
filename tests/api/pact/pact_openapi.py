"""Checking bodies against the PACT v3.0 OpenAPI description (../shared/pact/openapi_v3_0.yaml,
read at test time; never copied into the repo) with jsonschema, formats included."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lcagraph.config import find_data_dir

#: The token response is OAuth2 (RFC 6749 5.1), which the PACT OpenAPI file does not describe.
TOKEN_RESPONSE = {
    "type": "object", "required": ["access_token", "token_type", "expires_in"],
    "properties": {"access_token": {"type": "string", "minLength": 1}, "token_type": {"const": "Bearer"},
                   "expires_in": {"type": "integer", "minimum": 1}, "scope": {"type": "string"}},
}
OAUTH_ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"enum": ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                       "unsupported_grant_type", "invalid_scope"]},
    "error_description": {"type": "string"}}}
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


class OpenApi:
    """Validates bodies against the PACT v3.0 OpenAPI description, read from ../shared/pact."""

    URI = "urn:pact:openapi-v3.0"

    def __init__(self, path: Path) -> None:
        self.document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(self.URI, resource)
        self.formats = jsonschema.Draft202012Validator.FORMAT_CHECKER
        self.formats.checks("decimal")(lambda v: not isinstance(v, str) or bool(_DECIMAL.match(v)))
        assert self.formats.conforms("2024-01-01T00:00:00Z", "date-time")
        assert not self.formats.conforms("2024-13-01", "date-time"), "date-time is not checked"

    def validate(self, instance: Any, pointer: str) -> None:
        """``pointer`` into the OpenAPI document, e.g. '/components/schemas/PublishedEvent'."""
        schema = {"$ref": f"{self.URI}#{pointer}"}
        jsonschema.Draft202012Validator(schema, registry=self.registry, format_checker=self.formats)\
            .validate(instance)

    def check(self, response: httpx.Response, method: str, path: str) -> Any:
        """The response to ``method path`` (a path of the spec, e.g. /3/footprints/{id}) as the
        spec describes it for its status: JSON body valid against the schema, or no body."""
        operation = self.document["paths"][path][method.lower()]
        described = operation["responses"].get(str(response.status_code))
        assert described is not None, f"{method} {path}: status {response.status_code} is not in the spec"
        pointer = f"/paths/{_escape(path)}/{method.lower()}/responses/{response.status_code}"
        if "$ref" in described:
            pointer = described["$ref"].lstrip("#")
            described = self._resolve(pointer)
        if "content" not in described:
            assert response.content == b"", f"{method} {path}: the spec describes no body"
            return None
        body = response.json()
        self.validate(body, f"{pointer}/content/application~1json/schema")
        return body

    def _resolve(self, pointer: str) -> dict[str, Any]:
        node: Any = self.document
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def load_openapi() -> OpenApi:
    path = find_data_dir().parent / "pact" / "openapi_v3_0.yaml"
    if not path.is_file():
        pytest.fail(f"the PACT v3.0 OpenAPI description is not at {path}: "
                    "put ../shared/pact next to the data folder")
    return OpenApi(path)
