"""DemoBackend as an object: ports, clean stop with open streams, persistence, the simulator thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from commandwall.demo import DemoBackend
from tests.contract.wire import ApiClient, login, mjpeg_frames, sse_messages

MakeBackend = Callable[..., DemoBackend]


def test_port_zero_picks_a_free_port_and_base_url_needs_start(make_backend: MakeBackend) -> None:
    idle = DemoBackend()
    with pytest.raises(RuntimeError):
        _ = idle.base_url
    a, b = make_backend(seed=1), make_backend(seed=1)
    assert a.port != b.port and a.port > 0
    assert a.base_url == f"http://127.0.0.1:{a.port}"
    assert requests.get(a.base_url + "/api/v1/health", timeout=5).json()["status"] == "ok"


def test_a_busy_port_raises_instead_of_exiting(make_backend: MakeBackend) -> None:
    first = make_backend(seed=1)
    second = DemoBackend(port=first.port, seed=1)
    with pytest.raises(OSError):
        second.start()
    assert not second.running and second.db_path is None  # its temporary database is gone again


def test_stop_ends_open_streams_and_leaves_no_threads(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    backend = DemoBackend(db_path=tmp_path / "x.sqlite3", seed=3, simulate=True, keepalive_s=30).start()
    client = login(backend.base_url, "viewer")
    camera = client.get("/api/v1/cameras").json()["cameras"][0]
    sse = client.get("/api/v1/events", stream=True)
    video = client.get(f"/streams/{camera['id']}/sub.mjpg", stream=True)
    assert len(mjpeg_frames(video, 2)) == 2
    ended: dict[str, float] = {}

    def drain(name: str, response: requests.Response) -> None:
        try:
            for _ in response.iter_content(4096):
                pass
        except requests.RequestException:
            pass
        ended[name] = time.monotonic()

    drains = [threading.Thread(target=drain, args=(n, r)) for n, r in (("sse", sse), ("video", video))]
    for t in drains:
        t.start()
    started = time.monotonic()
    backend.stop()
    stop_took = time.monotonic() - started
    for t in drains:
        t.join(5)
    sse.close()
    video.close()
    client.close()
    assert stop_took < 3, f"stop() took {stop_took:.2f} s"
    assert set(ended) == {"sse", "video"}, "clients should see their streams end"
    leftover = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert leftover == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{backend.port}/api/v1/health", timeout=2)


def test_database_survives_a_restart_without_reseeding(tmp_path: Path, make_backend: MakeBackend) -> None:
    db = tmp_path / "exercise.sqlite3"
    first = make_backend(db_path=db, seed=5)
    incident = first.simulator.new_incident("zongzhi")
    cursor = ApiClient(first.base_url)
    first.stop()
    cursor.close()
    second = make_backend(db_path=db, seed=5)
    client = login(second.base_url, "duty")
    try:
        assert client.get(f"/api/v1/incidents/{incident.id}").json()["title"] == incident.title
        assert (
            len(
                [
                    i
                    for i in client.get("/api/v1/incidents?since=0&limit=1000").json()["incidents"]
                    if i["id"].startswith("INC-")
                ]
            )
            == 16
        )  # 15 seeded once + 1
        assert db.exists()
    finally:
        client.close()


def test_temporary_database_is_removed(make_backend: MakeBackend) -> None:
    backend = make_backend(seed=2)
    path = backend.db_path
    assert path is not None and path.exists()
    backend.stop()
    assert not path.exists()


def test_same_seed_same_exercise(make_backend: MakeBackend) -> None:
    runs = []
    for _ in range(2):
        backend = make_backend(seed=11)
        titles = [backend.simulator.new_incident().title for _ in range(5)]
        ticks = [backend.simulator.tick(30) for _ in range(5)]
        runs.append((titles, ticks))
        backend.stop()
    assert runs[0] == runs[1]


def test_simulator_thread_reports_incidents_at_the_rate(make_backend: MakeBackend) -> None:
    backend = make_backend(seed=4, simulate=True, incident_rate_per_min=600, tick_s=0.1)
    client = login(backend.base_url, "viewer")
    try:
        cursor = client.get("/api/v1/incidents").json()["cursor"]
        time.sleep(1.5)
        new = [
            i
            for i in client.get(f"/api/v1/incidents?since={cursor}").json()["incidents"]
            if i["version"] == 1
        ]
        assert 5 <= len(new) <= 20, len(new)  # ~10 per second (fewer if the machine is busy)
        assert backend.simulator.running
    finally:
        client.close()
    backend.stop()
    assert not backend.simulator.running


def test_missing_layers_fall_back_to_a_stand_in_district(tmp_path: Path, make_backend: MakeBackend) -> None:
    backend = make_backend(layers_dir=tmp_path / "no-layers", seed=1)
    client = login(backend.base_url, "viewer")
    try:
        assert backend.catalogue is not None and backend.catalogue.synthetic
        assert any("manifest" in e for e in backend.catalogue.errors)
        assert client.get("/api/v1/cameras").json()["cameras"]
        assert len(client.get("/api/v1/incidents").json()["incidents"]) == 15
        assert [e["id"] for e in client.get("/api/v1/layers").json()["layers"]] == [
            "district",
            "towns",
            "grids",
            "roads",
        ]
    finally:
        client.close()


def test_sse_reader_helper_is_bounded() -> None:
    # the helper must stop at its deadline even if the stream is endless (guards the other tests)
    class Endless:
        def iter_lines(self, decode_unicode: bool = True):
            while True:
                yield ": keepalive"

    started = time.monotonic()
    out = list(sse_messages(Endless(), time.monotonic() + 0.2))  # type: ignore[arg-type]
    assert out and time.monotonic() - started < 1
