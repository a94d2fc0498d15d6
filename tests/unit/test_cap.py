"""CAP 1.2 early warnings: parsing (lat,lon → lon/lat, references, expiry), Update and Cancel, hostile text
and malformed or hostile XML (reported, never a crash), and the exercise feed read over real HTTP."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from commandwall import localtime
from commandwall.app import warnings as warnings_module
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.warnings import WarningBook, WarningsController
from commandwall.backend.cap import CapError, parse_cap, parse_polygon
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.demo.capfeed import SCHEDULE
from commandwall.domain.models import IncidentStatus
from commandwall.mapdoc.payload import warning_areas_payload
from tests.hostile import corpus

SENT = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)


def cap(identifier: str = "A1", msg_type: str = "Alert", *, references: str = "", headline: str = "暴雨蓝色预警",
        severity: str = "Moderate", polygon: str = "34.70,117.15 34.70,117.30 34.86,117.30 34.70,117.15",
        expires: datetime | None = None, sent: datetime = SENT, description: str = "注意防范",
        sender: str = "qx@example.cn", effective: datetime | None = None) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    effective_at = f"<effective>{effective.isoformat()}</effective>" if effective else ""
    expires = expires or sent + timedelta(hours=6)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>{sender}</sender><sent>{sent.isoformat()}</sent>
  <status>Actual</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
  <info><language>en-US</language><event>Rain</event><severity>Minor</severity><headline>english</headline></info>
  <info><language>zh-CN</language><event>暴雨</event><urgency>Expected</urgency><severity>{severity}</severity>
    {effective_at}<expires>{expires.isoformat()}</expires><senderName>枣庄市气象台</senderName><headline>{headline}</headline>
    <description>{description}</description>
    <area><areaDesc>薛城区西部</areaDesc><polygon>{polygon}</polygon></area>
  </info>
</alert>""".encode()


def test_an_alert_is_read_with_polygons_in_lon_lat_and_the_chinese_info() -> None:
    alert = parse_cap(cap())
    assert alert.key == ("qx@example.cn", "A1") and alert.msg_type == "Alert"
    assert alert.headline == "暴雨蓝色预警" and alert.severity == "Moderate" and alert.sender_name == "枣庄市气象台"
    ring = alert.areas[0].polygons[0]
    assert ring[0] == (117.15, 34.70) and ring[1] == (117.30, 34.70)  # CAP's lat,lon turned round
    assert alert.expires == SENT + timedelta(hours=6)
    assert not alert.expired(SENT) and alert.expired(SENT + timedelta(hours=7))


@pytest.mark.parametrize(("text", "why"), [
    ("34.7,117.1 34.8,117.2 34.7,117.1", "fewer than 4"),
    ("34.7,117.1 34.8,117.2 34.9,117.3 34.6,117.0", "not closed"),
    ("117.1,34.7 117.2,34.8 117.3,34.9 117.1,34.7", "in range"),  # lon,lat by mistake: lat 117 is impossible
    ("34.7;117.1 x y z", "lat,lon"),
])
def test_bad_polygons_say_why(text: str, why: str) -> None:
    with pytest.raises(CapError, match=why):
        parse_polygon(text)


def test_update_and_cancel_refer_to_earlier_alerts() -> None:
    book = WarningBook()
    first = book.apply(parse_cap(cap("A1")))
    gale = book.apply(parse_cap(cap("G1", headline="大风黄色预警")))
    update = parse_cap(cap("A2", "Update", references=f"qx@example.cn,A1,{SENT.isoformat()}", headline="暴雨橙色预警",
                           severity="Severe", sent=SENT + timedelta(minutes=30)))
    assert update.references == (("qx@example.cn", "A1"),)
    assert book.apply(update) is first  # the same incident, one version up
    now = SENT + timedelta(hours=1)
    incident = book.incident(first, now)
    assert incident.title.startswith("暴雨橙色预警") and incident.version == 7 and incident.priority == 2
    assert incident.category == "yujing" and incident.status is IncidentStatus.NEW
    assert 117.15 < incident.lon < 117.30 and 34.70 < incident.lat < 34.86
    book.apply(parse_cap(cap("G2", "Cancel", references=f"qx@example.cn,G1,{SENT.isoformat()}")))
    closed = book.incident(gale, now)
    assert closed.status is IncidentStatus.CLOSED and closed.version == 7
    assert [f["properties"]["id"] for f in book.overlays(now)["features"]] == [first.incident_id]
    assert book.apply(parse_cap(cap("A1"))) is None  # seen before: nothing changes
    later = SENT + timedelta(hours=8)  # past expiry: resolved, off the map, a newer version than before
    expired = book.incident(first, later)
    assert expired.status is IncidentStatus.RESOLVED and expired.version == 8
    assert book.overlays(later)["features"] == []
    # An Update after expiry extends the warning: a newer version again, so the incident store takes it.
    extended = parse_cap(cap("A3", "Update", references=f"qx@example.cn,A2,{SENT.isoformat()}",
                             headline="暴雨红色预警", sent=later, expires=later + timedelta(hours=6)))
    assert book.apply(extended) is first
    again = book.incident(first, later + timedelta(minutes=1))
    assert again.version > expired.version and again.status is IncidentStatus.NEW
    assert again.title.startswith("暴雨红色预警")


