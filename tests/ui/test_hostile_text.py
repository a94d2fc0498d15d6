"""Hostile text from the platform in the real widgets: shown literally, as plain text, with nothing hidden.

Incidents, tasks, cameras, units, users and server errors carry the hostile corpus (markup, template syntax,
bidirectional and invisible controls, NUL, 10 000 characters, emoji, CJK). Every widget that shows them must
show ``display_text`` of the value: markup as its characters, ``U+202E`` and friends as visible marks, long
text cut; labels are plain text, tooltips are escaped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from commandwall.app.dispatch import UnitChoice, describe_task
from commandwall.app.login import USER_NAME_MAX
from commandwall.app.session import ClientSession, DeskUser
from commandwall.backend.events import ConnectionState
from commandwall.config import Settings
from commandwall.domain.models import Camera, CameraStatus, Incident, StreamUrls, Task, Unit
from commandwall.textsafe import BIDI_CONTROLS, FSI, PDI, ZWJ, display_text, is_hidden
from commandwall.ui.about import about_text
from commandwall.ui.cameras import CameraTree
from commandwall.ui.cameras.model import ROLE_CAMERA_ID
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.incidents.panel import DESCRIPTION_MAX_LEN, IncidentPanel
from commandwall.ui.status import PlatformStatus
from commandwall.ui.wall import WallView
from commandwall.ui.wall.ptz import PtzPad
from tests.hostile import corpus
from tests.ui.windows import main_window
from tests.unit.test_video_mjpeg import free_port


@pytest.fixture(params=["zh_CN", "en"], autouse=True)
def language(request) -> str:
    """Every test in both languages: a translated template must take hostile fields as literally as the source."""
    if request.param == "en":
        request.getfixturevalue("english")
    return request.param


T0 = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)
ROLE = {"zh_CN": "值班员", "en": "Duty officer"}
NEW_INCIDENT = {"zh_CN": "新事件", "en": "New incident"}
CANNOT_CONNECT = {"zh_CN": "无法连接平台：", "en": "Cannot connect to the platform: "}
#: The corpus the brief of this client names, on top of the shared one (which has most of these already).
EXTRA = [
    "<b>bold</b>",
    "<img src=x onerror=alert(1)>",
    "&amp;",
    "{{7*7}}",
    "\u202egnp.exe",
    "零\u200b宽",
    "NUL\x00",
    "x" * 10_000,
    "🚒🌊",
    "临城街道",
]
HOSTILE = [text for text in dict.fromkeys([*corpus(), *EXTRA]) if text.strip()]  # names must not be blank


def named(n: int, text: str) -> str:
    """A hostile text made unique per object (the stores key some views by name)."""
    return f"{text}{n}" if len(text) < 5_000 else text


def incident(n: int, text: str) -> Incident:
    return Incident(
        id=f"INC-{n:04d}", title=named(n, text), category=text, description=text, lon=117.26, lat=34.8,
        town=text, grid=text, source=text, priority=2, reported_at=T0 + timedelta(minutes=n),
        updated_at=T0 + timedelta(minutes=n), version=1,
    )  # fmt: skip


def camera(n: int, text: str, *, town: str = "临城街道", kind: str = "ptz") -> Camera:
    base = f"http://127.0.0.1:{free_port()}/CAM-{n:04d}"
    return Camera(
        id=f"CAM-{n:04d}", name=named(n, text), lon=117.26, lat=34.79, town=town, grid=text, kind=kind,
        status=CameraStatus.ONLINE, streams=StreamUrls(main=f"{base}/main.mjpg", sub=f"{base}/sub.mjpg"),
    )  # fmt: skip


def unit(n: int, text: str) -> Unit:
    return Unit(id=f"U-{n}", name=named(n, text), department=text, lon=117.2, lat=34.8, updated_at=T0)


def tooltip_text(tooltip: str) -> str:
    """What a rich-text tooltip shows, as plain text."""
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


def assert_nothing_hidden(shown: str) -> None:
    """No invisible or direction-changing character, except our isolates and the joiners emoji need."""
    assert not (BIDI_CONTROLS - {FSI, PDI}) & set(shown), repr(shown[:120])
    assert shown.count(FSI) == shown.count(PDI)
    hidden = [c for c in shown if is_hidden(c) and c not in (FSI, PDI, ZWJ) and not "\ufe00" <= c <= "\ufe0f"]
    assert not hidden, repr(shown[:120])


def plain_labels(widget: QWidget) -> None:
    for label in widget.findChildren(QLabel):
        assert label.textFormat() is Qt.TextFormat.PlainText, (label.objectName(), label.text()[:80])


# ---- the incident list and detail ----------------------------------------------------------------------


def test_the_incident_table_shows_every_hostile_text_literally(qtbot: QtBot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    incidents = [incident(n, text) for n, text in enumerate(HOSTILE, start=1)]
    panel.set_incidents(incidents)
    model = panel.model
    assert model.rowCount() == len(HOSTILE)
    for row in range(model.rowCount()):
        inc = model.incident_at(row)
        cells = [model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole) for col in (2, 3, 4)]
        assert cells == [display_text(inc.category), display_text(inc.title), display_text(inc.town)]
        for cell in cells:
            assert_nothing_hidden(cell)
        tooltip = model.data(model.index(row, 3), Qt.ItemDataRole.ToolTipRole)
        assert tooltip_text(tooltip) == display_text(inc.title)


def test_the_incident_detail_shows_every_hostile_text_literally(qtbot: QtBot):
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 800)
    panel.show()
    incidents = [incident(n, text) for n, text in enumerate(HOSTILE, start=1)]
    panel.set_incidents(incidents)
    panel.only_open.setChecked(False)
    detail = panel.detail
    for inc in incidents:
        assert panel.select(inc.id)
        assert detail.title.text() == display_text(inc.title)
        assert detail.fields["id"].text() == inc.id
        assert display_text(inc.source) in detail.fields["category"].text()
        assert display_text(inc.town) in detail.fields["place"].text()
        assert detail.description.toPlainText() == display_text(inc.description, DESCRIPTION_MAX_LEN, multiline=True)
        for label in (detail.title, *detail.fields.values()):
            assert_nothing_hidden(label.text())
        task = Task(id=f"T-{inc.id}", incident_id=inc.id, department=inc.title, instructions=inc.description,
                    created_at=T0)
        tasks = [task]
        detail.show_tasks([(describe_task(task, T0), False)])
        line = detail.tasks.item(0).text()
        assert display_text(tasks[0].department) in line and display_text(tasks[0].instructions) in line
        assert_nothing_hidden(line)
        detail.set_feedback(f"派遣任务被平台拒绝：{inc.title}")
        assert detail.feedback.text() == display_text(f"派遣任务被平台拒绝：{inc.title}")
    plain_labels(detail)


def test_the_detail_shows_a_hostile_town_or_grid_the_platform_reported_literally(qtbot: QtBot):
    """The 位置 line names the platform's own town and grid cell when they differ from the point's: those come
    from outside, and are shown as their characters, never as a template, markup or a turn of direction."""
    from commandwall.app.areas import Placement

    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.show()
    incidents = [incident(n, "临城街道") for n, _ in enumerate(HOSTILE, start=1)]
    reported = {inc.id: text for inc, text in zip(incidents, HOSTILE, strict=True)}
    panel.detail.placement_of = lambda incident_id: Placement(
        "临城街道", "G-001", True, True, reported[incident_id], reported[incident_id])
    panel.set_incidents(incidents)
    panel.only_open.setChecked(False)
    for inc in incidents:
        assert panel.select(inc.id)
        shown = panel.detail.fields["place"].text()
        text = reported[inc.id]
        if text.strip() and text != "临城街道":
            assert display_text(text, 60) in shown or display_text(text) in shown, (text[:60], shown[:120])
        assert_nothing_hidden(shown)
        tip = panel.detail.fields["place"].toolTip()
        assert "<img" not in tip.lower() and "<script" not in tip.lower(), tip[:120]
    plain_labels(panel.detail)


def test_markup_in_a_title_is_laid_out_as_its_characters(qtbot: QtBot):
    """A rendered check: a label that read ``<b>…</b>`` or ``<img>`` as markup would be far narrower."""
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.show()
    for n, raw in enumerate(("<b>粗体</b>", "<img src=x onerror=alert(1)>"), start=1):
        panel.set_incidents([incident(n, raw)])
        panel.select(f"INC-{n:04d}")
        title = panel.detail.title
        title.setWordWrap(False)
        assert title.sizeHint().width() >= title.fontMetrics().horizontalAdvance(display_text(f"{raw}{n}"))


# ---- the dispatch dialog -------------------------------------------------------------------------------


def test_the_dispatch_dialog_shows_hostile_incident_and_unit_names_literally(qtbot: QtBot):
    units = [UnitChoice(unit(n, text), 100.0 * n, n % 2 == 0) for n, text in enumerate(HOSTILE, start=1)]
    for n, text in enumerate(HOSTILE[:12], start=1):
        inc = incident(n, text)
        dialog = DispatchDialog(inc, units)
        qtbot.addWidget(dialog)
        assert display_text(inc.title) in [label.text() for label in dialog.findChildren(QLabel)]
        for i, choice in enumerate(units):
            shown = dialog.units.item(i).text()
            assert display_text(choice.unit.name) in shown and display_text(choice.unit.department) in shown
            assert_nothing_hidden(shown)
        dialog.instructions.setPlainText("立即赶赴现场")
        order = dialog.order()
        assert order.incident_id == inc.id  # what is sent is the data, not what is shown
        assert set(order.unit_ids) <= {c.unit.id for c in units}
        plain_labels(dialog)


# ---- cameras: tree, wall tile, PTZ pad -----------------------------------------------------------------


def test_the_camera_tree_shows_hostile_names_towns_and_kinds_literally(qtbot: QtBot):
    tree = CameraTree()
    qtbot.addWidget(tree)
    tree.show()
    cameras = [camera(n, text, town=text, kind=text) for n, text in enumerate(HOSTILE, start=1)]
    tree.set_cameras(cameras)
    for cam in cameras:
        index = tree.camera_index(cam.id)
        assert index.data() == display_text(cam.name)
        kind = index.siblingAtColumn(1).data()
        assert kind == display_text(cam.kind)
        town = tree.town_index(cam.town).data()
        assert display_text(cam.town) in town
        for text in (index.data(), kind, town):
            assert_nothing_hidden(text)
        assert index.data(ROLE_CAMERA_ID) == cam.id
        tip = tooltip_text(tree.tooltip_for(index))
        assert tip.splitlines()[0] == display_text(cam.name)
        for line in tip.splitlines():
            assert_nothing_hidden(line)


def test_a_wall_tile_captions_a_hostile_camera_name_literally(qtbot: QtBot, wall: WallView):
    for n, text in enumerate(HOSTILE[:16], start=1):
        cam = camera(n, text)
        index = wall.play(cam, tile_index=n % 4)
        tile = wall.tile(index)
        assert tile.caption() == display_text(cam.name)
        assert_nothing_hidden(tile.caption())


def _coloured_pixels(image: QImage, rect: QRect) -> int:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    buf = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    pixels = buf[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).astype(int)
    part = pixels[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
    spread = part.max(axis=2) - part.min(axis=2)
    return int((spread > 80).sum())


def test_an_emoji_in_a_tile_caption_is_drawn_in_colour_not_as_a_box(qtbot: QtBot, wall: WallView):
    """The caption "🚒🌊" is drawn with a colour emoji font: red and blue pixels where the name goes.

    Without an emoji font the same caption is a pair of grey boxes (tofu) and no pixel has colour.
    """
    wall.play(camera(1, "🚒🌊消防"), tile_index=0)
    wall.play(camera(2, "临城街道消防"), tile_index=1)
    qtbot.wait(50)
    image = wall.grab().toImage()
    bars = []
    for i in (0, 1):
        geo = wall.tile(i).geometry()
        bar_h = max(16, min(30, geo.height() // 10))
        bars.append(QRect(geo.left() + 2, geo.top() + 1, geo.width() // 3, bar_h - 2))
    assert _coloured_pixels(image, bars[1]) == 0, "a CJK caption has no coloured pixel"
    assert _coloured_pixels(image, bars[0]) > 20, "the emoji were not drawn in colour (no emoji font?)"


def test_the_ptz_pad_shows_hostile_names_kinds_and_errors_literally(qtbot: QtBot):
    pad = PtzPad()
    qtbot.addWidget(pad)
    pad.show()
    for n, text in enumerate(HOSTILE, start=1):
        cam = camera(n, text)
        pad.set_camera(cam)
        assert pad.title.text() == display_text(cam.name)
        pad.report_result(cam.id, text)
        qtbot.waitUntil(lambda text=text: pad.feedback.text() == display_text(text), timeout=2000)
        odd = camera(n, text, kind=text)
        pad.set_camera(odd)
        assert display_text(odd.kind) in pad.state.text()
        for label in (pad.title, pad.feedback, pad.state):
            assert_nothing_hidden(label.text())
    plain_labels(pad)


def test_hostile_texts_arriving_in_batches_on_screen_widen_the_columns_within_their_cap(qtbot: QtBot):
    """The batches of a burst fit the columns from their own texts (shown, not Qt measuring): every hostile
    category and town is measured as the list shows it, no column grows past its cap, and the list paints."""
    from commandwall.ui.incidents.panel import FITTED_COLUMNS
    from tests.ui.test_incident_batches import panel_on_screen

    panel = panel_on_screen(qtbot, [incident(1, "临城街道")], 1100, 700)
    header = panel.table.horizontalHeader()
    cap = panel._fit_cap()
    texts = [*HOSTILE, "\u202e" + "<b>{{很长的镇街}}</b>" * 60]  # and one far wider than any column may grow
    for start in range(0, len(texts), 7):  # batches of seven, as the live feed hands them over
        batch = [incident(n, text) for n, text in enumerate(texts[start:start + 7], start=100 + start)]
        panel.upsert_incidents(batch, unseen=True)
        for column in FITTED_COLUMNS:
            assert header.sectionSize(column) <= max(cap, header.sectionSizeHint(column))
    shown = panel.model.rowCount()
    assert shown == len(texts) + 1
    for row in range(shown):
        for column in (2, 4):
            assert_nothing_hidden(panel.model.data(panel.model.index(row, column), Qt.ItemDataRole.DisplayRole))
    assert not panel.table.viewport().grab().isNull()  # painted with every hostile row in it
    short = [t for t in HOSTILE if len(display_text(t)) < 8]
    assert short, "the corpus has short texts that must fit whole"
    metrics = panel.table.fontMetrics()
    town = max((display_text(t) for t in short), key=metrics.horizontalAdvance)
    assert header.sectionSize(4) >= metrics.horizontalAdvance(town)  # a short hostile town is not cut


# ---- status bar, banner, about -------------------------------------------------------------------------


def test_the_status_bar_and_banner_show_hostile_user_and_server_text_literally(qtbot: QtBot, language: str):
    holder = QWidget()
    qtbot.addWidget(holder)
    bar = QStatusBar(holder)
    status = PlatformStatus(bar, holder)
    for text in HOSTILE:
        status.set_user(DeskUser(username="duty", display_name=text, roles=[text, "duty_officer"]))
        shown = status.user_label.text()  # the name as shown, cut to its bound
        assert display_text(text, USER_NAME_MAX, isolate=True) in shown and ROLE[language] in shown
        status.set_failed(text)
        assert status.banner.text() == display_text(f"{CANNOT_CONNECT[language]}{text}")
        assert tooltip_text(status.connection_label.toolTip()) == display_text(text)
        status.set_connection(ConnectionState.OFFLINE, text)
        for label in (status.user_label, status.banner, status.connection_label):
            assert label.textFormat() is Qt.TextFormat.PlainText
            assert_nothing_hidden(label.text())
    plain_labels(holder)


def test_the_about_box_shows_a_hostile_platform_address_literally(qtbot: QtBot):
    shown = tooltip_text(about_text("https://platform.example/\u202egnp.exe/<b>x</b>"))
    assert "‹U+202E›gnp.exe/<b>x</b>" in shown
    for line in shown.splitlines():
        assert_nothing_hidden(line)


# ---- the main window: the new-incident toast ------------------------------------------------------------


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_the_new_incident_message_in_the_main_window_shows_hostile_text_literally(qtbot: QtBot, tmp_path,
                                                                                  exercise_platform, language):
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), exercise_platform), size=(1280, 800)) as win:
        for n, text in enumerate(("\u202egnp.exe", "<b>粗体</b>\x00", "🚒" + "长" * 300), start=9001):
            inc = incident(n, text)
            win.signals.sig_incidents.emit([inc])
            # said in the status bar, and kept in 消息 when the alarm's line (a severe incident) takes its place
            said = [text for _moment, text in reversed(win.messages.entries)]
            message = next(text for text in said if text.startswith(NEW_INCIDENT[language]))
            assert display_text(inc.title) in message and display_text(inc.town) in message
            assert_nothing_hidden(message)
            assert win.incidents.model.incident(inc.id) is not None
            toast = win.alarm_feature.toast  # a severe one raises the alarm: its banner quotes the title
            if toast.isVisible():
                assert toast.textFormat() == Qt.TextFormat.PlainText
                assert_nothing_hidden(toast.text())


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_an_early_warning_file_with_a_hostile_name_is_named_literally_in_the_status_bar(qtbot: QtBot, tmp_path,
                                                                                        exercise_platform):
    """A CAP folder's files that cannot be read (here broken links) are named in the status bar: names with bidi
    controls, markup and template syntax show as their characters, through the real warnings controller."""
    from commandwall.app.warnings import WarningsController

    folder = tmp_path / "cap"
    folder.mkdir()
    names = [t for t in HOSTILE if "/" not in t and "\x00" not in t and 0 < len(t.encode()) < 120][:12]
    names += ["\u202egnp.exe", "<b>粗体<i>{{7*7}}${x}"]
    for text in names:
        (folder / f"{text}.xml").symlink_to(tmp_path / "gone")
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path / "d"), exercise_platform),
                     size=(1280, 800)) as win:  # fmt: skip
        controller = WarningsController(win.desk.session, folder=folder)
        shown: list[str] = []
        win.statusBar().messageChanged.connect(shown.append)
        win.signals.watch_warnings(controller)
        controller.poll()
        qtbot.waitUntil(lambda: len(shown) >= len(names), timeout=5000)
        for text in names:
            assert any(display_text(f"{text}.xml") in message for message in shown), text
        for message in shown:
            assert_nothing_hidden(message)


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_an_update_from_a_hostile_sender_naming_anothers_warning_is_reported_literally(qtbot: QtBot, tmp_path,
                                                                                        exercise_platform):
    """Another sender's Update of the meteorological office's warning is not followed and is reported with both
    senders and the ids: outside text (markup, template syntax, bidi controls) in the real status bar as text."""
    from xml.sax.saxutils import escape

    from commandwall.app.warnings import WarningsController
    from tests.unit.test_cap import SENT, cap

    folder = tmp_path / "cap"
    folder.mkdir()
    senders = [t for t in HOSTILE if all(ord(c) >= 0x20 and not 0xD800 <= ord(c) < 0xE000 for c in t)
               and t.strip() and "," not in t and " " not in t.strip()][:10]
    senders += ["\u202egnp.exe", "<b>粗体<i>{{7*7}}${x}"]
    (folder / "0-alert.xml").write_bytes(cap("D1"))
    for n, sender in enumerate(senders):
        (folder / f"{n + 1}-update.xml").write_bytes(cap(
            f"X{n}", "Update", references=f"qx@example.cn,D1,{SENT.isoformat()}", sender=escape(sender),
            sent=SENT + timedelta(minutes=n + 1)))
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path / "d"), exercise_platform),
                     size=(1280, 800)) as win:  # fmt: skip
        controller = WarningsController(win.desk.session, folder=folder)
        shown: list[str] = []
        win.statusBar().messageChanged.connect(shown.append)
        win.signals.watch_warnings(controller)
        controller.poll(SENT + timedelta(hours=1))
        def reported(message: str) -> bool:  # in either language: the office's sender and the alert it named
            return "D1" in message and "qx@example.cn" in message

        qtbot.waitUntil(lambda: sum(map(reported, shown)) >= len(senders), timeout=5000)
        reports = [m for m in shown if reported(m)]
        for message in reports:
            assert_nothing_hidden(message)
        assert any("<b>粗体<i>{{7*7}}${x}" in m for m in reports)  # markup and template syntax as characters
        assert any("‹U+202E›gnp.exe" in m for m in reports)  # the bidi override shown as a mark
        rain = next(i for i in win.desk.session.incidents.all() if i.title == "暴雨蓝色预警")
        assert rain.status.value == "new"  # none of them replaced it


# ---- dispatches waiting for the platform, a failing base map, the other screens' banner -------------------


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_a_dispatch_waiting_for_the_platform_lists_hostile_unit_names_and_instructions_literally(
        qtbot: QtBot, exercise, tmp_path):
    """Tasks the platform cannot take yet are listed 待发送 under the incident with the unit's name (the platform's
    text) and the officer's instructions (pasted from anywhere): both as their characters, nothing hidden."""
    from commandwall.app.dispatch import DispatchOrder
    from commandwall.domain.workflow import TASKABLE
    from tests.ui.test_incident_workflow_ui import IncidentDesk
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        desk = IncidentDesk(qtbot, proxy, tmp_path / "duty", "duty")
        try:
            state["broken"].add("/api/v1/tasks")  # every task waits in the outbox
            incident = next(i for i in desk.session.incidents.open() if i.status in TASKABLE)
            desk.feature.select(incident.id)
            texts = [*[t for t in HOSTILE if "\x00" not in t][:16], "\u202egnp.exe", "<b>粗体</b>{{7*7}}"]
            units = [unit(n, text) for n, text in enumerate(texts, start=1)]
            desk.session.units.upsert_many(units)
            for choice, text in zip(units, texts, strict=True):
                desk.feature.send_dispatch(DispatchOrder(incident.id, (choice.id,), "应急管理局", 2, text))
            qtbot.waitUntil(lambda: desk.session.outbox.pending_count() == len(units), timeout=10000)
            desk.feature.check_deadlines()
            shown = [desk.detail.tasks.item(n).text() for n in range(desk.detail.tasks.count())]
            for line in shown:
                assert_nothing_hidden(line)
            waiting = shown[-len(units):]  # after the platform's own tasks, in the order dispatched
            for line, choice, text in zip(waiting, units, texts, strict=True):
                assert display_text(choice.name, isolate=True) in line, (choice.name[:60], line[:200])
                assert line.endswith(f" · {display_text(text, isolate=True)}"), (text[:60], line[-200:])
            assert "<b>粗体</b>{{7*7}}" in waiting[-1] and "‹U+202E›gnp.exe" in waiting[-2]
        finally:
            desk.close()


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_a_failing_base_map_with_a_hostile_title_is_named_literally_in_the_status_bar(qtbot: QtBot, tmp_path):
    """A base map's title comes from the desk's settings or a server's capabilities document: when its tiles
    keep failing, the status bar names it as its characters (markup, template syntax, a turn of direction)."""
    from commandwall import paths
    from commandwall.app.map import MapController
    from commandwall.app.platform import PlatformFactory
    from commandwall.geo.layers import load_layers
    from commandwall.ui.adapters import ClientSignals
    from commandwall.ui.map.feature import MapFeature
    from commandwall.ui.map.view import MapView
    from tests.geo_servers import FailingTileServer

    title = "\u202egnp<b>粗</b>{{7*7}}<img src=x>零\u200b宽"  # titles are at most 40
    with FailingTileServer() as server:
        settings = Settings(data_dir=tmp_path, base_maps=[{
            "id": "down", "title": title, "kind": "xyz", "url": server.origin + "/{z}/{x}/{y}.png"}])
        signals = ClientSignals()
        feature = MapFeature(MapController(ClientSession(settings, PlatformFactory.at_url("http://127.0.0.1:9"))),
                             signals, data_dir=tmp_path)
        try:
            said: list[str] = []
            feature.sig_message.connect(lambda text, _ms: said.append(text))
            qtbot.addWidget(feature.view)
            feature.view.resize(900, 700)
            feature.view.show()
            layers = load_layers(paths.layers_dir()).layers
            signals.sig_layers.emit(layers, [], MapView.build_page(layers))
            qtbot.waitUntil(lambda: any(display_text(title) in text for text in said), timeout=30000)
            for text in said:
                assert_nothing_hidden(text)
            assert any("‹U+202E›gnp<b>粗</b>{{7*7}}<img src=x>" in text for text in said), said
            # the warning on the map itself: the same characters, as text, no element made of them
            from tests.ui.test_map_basemaps import run_js
            from tests.ui.test_map_tile_trouble import BANNER
            qtbot.waitUntil(lambda: run_js(qtbot, feature.view, BANNER) != "", timeout=30000)
            banner = run_js(qtbot, feature.view, BANNER)
            assert "‹U+202E›gnp<b>粗</b>{{7*7}}<img src=x>" in banner and "49" not in banner, banner
            assert_nothing_hidden(banner)
            assert run_js(qtbot, feature.view, "document.querySelectorAll('.cw-tile-banner *').length") == \
                run_js(qtbot, feature.view, "document.querySelectorAll('.cw-tile-banner-line').length")
        finally:
            feature.shutdown()


