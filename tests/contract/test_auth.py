"""Authentication and roles: tokens, 401 without/with a bad token, 403 for read-only viewers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from commandwall.demo import DemoBackend
from tests.contract.wire import ApiClient


def test_health_needs_no_token(anon: ApiClient) -> None:
    body = anon.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert datetime.fromisoformat(body["server_time"]).utcoffset() is not None


@pytest.mark.parametrize(
    ("username", "roles"),
    [("viewer", ["viewer"]), ("duty", ["duty_officer"]), ("commander", ["commander"]), ("admin", ["admin"])],
)
def test_demo_users_log_in_with_their_roles(anon: ApiClient, username: str, roles: list[str]) -> None:
    body = anon.post("/api/v1/auth/token", json={"username": username, "password": username}).json()
    assert body["roles"] == roles
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["display_name"]
    assert len(body["access_token"]) >= 32


def test_wrong_password_is_401(anon: ApiClient) -> None:
    body = anon.post("/api/v1/auth/token", 401, json={"username": "duty", "password": "nope"}).json()
    assert body["error"] == "invalid_credentials"


def test_login_body_is_validated(anon: ApiClient) -> None:
    body = anon.post("/api/v1/auth/token", 422, json={"username": ""}).json()
    assert body["error"] == "validation_error"
    assert "username" in body["message"] and "password" in body["message"]
    invalid = anon.post("/api/v1/auth/token", 400, data="not json", headers={"Content-Type": "application/json"})
    assert invalid.json()["error"] == "invalid_json"


@pytest.mark.parametrize(
    "path", ["/api/v1/layers", "/api/v1/cameras", "/api/v1/incidents", "/api/v1/units", "/api/v1/tasks"]
)
def test_no_token_is_401(anon: ApiClient, path: str) -> None:
    response = anon.get(path, 401)
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_401(backend: DemoBackend) -> None:
    client = ApiClient(backend.base_url, token="forged-token")
    try:
        assert client.get("/api/v1/cameras", 401).json()["message"] == "invalid or expired token"
        client.session.headers["Authorization"] = "Basic dXNlcjpwYXNz"
        client.get("/api/v1/units", 401)
    finally:
        client.close()


def test_viewer_reads_but_cannot_change(
    viewer: ApiClient, duty: ApiClient, new_incident: Callable[..., dict[str, Any]]
) -> None:
    target = new_incident()
    assert target in viewer.get("/api/v1/incidents").json()["incidents"]
    refused = viewer.post(
        f"/api/v1/incidents/{target['id']}/transitions",
        403,
        json={"action": "accept", "version": target["version"]},
    ).json()
    assert refused["error"] == "forbidden_for_role"
    viewer.post(
        "/api/v1/tasks", 403, json={"incident_id": target["id"]}, headers={"Idempotency-Key": "viewer-try"}
    )
    cameras = viewer.get("/api/v1/cameras").json()["cameras"]
    viewer.post(f"/api/v1/cameras/{cameras[0]['id']}/ptz", 403, json={"action": "left"})
    # nothing changed
    assert duty.get(f"/api/v1/incidents/{target['id']}").json()["version"] == target["version"]
    assert duty.get(f"/api/v1/tasks?incident_id={target['id']}").json()["tasks"] == []


def test_unknown_route_is_json_404(duty: ApiClient) -> None:
    response = duty.session.get(duty.base_url + "/api/v1/nothing-here", timeout=5)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