def test_update_or_cancel_without_references_is_refused() -> None:
    with pytest.raises(CapError, match="without <references>"):
        parse_cap(cap("X", "Cancel"))


@pytest.mark.parametrize("document", [
    b"",
    b"not xml at all",
    b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier>",  # cut short
    b"<alert><identifier>x</identifier></alert>",  # no CAP namespace
    b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;'>]>"
    b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>&lol2;</alert>",  # entity expansion
    b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>"
    b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>&xxe;</identifier></alert>",  # XXE
    cap().replace(b"<sent>2026-07-14T08:00:00+00:00</sent>", b"<sent>yesterday</sent>"),
    cap().replace(b"<sent>2026-07-14T08:00:00+00:00</sent>", b"<sent>2026-07-14T08:00:00</sent>"),
    cap().replace(b"<msgType>Alert</msgType>", b"<msgType>Panic</msgType>"),
    cap().replace(b"<identifier>A1</identifier>", b""),
    cap(polygon="34.7,117.1 34.8,117.2"),
    b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>" + b"<x>" * 100_000 + b"</alert>",  # too large
    cap().replace(b"UTF-8", b"UTF-16"),
    b"\xff\xfe\x00<\x00a",
])
def test_malformed_or_hostile_xml_is_a_cap_error(document: bytes) -> None:
    with pytest.raises(CapError):
        parse_cap(document)


def test_hostile_text_is_kept_verbatim_or_reported(tmp_path: Path) -> None:
    """Each corpus string as headline and description: read back exactly (XML allows it) or refused as
    malformed XML (NUL and other characters XML 1.0 forbids), never anything else."""
    read = refused = 0
    for text in corpus(canary=str(tmp_path / "canary")):
        try:
            alert = parse_cap(cap(headline=escape(text), description=escape(text)))
        except CapError as exc:
            assert "not well-formed" in str(exc)
            refused += 1
            continue
        read += 1
        stripped = text.strip().replace("\r\n", "\n").replace("\r", "\n")
        assert alert.headline == stripped[:4000]
        assert WarningBook().incident(WarningBook().apply(alert), SENT).title  # becomes an incident
    assert read > 30 and refused >= 1
    assert not list(tmp_path.glob("canary*"))


def test_a_folder_of_alerts_with_a_broken_one_is_read_and_the_broken_one_reported(tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    folder.mkdir()
    (folder / "1.xml").write_bytes(cap("A1"))
    (folder / "2.xml").write_bytes(b"<alert>broken")
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = WarningsController(session, folder=folder)
    problems: list[str] = []
    controller.listener.on_problem = problems.append
    assert controller.poll(SENT) == 1
    assert len(problems) == 1 and "2.xml" in problems[0]
    assert [i.category for i in session.incidents.all()] == ["yujing"]
    (folder / "3.xml").write_bytes(cap("A3", "Cancel", references=f"qx@example.cn,A1,{SENT.isoformat()}"))
    assert controller.poll(SENT) == 1  # only the new file is read
    assert session.incidents.all()[0].status is IncidentStatus.CLOSED
    assert controller.overlays()["features"] == []


def test_the_exercise_feed_over_http_gives_rainstorm_and_gale_then_fog_update_and_cancel(tmp_path: Path) -> None:
    with DemoBackend(seed=2, simulate=False) as backend:
        session = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url(backend.base_url))
        controller = WarningsController(session, url=backend.base_url + "/api/v1/warnings/cap")
        overlays: list[dict] = []
        controller.listener.on_overlays = overlays.append
        assert controller.poll() == 2
        titles = sorted(i.title for i in session.incidents.all())
        assert any("暴雨蓝色" in t for t in titles) and any("大风黄色" in t for t in titles)
        assert len(overlays[-1]["features"]) == 2
        # Move the feed's clock on past the whole schedule: the Update and the Cancel are published.
        app_start = backend._server.app.extensions  # type: ignore[union-attr]
        app_start["commandwall_cap_t0"] -= max(a.after_s for a in SCHEDULE) + 1
        assert controller.poll() == 3  # the fog warning (a circle), the Update and the Cancel
        by_title = {i.title: i for i in session.incidents.all()}
        assert any("橙色" in t for t in by_title) and len(by_title) == 3
        gale = next(i for t, i in by_title.items() if "大风" in t)
        assert gale.status is IncidentStatus.CLOSED
        fog = next(i for t, i in by_title.items() if "大雾" in t)
        assert (fog.lon, fog.lat) == (117.38, 34.74)  # placed at the circle's centre
        assert sorted(f["properties"]["severity"] for f in overlays[-1]["features"]) == ["Moderate", "Severe"]
        circle = next(f for f in overlays[-1]["features"] if f["properties"]["id"] == fog.id)
        assert circle["properties"]["radius_km"] == 4.0 and len(circle["geometry"]["coordinates"][0]) == 73
        controller.stop()


