"""Incidents: the list, the since-cursor, and workflow transitions (ok / 409 stale / 422 invalid)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commandwall.demo import DemoBackend
from commandwall.domain.models import CATEGORIES, Incident
from tests.contract.wire import ApiClient

NewIncident = Callable[..., dict[str, Any]]


def test_seeded_incidents_are_plausible(viewer: ApiClient) -> None:
    body = viewer.get("/api/v1/incidents").json()
    incidents = [Incident.model_validate(i) for i in body["incidents"]]
    assert len(incidents) >= 15
    assert {i.status.value for i in incidents} >= {"new", "accepted", "dispatched"}
    for incident in incidents:
        assert incident.category in CATEGORIES
        assert incident.title and incident.description and incident.source
        assert incident.town.endswith(("街道", "镇")), incident.town
        assert incident.grid.startswith("G-"), incident.grid
        assert 117.15 <= incident.lon <= 117.48 and 34.63 <= incident.lat <= 34.94
    assert body["cursor"].isdigit()


def test_since_cursor_returns_only_changes(
    duty: ApiClient, backend: DemoBackend, new_incident: NewIncident
) -> None:
    target = new_incident()
    cursor = duty.get("/api/v1/incidents").json()["cursor"]
    quiet = duty.get(f"/api/v1/incidents?since={cursor}").json()
    assert quiet["incidents"] == [] and quiet["cursor"] == cursor
    moved = duty.post(
        f"/api/v1/incidents/{target['id']}/transitions",
        json={"action": "accept", "version": target["version"]},
    ).json()
    changed = duty.get(f"/api/v1/incidents?since={cursor}").json()
    assert changed["incidents"] == [moved]
    assert int(changed["cursor"]) > int(cursor)
    backend.simulator.new_incident("huanbao")
    later = duty.get(f"/api/v1/incidents?since={changed['cursor']}").json()
    assert [i["category"] for i in later["incidents"]] == ["huanbao"]
    assert later["incidents"][0]["version"] == 1


def test_since_pages_with_has_more(viewer: ApiClient) -> None:
    first = viewer.get("/api/v1/incidents?since=0&limit=4").json()
    assert len(first["incidents"]) == 4 and first["has_more"] is True
    seen = [i["id"] for i in first["incidents"]]
    cursor = first["cursor"]
    for _ in range(100):
        page = viewer.get(f"/api/v1/incidents?since={cursor}&limit=4").json()
        seen += [i["id"] for i in page["incidents"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert len(seen) == len(set(seen)), "an incident changed once appears once"
    assert set(seen) == {
        i["id"] for i in viewer.get("/api/v1/incidents?since=0&limit=1000").json()["incidents"]
    }


def test_bad_cursor_is_422(viewer: ApiClient) -> None:
    assert viewer.get("/api/v1/incidents?since=abc", 422).json()["error"] == "invalid_cursor"


def test_cursor_from_a_reset_database_starts_over(viewer: ApiClient) -> None:
    everything = viewer.get("/api/v1/incidents?since=0&limit=1000").json()
    beyond = viewer.get("/api/v1/incidents?since=99999999&limit=1000").json()
    assert beyond["incidents"] == everything["incidents"]
    assert beyond["cursor"] == everything["cursor"]


def test_transition_bumps_the_version(commander: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident("accept")
    moved = commander.post(
        f"/api/v1/incidents/{target['id']}/transitions",
        json={"action": "resolve", "version": target["version"], "note": "现场已处置完毕"},
    ).json()
    assert moved["status"] == "resolved"
    assert moved["version"] == target["version"] + 1
    assert moved["updated_at"] > target["updated_at"]
    assert commander.get(f"/api/v1/incidents/{target['id']}").json() == moved


def test_stale_version_is_409_with_the_current_incident(duty: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident()
    path = f"/api/v1/incidents/{target['id']}/transitions"
    current = duty.post(path, json={"action": "accept", "version": target["version"]}).json()
    stale = duty.post(path, 409, json={"action": "dispatch", "version": target["version"]}).json()
    assert stale["error"] == "stale_version"
    assert stale["current"] == current
    assert duty.get(f"/api/v1/incidents/{target['id']}").json() == current  # nothing happened


def test_transition_not_allowed_from_status_is_422(duty: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident()
    body = duty.post(
        f"/api/v1/incidents/{target['id']}/transitions",
        422,
        json={"action": "start", "version": target["version"]},
    ).json()
    assert body["error"] == "invalid_transition"
    assert duty.get(f"/api/v1/incidents/{target['id']}").json()["version"] == target["version"]


def test_malformed_transitions_are_422_and_unknown_incident_404(
    duty: ApiClient, new_incident: NewIncident
) -> None:
    target = new_incident()
    path = f"/api/v1/incidents/{target['id']}/transitions"
    assert "version" in duty.post(path, 422, json={"action": "accept"}).json()["message"]
    assert "action" in duty.post(path, 422, json={"action": "explode", "version": 1}).json()["message"]
    duty.post(path, 422, json={"action": "accept", "version": 1, "extra": True})
    duty.post("/api/v1/incidents/INC-999999/transitions", 404, json={"action": "accept", "version": 1})
    duty.get("/api/v1/incidents/INC-999999", 404)


def test_full_workflow_and_reopen(commander: ApiClient, new_incident: NewIncident) -> None:
    incident = new_incident()
    for action, status in [
        ("accept", "accepted"),
        ("resolve", "resolved"),
        ("close", "closed"),
        ("reopen", "accepted"),
    ]:
        incident = commander.post(
            f"/api/v1/incidents/{incident['id']}/transitions",
            json={"action": action, "version": incident["version"]},
        ).json()
        assert incident["status"] == status
