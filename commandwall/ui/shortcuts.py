"""帮助 → 快捷键: every keyboard shortcut of the window on one sheet.

The actions' part is read from the window's QActions each time the sheet is shown (their text without the ``&``
marks, their shortcuts in the platform's own words, grouped by the menu they are in), so a new action with a
shortcut is listed without touching this file. Keys that widgets and the map page handle themselves (not
QActions) are in a short fixed list here. Everything is shown as plain text.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text

TITLE = QT_TRANSLATE_NOOP("ShortcutSheet", "快捷键")
#: Keys handled by widgets and the map page themselves (no QAction carries them): (where, keys, what).
FIXED_KEYS = (
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "菜单栏"),
        "Alt+",
        QT_TRANSLATE_NOOP("ShortcutSheet", "再按菜单名中带下划线的字母，打开该菜单"),
    ),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "视频墙"),
        "Alt+1 … Alt+9",
        QT_TRANSLATE_NOOP("ShortcutSheet", "调取前九个预案（视频墙 → 预案）"),
    ),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "视频墙"),
        "Del, Backspace",
        QT_TRANSLATE_NOOP("ShortcutSheet", "清除选中画面"),
    ),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "视频墙"),
        "Esc",
        QT_TRANSLATE_NOOP("ShortcutSheet", "最大化的画面还原到布局中"),
    ),
    (QT_TRANSLATE_NOOP("ShortcutSheet", "云台"), "↑ ↓ ← →", QT_TRANSLATE_NOOP("ShortcutSheet", "按住转动，松开停止")),
    (QT_TRANSLATE_NOOP("ShortcutSheet", "云台"), "+ -", QT_TRANSLATE_NOOP("ShortcutSheet", "按住变倍，松开停止")),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "视频点位"),
        "Enter",
        QT_TRANSLATE_NOOP("ShortcutSheet", "播放摄像机；展开或收起街镇"),
    ),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "地图"),
        "Esc",
        QT_TRANSLATE_NOOP("ShortcutSheet", "取消框选或测量；清除已测结果"),
    ),
    (QT_TRANSLATE_NOOP("ShortcutSheet", "地图搜索框"), "Enter", QT_TRANSLATE_NOOP("ShortcutSheet", "转到第一个结果")),
    (QT_TRANSLATE_NOOP("ShortcutSheet", "地图搜索框"), "Esc", QT_TRANSLATE_NOOP("ShortcutSheet", "清空搜索")),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "地图图例"),
        "Enter, Space",
        QT_TRANSLATE_NOOP("ShortcutSheet", "收起或展开图例"),
    ),
    (
        QT_TRANSLATE_NOOP("ShortcutSheet", "派遣"),
        "Ctrl+Enter",
        QT_TRANSLATE_NOOP("ShortcutSheet", "派遣（处置要求中 Enter 换行）"),
    ),
    (QT_TRANSLATE_NOOP("ShortcutSheet", "对话框"), "Esc", QT_TRANSLATE_NOOP("ShortcutSheet", "关闭")),
)
_MNEMONIC = re.compile(r"\s*\(&[^)]\)")  # 视频墙(&V): the letter in brackets, as Chinese menus write it


def action_text(text: str) -> str:
    """``text`` of an action or menu as the sheet names it: without its ``&`` marks (``&&`` is one ``&``) and
    the bracketed letter. A trailing ellipsis stays, as the menu shows it: it may be a cut name's (a preset's)."""
    text = _MNEMONIC.sub("", text)
    text = re.sub(r"&(.?)", r"\1", text)  # &&: one & left; a lone & at the end: gone
    return display_text(text.rstrip())


def key_text(action: QAction) -> str:
    """Every shortcut of ``action`` in the platform's own words (``Ctrl+Shift+S``), comma-separated."""
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty())


def action_rows(window: QMainWindow) -> list[tuple[str, list[tuple[str, str]]]]:
    """The window's actions that have a shortcut, as (group, [(text, keys)]): first by the menu they are in (a
    submenu is "menu › submenu"), in menu order; then, under 其他, the window's other actions with a shortcut
    not listed yet (hidden and nameless actions are left out: they stand in for a listed one or for nothing)."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    listed: set[int] = set()
    keys_listed: set[str] = set()

    def walk(menu: QMenu, path: str, seen: set[int]) -> None:
        if id(menu) in seen:
            return
        seen.add(id(menu))
        rows: list[tuple[str, str]] = []
        submenus = []
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            if action.menu() is not None:
                submenus.append((action.text(), action.menu()))
                continue
            keys = key_text(action)
            if keys and id(action) not in listed:
                listed.add(id(action))
                keys_listed.add(keys)
                rows.append((action_text(action.text()), keys))
        if rows:
            groups.append((path, rows))
        for text, sub in submenus:
            walk(sub, f"{path} › {action_text(text or sub.title())}", seen)

    seen: set[int] = set()
    for top in window.menuBar().actions():
        if top.menu() is not None and top.isVisible():
            walk(top.menu(), action_text(top.text()), seen)
    others: list[tuple[str, str]] = []
    for action in [*window.actions(), *window.findChildren(QAction)]:
        keys = key_text(action)
        if not keys or id(action) in listed or keys in keys_listed or not action.isVisible():
            continue
        text = action_text(action.text())
        if not text:
            continue
        listed.add(id(action))
        keys_listed.add(keys)
        others.append((text, keys))
    if others:
        groups.append((translate("ShortcutSheet", "其他"), others))
    return groups


class ShortcutSheet(QDialog):
    """The sheet: a two-column list (what, keys) of the window's shortcuts, modeless; Esc or 关闭 closes it."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setObjectName("shortcutSheet")
        self._window = window
        self.setWindowTitle(translate("ShortcutSheet", TITLE))
        self.setModal(False)
        self.tree = QTreeWidget()
        self.tree.setObjectName("shortcutList")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([translate("ShortcutSheet", "功能"), translate("ShortcutSheet", "按键")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(translate("ShortcutSheet", "关闭"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Read the window's actions again and list them, then the fixed keys."""
        self.tree.clear()
        row = translate("ShortcutSheet", "{where}：{what}")
        fixed = [
            (row.format(where=translate("ShortcutSheet", where), what=translate("ShortcutSheet", what)), keys)
            for where, keys, what in FIXED_KEYS
        ]
        for title, rows in [*action_rows(self._window), (translate("ShortcutSheet", "窗格和地图中的按键"), fixed)]:
            group = QTreeWidgetItem([title, ""])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for text, keys in rows:
                group.addChild(QTreeWidgetItem([text, keys]))
        self.tree.expandAll()

    def texts(self) -> list[tuple[str, str]]:
        """What the sheet shows, row by row (group rows with empty keys)."""
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            rows.append((group.text(0), ""))
            rows.extend((group.child(j).text(0), group.child(j).text(1)) for j in range(group.childCount()))
        return rows

    def show_over(self) -> None:
        """Refresh, size to fit the screen of the window it is over, and show (raised if already open)."""
        self.refresh()
        over = self.parentWidget() or self._window
        screen = over.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry()
        if not self.isVisible():
            self.resize(min(640, room.width() - 40), min(680, room.height() - 60))
        else:  # moved over a window on a smaller screen
            self.resize(min(self.width(), room.width() - 40), min(self.height(), room.height() - 60))
        self.show()
        self.raise_()
        self.activateWindow()