def test_the_banner_on_the_other_screens_shows_hostile_server_text_literally(qtbot: QtBot, language: str):
    """The outage banner is mirrored on the incident, dashboard and wall screens: the same plain text there."""
    from commandwall.app.screens import ScreenRole
    from commandwall.ui.screens.manager import RoleWindow

    holder = QWidget()
    qtbot.addWidget(holder)
    status = PlatformStatus(QStatusBar(holder), holder)
    screens = [RoleWindow(role) for role in (ScreenRole.INCIDENTS, ScreenRole.DASHBOARD, ScreenRole.WALL)]
    for kiosk in screens:
        qtbot.addWidget(kiosk)
        status.sig_banner.connect(kiosk.show_banner)
    for text in HOSTILE:
        status.set_failed(text)
        for kiosk in screens:
            assert kiosk.banner.text() == display_text(f"{CANNOT_CONNECT[language]}{text}")
            assert kiosk.banner.textFormat() is Qt.TextFormat.PlainText
            assert_nothing_hidden(kiosk.banner.text())


# ---- the day's new paths: a merged incident's survivor, an overtaken step's note, a stale layer's error ---------


def test_a_merged_incidents_note_button_names_a_hostile_survivor_literally(qtbot: QtBot):
    """The id a merged incident went into is the platform's text: the note button's reason shows it as text."""
    from commandwall.app.incidents import ActionRights
    from commandwall.domain.models import IncidentStatus

    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.detail.set_rights(ActionRights(["duty_officer"]))
    panel.show()
    for n, text in enumerate(HOSTILE[:20], start=1):
        survivor = text[:60] if "\x00" not in text else "INC-X"
        merged = incident(n, "重复").model_copy(update={"status": IncidentStatus.MERGED, "merged_into": survivor})
        panel.set_incidents([merged])
        panel.only_open.setChecked(False)
        assert panel.select(merged.id)
        assert not panel.detail.note_button.isEnabled()
        shown = tooltip_text(panel.detail.note_button.toolTip())
        assert display_text(survivor, isolate=True) in shown, (survivor[:40], shown[:120])
        assert_nothing_hidden(shown)
        assert_nothing_hidden(panel.detail.fields["status"].text())
    plain_labels(panel.detail)