def test_a_feed_answering_garbage_is_reported_and_polling_goes_on(tmp_path: Path) -> None:
    """Deeply nested JSON, a non-index, a trickle cut off and HTTP errors: each poll reports, none ends it."""
    from flask import Flask, Response

    from tests.unit.backend_support import LocalServer

    answers = [b"[" * 100_000, b'{"alerts": 5}', b"\x00\xff garbage", b"<alert>broken"]
    app = Flask("feed")

    @app.get("/cap")
    def feed():
        if not answers:
            return Response(status=503)
        return Response(answers.pop(0), mimetype="application/json")

    with LocalServer(app) as server:
        session = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
        controller = WarningsController(session, url=server.base_url + "/cap")
        problems: list[str] = []
        controller.listener.on_problem = problems.append
        for _ in range(5):
            assert controller.poll() == 0
        assert len(problems) == 5, problems
        assert session.incidents.all() == []


def refs(*identifiers: str) -> str:
    """A <references> value naming the alerts ``identifiers`` of the test sender."""
    return " ".join(f"qx@example.cn,{i},{SENT.isoformat()}" for i in identifiers)


def desk(tmp_path: Path, timeout_s: float = 5.0, **source) -> tuple[ClientSession, WarningsController, list[str]]:
    session = ClientSession(Settings(data_dir=tmp_path / "d", request_timeout_s=timeout_s),
                            PlatformFactory.at_url("http://127.0.0.1:9"))
    controller = WarningsController(session, **source)
    problems: list[str] = []
    controller.listener.on_problem = problems.append
    return session, controller, problems


def test_a_cancel_or_update_read_before_its_alert_still_applies(tmp_path: Path) -> None:
    """A folder is read by name and a feed's index may list the newest first: a Cancel or an Update may come
    before the alert it names, in the same poll or a later one."""
    folder = tmp_path / "cap"
    folder.mkdir()
    later = SENT + timedelta(minutes=30)
    (folder / "a-cancel.xml").write_bytes(cap("C1", "Cancel", references=refs("D1"), sent=later))
    (folder / "b-alert.xml").write_bytes(cap("D1"))
    (folder / "c-update.xml").write_bytes(cap("U2", "Update", references=refs("O2"), headline="暴雨橙色预警",
                                              sent=later))  # fmt: skip
    session, controller, problems = desk(tmp_path, folder=folder)
    assert controller.poll(SENT) == 3 and problems == []
    by_title = {i.title: i for i in session.incidents.all()}
    assert by_title["暴雨蓝色预警"].status is IncidentStatus.CLOSED, "cancelled, though the Cancel was read first"
    (folder / "d-original.xml").write_bytes(cap("O2", headline="暴雨黄色预警"))  # the Update's original, a poll later
    assert controller.poll(SENT + timedelta(hours=1)) == 1
    incidents = {i.id: i for i in session.incidents.all()}
    update = next(i for i in incidents.values() if i.title.startswith("暴雨橙色预警"))
    original = next(i for i in incidents.values() if i.title == "暴雨黄色预警")
    assert update.status is IncidentStatus.NEW
    assert original.status is IncidentStatus.MERGED and original.merged_into == update.id, "not a second warning"
    assert [f["properties"]["id"] for f in controller.overlays()["features"]] == [update.id]


