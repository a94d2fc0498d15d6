"""The hostile corpus through the map's new paths on the real page (offscreen QtWebEngine): search rows,
the drawn-selection list, unit and resource cards. Every name and id shows as ``display_text`` of itself, as
text; nothing becomes an element and nothing runs."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from commandwall.app.dispatch import DispatchOffer
from commandwall.app.map_search import MapSearch
from commandwall.app.map_select import CameraPicker
from commandwall.domain.models import Unit
from commandwall.domain.workflow import TASKABLE
from commandwall.mapdoc import payload
from commandwall.textsafe import display_text
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.map.view import MapView
from tests.hostile import corpus
from tests.ui.test_hostile_text import assert_nothing_hidden
from tests.ui.test_incident_workflow_ui import desk_as  # noqa: F401  (fixture)
from tests.ui.test_map_cards import _open_card
from tests.ui.test_map_view import make_cameras, make_incident, no_page_errors, run_js, view  # noqa: F401

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
TEXTS = [t for t in dict.fromkeys(corpus()) if t.strip() and len(t) < 1000][:24]

#: a spread of the corpus for the cards: template syntax, markup and script, entities, bidi and invisible
#: characters (one card each; every text takes a few seconds there)
CARD_TEXTS = [TEXTS[i] for i in (16, 14, 13, 0, 7, 21, 22, 23, 17, 20)]

def _nothing_ran(qtbot, page: MapView) -> None:
    assert run_js(qtbot, page, "typeof window.__pwned") == "undefined"
    assert run_js(qtbot, page, "document.querySelectorAll('.cw-search img, .cw-selection img, "
                               ".leaflet-popup img, .cw-search b, .leaflet-popup b').length") == 0


def test_search_rows_show_hostile_names_and_ids_as_text(qtbot, view: MapView) -> None:  # noqa: F811
    cameras = [c.model_copy(update={"name": f"点{text}"}) for c, text in zip(make_cameras(len(TEXTS)), TEXTS,
                                                                             strict=True)]
    grids = [{"type": "Feature", "properties": {"id": f"点{text}", "name": f"点格{n}"},
              "geometry": {"type": "Polygon", "coordinates": [[[117.2, 34.7], [117.21, 34.7], [117.21, 34.71],
                                                                [117.2, 34.7]]]}} for n, text in enumerate(TEXTS)]
    search = MapSearch(lambda: cameras, list, list, grids=grids)
    view.set_searcher(lambda text: [hit.as_dict() for hit in search.search(text, limit=100)])
    run_js(qtbot, view, """(() => { CW.search.input.value = "点";
        CW.search.input.dispatchEvent(new Event("input")); return true; })()""")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-search-row').length")
                    == 2 * len(TEXTS), timeout=10000)
    labels = run_js(qtbot, view, "[...document.querySelectorAll('.cw-search-label')].map(e => e.textContent)")
    details = run_js(qtbot, view, "[...document.querySelectorAll('.cw-search-detail')].map(e => e.textContent)")
    for text in TEXTS:
        assert display_text(f"点{text}") in labels, text
        assert display_text(f"点{text}", 64) in details, f"a grid id is outside text too: {text!r}"
    _nothing_ran(qtbot, view)


def test_the_selection_list_shows_hostile_camera_names_as_text(qtbot, view: MapView) -> None:  # noqa: F811
    cameras = [c.model_copy(update={"name": text}) for c, text in zip(make_cameras(len(TEXTS)), TEXTS,
                                                                       strict=True)]
    view.set_camera_picker(CameraPicker.of(cameras).pick)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "cameras", timeout=10000):
        view.set_cameras(cameras)
    run_js(qtbot, view, "(CW.selection.start('rectangle'), CW.selection.add([34.6, 117.1]), "
                        "CW.selection.add([34.9, 117.5]), true)")
    qtbot.waitUntil(lambda: len(run_js(qtbot, view, "CW.selection.items()")) == len(cameras), timeout=10000)
    names = run_js(qtbot, view, "[...document.querySelectorAll('.cw-selection-name')].map(e => e.textContent)")
    assert sorted(names) == sorted(display_text(text) for text in TEXTS)
    _nothing_ran(qtbot, view)


def test_unit_and_resource_cards_show_hostile_text_as_text(qtbot, view: MapView) -> None:  # noqa: F811
    reason = CARD_TEXTS[0]
    nearby = tuple((make_incident(f"INC-{n}", title=text), 100.0 * n) for n, text in enumerate(CARD_TEXTS[:3]))
    view.set_dispatch_offers(lambda _unit_id: DispatchOffer(reason, None, nearby).as_dict(),
                             lambda _resource_id: DispatchOffer(None, nearby[1][0]).as_dict())
    units = [Unit(id=f"U-{n}", name=text, department=text, lon=117.20 + 0.02 * (n % 8), lat=34.70 + 0.02 * (n // 8),
                  status="available", updated_at=NOW) for n, text in enumerate(CARD_TEXTS)]
    resources = [{"type": "Feature", "geometry": {"type": "Point",
                                                  "coordinates": [117.21 + 0.02 * (n % 8), 34.71 + 0.02 * (n // 8)]},
                  "properties": {"id": f"R{n}{text}", "name": text, "town": text, "type": text, "status": text}}
                 for n, text in enumerate(CARD_TEXTS)]
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "resources", timeout=5000):
        view.set_resources(resources)
    for unit in units:
        _open_card(qtbot, view, "unit", unit.id)
        qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelector('.cw-card-reason') !== null && "
                                                    "document.querySelector('.cw-card-reason').textContent")
                        == display_text(reason), timeout=5000)
        assert run_js(qtbot, view, "document.querySelector('.cw-unit-card .cw-card-title').textContent") == \
            display_text(unit.name)
        assert display_text(unit.department) in run_js(qtbot, view, "document.querySelector('.cw-unit-card')"
                                                                    ".textContent")
        items = run_js(qtbot, view, "[...document.querySelectorAll('.cw-card-nearby-item')].map(e => e.textContent)")
        assert [item.rsplit(" · ", 1)[0] for item in items] == [display_text(t, 60) for t in CARD_TEXTS[:3]]
    for n, text in enumerate(CARD_TEXTS):
        _open_card(qtbot, view, "resource", f"R{n}{text}")
        card = run_js(qtbot, view, "document.querySelector('.cw-resource-card').textContent")
        assert display_text(text) in card and display_text(f"R{n}{text}", 64) in card
        status = run_js(qtbot, view, "document.querySelector('.cw-card-status').textContent")
        assert status == f"状态未知（{display_text(text, 40)}）", text  # the platform's word, as text
        qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelector('.cw-card-target').textContent")
                        == f"所选事件：{display_text(CARD_TEXTS[1], 60)}", timeout=5000)
    _nothing_ran(qtbot, view)


def test_unit_hits_show_hostile_names_departments_and_ids_as_text_and_open_the_units_card(
        qtbot, view: MapView) -> None:  # noqa: F811
    """A unit's search hit: its name, department and id (a platform's id is outside text too) as text, the long
    one cut; the hit chosen flies to the unit and opens its card, found by its raw id."""
    texts = [t for t in dict.fromkeys(corpus()) if t.strip()]  # the 10 000 characters too
    units = [Unit(id=f"U{n}" + ("" if any(ord(c) < 32 or c == "\x7f" for c in text) else text[:100]),
                  name=f"点{text}", department=text, lon=117.20 + 0.01 * (n % 8), lat=34.70 + 0.01 * (n // 8),
                  status="available", updated_at=NOW) for n, text in enumerate(texts)]
    search = MapSearch(list, list, lambda: units)
    view.set_searcher(lambda text: [hit.as_dict() for hit in search.search(text, limit=100)])
    view.set_dispatch_offers(lambda _unit_id: DispatchOffer("—").as_dict(),
                             lambda _resource_id: DispatchOffer("—").as_dict())
    with qtbot.waitSignal(view.sig_layer_drawn, check_params_cb=lambda k, n: k == "units", timeout=5000):
        view.set_units(units)
    run_js(qtbot, view, """(() => { CW.search.input.value = "点";
        CW.search.input.dispatchEvent(new Event("input")); return true; })()""")
    qtbot.waitUntil(lambda: run_js(qtbot, view, "document.querySelectorAll('.cw-search-row').length")
                    == len(units), timeout=10000)
    hits = run_js(qtbot, view, """CW.search.results().map((hit, i) => [hit.id,
        document.querySelectorAll('.cw-search-label')[i].textContent,
        document.querySelectorAll('.cw-search-detail')[i].textContent])""")
    shown = {unit_id: (label, detail) for unit_id, label, detail in hits}
    for unit in units:
        label, detail = shown[unit.id]  # the page acts on the raw id
        assert label == display_text(unit.name), unit.name[:40]
        assert detail == f"{display_text(unit.id, 64)} · {display_text(unit.department)}", unit.id[:40]
        assert len(label) <= 500 and len(detail) <= 64 + 3 + 500
        assert_nothing_hidden(label)
        assert_nothing_hidden(detail)
    kinds = run_js(qtbot, view, "[...document.querySelectorAll('.cw-search-kind')].map(e => e.textContent)")
    assert set(kinds) == {"力量"}
    for text in CARD_TEXTS[:4]:  # markup, script, template syntax: the hit opens that unit's card
        unit = next(u for u in units if u.department == text)
        index = [unit_id for unit_id, _, _ in hits].index(unit.id)
        run_js(qtbot, view, f"(CW.search.choose({index}), true)")
        qtbot.waitUntil(lambda u=unit: run_js(qtbot, view, "CW.cards.shown()") == {"kind": "unit", "id": u.id},
                        timeout=5000)
        assert run_js(qtbot, view, "document.querySelector('.cw-unit-card .cw-card-title').textContent") == \
            display_text(unit.name)
    _nothing_ran(qtbot, view)


def _dispatch_dialog_seen(seen: list) -> None:
    """Note what the dispatch dialog shows once it is open (its 处置要求, its labels' formats), then cancel it."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, DispatchDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append((dialog.instructions.toPlainText(), [label.textFormat() for label in dialog.findChildren(QLabel)]))
        dialog.reject()

    QTimer.singleShot(20, answer)


def test_a_hostile_resources_dispatch_names_it_in_the_instructions_as_text(qtbot, desk_as) -> None:  # noqa: F811
    """调派至所选事件 from a resource's card whose name, type, town and id are hostile: the dialog's 处置要求
    names the resource as text — markup and template syntax as their characters, bidi and invisible controls as
    marks, each piece cut — short enough for the platform (2000 characters at most)."""
    desk = desk_as("duty")
    incident = next(i for i in desk.session.incidents.open() if i.status in TASKABLE)
    texts = [t for t in dict.fromkeys(corpus()) if t.strip()]
    for n, text in enumerate(texts):
        resource = payload.resource_payload({"type": "Feature", "geometry": {"type": "Point",
                                                                              "coordinates": [117.3, 34.8]},
                                             "properties": {"id": f"R{n}{text}", "name": text, "type": text,
                                                            "town": text, "status": "available"}})
        seen: list = []
        _dispatch_dialog_seen(seen)
        desk.feature.dispatch_resource(resource, incident.id)
        qtbot.waitUntil(lambda seen=seen: len(seen) == 1, timeout=10000)  # units ranked on a worker first
        assert len(seen) == 1, text[:40]
        instructions, formats = seen[0]
        shown, number = display_text(text), display_text(f"R{n}{text}", 64)
        assert instructions.startswith(f"调用应急资源：{shown}（{shown}，{shown}，编号 {number}，")
        assert instructions.endswith("位置 117.30000, 34.80000）") and len(instructions) <= 2000
        assert_nothing_hidden(instructions)
        assert set(formats) == {Qt.TextFormat.PlainText}