def test_an_overtaken_steps_hostile_note_is_quoted_literally(qtbot: QtBot):
    """The conflict line quotes the officer's note (pasted from anywhere) and the platform's status, in the
    detail's real feedback label, as text."""
    from commandwall.app.incidents import describe_outbox_item
    from commandwall.backend.outbox import OutboxItem, OutboxState

    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.show()
    notes = [t for t in HOSTILE if "\x00" not in t and t.strip()][:16]
    for n, note in enumerate(notes, start=1):
        inc = incident(n, "积水")
        panel.set_incidents([inc])
        assert panel.select(inc.id)
        current = inc.model_copy(update={"version": 2}).model_dump(mode="json")
        item = OutboxItem(id=n, kind="transition", payload={"incident_id": inc.id, "action": "return", "version": 1,
                                                             "note": note},
                          idempotency_key=f"k{n}", state=OutboxState.CONFLICT, attempts=1, last_error="409",
                          created_at=T0, sent_at=None, result=current)  # fmt: skip
        panel.detail.set_feedback(describe_outbox_item(item))
        shown = panel.detail.feedback.text()
        assert display_text(display_text(note, 200, isolate=True)) in shown, (note[:40], shown[:160])
        assert_nothing_hidden(shown)
    plain_labels(panel.detail)


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_a_stale_layers_row_shows_a_hostile_read_error_literally(qtbot: QtBot, tmp_path, language: str):
    """A layer read well once, then broken: its row says the read failed, why, and the time of the data still drawn;
    its tooltip adds the technical detail, which names the file (a name from outside) — all as text."""
    from commandwall.app.user_layers import UserLayersController
    from commandwall.geo.sources import LayerSourceSpec
    from commandwall.ui.map.layer_tree import LayerTreeFeature
    from commandwall.ui.map.view import MapView
    from tests.geo_servers import point_features

    names = ["\u202egnp.exe", "<b>粗体<i>{{7*7}}", "<img src=x onerror=alert(1)>", "零\u200b宽${x}"]  # no "/"
    specs = []
    for n, name in enumerate(names):
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": point_features(3)}), "utf-8")
        specs.append(LayerSourceSpec(id=f"live{n}", title=name, kind="geojson", path=path, refresh_s=10))
    view = MapView()
    qtbot.addWidget(view)
    feature = LayerTreeFeature(UserLayersController(specs), view)
    qtbot.addWidget(feature.widget)
    try:
        for spec in specs:
            qtbot.waitUntil(lambda spec=spec: feature.widget.item(spec.id).text(1) == "3", timeout=10000)
            spec.path.write_text("{broken <b>x</b>", "utf-8")
            feature.reload(spec.id)
            failed = {"zh_CN": "读取失败", "en": "Read failed"}[language]
            qtbot.waitUntil(lambda spec=spec, failed=failed: failed in feature.widget.item(spec.id).text(2),
                            timeout=10000)
            shown = feature.widget.item(spec.id).text(2)
            assert_nothing_hidden(shown)
            tip = tooltip_text(feature.widget.item(spec.id).toolTip(2))
            assert tip.split("⏎")[0] == shown  # the row's text, then the technical detail, names literally
            assert_nothing_hidden(tip)
            assert "<img" not in feature.widget.item(spec.id).toolTip(2).lower()
        assert "‹U+202E›gnp.exe" in tooltip_text(feature.widget.item("live0").toolTip(2))  # the name, literally
    finally:
        feature.shutdown()


