"""Everything a window shows as text, widget by widget: for the language tests.

:func:`shown_texts` walks a widget tree (and the menus, actions, dock tabs, item views' headers and charts in
it) and returns ``(kind, where, text)`` for every non-empty visible string, so a test can say which texts must
be in the chosen language and point at the widget that is not.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QTreeView,
    QWidget,
)

ROOT = Path(__file__).resolve().parents[2]


def _catalogues_module():
    spec = importlib.util.spec_from_file_location("cw_i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: scripts/i18n.py: the catalogues, their sources and lupdate/lrelease
catalogues = _catalogues_module()

#: Chinese ideographs (a CJK text was left in Chinese; punctuation alone does not count)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: kinds of text the window itself names (never the platform's data): all must be in the chosen language
OWN_KINDS = frozenset({"menu", "action", "button", "tab", "header", "dock", "window", "placeholder", "tooltip",
                       "chart"})


def _where(widget: QWidget) -> str:
    names = []
    while widget is not None and len(names) < 4:
        names.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(names))


def _menu_texts(menu: QMenu, where: str, seen: set[int]) -> Iterator[tuple[str, str, str]]:
    if id(menu) in seen:
        return
    seen.add(id(menu))
    yield "menu", where, menu.title()
    for action in menu.actions():
        yield from _action_texts(action, f"{where} > {menu.title()}", seen)


def _action_texts(action: QAction, where: str, seen: set[int]) -> Iterator[tuple[str, str, str]]:
    if action.isSeparator():
        return
    yield "action", where, action.text()
    yield "tooltip", f"{where} > {action.text()}", action.toolTip() if action.toolTip() != action.text() else ""
    if action.menu() is not None:
        yield from _menu_texts(action.menu(), where, seen)


def _view_headers(view: QAbstractItemView, where: str) -> Iterator[tuple[str, str, str]]:
    header = view.header() if isinstance(view, QTreeView) else view.horizontalHeader() if isinstance(
        view, QTableView) else None
    model = view.model()
    if header is None or model is None or header.isHidden():
        return
    for section in range(header.count()):
        yield "header", where, str(model.headerData(section, Qt.Orientation.Horizontal) or "")


def _chart_texts(view: QChartView, where: str) -> Iterator[tuple[str, str, str]]:
    chart = view.chart()
    yield "chart", where, chart.title()
    for axis in chart.axes():
        yield "chart", where, axis.titleText()
    for series in chart.series():
        yield "chart", where, series.name()
        for bar_set in getattr(series, "barSets", list)():
            yield "chart", where, bar_set.label()


def shown_texts(root: QWidget) -> list[tuple[str, str, str]]:
    """``(kind, where, text)`` for every string ``root`` and its children show (kinds: see :data:`OWN_KINDS`,
    and ``label``, ``text``, ``item`` for what may quote the platform)."""
    found: list[tuple[str, str, str]] = []
    seen_menus: set[int] = set()
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        where = _where(widget)
        if widget.isWindow():
            found.append(("window", where, widget.windowTitle()))
        if isinstance(widget, QDockWidget):
            found.append(("dock", where, widget.windowTitle()))
        if isinstance(widget, QMenu):
            found += _menu_texts(widget, where, seen_menus)
        elif isinstance(widget, QTabBar):
            found += [("tab", where, widget.tabText(i)) for i in range(widget.count())]
        elif isinstance(widget, QAbstractButton):
            found.append(("button", where, widget.text()))
        elif isinstance(widget, QLabel):
            found.append(("label", where, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append(("header", where, widget.title()))
        elif isinstance(widget, QLineEdit):
            found.append(("placeholder", where, widget.placeholderText()))
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            found.append(("placeholder", where, widget.placeholderText()))
            found.append(("text", where, widget.toPlainText()))
        elif isinstance(widget, QComboBox):
            found += [("item", where, widget.itemText(i)) for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView):
            found += _view_headers(widget, where)
        elif isinstance(widget, QChartView):
            found += _chart_texts(widget, where)
        if not isinstance(widget, QAbstractItemView):  # a view's tooltip may quote a row
            found.append(("tooltip", where, widget.toolTip()))
        for action in widget.actions():
            found += _action_texts(action, where, seen_menus)
    return [(kind, where, text) for kind, where, text in found if text and text.strip()]


def source_patterns(catalogue_files: list[Path]) -> list[tuple[str, re.Pattern[str]]]:
    """Each Chinese source text of the catalogues as a pattern a shown text would match if left untranslated
    (its ``{fields}`` match anything)."""
    patterns = []
    for path in catalogue_files:
        if not path.is_file():
            continue
        for _context, source in catalogues.messages(path):
            if CJK.search(source):
                parts = re.split(r"\{\w+\}", source)
                patterns.append((source, re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)))
    return patterns


def untranslated(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The catalogue source ``text`` shows untranslated (as a whole or as a line of it), or None."""
    for line in [text, *text.splitlines()]:
        for source, pattern in patterns:
            if pattern.fullmatch(line.strip()):
                return source
    return None
