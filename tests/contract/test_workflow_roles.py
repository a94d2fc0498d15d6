"""The workflow and the role table against the real exercise backend: every action for every role (403
``forbidden_for_role`` or done), merge, escalate and return round trips, timelines and idempotent notes."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import deque
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest

from commandwall.demo import DemoBackend
from commandwall.domain.models import IncidentStatus
from commandwall.domain.workflow import NOTE, ROLE_ACTIONS, TRANSITIONS, may
from tests.contract.test_events import collect, events_of, up_to
from tests.contract.wire import ApiClient

NewIncident = Callable[..., dict[str, Any]]
ROLE_USERS = {"viewer": "viewer", "duty_officer": "duty", "commander": "commander", "admin": "admin"}
ACTIONS = [*TRANSITIONS, NOTE]

#: Written out by hand, not derived from the table, so that the table is not only tested against itself.
HAND_WRITTEN = {
    ("viewer", "accept"): False,
    ("viewer", NOTE): False,
    ("viewer", "escalate"): False,
    ("duty_officer", "accept"): True,
    ("duty_officer", "verify"): True,
    ("duty_officer", "return"): True,
    ("duty_officer", "escalate"): True,
    ("duty_officer", NOTE): True,
    ("duty_officer", "close"): False,
    ("duty_officer", "merge"): False,
    ("duty_officer", "reopen"): False,
    ("commander", "close"): True,
    ("commander", "merge"): True,
    ("commander", "reopen"): True,
    ("admin", "close"): True,
}


def path_to(status: IncidentStatus) -> list[str]:
    """The shortest list of actions (no merge) that brings a new incident to ``status``."""
    queue: deque[tuple[IncidentStatus, list[str]]] = deque([(IncidentStatus.NEW, [])])
    seen = {IncidentStatus.NEW}
    while queue:
        current, actions = queue.popleft()
        if current == status:
            return actions
        for action, (sources, target) in TRANSITIONS.items():
            if action != "merge" and current in sources and target not in seen:
                seen.add(target)
                queue.append((target, [*actions, action]))
    raise AssertionError(f"{status} cannot be reached")


def _body(action: str, version: int, new_incident: NewIncident) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action, "version": version}
    if action == "return":
        body["note"] = "地址有误，请核对后重新上报"
    if action == "merge":
        body["into"] = new_incident()["id"]
    return body


def test_hand_written_expectations_match_the_table() -> None:
    for (role, action), allowed in HAND_WRITTEN.items():
        assert may([role], action) is allowed, (role, action)
    assert ROLE_ACTIONS["viewer"] == frozenset()


@pytest.mark.parametrize("role", list(ROLE_USERS))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_for_every_role(
    role: str, action: str, backend: DemoBackend, new_incident: NewIncident, request: pytest.FixtureRequest
) -> None:
    client: ApiClient = request.getfixturevalue(ROLE_USERS[role])
    allowed = may([role], action)
    assert HAND_WRITTEN.get((role, action), allowed) is allowed
    if action == NOTE:
        target = new_incident()
        path, body = f"/api/v1/incidents/{target['id']}/notes", {"text": f"{role} 的备注"}
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        answer = client.post(path, 201 if allowed else 403, json=body, headers=headers).json()
    else:
        source = sorted(TRANSITIONS[action][0], key=lambda s: len(path_to(s)))[0]
        target = new_incident(*path_to(source))
        body = _body(action, target["version"], new_incident)
        answer = client.post(f"/api/v1/incidents/{target['id']}/transitions", None, json=body).json()
        if allowed:
            assert answer["status"] == TRANSITIONS[action][1].value, answer
            assert answer["version"] == target["version"] + 1
    if not allowed:
        assert answer["error"] == "forbidden_for_role"
        assert answer["action"] == action
        assert answer["role"] in answer["message"] and answer["role"] in {"观察员", "值班员"}
        assert "无权" in answer["message"]
        assert client.get(f"/api/v1/incidents/{target['id']}").json()["version"] == target["version"]


def test_the_role_is_checked_before_the_version(duty: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident("accept", "resolve")
    path = f"/api/v1/incidents/{target['id']}/transitions"
    assert duty.post(path, 403, json={"action": "close", "version": 1}).json()["error"] == "forbidden_for_role"
    stale = duty.post(path, 409, json={"action": "escalate", "version": 1}).json()
    assert stale["current"] == target


def test_a_viewer_may_not_dispatch(viewer: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident()
    refused = viewer.post("/api/v1/tasks", 403, json={"incident_id": target["id"]},
                          headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    assert (refused["error"], refused["action"], refused["role"]) == ("forbidden_for_role", "dispatch", "观察员")


def test_return_needs_a_reason_and_can_be_reopened(
    duty: ApiClient, commander: ApiClient, new_incident: NewIncident
) -> None:
    target = new_incident("accept")
    path = f"/api/v1/incidents/{target['id']}/transitions"
    ask = {"action": "return", "version": target["version"]}
    refused = duty.post(path, 422, json={**ask, "note": "  "}).json()
    assert refused["error"] == "reason_required"
    returned = duty.post(path, json={"action": "return", "version": target["version"], "note": "重复上报"}).json()
    assert returned["status"] == "returned"
    no_task = duty.post("/api/v1/tasks", 422, json={"incident_id": target["id"]},
                        headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    assert no_task["error"] == "invalid_transition"  # a returned incident takes no tasks
    assert duty.post(path, 403, json={"action": "reopen", "version": returned["version"]}).json()["action"] == "reopen"
    reopened = commander.post(path, json={"action": "reopen", "version": returned["version"]}).json()
    assert reopened["status"] == "accepted"
    entries = duty.get(f"/api/v1/incidents/{target['id']}/timeline").json()["entries"]
    assert [(e["action"], e["actor"]) for e in entries[-2:]] == [("return", "duty"), ("reopen", "commander")]
    assert entries[-2]["text"] == "重复上报"


def test_escalate_round_trip(duty: ApiClient, commander: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident("accept", "verify")
    path = f"/api/v1/incidents/{target['id']}/transitions"
    escalated = duty.post(path, json={"action": "escalate", "version": target["version"], "note": "涉及多部门"}).json()
    assert escalated["status"] == "escalated"
    duty.post(path, 409, json={"action": "accept", "version": target["version"]})
    accepted = commander.post(path, json={"action": "accept", "version": escalated["version"]}).json()
    assert accepted["status"] == "accepted" and accepted["version"] == target["version"] + 2
    entries = commander.get(f"/api/v1/incidents/{target['id']}/timeline").json()["entries"]
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in entries[-2:]] == [
        ("verified", "escalated", "duty"), ("escalated", "accepted", "commander"),
    ]


def test_merge_round_trip_seen_live_by_two_clients(
    duty: ApiClient, commander: ApiClient, new_incident: NewIncident
) -> None:
    survivor, duplicate = new_incident("accept"), new_incident()
    cursor = commander.get("/api/v1/incidents").json()["cursor"]
    path = f"/api/v1/incidents/{duplicate['id']}/transitions"
    merge = {"action": "merge", "version": 1, "into": survivor["id"], "note": "同一事件"}
    assert duty.post(path, 403, json=merge).json()["action"] == "merge"
    assert commander.post(path, 422, json={**merge, "into": None}).json()["error"] == "merge_target_required"
    assert commander.post(path, 422, json={**merge, "into": duplicate["id"]}).json()["error"] == "invalid_merge"
    merged = commander.post(path, json=merge).json()
    assert (merged["status"], merged["merged_into"]) == ("merged", survivor["id"])
    assert commander.get(f"/api/v1/incidents/{survivor['id']}").json() == survivor  # the survivor is unchanged
    mine = commander.get(f"/api/v1/incidents/{survivor['id']}/timeline").json()["entries"][-1]
    assert (mine["kind"], mine["ref"], mine["actor"]) == ("merged", duplicate["id"], "commander")
    assert mine["text"] == "同一事件"
    top = int(commander.get("/api/v1/incidents").json()["cursor"])
    for client in (duty, commander):  # both desks get the merge as an incident event
        events = events_of(collect(client, headers={"Last-Event-ID": cursor}, seconds=5, done=up_to(top)))
        incidents = [json.loads(m.data) for m in events if m.event == "incident"]
        assert merged in incidents
    later = commander.post(path, 422, json={"action": "merge", "version": 2, "into": survivor["id"]}).json()
    assert later["error"] == "invalid_transition"  # a merged incident stays merged


def test_notes_are_added_once_per_key(duty: ApiClient, new_incident: NewIncident) -> None:
    target = new_incident()
    path = f"/api/v1/incidents/{target['id']}/notes"
    key = {"Idempotency-Key": str(uuid.uuid4()), "X-Desk-Id": "desk-a"}
    first = duty.post(path, 201, json={"text": "现场有积水，注意安全"}, headers=key).json()
    again = duty.post(path, 200, json={"text": "现场有积水，注意安全"}, headers=key).json()
    assert again == first
    assert duty.post(path, 422, json={"text": "另一条"}, headers=key).json()["error"] == "idempotency_key_reused"
    notes = [e for e in duty.get(f"/api/v1/incidents/{target['id']}/timeline").json()["entries"] if e["kind"] == "note"]
    assert notes == [first]
    assert (first["actor"], first["desk"]) == ("duty", "desk-a")
    duty.post(path, 422, json={"text": ""}, headers={"Idempotency-Key": str(uuid.uuid4())})
    duty.post(path, 422, json={"text": "x"})  # no key
    duty.post(path, 422, json={"text": "x"}, headers={"Idempotency-Key": "k", "X-Desk-Id": "desk\tid"})
    duty.post("/api/v1/incidents/INC-999999/notes", 404, json={"text": "x"}, headers={"Idempotency-Key": "k404"})
    duty.get("/api/v1/incidents/INC-999999/timeline", 404)


def test_timelines_from_two_clients_agree(
    duty: ApiClient, commander: ApiClient, new_incident: NewIncident, backend: DemoBackend
) -> None:
    target = new_incident()
    path = f"/api/v1/incidents/{target['id']}"
    moved = duty.post(f"{path}/transitions", json={"action": "accept", "version": 1},
                      headers={"X-Desk-Id": "desk-duty"}).json()
    commander.post(f"{path}/notes", 201, json={"text": "请同步报告区应急局"},
                   headers={"Idempotency-Key": str(uuid.uuid4()), "X-Desk-Id": "desk-cmd"})
    duty.post("/api/v1/tasks", 201, json={"incident_id": target["id"], "department": "应急"},
              headers={"Idempotency-Key": str(uuid.uuid4()), "X-Desk-Id": "desk-duty"})
    seen_by_duty = duty.get(f"{path}/timeline").json()["entries"]
    assert seen_by_duty == commander.get(f"{path}/timeline").json()["entries"]
    assert [(e["kind"], e["actor"], e["desk"]) for e in seen_by_duty] == [
        ("reported", seen_by_duty[0]["actor"], ""),
        ("transition", "duty", "desk-duty"),
        ("note", "commander", "desk-cmd"),
        ("transition", "duty", "desk-duty"),  # the task moved it to dispatched
        ("task", "duty", "desk-duty"),
    ]
    assert seen_by_duty[1]["to_status"] == moved["status"]
    assert [e["seq"] for e in seen_by_duty] == sorted(e["seq"] for e in seen_by_duty)
    assert backend.db_path is not None
    with closing(sqlite3.connect(backend.db_path)) as db:  # the audit trail cannot be edited or deleted
        for sql in ("UPDATE timeline SET text = 'x' WHERE incident_id = ?",
                    "DELETE FROM timeline WHERE incident_id = ?"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(sql, (target["id"],))


def test_the_exercise_starts_with_incidents_in_the_workflow_states(viewer: ApiClient) -> None:
    seeded = viewer.get("/api/v1/incidents?since=0&limit=15").json()["incidents"]
    statuses = {i["status"] for i in seeded}
    assert statuses >= {"new", "accepted", "verified", "dispatched", "in_progress", "resolved", "returned",
                        "escalated", "merged"}
    merged = next(i for i in seeded if i["status"] == "merged")
    assert merged["merged_into"] == seeded[0]["id"]
    returned = next(i for i in seeded if i["status"] == "returned")
    reason = viewer.get(f"/api/v1/incidents/{returned['id']}/timeline").json()["entries"][-1]
    assert reason["action"] == "return" and reason["text"]