def test_units_already_sent_here_and_silent_for_long_show_hostile_names_literally(qtbot: QtBot):
    """The 派遣 list's new endings (· 已派往本事件, · 位置为…上报) after a hostile unit name and department: the
    name is isolated and shown as text, the endings stay at the end; asking before sending one again names them
    as text too (the question is answered 返回 by a timer)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    units = [UnitChoice(unit(n, text), 100.0 * n, True, report_age_s=1200.0, sent_here=True)
             for n, text in enumerate(HOSTILE[:12], start=1)]
    inc = incident(1, "积水")
    dialog = DispatchDialog(inc, units)
    qtbot.addWidget(dialog)
    for i, choice in enumerate(units):
        shown = dialog.units.item(i).text()
        assert display_text(choice.unit.name, isolate=True) in shown
        assert_nothing_hidden(shown)
        assert dialog.units.item(i).checkState() != Qt.CheckState.Checked  # sent here already: not ticked
    dialog.units.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.instructions.setPlainText("立即赶赴现场")
    asked: list[str] = []

    def answer() -> None:
        box = dialog.again_box
        if box is None or not box.isVisible():
            QTimer.singleShot(50, answer)
            return
        asked.append(box.text())
        assert box.textFormat() is Qt.TextFormat.PlainText
        back = next(b for b in box.buttons() if box.buttonRole(b) is QMessageBox.ButtonRole.RejectRole)
        back.click()

    QTimer.singleShot(50, answer)
    dialog._accept()
    assert asked and display_text(units[0].unit.name, isolate=True) in asked[0]
    assert_nothing_hidden(asked[0])
    assert dialog.result() != DispatchDialog.DialogCode.Accepted


@pytest.mark.qt_log_ignore("This plugin does not support", extend=True)
def test_another_users_waiting_dispatch_and_an_unreadable_outbox_are_named_literally(qtbot: QtBot, exercise, tmp_path):
    """Another user's outbox on this desk holds a dispatch; its owner's name, department and instructions come from
    a local file (anyone could have written them), and so does the name of an outbox file that cannot be read:
    the incident's task lines, the 他人待发送 list and the status bar show them as their characters, nothing hidden,
    no markup laid out."""
    from commandwall.app.outboxes import outbox_path, record_owner
    from commandwall.backend.api import PlatformClient
    from commandwall.backend.outbox import Outbox
    from commandwall.ui.waiting import WaitingElsewhere
    from tests.ui.test_incident_workflow_ui import IncidentDesk

    data = tmp_path / "desk"
    data.mkdir()
    owner, department = "\u202egnp<b>粗</b>{{7*7}}", "<img src=x onerror=alert(1)>${7*7}"
    instructions = "</script><script>document.title='pwned'</script>\u2066隔离\u200b零宽"
    incident = PlatformClient(exercise.base_url, "duty", "duty").incidents()[0][0]
    path = outbox_path(data, exercise.base_url, True, owner)
    other = Outbox(path, PlatformClient(exercise.base_url, owner, "x"))
    other.enqueue_task({"incident_id": incident.id, "unit_id": None, "department": department,
                        "instructions": instructions, "priority": 2})
    other.stop()
    record_owner(path, owner, exercise.base_url, True)
    (data / "outbox-\u202egnp<b>坏<i>{{7*7}}.sqlite3").mkdir()  # under an outbox's name, and no outbox
    desk = IncidentDesk(qtbot, exercise, data, "commander")
    try:
        desk.feature.select(incident.id)
        shown = [desk.detail.tasks.item(n).text() for n in range(desk.detail.tasks.count())]
        waiting = [line for line in shown if display_text(owner, 64, isolate=True) in line]
        assert len(waiting) == 1, shown
        assert display_text(department, isolate=True) in waiting[0]
        assert waiting[0].endswith(f" · {display_text(instructions, isolate=True)}"), waiting[0][-200:]
        for line in shown:
            assert_nothing_hidden(line)
        bar = QStatusBar()
        qtbot.addWidget(bar)
        button = WaitingElsewhere(bar, bar, lambda: desk.session.waiting)
        button.refresh()
        dialog = button.show_dialog()
        listing = dialog.findChild(QWidget, "waitingElsewhereList")
        lines = [listing.item(n).text() for n in range(listing.count())]
        assert any(display_text(owner, 64) in line for line in lines), lines
        assert any("‹U+202E›gnp<b>坏<i>{{7*7}}" in line for line in lines), lines
        for line in [*lines, button.button.text(), button.button.toolTip()]:
            assert_nothing_hidden(line)
        plain_labels(dialog)
        dialog.close()
    finally:
        desk.close()
