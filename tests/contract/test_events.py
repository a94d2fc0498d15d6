"""SSE: replay after Last-Event-ID, live delivery of simulator changes, keepalives, payload schemas."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from commandwall.demo import DemoBackend
from tests.contract.spec import load_spec, validate_schema
from tests.contract.wire import ApiClient, SseMessage, sse_messages

PAYLOAD_SCHEMAS = {
    kind: ref["$ref"].rsplit("/", 1)[-1]
    for kind, ref in load_spec()["paths"]["/api/v1/events"]["get"]["x-sse-events"].items()
}


def collect(
    client: ApiClient,
    query: str = "",
    headers: dict[str, str] | None = None,
    *,
    seconds: float,
    done: Callable[[list[SseMessage]], bool] = lambda _: False,
) -> list[SseMessage]:
    """Messages (and comments) received within ``seconds``, or until ``done(messages)``."""
    messages: list[SseMessage] = []
    with client.get(f"/api/v1/events{query}", stream=True, headers=headers or {}) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for message in sse_messages(response, time.monotonic() + seconds):
            messages.append(message)
            if done(messages):
                break
    return messages


def count_events(n: int) -> Callable[[list[SseMessage]], bool]:
    """Stop after ``n`` events."""
    return lambda messages: sum(m.event is not None for m in messages) >= n


def up_to(event_id: int) -> Callable[[list[SseMessage]], bool]:
    """Stop once the event ``event_id`` arrived."""
    return lambda messages: any(m.id is not None and m.id >= event_id for m in messages)


def events_of(messages: list[SseMessage]) -> list[SseMessage]:
    """Only the events (no comments)."""
    return [m for m in messages if m.event is not None]


def test_replay_after_last_event_id(viewer: ApiClient, backend: DemoBackend) -> None:
    top = int(viewer.get("/api/v1/incidents").json()["cursor"])  # the newest event id
    everything = events_of(collect(viewer, headers={"Last-Event-ID": "0"}, seconds=5, done=up_to(top)))
    ids = [m.id for m in everything]
    assert ids[-1] == top
    assert ids and ids == sorted(ids) and len(set(ids)) == len(ids)
    assert ids[0] == 1
    for message in everything:
        validate_schema(PAYLOAD_SCHEMAS[message.event], json.loads(message.data))
    middle = ids[len(ids) // 2]
    replay = events_of(collect(viewer, headers={"Last-Event-ID": str(middle)}, seconds=5, done=up_to(top)))
    assert [m.id for m in replay] == ids[ids.index(middle) + 1 :]
    by_query = events_of(collect(viewer, f"?last_event_id={middle}", seconds=5, done=up_to(top)))
    assert [m.id for m in by_query] == [m.id for m in replay]
    # an id the log never reached (the client saw another, reset database): everything again
    reset = events_of(collect(viewer, headers={"Last-Event-ID": str(top + 1000)}, seconds=5, done=up_to(top)))
    assert [m.id for m in reset] == ids


def test_live_event_from_a_simulator_tick(viewer: ApiClient, backend: DemoBackend) -> None:
    changes: list[str] = []
    timer = threading.Timer(0.5, lambda: changes.extend(backend.simulator.tick()))
    timer.start()
    try:
        messages = events_of(collect(viewer, seconds=5, done=count_events(1)))
    finally:
        timer.join()
    assert changes, "a tick always changes something"
    assert messages, "the tick's events should arrive live"
    first = messages[0]
    assert f"{first.event}:{json.loads(first.data)['id']}" == changes[0]
    validate_schema(PAYLOAD_SCHEMAS[first.event], json.loads(first.data))


def test_camera_status_and_incident_events(viewer: ApiClient, backend: DemoBackend) -> None:
    camera_id = "CAM-0005"

    def act() -> None:
        backend.set_camera_status(camera_id, "offline")
        backend.set_camera_status(camera_id, "online")
        backend.simulator.new_incident("jiaotong")

    timer = threading.Timer(0.4, act)
    timer.start()
    try:
        messages = events_of(collect(viewer, seconds=5, done=count_events(3)))
    finally:
        timer.join()
    assert [(m.event, json.loads(m.data).get("status")) for m in messages] == [
        ("camera-status", "offline"),
        ("camera-status", "online"),
        ("incident", "new"),
    ]
    assert json.loads(messages[0].data) == {"id": camera_id, "status": "offline"}
    assert json.loads(messages[2].data)["category"] == "jiaotong"


def test_keepalive_comments_while_quiet(viewer: ApiClient) -> None:
    def two_keepalives(messages: list[SseMessage]) -> bool:
        return sum(m.comment == "keepalive" for m in messages) >= 2

    started = time.monotonic()
    messages = collect(viewer, seconds=6, done=two_keepalives)  # the fixture sends one every second
    assert two_keepalives(messages)
    assert time.monotonic() - started > 1.5  # a second apart, not sent together (how late they may come is load)


def test_events_need_a_token_and_a_numeric_id(anon: ApiClient, viewer: ApiClient) -> None:
    anon.get("/api/v1/events", 401)
    viewer.get("/api/v1/events", 422, headers={"Last-Event-ID": "abc"})
