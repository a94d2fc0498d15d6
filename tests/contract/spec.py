"""The contract document (resources/api/openapi.yaml) as a checker of real HTTP responses.

Every response a contract test receives through ``ApiClient`` is matched to its operation in the spec:
its status code must be documented and a JSON body must validate against the documented schema
(JSON Schema 2020-12, which OpenAPI 3.1 uses, with format checks).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema
import requests
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from commandwall import paths

SPEC_URI = "urn:commandwall:openapi"
JSON_TYPES = ("application/json", "application/geo+json")


@cache
def load_spec() -> dict[str, Any]:
    """The parsed openapi.yaml."""
    with open(paths.api_spec_path(), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validator_at(pointer: str) -> jsonschema.Draft202012Validator:
    """A validator for the schema at a JSON pointer inside the spec (refs resolve within the spec)."""
    return jsonschema.Draft202012Validator(
        {"$ref": f"{SPEC_URI}#/{pointer}"},
        registry=_registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def validate_schema(name: str, instance: Any) -> None:
    """Validate ``instance`` against ``components/schemas/<name>``; raises ValidationError."""
    validator_at(_pointer("components", "schemas", name)).validate(instance)


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in load_spec()["paths"]:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{regex}$"), template))
    return out


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """(path template, operation object) documented for a request; AssertionError if none."""
    for regex, template in _templates():
        if regex.match(path):
            operation = load_spec()["paths"][template].get(method.lower())
            assert operation is not None, f"{method} {template} is not documented"
            return template, operation
    raise AssertionError(f"no documented path matches {path}")


def check_response(method: str, path: str, response: requests.Response, read_body: bool = True) -> None:
    """Assert the response's status is documented for the operation and a JSON body matches its schema."""
    template, operation = operation_for(method, path)
    status = str(response.status_code)
    documented = operation.get("responses", {})
    assert status in documented, (
        f"{method} {template} answered undocumented status {status}: {response.text[:300]}"
    )
    entry = documented[status]
    base = ("paths", template, method.lower(), "responses", status)
    if "$ref" in entry:
        name = entry["$ref"].rsplit("/", 1)[-1]
        entry = load_spec()["components"]["responses"][name]
        base = ("components", "responses", name)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    content = entry.get("content", {})
    assert content_type in content, (
        f"{method} {template} {status}: undocumented content type {content_type!r}"
    )
    if read_body and content_type in JSON_TYPES:
        validator_at(_pointer(*base, "content", content_type, "schema")).validate(response.json())
