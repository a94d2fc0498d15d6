"""The exercise's incident burst (load tests): admin only, paced, one at a time, real incidents."""

from __future__ import annotations

import time
from collections.abc import Callable

from commandwall.demo import DemoBackend
from tests.contract.wire import login

BURST = "/api/v1/exercise/incident-burst"


def _incident_count(client) -> int:
    return len(client.get("/api/v1/incidents", params={"since": "0", "limit": 1000}).json()["incidents"])


def test_only_an_admin_may_start_a_burst(make_backend: Callable[..., DemoBackend]) -> None:
    backend = make_backend(seed=3)
    for user in ("viewer", "duty", "commander"):
        answer = login(backend.base_url, user).post(BURST, expect=403, json={"rate_per_s": 10, "seconds": 1})
        assert answer.json()["error"] == "forbidden_for_role"
    anon = login(backend.base_url, "admin")
    anon.session.headers.pop("Authorization")
    anon.post(BURST, expect=401, json={"rate_per_s": 10, "seconds": 1})


def test_a_burst_reports_incidents_at_the_rate_asked(make_backend: Callable[..., DemoBackend]) -> None:
    backend = make_backend(seed=3)
    admin = login(backend.base_url, "admin")
    before = _incident_count(admin)
    started = time.monotonic()
    answer = admin.post(BURST, expect=202, json={"rate_per_s": 40, "seconds": 1.5})
    assert answer.json()["planned"] == 60
    assert admin.post(BURST, expect=409, json={"rate_per_s": 1, "seconds": 1}).json()["error"] == "burst_running"
    deadline = time.monotonic() + 20
    while _incident_count(admin) < before + 60 and time.monotonic() < deadline:
        time.sleep(0.1)
    took = time.monotonic() - started
    assert _incident_count(admin) == before + 60
    assert took >= 1.4  # paced, not dumped at once
    admin.post(BURST, expect=202, json={"rate_per_s": 100, "seconds": 0.05})  # the next one may start


def test_a_burst_refuses_bad_requests(make_backend: Callable[..., DemoBackend]) -> None:
    admin = login(make_backend(seed=3).base_url, "admin")
    for body in ({"rate_per_s": 0, "seconds": 1}, {"rate_per_s": 5000, "seconds": 1},
                 {"rate_per_s": 5, "seconds": 601}, {"rate_per_s": 5}, {"rate_per_s": 5, "seconds": 1, "x": 1}):
        assert admin.post(BURST, expect=422, json=body).json()["error"] == "validation_error"
