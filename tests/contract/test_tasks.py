"""Tasks: Idempotency-Key semantics (same key → same task, one row; other body → 422) and dispatch."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.contract.wire import ApiClient

NewIncident = Callable[..., dict[str, Any]]


def available_unit(client: ApiClient, department: str | None = None) -> dict[str, Any]:
    """An available unit (of a department if given)."""
    units = client.get("/api/v1/units").json()["units"]
    return next(u for u in units if u["status"] == "available" and department in (None, u["department"]))


def test_same_key_gives_the_same_task_once(duty: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident()
    unit = available_unit(duty)
    body = {
        "incident_id": incident["id"],
        "unit_id": unit["id"],
        "department": unit["department"],
        "instructions": "请立即到场处置",
        "priority": 2,
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = duty.post("/api/v1/tasks", 201, json=body, headers=key).json()
    again = duty.post("/api/v1/tasks", 200, json=body, headers=key).json()
    assert again == first
    assert first["incident_id"] == incident["id"] and first["unit_id"] == unit["id"]
    assert first["status"] == "assigned" and first["created_by"] == "duty"
    assert duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"] == [first]


def test_same_key_with_another_body_is_422(duty: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"incident_id": incident["id"], "department": "城管", "instructions": "核实", "priority": 3}
    first = duty.post("/api/v1/tasks", 201, json=body, headers=key).json()
    changed = duty.post("/api/v1/tasks", 422, json={**body, "priority": 1}, headers=key).json()
    assert changed["error"] == "idempotency_key_reused"
    assert duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"] == [first]


def test_concurrent_retries_make_one_task(duty: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident("accept")
    body = {"incident_id": incident["id"], "department": "应急"}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    token = duty.session.headers["Authorization"].split()[1]

    def send(_: int) -> Any:
        client = ApiClient(duty.base_url, token)  # one session per thread
        try:
            return client.post("/api/v1/tasks", None, json=body, headers=key)
        finally:
            client.close()

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(send, range(6)))
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert len(duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"]) == 1


def test_dispatch_moves_incident_and_unit(commander: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident("accept")
    unit = available_unit(commander)
    body = {"incident_id": incident["id"], "unit_id": unit["id"]}
    task = commander.post(
        "/api/v1/tasks", 201, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
    ).json()
    assert task["department"] == unit["department"]  # taken from the unit when not given
    assert task["priority"] == 3
    after = commander.get(f"/api/v1/incidents/{incident['id']}").json()
    assert after["status"] == "dispatched" and after["version"] == incident["version"] + 1
    units = {u["id"]: u for u in commander.get("/api/v1/units").json()["units"]}
    assert units[unit["id"]]["status"] == "busy"
    # a second task for a dispatched incident is fine and leaves its version alone
    commander.post(
        "/api/v1/tasks",
        201,
        json={"incident_id": incident["id"], "department": "公安"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert commander.get(f"/api/v1/incidents/{incident['id']}").json()["version"] == after["version"]


def test_refused_tasks(duty: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident()

    def post(body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": str(uuid.uuid4())} if headers is None else headers
        return duty.post("/api/v1/tasks", 422, json=body, headers=headers).json()

    assert "Idempotency-Key" in post({"incident_id": incident["id"]}, headers={})["message"]
    assert post({"incident_id": "INC-999999"})["error"] == "unknown_incident"
    assert post({"incident_id": incident["id"], "unit_id": "U-999"})["error"] == "unknown_unit"
    assert "priority" in post({"incident_id": incident["id"], "priority": 7})["message"]
    assert post({"incident_id": incident["id"], "colour": "red"})["error"] == "validation_error"
    closed = new_incident("accept", "resolve", "close")
    assert post({"incident_id": closed["id"]})["error"] == "invalid_transition"
    assert duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"] == []


def test_task_list(viewer: ApiClient) -> None:
    tasks = viewer.get("/api/v1/tasks").json()["tasks"]
    assert tasks, "seeded dispatched incidents have tasks"
    assert [t["id"] for t in tasks] == sorted(t["id"] for t in tasks)
    viewer.get("/api/v1/tasks?incident_id=INC-999999", 404)
