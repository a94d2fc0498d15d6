"""The contract document: valid OpenAPI 3.1, covers every route, and mirrors the domain models."""

from __future__ import annotations

import re

import jsonschema
import pydantic
import pytest
from openapi_spec_validator import validate

from commandwall.demo.app import create_app
from commandwall.domain.models import Camera, Incident, Task, Unit
from tests.contract.spec import load_spec, validate_schema


def test_spec_is_valid_openapi_3_1() -> None:
    spec = load_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_is_documented() -> None:
    app = create_app(None)  # type: ignore[arg-type]  (only the URL map is used; nothing is served)
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((template, method.lower()))
    documented = set()
    for template, item in load_spec()["paths"].items():
        normalised = re.sub(r"\{[^}]+\}", "{}", template)
        for method in item:
            documented.add((normalised, method))
    served = {(re.sub(r"\{[^}]+\}", "{}", t), m) for t, m in routes}
    assert served == documented


@pytest.mark.parametrize("model", [Camera, Incident, Task, Unit])
def test_schemas_mirror_the_domain_models(model: type) -> None:
    schema = load_spec()["components"]["schemas"][model.__name__]
    pyd = model.model_json_schema()
    assert set(schema["properties"]) == set(pyd["properties"])
    assert set(schema["required"]) == set(pyd["required"])


def test_schemas_reject_what_the_models_reject() -> None:
    good = {
        "id": "INC-1",
        "title": "t",
        "category": "jiaotong",
        "lon": 117.3,
        "lat": 34.8,
        "reported_at": "2025-01-01T08:00:00+08:00",
        "updated_at": "2025-01-01T08:00:00+08:00",
        "version": 1,
    }
    validate_schema("Incident", good)
    Incident.model_validate(good)
    for bad in (
        {**good, "version": 0},
        {**good, "priority": 9},
        {**good, "status": "lost"},
        {k: v for k, v in good.items() if k != "title"},
        {**good, "reported_at": "yesterday"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_schema("Incident", bad)
        with pytest.raises(pydantic.ValidationError):
            Incident.model_validate(bad)