def test_an_update_replaces_every_alert_it_names(tmp_path: Path) -> None:
    book = WarningBook()
    first, second = book.apply(parse_cap(cap("K1"))), book.apply(parse_cap(cap("K2", headline="大风黄色预警")))
    merged = book.apply(parse_cap(cap("K3", "Update", references=refs("K1", "K2"), headline="暴雨大风橙色预警",
                                      sent=SENT + timedelta(minutes=5))))  # fmt: skip
    assert merged is first
    now = SENT + timedelta(minutes=10)
    assert book.incident(second, now).status is IncidentStatus.MERGED
    assert book.incident(second, now).merged_into == first.incident_id
    assert [f["properties"]["id"] for f in book.overlays(now)["features"]] == [first.incident_id]
    cancel = book.apply(parse_cap(cap("K4", "Cancel", references=refs("K2"), sent=now)))
    assert cancel is first, "what names a replaced alert names the one it went on as"
    assert book.incident(first, now).status is IncidentStatus.CLOSED


def test_one_unreadable_entry_never_costs_the_others(tmp_path: Path) -> None:
    """A broken link, a folder named like a document, a named pipe (whose read would block for ever), an unknown
    encoding: each is reported once and skipped; every good document of the same poll is taken."""
    folder = tmp_path / "cap"
    folder.mkdir()
    (folder / "1.xml").write_bytes(cap("A1"))
    (folder / "2.xml").symlink_to(folder / "gone.txt")
    (folder / "3.xml").mkdir()
    os.mkfifo(folder / "4.xml")
    (folder / "5.xml").write_bytes(cap("A5", headline="大风黄色预警").replace(b"UTF-8", b"x-unknown"))
    (folder / "6.xml").write_bytes(cap("A6", headline="大雾黄色预警"))
    session, controller, problems = desk(tmp_path, folder=folder)
    assert controller.poll(SENT) == 2
    assert sorted(i.title for i in session.incidents.all()) == ["大雾黄色预警", "暴雨蓝色预警"]
    assert sorted(p.split()[1] for p in problems) == ["2.xml", "3.xml", "4.xml", "5.xml"], problems
    assert controller.poll(SENT) == 0 and len(problems) == 4, "reported once, not at every poll"
    (folder / "gone.txt").write_bytes(cap("A2", headline="冰雹预警"))  # the link's target comes
    assert controller.poll(SENT) == 1 and len(session.incidents.all()) == 3


def test_a_bad_feed_entry_and_a_trickling_one_never_cost_the_others(tmp_path: Path) -> None:
    from flask import Flask, Response, stream_with_context

    from tests.unit.backend_support import LocalServer

    app = Flask("feed")

    @app.get("/cap")
    def index():
        return {"alerts": [{"url": "g1.xml"}, {"url": "http://["}, {"url": "slow.xml"}, {"url": "g2.xml"}]}

    @app.get("/<name>.xml")
    def document(name: str):
        if name == "slow":
            def trickle():
                for _ in range(60):
                    yield b" "
                    time.sleep(0.1)
            return Response(stream_with_context(trickle()), mimetype="application/xml")
        return Response(cap(name.upper(), headline=f"预警 {name}"), mimetype="application/xml")

    with LocalServer(app) as server:
        session, controller, problems = desk(tmp_path, url=f"http://duty:S3cret@{server.base_url[7:]}/cap?token=T0K")
        warnings_module.DOCUMENT_DEADLINE_S, saved = 1.0, warnings_module.DOCUMENT_DEADLINE_S
        try:
            assert controller.poll(SENT) == 2
        finally:
            warnings_module.DOCUMENT_DEADLINE_S = saved
        assert sorted(i.title for i in session.incidents.all()) == ["预警 g1", "预警 g2"]
        assert any("http://[" in p for p in problems) and any("slow.xml" in p for p in problems), problems
    _session2, controller2, problems2 = desk(tmp_path, url="http://duty:S3cret@127.0.0.1:9/cap?token=T0K")
    assert controller2.poll(SENT) == 0 and problems2
    assert not any("S3cret" in p or "T0K" in p for p in problems + problems2), problems2


