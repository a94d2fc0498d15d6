"""Cards of field units and emergency resources on the real map page (offscreen QtWebEngine), and 派往所选事件
from a unit's card into the real dispatch dialog against a real exercise backend."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from commandwall.domain.models import IncidentStatus, Unit, UnitStatus
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.map.view import MapView
from tests.ui.test_incident_workflow_ui import desk_as  # noqa: F401  (fixture)
from tests.ui.test_map_view import NOW, XSS_TITLE, click_at, no_page_errors, run_js, view  # noqa: F401

BUSY_REASON = "该力量出勤，不能派遣"


def _units() -> list[Unit]:
    return [
        Unit(id="U-0", name=XSS_TITLE, department="公安", lon=117.30, lat=34.78, status="available", updated_at=NOW),
        Unit(id="U-1", name="消防一中队", department="消防", lon=117.34, lat=34.78, status="busy",
             task_id="T-1", task_status="en_route", updated_at=NOW),
    ]


def _open_card(qtbot, page: MapView, kind: str, item_id: str) -> None:
    """Click a unit's or resource's marker on the page and wait for its card."""
    x, y = run_js(qtbot, page, f"CW.markerPoint({kind!r}, {item_id!r})")
    click_at(qtbot, page, x, y)
    qtbot.waitUntil(lambda: run_js(qtbot, page, "CW.cards.shown()") == {"kind": kind, "id": item_id}, timeout=5000)


def test_a_units_card_offers_dispatch_as_allowed_and_sends_its_id(qtbot, view: MapView) -> None:  # noqa: F811
    asked: list[str] = []

    def check(unit_id: str) -> str | None:
        asked.append(unit_id)
        return None if unit_id == "U-0" else BUSY_REASON

    view.set_dispatch_check(check)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(_units())

    _open_card(qtbot, view, "unit", "U-1")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelector('.cw-card-reason').textContent")
                    == BUSY_REASON, timeout=5000)
    card = run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    for text in ("消防一中队", "消防", "出勤", "途中", "最后上报", "派往所选事件"):
        assert text in card
    assert run_js(qtbot, view, "document.querySelector('.cw-card-dispatch').disabled") is True
    with qtbot.assertNotEmitted(view.sig_dispatch_unit, wait=300):
        run_js(qtbot, view, "(document.querySelector('.cw-card-dispatch').click(), true)")

    _open_card(qtbot, view, "unit", "U-0")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelector('.cw-card-dispatch').disabled") is False,
                    timeout=5000)
    assert run_js(qtbot, view, "document.querySelector('.cw-unit-card .cw-card-title').textContent") == XSS_TITLE
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-card img').length") == 0
    assert asked == ["U-1", "U-0"]
    with qtbot.waitSignal(view.sig_dispatch_unit, timeout=5000) as blocker:
        run_js(qtbot, view, "(document.querySelector('.cw-card-dispatch').click(), true)")
    assert blocker.args == ["U-0"]
    assert run_js(qtbot, view, "CW.cards.shown()") is None  # the card closes: the dialog takes over


def test_a_resources_card_lists_its_details(qtbot, view: MapView) -> None:  # noqa: F811
    resource = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.33, 34.79]},
                "properties": {"id": "RES-1", "name": "区人民医院", "type": "hospital", "town": "常庄街道",
                               "capacity": 300}}
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources([resource])
    _open_card(qtbot, view, "resource", "RES-1")
    card = run_js(qtbot, view, "document.querySelector('.cw-resource-card').innerText")
    for text in ("区人民医院", "医院", "常庄街道", "容量", "300", "RES-1", "117.33000, 34.79000"):
        assert text in card
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-resource-card button').length") == 0


def _available_unit_not_nearest(desk, incident_id: str) -> str:
    _incident, choices = desk.controller.dispatch_choices(incident_id)
    return [c.unit.id for c in choices if c.selectable][1]


def test_dispatch_here_opens_the_dialog_for_the_selected_incident_with_the_unit_ticked(
    qtbot, desk_as  # noqa: F811
) -> None:
    desk = desk_as("duty")

    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    unit_id = _available_unit_not_nearest(desk, incident.id)
    assert desk.feature.dispatch_refusal(unit_id) == "未选择事件：先在事件列表或地图上选中一个事件"
    assert desk.feature.panel.select(incident.id)
    assert desk.feature.dispatch_refusal(unit_id) is None
    busy = next((u for u in desk.session.units.all() if u.status is not UnitStatus.AVAILABLE), None)
    if busy is not None:
        assert "不能派遣" in desk.feature.dispatch_refusal(busy.id)

    seen: list[list[str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, DispatchDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append(dialog.checked_unit_ids())
        dialog.instructions.setPlainText("就近赶赴现场")
        dialog.accept()

    QTimer.singleShot(50, answer)
    desk.feature.dispatch_unit(unit_id)
    assert seen == [[unit_id]]
    assert "派遣任务已提交" in desk.detail.feedback.text() or "项派遣任务已提交" in desk.detail.feedback.text()
    qtbot.waitUntil(lambda: [t.unit_id for t in desk.session.client.tasks(incident.id)] == [unit_id],
                    timeout=15000)
    qtbot.waitUntil(lambda: desk.detail.tasks.count() == 1, timeout=10000)  # the task is back on the incident
    qtbot.waitUntil(lambda: desk.detail.incident.status is IncidentStatus.DISPATCHED, timeout=10000)
    qtbot.waitUntil(lambda: "出勤" in (desk.feature.dispatch_refusal(unit_id) or ""), timeout=10000)  # now busy


def test_a_viewer_is_told_why_not(qtbot, desk_as) -> None:  # noqa: F811
    desk = desk_as("viewer")

    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
    assert desk.feature.panel.select(incident.id)
    reason = desk.feature.dispatch_refusal(unit.id)
    assert reason is not None and "观察员" in reason
    with qtbot.waitSignal(desk.feature.sig_message, timeout=2000) as blocker:
        desk.feature.dispatch_unit(unit.id)  # no dialog: the refusal is said instead
    assert "观察员" in blocker.args[0]
