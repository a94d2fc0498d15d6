"""Cards of field units and emergency resources on the real map page (offscreen QtWebEngine), and 派往所选事件
from a unit's card into the real dispatch dialog against a real exercise backend."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from commandwall.domain.models import IncidentStatus, Unit, UnitStatus
from commandwall.domain.workflow import TASKABLE
from commandwall.mapdoc import payload
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.map.view import MapView
from tests.ui.test_incident_workflow_ui import desk_as  # noqa: F401  (fixture)
from tests.ui.test_main_window import window  # noqa: F401  (fixture)
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


def _offer(reason: str | None = None, incident: tuple[str, str] | None = None,
           nearby: tuple[tuple[str, str, int], ...] = ()) -> dict:
    """What ``DispatchOffer.as_dict`` gives the page."""
    return {"enabled": reason is None, "reason": reason or "",
            "incident": None if incident is None else {"id": incident[0], "title": incident[1]},
            "nearby": [{"id": i, "title": t, "metres": m} for i, t, m in nearby]}


def _no_resource_offer(_resource_id: str) -> dict:
    return _offer("—")


def test_a_units_card_offers_dispatch_as_allowed_and_sends_its_id(qtbot, view: MapView) -> None:  # noqa: F811
    asked: list[str] = []

    def offer(unit_id: str) -> dict:
        asked.append(unit_id)
        return _offer(incident=("INC-7", XSS_TITLE)) if unit_id == "U-0" else _offer(BUSY_REASON)

    view.set_dispatch_offers(offer, _no_resource_offer)
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
    assert run_js(qtbot, view, "document.querySelector('.cw-card-target').textContent") == f"所选事件：{XSS_TITLE}"
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-card img').length") == 0
    assert run_js(qtbot, view, "CW.stats().selectedUnit") == "U-0"  # its marker ringed while the card is open
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-selected').length") == 1
    assert asked == ["U-1", "U-0"]
    with qtbot.waitSignal(view.sig_dispatch_unit, timeout=5000) as blocker:
        run_js(qtbot, view, "(document.querySelector('.cw-card-dispatch').click(), true)")
    assert blocker.args == ["U-0", "INC-7"]  # the incident the card named, whatever is selected by now
    assert run_js(qtbot, view, "CW.cards.shown()") is None  # the card closes: the dialog takes over
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-selected').length") == 0


def test_with_no_incident_selected_a_units_card_lists_the_open_incidents_nearby(
    qtbot, view: MapView  # noqa: F811
) -> None:
    nearby = (("INC-3", "道路积水", 850), ("INC-9", XSS_TITLE, 2400))
    view.set_dispatch_offers(lambda _unit_id: _offer("未选择事件：先在事件列表或地图上选中一个事件", nearby=nearby),
                             _no_resource_offer)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(_units())
    _open_card(qtbot, view, "unit", "U-0")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-card-nearby-item').length") == 2,
                    timeout=5000)
    assert run_js(qtbot, view, "document.querySelector('.cw-card-dispatch').disabled") is True
    assert "未选择事件" in run_js(qtbot, view, "document.querySelector('.cw-card-reason').textContent")
    assert "附近的在办事件" in run_js(qtbot, view, "document.querySelector('.cw-card-nearby').textContent")
    items = run_js(qtbot, view, "[...document.querySelectorAll('.cw-card-nearby-item')].map(e => e.textContent)")
    assert items == ["道路积水 · 850 米", f"{XSS_TITLE} · 2.4 公里"]
    assert run_js(qtbot, view, "document.querySelectorAll('.cw-unit-card img').length") == 0
    with qtbot.waitSignal(view.sig_dispatch_unit, timeout=5000) as blocker:
        run_js(qtbot, view, "(document.querySelectorAll('.cw-card-nearby-item')[1].click(), true)")
    assert blocker.args == ["U-0", "INC-9"]
    assert run_js(qtbot, view, "CW.cards.shown()") is None


def _resource(rid: str, status: object = "available", **props: object) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.33, 34.79]},
            "properties": {"id": rid, "name": "区人民医院", "type": "hospital", "town": "常庄街道",
                           "capacity": 300, "status": status, **props}}


STATUS_SHOWN = {  # given -> (the card's word, its colour)
    "available": ("可用", "rgb(48, 209, 88)"),
    "in_use": ("使用中", "rgb(255, 159, 10)"),
    "maintenance": ("维护中", "rgb(255, 214, 10)"),
    "unavailable": ("不可用", "rgb(255, 69, 58)"),
    None: ("状态未知", "rgb(142, 142, 147)"),
    "constructor": ("状态未知（constructor）", "rgb(142, 142, 147)"),
    XSS_TITLE: (f"状态未知（{XSS_TITLE}）", "rgb(142, 142, 147)"),
}


def test_a_resources_card_shows_its_status_in_colour_and_its_details(qtbot, view: MapView) -> None:  # noqa: F811
    resources = [_resource(f"RES-{n}", status) for n, status in enumerate(STATUS_SHOWN)]
    for n, feature in enumerate(resources):
        feature["geometry"]["coordinates"] = [117.22 + 0.03 * n, 34.79]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources(resources)
    for n, (word, colour) in enumerate(STATUS_SHOWN.values()):
        _open_card(qtbot, view, "resource", f"RES-{n}")
        status = "document.querySelector('.cw-resource-card .cw-card-status')"
        assert run_js(qtbot, view, f"{status}.textContent") == word
        assert run_js(qtbot, view, f"getComputedStyle({status}.querySelector('.cw-status-dot')).backgroundColor") \
            == colour
        assert run_js(qtbot, view, "document.querySelectorAll('.cw-resource-card img').length") == 0
    card = run_js(qtbot, view, "document.querySelector('.cw-resource-card').innerText")
    for text in ("区人民医院", "状态", "医院", "常庄街道", "容量", "300", "RES-6", "调派至所选事件"):
        assert text in card
    tip = "CW.groups.resources.getLayers()[3].getTooltip().getContent().textContent"
    assert run_js(qtbot, view, tip) == "区人民医院医院 · 容量 300 · 不可用"  # the tooltip says it too


def test_a_resources_card_dispatches_to_the_incident_it_offers(qtbot, view: MapView) -> None:  # noqa: F811
    asked: list[str] = []

    def offer(resource_id: str) -> dict:
        asked.append(resource_id)
        if resource_id == "RES-M":
            return _offer("该资源维护中，不能调派")
        if resource_id == "RES-A":
            return _offer(incident=("INC-5", "化工厂泄漏"))
        return _offer("未选择事件：先在事件列表或地图上选中一个事件", nearby=(("INC-8", "山林火情", 12000),))

    view.set_dispatch_offers(lambda _unit_id: _offer("—"), offer)
    features = [_resource("RES-A"), _resource("RES-M", "maintenance"), _resource("RES-N")]
    for n, feature in enumerate(features):
        feature["geometry"]["coordinates"] = [117.25 + 0.05 * n, 34.79]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources(features)

    _open_card(qtbot, view, "resource", "RES-M")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelector('.cw-card-reason').textContent")
                    == "该资源维护中，不能调派", timeout=5000)
    with qtbot.assertNotEmitted(view.sig_dispatch_resource, wait=300):
        run_js(qtbot, view, "(document.querySelector('.cw-card-dispatch').click(), true)")

    _open_card(qtbot, view, "resource", "RES-A")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelector('.cw-card-dispatch').disabled") is False,
                    timeout=5000)
    assert run_js(qtbot, view, "document.querySelector('.cw-card-target').textContent") == "所选事件：化工厂泄漏"
    with qtbot.waitSignal(view.sig_dispatch_resource, timeout=5000) as blocker:
        run_js(qtbot, view, "(document.querySelector('.cw-card-dispatch').click(), true)")
    assert blocker.args == ["RES-A", "INC-5"]

    _open_card(qtbot, view, "resource", "RES-N")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-card-nearby-item').length") == 1,
                    timeout=5000)
    assert run_js(qtbot, view, "document.querySelector('.cw-card-nearby-item').textContent") == "山林火情 · 12.0 公里"
    with qtbot.waitSignal(view.sig_dispatch_resource, timeout=5000) as blocker:
        run_js(qtbot, view, "(document.querySelector('.cw-card-nearby-item').click(), true)")
    assert blocker.args == ["RES-N", "INC-8"]
    assert asked == ["RES-M", "RES-A", "RES-N"]
    assert view.resource("RES-N")["status"] == "available" and view.resource("RES-X") is None


def test_a_unit_found_by_the_search_box_is_flown_to_selected_and_its_card_opened(
    qtbot, view: MapView  # noqa: F811
) -> None:
    from commandwall.app.map_search import MapSearch

    units = _units()
    search = MapSearch(list, list, lambda: units)
    view.set_searcher(lambda text: [hit.as_dict() for hit in search.search(text)])
    view.set_dispatch_offers(lambda _unit_id: _offer(BUSY_REASON), _no_resource_offer)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    run_js(qtbot, view, """(() => { CW.search.input.value = "消防一";
        CW.search.input.dispatchEvent(new Event('input')); return true; })()""")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-search-row').length") == 1,
                    timeout=5000)
    run_js(qtbot, view, "(document.querySelector('.cw-search-row').click(), true)")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "CW.cards.shown()") == {"kind": "unit", "id": "U-1"}, timeout=5000)
    assert run_js(qtbot, view, "CW.stats().selectedUnit") == "U-1"
    assert run_js(qtbot, view, "CW.stats().zoom") >= 17
    lon, lat = run_js(qtbot, view, "CW.stats().center")
    assert abs(lon - 117.34) < 1e-3 and abs(lat - 34.78) < 1e-3
    assert "消防一中队" in run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    assert run_js(qtbot, view, "document.querySelector('.cw-unit-selected') !== null") is True


def _available_unit_not_nearest(desk, incident_id: str) -> str:
    _incident, choices = desk.controller.dispatch_choices(incident_id)
    return [c.unit.id for c in choices if c.selectable][1]


def test_dispatch_here_opens_the_dialog_for_the_selected_incident_with_the_unit_ticked(
    qtbot, desk_as  # noqa: F811
) -> None:
    desk = desk_as("duty")

    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    unit_id = _available_unit_not_nearest(desk, incident.id)
    assert desk.feature.unit_offer(unit_id).reason == "未选择事件：先在事件列表或地图上选中一个事件"
    assert desk.feature.panel.select(incident.id)
    assert desk.feature.unit_offer(unit_id).reason is None
    busy = next((u for u in desk.session.units.all() if u.status is not UnitStatus.AVAILABLE), None)
    if busy is not None:
        assert "不能派遣" in desk.feature.unit_offer(busy.id).reason
        # the card and the dispatch itself give the one reason for a unit that cannot go
        assert desk.feature.unit_offer(busy.id).reason == desk.feature.controller.unit_dispatch_refusal(
            incident.id, busy.id)
    assert desk.feature.unit_offer("U-NO-SUCH").reason == "该力量已不在平台上" \
        == desk.feature.controller.unit_dispatch_refusal(incident.id, "U-NO-SUCH")

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
    qtbot.waitUntil(lambda: seen == [[unit_id]], timeout=10000)  # units are ranked on a worker, then the dialog
    assert "派遣任务已提交" in desk.detail.feedback.text() or "项派遣任务已提交" in desk.detail.feedback.text()
    qtbot.waitUntil(lambda: [t.unit_id for t in desk.session.client.tasks(incident.id)] == [unit_id],
                    timeout=15000)
    qtbot.waitUntil(lambda: desk.detail.tasks.count() == 1, timeout=10000)  # the task is back on the incident
    qtbot.waitUntil(lambda: desk.detail.incident.status is IncidentStatus.DISPATCHED, timeout=10000)
    qtbot.waitUntil(lambda: "出勤" in (desk.feature.unit_offer(unit_id).reason or ""), timeout=10000)  # now busy


def test_a_viewer_is_told_why_not(qtbot, desk_as) -> None:  # noqa: F811
    desk = desk_as("viewer")

    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
    assert desk.feature.panel.select(incident.id)
    reason = desk.feature.unit_offer(unit.id).reason
    assert reason is not None and "观察员" in reason
    with qtbot.waitSignal(desk.feature.sig_message, timeout=2000) as blocker:
        desk.feature.dispatch_unit(unit.id)  # no dialog: the refusal is said instead
    assert "观察员" in blocker.args[0]


# ---- 派往此处 against the real exercise backend ---------------------------------------------------------------


def _platform_resource(session, status: str) -> dict:
    """A resource of the platform's resources layer (read through GET /api/v1/layers) as the map has it."""
    layer = next(layer for layer in session.layers if layer.kind == "resources")
    found = [payload.resource_payload(f) for f in layer.features]
    return next(r for r in found if r is not None and r["status"] == status)


