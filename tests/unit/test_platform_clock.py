"""The platform's clock as its answers' Date headers give it, against real HTTP servers on 127.0.0.1 and the
exercise backend with its clock set off: a desk whose own clock is off judges deadlines and silent units by the
platform's time, and its dispatch deadlines are not refused as already past."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commandwall import localtime
from commandwall.backend.api import PlatformClient
from commandwall.backend.clock import TOLERANCE_S, PlatformClock


class DatedServer:
    """Answers ``/api/v1/health`` with its ``Date`` ``ahead_s`` seconds off the machine's (or ``date`` as given)."""

    def __init__(self, ahead_s: float = 0.0, date: str | None = None) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def date_time_string(self, timestamp=None) -> str:  # the header http.server sends
                if owner.date is not None:
                    return owner.date
                return format_datetime(datetime.now(UTC) + timedelta(seconds=owner.ahead_s), usegmt=True)

            def do_GET(self) -> None:
                body = b'{"status": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.ahead_s, self.date = ahead_s, date
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def platform_time_reset() -> Iterator[None]:
    yield
    localtime.set_platform_offset(0.0)


@pytest.mark.parametrize("ahead_s", [600.0, -437.0, 0.0, 1.2])
def test_the_offset_is_read_from_the_answers_date_headers(ahead_s: float) -> None:
    server = DatedServer(ahead_s)
    changes: list[float] = []
    client = PlatformClient(server.url, "duty", "duty", retries=0, clock=PlatformClock(on_change=changes.append))
    try:
        for _ in range(5):
            client.health()
        if abs(ahead_s) <= TOLERANCE_S:
            assert client.clock.offset_s == 0.0 and changes == []  # a second's truncation is no skew
        else:
            assert abs(client.clock.offset_s - ahead_s) <= 1.5, client.clock.offset_s
            assert len(changes) == 1  # said once, not at every answer
    finally:
        client.close()
        server.close()


def test_a_date_header_that_cannot_be_read_or_a_slow_answer_is_no_sample() -> None:
    server = DatedServer(date="yesterday at noon")
    client = PlatformClient(server.url, "duty", "duty", retries=0)
    try:
        client.health()
        assert client.clock.offset_s == 0.0
    finally:
        client.close()
        server.close()
    clock = PlatformClock()
    late = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    clock.note(late, time.time() - 30, time.time())  # 30 s for an answer: its Date says little
    assert clock.offset_s == 0.0


@pytest.mark.parametrize("skew_s", [600.0, -600.0])
def test_a_desk_whose_clock_is_off_follows_the_platforms(tmp_path, skew_s: float) -> None:
    """The exercise platform's clock 10 minutes ahead: a 5-minute deadline computed by the desk's own clock would
    be 5 minutes in the past there (refused as deadline_in_past). 10 minutes behind: every unit, reported a moment
    ago by the platform's clock, would read as silent for 10 minutes. Both follow the platform's time."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.app.incidents import IncidentsController
    from commandwall.app.platform import PlatformFactory
    from commandwall.app.session import ClientSession
    from commandwall.backend.outbox import OutboxState
    from commandwall.config import Settings
    from commandwall.demo import DemoBackend
    from commandwall.domain.models import UnitStatus
    from commandwall.domain.workflow import TASKABLE

    with DemoBackend(db_path=tmp_path / "exercise.sqlite3", simulate=False, clock_skew_s=skew_s) as platform:
        session = ClientSession(Settings(data_dir=tmp_path / "desk"), PlatformFactory.at_url(platform.base_url))
        session.start()
        try:
            assert abs(localtime.platform_offset_s() - skew_s) <= 2, localtime.platform_offset_s()
            assert abs((localtime.now() - datetime.now(UTC)).total_seconds() - skew_s) <= 2
            units = session.units.all()
            assert not any(unit.report_stale(localtime.now()) for unit in units)
            incident = next(i for i in session.incidents.open() if i.status in TASKABLE)
            unit = next(u for u in units if u.status is UnitStatus.AVAILABLE)
            controller = IncidentsController(session)
            controller.dispatch_order(DispatchOrder(incident.id, (unit.id,), "公安", 2, "立即赶赴现场", 5))
            assert session.outbox.wait_idle(15)
            [sent] = [i for i in session.outbox.items() if i.kind == "task"]
            assert sent.state is OutboxState.SENT, (sent.state, sent.last_error)
            controller.close()
        finally:
            session.stop()
    assert localtime.platform_offset_s() == 0.0  # the next platform is timed afresh


@pytest.mark.parametrize("date", ["Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT",
                                  "Thu, 01 Jan 1970 00:00:00 GMT", "<b>{{7*7}}</b> ${x}", "Sat, 99 Foo 2026 99:99"])
def test_a_date_from_the_end_of_the_calendar_or_garbage_is_not_taken(date: str) -> None:
    """A platform (or a box in front of it) answering with a Date at the calendar's end would put the desk's
    "now" past year 9999: every clock tick and time shown would raise. Such a header, or garbage, is no sample."""
    server = DatedServer(date=date)
    client = PlatformClient(server.url, "duty", "duty", retries=0,
                            clock=PlatformClock(on_change=localtime.set_platform_offset))
    try:
        for _ in range(9):
            client.health()
        assert client.clock.offset_s == 0.0
        assert abs((localtime.now() - datetime.now(UTC)).total_seconds()) < 5
    finally:
        client.close()
        server.close()