@pytest.mark.parametrize("sent", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+08:00"])
def test_an_alert_dated_at_the_ends_of_the_calendar_is_refused(sent: str) -> None:
    with pytest.raises(CapError, match="between 2000 and 2200"):
        parse_cap(cap().replace(SENT.isoformat().encode(), sent.encode(), 1))


def test_a_feed_trickling_its_answers_headers_is_reported_within_their_deadline(tmp_path: Path, monkeypatch) -> None:
    """A feed (or a proxy before it) that sends its headers a byte at a time, each inside the read timeout,
    held the poll — and the warnings thread's stop — for as long as it went on; now the poll reports it."""
    from commandwall.backend import http as http_module
    from tests.unit.backend_support import HeaderTrickler

    monkeypatch.setattr(http_module, "ANSWER_HEADERS_DEADLINE_S", 1.0)
    with HeaderTrickler() as server:
        _session, controller, problems = desk(tmp_path, timeout_s=0.5, url=server.base_url + "cap")
        started = time.monotonic()
        assert controller.poll(SENT) == 0
        elapsed = time.monotonic() - started
    assert elapsed < 8.0, f"{elapsed:.1f} s; the trickle lasts a minute"
    assert len(problems) == 1 and "did not all come within 1 s" in problems[0], problems


def test_only_an_alerts_own_sender_updates_or_cancels_it(tmp_path: Path) -> None:
    """A feed mixing several offices, or a document made to look like an update: another sender's Cancel or Update
    naming the meteorological office's alert leaves it as it is, and is reported; the office's own Cancel works."""
    folder = tmp_path / "cap"
    folder.mkdir()
    later = SENT + timedelta(minutes=30)
    (folder / "1-alert.xml").write_bytes(cap("D1"))
    (folder / "2-cancel.xml").write_bytes(cap("X1", "Cancel", references=refs("D1"), sent=later,
                                              sender="someone@else.example"))
    (folder / "3-update.xml").write_bytes(cap("X2", "Update", references=refs("D1"), sent=later,
                                              sender="someone@else.example", headline="假预警已解除"))
    session, controller, problems = desk(tmp_path, folder=folder)
    assert controller.poll(SENT + timedelta(hours=1)) == 3
    shown = {i.title: i for i in session.incidents.all()}
    assert shown["暴雨蓝色预警"].status is IncidentStatus.NEW, "another sender's Cancel did not close it"
    assert shown["假预警已解除（更新）"].merged_into is None, "the foreign Update stands on its own"
    assert len(problems) == 2 and all("someone@else.example" in p and "D1" in p for p in problems), problems
    assert len(controller.overlays()["features"]) == 2
    (folder / "4-cancel.xml").write_bytes(cap("C1", "Cancel", references=refs("D1"), sent=later))
    assert controller.poll(SENT + timedelta(hours=1)) == 1 and len(problems) == 2
    assert {i.title: i for i in session.incidents.all()}["暴雨蓝色预警"].status is IncidentStatus.CLOSED


def test_a_warning_issued_ahead_shows_when_it_takes_effect_until_it_does(tmp_path: Path) -> None:
    """明日 08 时起: issued now, in effect in ten hours. Shown at once (the desk must know), its title saying from when
    and its area marked pending; at that time an ordinary warning, a version up so the store takes it."""
    folder = tmp_path / "cap"
    folder.mkdir()
    effective = SENT + timedelta(hours=10)
    (folder / "ahead.xml").write_bytes(cap("E1", effective=effective, expires=SENT + timedelta(hours=16)))
    session, controller, problems = desk(tmp_path, folder=folder)
    assert controller.poll(SENT + timedelta(hours=1)) == 1 and problems == []
    when = localtime.to_display(effective).strftime("%m-%d %H:%M")
    (ahead,) = session.incidents.all()
    assert ahead.title == f"暴雨蓝色预警（{when} 生效）" and ahead.status is IncidentStatus.NEW
    (area,) = controller.overlays()["features"]
    assert area["properties"]["pending"] is True and area["properties"]["note"] == f"{when} 起生效"
    page = warning_areas_payload(controller.overlays())["features"][0]["properties"]
    assert page["pending"] is True and when in page["note"]
    controller.refresh(effective + timedelta(minutes=1))
    (in_effect,) = session.incidents.all()
    assert in_effect.title == "暴雨蓝色预警" and in_effect.version > ahead.version
    assert controller.overlays()["features"][0]["properties"]["pending"] is False
    controller.refresh(SENT + timedelta(hours=17))
    assert session.incidents.all()[0].status is IncidentStatus.RESOLVED and controller.overlays()["features"] == []
