"""督办 and live task status over HTTP: deadlines by priority stored and returned, overdue tasks escalated by the
roles that may, and a dispatched unit's task moving through its statuses on the incident's timeline and on
the unit."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from commandwall.domain.models import Task
from commandwall.domain.supervision import DEADLINE_MINUTES, overdue_by
from commandwall.geo.routing import straight_metres
from tests.contract.wire import ApiClient, login

NewIncident = Callable[..., dict[str, Any]]


def _dispatch(client: ApiClient, body: dict[str, Any], expect: int = 201) -> dict[str, Any]:
    return client.post("/api/v1/tasks", expect, json=body, headers={"Idempotency-Key": str(uuid.uuid4())}).json()


@pytest.mark.parametrize("priority", [1, 2, 3, 4])
def test_deadline_follows_the_priority(duty: ApiClient, new_incident: NewIncident, priority: int) -> None:
    incident = new_incident()
    task = _dispatch(duty, {"incident_id": incident["id"], "department": "城管", "priority": priority})
    created, deadline = (datetime.fromisoformat(task[k]) for k in ("created_at", "deadline"))
    assert deadline - created == timedelta(minutes=DEADLINE_MINUTES[priority])
    listed = duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"]
    assert [t["deadline"] for t in listed] == [task["deadline"]]


def test_a_given_deadline_is_kept_and_one_in_the_past_refused(duty: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident()
    wanted = (datetime.now(UTC) + timedelta(minutes=7)).replace(microsecond=0)
    task = _dispatch(duty, {"incident_id": incident["id"], "department": "公安", "deadline": wanted.isoformat()})
    assert datetime.fromisoformat(task["deadline"]) == wanted
    past = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    refused = _dispatch(duty, {"incident_id": incident["id"], "deadline": past}, expect=422)
    assert refused["error"] == "deadline_in_past"
    naive = _dispatch(duty, {"incident_id": incident["id"], "deadline": "2030-01-01T08:00:00"}, expect=422)
    assert naive["error"] == "validation_error" and "deadline" in naive["message"]
    assert len(duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"]) == 1


def test_an_overdue_incident_is_escalated_by_a_duty_officer_not_a_viewer(
    duty: ApiClient, viewer: ApiClient, new_incident: NewIncident
) -> None:
    incident = new_incident("accept")
    soon = datetime.now(UTC) + timedelta(seconds=1)
    _dispatch(duty, {"incident_id": incident["id"], "department": "应急", "deadline": soon.isoformat()})
    for _ in range(40):  # bounded: the deadline is a second away
        listed = duty.get(f"/api/v1/tasks?incident_id={incident['id']}").json()["tasks"]
        tasks = [Task.model_validate(t) for t in listed]
        if overdue_by(tasks[0], datetime.now(UTC)) is not None:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the task never became overdue")
    current = duty.get(f"/api/v1/incidents/{incident['id']}").json()
    assert current["status"] == "dispatched"
    body = {"action": "escalate", "version": current["version"], "note": "督办：任务超时"}
    refused = viewer.post(f"/api/v1/incidents/{incident['id']}/transitions", 403, json=body).json()
    assert refused["error"] == "forbidden_for_role"
    escalated = duty.post(f"/api/v1/incidents/{incident['id']}/transitions", json=body).json()
    assert escalated["status"] == "escalated"
    last = duty.get(f"/api/v1/incidents/{incident['id']}/timeline").json()["entries"][-1]
    assert (last["action"], last["text"], last["actor"]) == ("escalate", "督办：任务超时", "duty")


@pytest.mark.parametrize("seed", [11, 5])
def test_a_dispatched_unit_reports_its_task_until_done_or_rejected(make_backend: Callable[..., Any], seed: int) -> None:
    backend = make_backend(seed=seed, incident_rate_per_min=0.0)
    client = login(backend.base_url, "duty")
    try:
        incident = backend.simulator.new_incident("zongzhi")
        units = client.get("/api/v1/units").json()["units"]
        unit = min((u for u in units if u["status"] == "available"),
                   key=lambda u: straight_metres((u["lon"], u["lat"]), (incident.lon, incident.lat)))
        start = (unit["lon"], unit["lat"])
        task = _dispatch(client, {"incident_id": incident.id, "unit_id": unit["id"], "instructions": "到场核实"})
        busy = next(u for u in client.get("/api/v1/units").json()["units"] if u["id"] == unit["id"])
        assert (busy["status"], busy["task_id"], busy["task_status"]) == ("busy", task["id"], "assigned")
        seen: list[str] = []
        for _ in range(3000):  # bounded: ~25 s per step at 2 s a tick, a few km at 12 m/s
            backend.simulator.tick(2.0)
            now = next(t for t in client.get(f"/api/v1/tasks?incident_id={incident.id}").json()["tasks"]
                       if t["id"] == task["id"])
            if not seen or seen[-1] != now["status"]:
                seen.append(now["status"])
            if now["status"] in ("done", "rejected"):
                break
        entries = client.get(f"/api/v1/incidents/{incident.id}/timeline").json()["entries"]
        reported = [e["action"] for e in entries if e["kind"] == "task" and e["ref"] == task["id"]]
        after = next(u for u in client.get("/api/v1/units").json()["units"] if u["id"] == unit["id"])
        assert (after["status"], after["task_id"], after["task_status"]) == ("available", None, None)
        assert seen[-1] in ("done", "rejected")
        if seen[-1] == "rejected":
            assert reported == ["dispatch", "rejected"] and now["reason"]
            assert entries[-1]["text"] == now["reason"] and entries[-1]["actor"] == unit["name"]
        else:
            assert reported == ["dispatch", "accepted", "en_route", "on_scene", "done"]
            assert straight_metres((after["lon"], after["lat"]), (incident.lon, incident.lat)) < 200
            assert straight_metres(start, (after["lon"], after["lat"])) > 100
    finally:
        client.close()
