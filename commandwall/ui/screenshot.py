"""Whole-screen captures and a description of what is where, for tests and the README."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QToolBar, QWidget

from commandwall.i18n import QT_TRANSLATE_NOOP
from commandwall.ui.alarm.feature import sound_effect_class
from commandwall.ui.language import current_language
from commandwall.video.yuv import libyuv


def shown_text(text: str) -> str:
    """A menu's or button's text as it is drawn: ``&`` marks the next letter as the Alt key (``视频墙(&V)`` reads
    视频墙(V)), ``&&`` is one ``&``."""
    return re.sub(r"&(.)", r"\1", text)


def _global_rect(widget: QWidget) -> list[int]:
    top_left = widget.mapToGlobal(QPoint(0, 0))
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def grab_screens(app: QApplication, window: QWidget, out_dir: Path, suffix: str = "") -> list[Path]:
    """Save each screen as ``screen-<i><suffix>.png``.

    On a real or virtual X display the screen itself is captured; on the offscreen platform (no window
    system to read back from) the top-level window is rendered instead.
    """
    files: list[Path] = []
    offscreen = app.platformName() == "offscreen"
    for i, screen in enumerate(app.screens()):
        path = out_dir / f"screen-{i}{suffix}.png"
        if offscreen:
            pixmap = window.grab() if i == 0 else None
        else:
            geo: QRect = screen.geometry()
            pixmap = screen.grabWindow(0, 0, 0, geo.width(), geo.height())
        if pixmap is None or pixmap.isNull() or not pixmap.save(str(path)):
            raise RuntimeError(f"could not capture screen {i}")
        files.append(path)
    return files


def client_settled(window) -> bool:
    """True once the client shows what it will go on showing: connected (its incidents listed), the map page
    drawn with the desk's cameras and incidents on it, the dashboard's figures in (if they can be seen), and every
    tile of every shown wall live, or said offline, stopped or idle — none still connecting, reconnecting or
    stalled."""
    if not (window.is_ready() and window.map.is_ready()):
        return False
    session = window.session  # the page has painted the desk's cameras and incidents, not only its static layers
    if (len(session.cameras) and "cameras" not in window.map.drawn_kinds) or (
            len(session.incidents) and "incidents" not in window.map.drawn_kinds):
        return False
    if window.dashboard_feature.in_sight() and window.dashboard.overview is None:
        return False
    return all(tile.badge()[1] != "warn" for wall in window.wall_feature.walls if wall.shown
               for tile in wall.view.tiles())  # fmt: skip


def window_state(window) -> dict:
    """Geometry (global coordinates) and content summary of the main parts of the window."""
    screens = [
        {"name": s.name(), "geometry": [s.geometry().x(), s.geometry().y(), s.geometry().width(),
                                        s.geometry().height()]}
        for s in QApplication.screens()
    ]
    tiles = []
    for tile in window.wall.tiles():
        tiles.append({
            "rect": _global_rect(tile),
            "camera": tile.camera.id if tile.camera else None,
            "state": tile.state_text(),
            "direct": tile.direct,
        })
    walls = [{"number": wall.number, "shown": wall.shown, "layout": wall.view.wall_layout.key,
              "rect": _global_rect(wall.view) if wall.view.isVisible() else None,
              "cameras": [c.id if c else None for c in wall.view.cameras()],
              "playing": sum(t.badge()[1] == "live" for t in wall.view.tiles()),
              "direct": sum(t.direct for t in wall.view.tiles())}
             for wall in window.wall_feature.walls]  # fmt: skip
    return {
        "screens": screens,
        "walls": walls,
        "window": _global_rect(window),
        "map": _global_rect(window.map),
        "map_ready": window.map.is_ready(),
        "incident_table": _global_rect(window.incidents.table),
        "incidents_listed": window.incidents.visible_count(),
        "dashboard": _global_rect(window.dashboard) if window.dashboard.isVisible() else None,
        "dashboard_today": window.dashboard.overview.today if window.dashboard.overview is not None else None,
        "tiles": tiles,
        "windows": window.screens.describe(),
        "screen_roles": window.screens.roles and [r.value for r in window.screens.roles],
        "profile_error": window.screens.profile_error,
        "view_restored": window.screens.view_restored,
        "connection": window.connection_label.text(),
        "user": window.status.user_label.text(),
        "incident_titles": _incident_titles(window),
        "alarm": (window.alarm_feature.last_alarm.message if window.alarm_feature.last_alarm is not None
                  else None),
        "alarm_sound": "QSoundEffect" if sound_effect_class() is not None else "beep",
        "wall_scaling": "libyuv" if libyuv() is not None else "opencv",
        "language": current_language(),
        "title": window.windowTitle(),
        "menus": [shown_text(action.text()) for action in window.menuBar().actions()],
        "docks": [dock.windowTitle() for dock in (window.wall_dock, window.incident_dock, window.camera_dock,
                                                   window.layer_dock, window.dashboard_dock)],
        "no_glyph": texts_without_glyphs(window),
    }


def _window_texts(window) -> set[str]:
    """What the window writes in its menus, tool bar, buttons, labels and table headers."""
    texts = {window.windowTitle()}
    menus = [a.menu() for a in window.menuBar().actions() if a.menu() is not None]
    while menus:
        menu = menus.pop()
        texts.add(menu.title())
        for action in menu.actions():
            texts.add(action.text())
            if action.menu() is not None and action.menu() is not menu:
                menus.append(action.menu())
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QLabel | QAbstractButton):
            texts.add(widget.text())
        elif isinstance(widget, QToolBar):
            texts.update(a.text() for a in widget.actions())
    model = window.incidents.model
    texts.update(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount()))
    return {t for t in texts if t and t.strip() and "<" not in t}


def texts_without_glyphs(window) -> list[str]:
    """The window's texts that some character of has no glyph in any font Qt falls back to (drawn as a box)."""
    font = QApplication.font()
    missing = []
    for text in sorted(_window_texts(window)):
        layout = QTextLayout(text, font)
        layout.beginLayout()
        while layout.createLine().isValid():
            pass
        layout.endLayout()
        if any(0 in run.glyphIndexes() for run in layout.glyphRuns()):
            missing.append(text)
    return missing


def _incident_titles(window) -> list[str]:
    """The title cell of every incident the table holds, as displayed (filters aside)."""
    from commandwall.ui.incidents.model import COLUMNS

    model = window.incidents.model
    column = COLUMNS.index(QT_TRANSLATE_NOOP("IncidentList", "事件"))
    return [model.cells(incident)[column] for incident in model.incidents()]