def _answer_dispatch(seen: list, instructions_extra: str = "") -> None:
    """Answer the dispatch dialog once it is shown: note what it offers, add to the instructions, send."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, DispatchDialog):
            QTimer.singleShot(50, answer)
            return
        seen.append((dialog.order().incident_id, dialog.checked_unit_ids(), dialog.instructions.toPlainText()))
        dialog.instructions.setPlainText(dialog.instructions.toPlainText() + instructions_extra)
        dialog.accept()

    QTimer.singleShot(50, answer)


def test_a_resources_dispatch_names_it_in_the_task_on_the_platform(qtbot, desk_as) -> None:  # noqa: F811
    desk = desk_as("duty")
    resource = _platform_resource(desk.session, "available")
    assert resource["name"] and resource["status_text"] == ""
    broken = _platform_resource(desk.session, "maintenance")
    assert desk.feature.resource_offer(broken).as_dict() == {
        "enabled": False, "reason": "该资源维护中，不能调派", "incident": None, "nearby": []}

    assert desk.feature.selected_incident_id() is None
    offer = desk.feature.resource_offer(resource)  # nothing selected: the open incidents nearest the resource
    assert offer.reason == "未选择事件：先在事件列表或地图上选中一个事件" and offer.incident is None
    assert 1 <= len(offer.nearby) <= 3
    metres = [m for _i, m in offer.nearby]
    assert metres == sorted(metres)
    target = offer.nearby[0][0]
    assert target.status in TASKABLE

    seen: list = []
    _answer_dispatch(seen, "；随车带上担架")
    desk.feature.dispatch_resource(resource, target.id)
    assert desk.feature.selected_incident_id() == target.id  # the incident it went to is the one shown
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10000)
    assert len(seen) == 1 and seen[0][0] == target.id and len(seen[0][1]) == 1  # the nearest unit ticked
    assert seen[0][2].startswith(f"调用应急资源：{resource['name']}（{resource['type_label']}，")
    assert resource["id"] in seen[0][2]
    qtbot.waitUntil(lambda: any(resource["name"] in t.instructions
                                for t in desk.session.client.tasks(target.id)), timeout=15000)
    task = next(t for t in desk.session.client.tasks(target.id) if resource["name"] in t.instructions)
    assert task.unit_id == seen[0][1][0] and task.instructions.endswith("；随车带上担架")
    qtbot.waitUntil(lambda: any(resource["name"] in desk.detail.tasks.item(i).text()
                                for i in range(desk.detail.tasks.count())), timeout=10000)
    qtbot.waitUntil(lambda: resource["name"] in desk.detail.timeline.toPlainText(), timeout=10000)
    # the incident is selected now: the card offers it
    assert desk.feature.resource_offer(resource).incident.id == target.id


def test_a_unit_with_no_incident_selected_goes_to_a_nearby_one(qtbot, desk_as) -> None:  # noqa: F811
    desk = desk_as("duty")
    unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
    offer = desk.feature.unit_offer(unit.id)
    assert offer.reason == "未选择事件：先在事件列表或地图上选中一个事件" and offer.nearby
    target = offer.nearby[-1][0]  # not necessarily the nearest: the one the officer picked on the card
    before = len(desk.session.client.tasks(target.id))
    seen: list = []
    _answer_dispatch(seen, "就近赶赴现场")
    desk.feature.dispatch_unit(unit.id, target.id)
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert seen[0] == (target.id, [unit.id], "")
    assert desk.feature.selected_incident_id() == target.id
    qtbot.waitUntil(lambda: unit.id in [t.unit_id for t in desk.session.client.tasks(target.id)], timeout=15000)
    qtbot.waitUntil(lambda: desk.detail.tasks.count() == before + 1, timeout=10000)
    qtbot.waitUntil(lambda: "出勤" in (desk.feature.unit_offer(unit.id).reason or ""), timeout=10000)
    assert desk.feature.unit_offer(unit.id).nearby == ()  # a busy unit is offered nothing


def test_a_viewer_is_offered_nothing_and_told_why(qtbot, desk_as) -> None:  # noqa: F811
    desk = desk_as("viewer")
    unit = next(u for u in desk.session.units.all() if u.status is UnitStatus.AVAILABLE)
    resource = _platform_resource(desk.session, "available")
    for offer in (desk.feature.unit_offer(unit.id), desk.feature.resource_offer(resource)):
        assert "观察员" in (offer.reason or "") and offer.nearby == () and offer.incident is None
    incident = next(i for i in desk.session.incidents.open() if i.status is IncidentStatus.NEW)
    with qtbot.waitSignal(desk.feature.sig_message, timeout=2000) as blocker:
        desk.feature.dispatch_resource(resource, incident.id)  # no dialog: the refusal is said instead
    assert "观察员" in blocker.args[0]
    assert desk.session.client.tasks(incident.id) == []


def test_the_cards_button_on_the_real_page_makes_the_task_on_the_platform(qtbot, window) -> None:  # noqa: F811
    """The whole way: the resource's card on the main window's map page, 调派至所选事件, the dispatch dialog,
    the outbox, the exercise backend's task and the incident's task list."""
    incident = next(i for i in window.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert window.incidents.select(incident.id)
    resource = _platform_resource(window.session, "available")
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.stats().resources") > 0, timeout=15000)
    run_js(qtbot, window.map, f"""(CW.groups.resources.eachLayer(m => {{
        if (m.cwResource === {resource['id']!r}) m.fire('click'); }}), true)""")
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "CW.cards.shown()") == {"kind": "resource",
                                                                             "id": resource["id"]}, timeout=5000)
    qtbot.waitUntil(lambda: run_js(qtbot, window.map, "document.querySelector('.cw-card-dispatch').disabled")
                    is False, timeout=5000)
    assert run_js(qtbot, window.map, "document.querySelector('.cw-card-status').textContent") == "可用"
    assert incident.title in run_js(qtbot, window.map, "document.querySelector('.cw-card-target').textContent")
    seen: list = []
    _answer_dispatch(seen)
    run_js(qtbot, window.map, "(document.querySelector('.cw-card-dispatch').click(), true)")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10000)
    assert seen[0][0] == incident.id and resource["name"] in seen[0][2]
    qtbot.waitUntil(lambda: any(resource["name"] in t.instructions
                                for t in window.session.client.tasks(incident.id)), timeout=15000)
    detail = window.incidents.detail
    qtbot.waitUntil(lambda: any(resource["name"] in detail.tasks.item(i).text()
                                for i in range(detail.tasks.count())), timeout=10000)


def test_a_card_whose_bridge_cannot_answer_says_so_instead_of_checking_for_ever(
        qtbot, view: MapView) -> None:  # noqa: F811
    view.set_dispatch_offers(lambda _unit_id: _offer("—"), lambda _resource_id: _offer("—"))
    features = [_resource("RES-A"), _resource("RES-B")]
    for n, feature in enumerate(features):
        feature["geometry"]["coordinates"] = [117.24 + 0.12 * n, 34.74]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources(features)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(_units())
    reason = "document.querySelector('.cw-card-reason').textContent"
    failed = "无法确认能否派遣，请稍后重新打开"
    # a bridge that answers units' cards but lacks resourceDispatch
    run_js(qtbot, view, "(CW.realBridge = CW.bridge, CW.bridge = Object.create(CW.realBridge),"
                        " CW.bridge.resourceDispatch = undefined, true)")
    _open_card(qtbot, view, "resource", "RES-A")
    qtbot.waitUntil(lambda: run_js(qtbot, view, reason) == "未连接", timeout=5000)
    assert run_js(qtbot, view, "document.querySelector('.cw-card-dispatch').disabled") is True
    # one whose method throws
    run_js(qtbot, view, "(CW.bridge.resourceDispatch = function () { throw new Error('gone'); }, true)")
    close_card(qtbot, view)
    _open_card(qtbot, view, "resource", "RES-B")
    qtbot.waitUntil(lambda: run_js(qtbot, view, reason) == failed, timeout=5000)
    # the unit's card asks its own method, and says so when the answer is not an offer
    close_card(qtbot, view)
    _open_card(qtbot, view, "unit", "U-0")
    qtbot.waitUntil(lambda: run_js(qtbot, view, reason) == "—", timeout=5000)
    run_js(qtbot, view, "(CW.bridge.unitDispatch = function (id, done) { done('not json'); }, true)")
    close_card(qtbot, view)
    _open_card(qtbot, view, "unit", "U-1")
    qtbot.waitUntil(lambda: run_js(qtbot, view, reason) == failed, timeout=5000)
    assert run_js(qtbot, view, "document.querySelector('.cw-card-dispatch').disabled") is True
    run_js(qtbot, view, "(CW.bridge = CW.realBridge, true)")


def close_card(qtbot, page: MapView) -> None:
    """Close the open card (its popup may cover the next marker)."""
    run_js(qtbot, page, "(document.querySelector('.cw-card-popup .leaflet-popup-close-button').click(), true)")
    qtbot.waitUntil(lambda: run_js(qtbot, page, "CW.cards.shown() === null"
                                        " && document.querySelector('.cw-card-popup') === null"), timeout=5000)


def test_a_resource_without_an_id_is_shown_but_never_dispatched(qtbot, window) -> None:  # noqa: F811
    """Two resources without an id: neither is what view.resource('') gives, the card says why no dispatch,
    and a dispatch naming '' is refused with the reason instead of reaching the dialog."""
    incident = next(i for i in window.session.incidents.open() if i.status is IncidentStatus.NEW)
    assert window.incidents.select(incident.id)
    page = window.map_feature.view
    unnamed = [_resource(""), _resource("", name="无编号仓库"), _resource("RES-OK")]
    for n, feature in enumerate(unnamed):
        feature["geometry"]["coordinates"] = [117.24 + 0.06 * n, 34.74]
    with qtbot.waitSignal(page.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=10000):
        page.set_resources(unnamed)
    assert page.resource("") is None and page.resource("RES-OK") is not None
    assert run_js(qtbot, page, "CW.stats().resources") == 3  # still shown on the map
    run_js(qtbot, page, "(CW.groups.resources.getLayers()[1].fire('click'), true)")
    reason = "document.querySelector('.cw-card-reason').textContent"
    qtbot.waitUntil(lambda: run_js(qtbot, page, reason) == "该资源没有编号，不能调派", timeout=5000)
    assert run_js(qtbot, page, "document.querySelector('.cw-card-dispatch').disabled") is True
    with qtbot.waitSignal(window.map_feature.sig_message, timeout=2000) as blocker, \
            qtbot.assertNotEmitted(window.map_feature.sig_dispatch_resource, wait=300):
        window.map_feature._on_dispatch_resource("", incident.id)  # as the page would ask
    assert blocker.args[0] == "该资源没有编号，不能调派"


def test_a_unit_silent_for_minutes_is_drawn_faded_and_its_card_and_tip_say_since_when(qtbot, view: MapView  # noqa: F811
                                                                                     ) -> None:
    """A unit whose radio went quiet 12 minutes ago is not where the map would draw it: it is drawn faded and
    dashed (the legend says what that means), its tip and card say how long it has been silent; a unit that
    reported a minute ago looks as ever."""
    from datetime import timedelta

    from commandwall import localtime

    now = localtime.now()
    units = [Unit(id="U-0", name="巡逻一组", department="公安", lon=117.30, lat=34.78,
                  updated_at=now - timedelta(minutes=1)),
             Unit(id="U-1", name="巡逻二组", department="公安", lon=117.34, lat=34.78,
                  updated_at=now - timedelta(minutes=12, seconds=5))]
    view.set_dispatch_offers(lambda _unit_id: _offer("—"), _no_resource_offer)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    stale = run_js(qtbot, view, "Array.from(document.querySelectorAll('.cw-unit')).map(function (n) {"
                                " return n.classList.contains('cw-unit-stale'); })")
    assert sorted(stale) == [False, True]
    opacity = run_js(qtbot, view, "getComputedStyle(document.querySelector('.cw-unit-stale .cw-unit-badge')).opacity")
    assert float(opacity) < 0.6
    legend = run_js(qtbot, view, "document.querySelector('.cw-legend').textContent")  # folded or not
    assert "超过 5 分钟无上报" in legend
    _open_card(qtbot, view, "unit", "U-1")
    card = run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    assert "12分钟前" in card and "位置可能已变" in card
    _open_card(qtbot, view, "unit", "U-0")
    card = run_js(qtbot, view, "document.querySelector('.cw-unit-card').innerText")
    assert "分钟前" not in card and "位置可能已变" not in card
