"""Field units (力量) on the real map page (offscreen QtWebEngine): a unit that moves costs in proportion to what
changed — only its payload is made and sent, the page moves its marker and leaves the others' markers alone."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from commandwall import localtime
from commandwall.app.map import MapController
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.domain.models import UNIT_REPORT_STALE_S, TaskStatus, Unit, task_status_label
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.map.feature import MapFeature
from commandwall.ui.map.view import MapView
from tests.ui.test_map_cards import _open_card
from tests.ui.test_map_view import (  # noqa: F401  (fixtures)
    SOFTWARE_RENDERING_MESSAGES,
    XSS_TITLE,
    no_page_errors,
    run_js,
    view,
)
from tests.unit.test_mapdoc_page import sample_layers

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

N_UNITS = 2000
DEPARTMENTS = ("公安", "消防", "卫健", "城管")

#: Marks every unit marker and its icon's badge on the page, to tell later which ones were made anew.
MARK_ALL = """(() => { let n = 0; CW.groups.units.eachLayer(m => {
                         m.cwMark = 1; m.getElement().firstChild.cwMark = 1; n++; });
                       return n; })()"""
#: Ids of the unit markers whose marker or icon (its badge) is not the one marked.
UNMARKED = """(() => { const out = []; CW.groups.units.eachLayer(m => {
                         const el = m.getElement();
                         if (!m.cwMark || !el || !el.firstChild.cwMark) out.push(m.cwUnit); });
                       return out.sort(); })()"""


def make_units(n: int, at, *, step_s: float = 0.0, spacing: float = 0.004) -> list[Unit]:
    """``n`` units spread over the district (50 a row, ``spacing`` degrees apart), the i-th last reporting at
    ``at + i * step_s``."""
    return [Unit(id=f"U-{i:05d}", name=f"巡逻{i}组", department=DEPARTMENTS[i % len(DEPARTMENTS)],
                 lon=117.20 + (i % 50) * spacing, lat=34.74 + (i // 50) * spacing / 2,
                 updated_at=at + timedelta(seconds=i * step_s)) for i in range(n)]


def marker(qtbot, page: MapView, unit_id: str) -> dict:
    """What the page shows of one unit's marker: position, icon classes, tooltip text."""
    return run_js(qtbot, page, f"""(() => {{ let found = null; CW.groups.units.eachLayer(m => {{
        if (m.cwUnit === {unit_id!r}) found = m; }});
        if (!found) return null;
        const tip = found.getTooltip().getContent();
        return {{ lat: found.getLatLng().lat, lon: found.getLatLng().lng, icon: found.getElement().className,
                  tip: tip.textContent, title: tip.querySelector('.cw-tip-title').textContent }}; }})()""")


def sent_units(page: MapView) -> list[dict]:
    """Collects what goes to the page over the units' incremental signal (and fails on a whole replace)."""
    messages: list[dict] = []
    page.bridge.units_upserted.connect(lambda text: messages.append(json.loads(text)))
    page.bridge.units_changed.connect(lambda text: messages.append({"replaced": len(json.loads(text))}))
    return messages


@pytest.fixture
def desk(qtbot, tmp_path: Path):
    """A map feature on a real page over a session (no platform behind it) holding 2 000 units, drawn."""
    session = ClientSession(Settings(data_dir=tmp_path / "d"), PlatformFactory.at_url("http://127.0.0.1:9"))
    signals = ClientSignals()
    signals.watch(session)
    feature = MapFeature(MapController(session), signals, data_dir=tmp_path / "d")
    page = feature.view
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    with qtbot.waitSignal(page.sig_ready, timeout=20000):
        page.load_page(sample_layers())
    session.units.replace_all(make_units(N_UNITS, localtime.now() - timedelta(seconds=60)))
    with qtbot.waitSignal(page.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=20000):
        feature.on_ready()
    assert run_js(qtbot, page, MARK_ALL) == N_UNITS
    yield session, feature
    feature.shutdown()
    signals.detach()


def test_three_units_moving_among_two_thousand_send_three_and_move_only_their_markers(qtbot, desk) -> None:
    session, feature = desk
    page = feature.view
    messages = sent_units(page)
    built = page._unit_payloads.built
    now = localtime.now()
    moved = [session.units.get(unit_id).model_copy(update={"lon": 117.5, "lat": 34.9 + k * 0.01, "updated_at": now})
             for k, unit_id in enumerate(("U-00007", "U-01000", "U-01999"))]
    moved[1] = moved[1].model_copy(update={"status": "busy"})
    with qtbot.waitSignal(page.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        for unit in moved:
            session.units.upsert(unit)  # as the platform's events arrive: the redraw timer takes them
    assert page._unit_payloads.built - built == 3
    assert len(messages) == 1 and messages[0]["remove"] == []
    assert sorted(item["id"] for item in messages[0]["upsert"]) == ["U-00007", "U-01000", "U-01999"]
    assert run_js(qtbot, page, "CW.stats().units") == N_UNITS
    assert run_js(qtbot, page, UNMARKED) == ["U-01000"]  # its status changed: a new icon; the others moved only
    for k, unit in enumerate(moved):
        shown = marker(qtbot, page, unit.id)
        assert (round(shown["lat"], 6), shown["lon"]) == (round(34.9 + k * 0.01, 6), 117.5)
    assert "cw-unit-busy" in marker(qtbot, page, "U-01000")["icon"]
    assert "出勤" in marker(qtbot, page, "U-01000")["tip"]
    qtbot.wait(1300)  # another redraw interval with nothing changed sends nothing
    assert len(messages) == 1


def test_a_moved_units_open_card_and_tip_show_its_new_data_as_text(qtbot, view: MapView) -> None:  # noqa: F811
    now = localtime.now()
    units = [unit.model_copy(update={"lat": 34.78})
             for unit in make_units(8, now - timedelta(seconds=30), spacing=0.03)]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    run_js(qtbot, view, MARK_ALL)
    _open_card(qtbot, view, "unit", "U-00003")
    assert "巡逻3组" in run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    department = "公安<b>粗</b>{{7*7}}\u202e部门"  # not a known department: shown as the platform gave it
    moved = units[3].model_copy(update={"name": XSS_TITLE, "status": "busy", "task_id": "T-9", "department": department,
                                        "task_status": "en_route", "lon": 117.27, "updated_at": now})
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        assert view.update_units([moved]) == 1
    card = run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    assert "出勤" in card and task_status_label(TaskStatus.EN_ROUTE) in card and "巡逻3组" not in card
    assert "公安<b>粗</b>{{7*7}}" in card and "49" not in card, card  # markup and a template shown as text
    assert run_js(qtbot, view, "document.querySelectorAll('b').length") == 0
    tip = run_js(qtbot, view, """(() => { let found = null; CW.groups.units.eachLayer(m => {
        if (m.cwUnit === 'U-00003') found = m; });
        const tip = found.getTooltip().getContent();
        return { text: tip.textContent, bold: tip.querySelectorAll('b').length }; })()""")
    assert "公安<b>粗</b>{{7*7}}" in tip["text"] and tip["bold"] == 0, tip  # the marker's tip: text too
    assert run_js(qtbot, view, "document.querySelector('.cw-unit-card .cw-card-title').textContent") == XSS_TITLE
    popup = run_js(qtbot, view, "(() => { const p = CW.map._popup.getLatLng(); return [p.lng, p.lat]; })()")
    assert popup[0] == 117.27
    assert run_js(qtbot, view, "CW.cards.shown()") == {"kind": "unit", "id": "U-00003"}
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-selected').length") == 1
    shown = marker(qtbot, view, "U-00003")
    assert shown["title"] == XSS_TITLE and "cw-unit-selected" in shown["icon"]
    assert run_js(qtbot, view, "document.querySelectorAll('img').length") == 0
    assert run_js(qtbot, view, UNMARKED) == ["U-00003"]

    # Clicked again, its card is made from the new data too.
    run_js(qtbot, view, "(CW.map.closePopup(), null)")
    qtbot.wait(500)  # not a double click with the first one
    _open_card(qtbot, view, "unit", "U-00003")
    assert run_js(qtbot, view, "document.querySelector('.cw-unit-card .cw-card-title').textContent") == XSS_TITLE


def test_a_unit_going_stale_is_the_only_one_sent_again(qtbot, view: MapView) -> None:  # noqa: F811
    at = localtime.now() - timedelta(seconds=100)
    units = make_units(200, at, step_s=30.0)  # U-00000 reported first, each other one 30 s later
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units, now=at + timedelta(seconds=200))
    run_js(qtbot, view, MARK_ALL)
    messages = sent_units(view)
    silent = at + timedelta(seconds=UNIT_REPORT_STALE_S + 0.5)  # only U-00000 has been silent for too long
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        assert view.update_units(units, whole=True, now=silent) == 1
    assert [item["id"] for item in messages[0]["upsert"]] == ["U-00000"] and messages[0]["upsert"][0]["stale"]
    shown = marker(qtbot, view, "U-00000")
    assert "cw-unit-stale" in shown["icon"] and "5分钟" in shown["tip"]
    assert run_js(qtbot, view, UNMARKED) == ["U-00000"]
    assert view.update_units(units, whole=True, now=silent + timedelta(seconds=20)) == 0  # still 5分钟前
    assert len(messages) == 1
    later = silent + timedelta(seconds=60)  # six minutes for U-00000, over five for U-00001 and U-00002
    assert view.update_units(units, whole=True, now=later) == 3
    assert [item["report_age"] for item in messages[-1]["upsert"]] == ["6分钟前", "5分钟前", "5分钟前"]


def test_units_gone_are_removed_and_a_whole_set_replaces_them(qtbot, view: MapView) -> None:  # noqa: F811
    units = make_units(50, localtime.now() - timedelta(seconds=10))
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    run_js(qtbot, view, MARK_ALL)
    messages = sent_units(view)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        assert view.update_units(units[:-2], whole=True) == 2
    assert messages == [{"upsert": [], "remove": ["U-00048", "U-00049"]}]
    assert run_js(qtbot, view, "CW.stats().units") == 48 and marker(qtbot, view, "U-00049") is None
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        assert view.update_units([], removed=["U-00000", "U-no-such-unit"]) == 1
    assert run_js(qtbot, view, "CW.stats().units") == 47 and run_js(qtbot, view, UNMARKED) == []

    fresh = make_units(3, localtime.now())
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(fresh)
    assert messages[-1] == {"replaced": 3}
    assert run_js(qtbot, view, "CW.stats().units") == 3
    assert marker(qtbot, view, "U-00001")["title"] == "巡逻1组"
    with qtbot.waitSignal(view.sig_ready, timeout=20000):  # a reloaded page gets the units as they are now
        view.reload()
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.stats().units") == 3, timeout=5000)
