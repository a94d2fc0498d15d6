"""视频点位: every camera in a tree grouped by town (镇街), with search, an online/offline filter and counts.

Like the camera tree of XProtect Smart Client / Nx Witness: type to narrow by name, id, town or grid;
double-click or Enter plays the camera on the wall; the context menu also locates it on the map. Status
changes update one row and its town's count in place. The model makes rows on demand, so 20 000 cameras
fill and filter in time that follows what is shown, not the size of the district.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QHelpEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QToolButton,
    QToolTip,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from commandwall.domain.models import Camera
from commandwall.i18n import translate
from commandwall.ui.cameras.model import (
    FILTER_LABELS,
    KIND_LABELS,
    ROLE_CAMERA_ID,
    ROLE_TOWN,
    CameraTreeModel,
    StatusFilter,
    camera_tooltip,
    kind_label,
)
from commandwall.ui.text import plain_label

log = logging.getLogger(__name__)

#: Typing settles this long before the tree is filtered.
SEARCH_DELAY_MS = 150


class _CameraView(QTreeView):
    """The tree itself: Enter on a row is reported; tooltips are made only for the row under the mouse."""

    sig_enter = Signal(QModelIndex)

    def __init__(self, tooltip_for: Callable[[QModelIndex], str]) -> None:
        super().__init__()
        self._tooltip_for = tooltip_for

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        """Build the tooltip of the hovered row on demand (nothing stored on 1500 items)."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self._tooltip_for(self.indexAt(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter/Return on the current row is reported (the panel plays a camera, opens/closes a town)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_enter.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CameraTree(QWidget):
    """The "视频点位" panel: search box, 全部/在线/离线 filter buttons with counts, and the camera tree.

    Signals: ``sig_play_requested(camera_id)`` (double-click, Enter, or 在视频墙播放 in the context menu),
    ``sig_locate_requested(camera_id)`` (地图定位 in the context menu).
    """

    sig_play_requested = Signal(str)
    sig_locate_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._refilter = QTimer(self)
        self._refilter.setSingleShot(True)
        self._refilter.setInterval(0)
        self._refilter.timeout.connect(self._after_filter)
        self._saved_expanded: set[str] | None = None  # towns open before a filter opened them all
        self.populate_ms = 0.0  # how long the last set_cameras took

        self.search = QLineEdit()
        self.search.setObjectName("cameraSearch")
        self.search.setPlaceholderText(translate("CameraTree", "搜索名称、编号、镇街、网格"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_entered)

        self.filter_group = QButtonGroup(self)
        self.filter_buttons: dict[StatusFilter, QToolButton] = {}
        filters = QHBoxLayout()
        filters.setSpacing(2)
        for status in StatusFilter:
            button = QToolButton()
            button.setObjectName(f"cameraFilter_{status.value}")
            button.setCheckable(True)
            button.setChecked(status is StatusFilter.ALL)
            self.filter_group.addButton(button)
            self.filter_buttons[status] = button
            filters.addWidget(button)
        filters.addStretch(1)
        self.setStyleSheet(
            "QToolButton { padding: 2px 8px; border: 1px solid #25527a; border-radius: 3px; }"
            "QToolButton:checked { background: #1d4e73; border-color: #2ea8ff; color: #ffffff; }"
        )
        self.filter_group.buttonToggled.connect(lambda _button, checked: checked and self.apply_filters())

        self.model = CameraTreeModel(self)
        self.view = _CameraView(self.tooltip_for)
        self.view.setObjectName("cameraTree")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)  # keeps the layout of thousands of rows quick
        self.view.setHeaderHidden(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragEnabled(True)  # camera rows drag onto wall tiles
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)  # never "to contents": that scans all rows
        header.resizeSection(1, max(self.fontMetrics().horizontalAdvance(kind_label(k)) for k in KIND_LABELS) + 16)
        self.view.doubleClicked.connect(self._play_index)
        self.view.sig_enter.connect(self._enter_index)
        self.view.customContextMenuRequested.connect(self._show_context_menu)

        self.empty_label = plain_label(translate("CameraTree", "没有符合条件的视频点位"))
        self.empty_label.setObjectName("cameraTreeEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #7f9bb3; padding: 8px;")
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)
        self._update_filter_labels()

    # ---- reading -----------------------------------------------------------------------------------
    def camera(self, camera_id: str) -> Camera | None:
        """The camera as the tree shows it, or None."""
        return self.model.camera(camera_id)

    def town_counts(self, town: str) -> tuple[int, int]:
        """(online, total) of a town; (0, 0) if the tree has no camera there."""
        return self.model.town_counts(town)

    def town_index(self, town: str) -> QModelIndex:
        """The town's row (text "临城街道 (612/657 在线)"); invalid if it has no camera the filter shows."""
        return self.model.town_index(town)

    def camera_index(self, camera_id: str) -> QModelIndex:
        """The camera's row (name column); invalid if unknown or hidden by the search or filter."""
        return self.model.camera_index(camera_id)

    def status_filter(self) -> StatusFilter:
        """The filter button that is checked."""
        return next(s for s, b in self.filter_buttons.items() if b.isChecked())

    def current_camera_id(self) -> str | None:
        """The selected camera, or None (nothing or a town selected)."""
        return self.view.currentIndex().data(ROLE_CAMERA_ID) or None

    def visible_camera_ids(self) -> list[str]:
        """Cameras passing the current search and filter, in tree order."""
        return self.model.visible_camera_ids()

    def tooltip_for(self, index: QModelIndex) -> str:
        """Tooltip of a row of the view: the camera's details (escaped), or "" for a town or no row."""
        camera = self.model.camera(index.data(ROLE_CAMERA_ID) or "") if index.isValid() else None
        return camera_tooltip(camera) if camera is not None else ""

    # ---- commands ----------------------------------------------------------------------------------
    def set_cameras(self, cameras: list[Camera]) -> None:
        """Show these cameras (replacing any before): towns in order of first appearance, cameras as given."""
        started = time.perf_counter()
        selected = self.current_camera_id()
        self.model.set_cameras(cameras)
        self._after_filter()
        self._update_filter_labels()
        if selected:
            self.select_camera(selected)
        self.populate_ms = (time.perf_counter() - started) * 1000
        log.debug("camera tree: %d cameras filled in %.1f ms", len(cameras), self.populate_ms)

    def update_camera(self, camera: Camera) -> None:
        """Apply a changed camera (usually its status) to its row and its town's count, in place."""
        if self.model.update_camera(camera):
            self._update_filter_labels()
            if self.model.active:
                # a town that just reappeared in the filter opens like the others; a burst of status
                # changes (a catch-up snapshot, a mass outage) expands once, not once per camera
                self._refilter.start()

    def select_camera(self, camera_id: str) -> bool:
        """Select and reveal a camera; clears the search and filter if they hide it. False if unknown."""
        if self.model.camera(camera_id) is None:
            return False
        index = self.model.camera_index(camera_id)
        if not index.isValid():
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.filter_buttons[StatusFilter.ALL].setChecked(True)
            self.apply_filters()
            index = self.model.camera_index(camera_id)
        self.view.expand(index.parent())
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def apply_filters(self) -> None:
        """Filter now by the search text and the status buttons (typing applies this after a short pause)."""
        self._search_timer.stop()
        if not self.model.active and self._saved_expanded is None:
            self._saved_expanded = self._expanded_towns()
        selected = self.current_camera_id()
        self.model.set_criteria(self.search.text(), self.status_filter())  # a reset when the criteria changed
        if selected and not self.view.currentIndex().isValid():
            current = self.model.camera_index(selected)  # still shown: still selected
            if current.isValid():
                self.view.setCurrentIndex(current)
        self._after_filter()

    def context_menu(self, camera_id: str) -> QMenu:
        """The context menu of a camera row: 在视频墙播放, 地图定位."""
        menu = QMenu(self)
        play = menu.addAction(translate("CameraTree", "在视频墙播放"))
        play.setObjectName("actionPlayCamera")
        play.triggered.connect(lambda: self.sig_play_requested.emit(camera_id))
        locate = menu.addAction(translate("CameraTree", "地图定位"))
        locate.setObjectName("actionLocateCamera")
        locate.triggered.connect(lambda: self.sig_locate_requested.emit(camera_id))
        return menu

    # ---- internals ---------------------------------------------------------------------------------
    def _expanded_towns(self) -> set[str]:
        rows = (self.model.index(r, 0) for r in range(self.model.rowCount()))
        return {index.data(ROLE_TOWN) for index in rows if self.view.isExpanded(index)}

    def _after_filter(self) -> None:
        """Open every town with a match while filtering; put back what the user had open when the filter goes.

        Town by town, never ``expandAll`` (which walks every camera row): only towns are touched here, and the
        view lays out the cameras it then shows."""
        if self.model.active:
            for row in range(self.model.rowCount()):
                self.view.expand(self.model.index(row, 0))
        elif self._saved_expanded is not None:
            saved, self._saved_expanded = self._saved_expanded, None
            self.view.collapseAll()
            for town in saved:
                index = self.model.town_index(town)
                if index.isValid():
                    self.view.expand(index)
            current = self.view.currentIndex()
            if current.isValid():
                self.view.expand(current.parent())
                self.view.scrollTo(current)
        self.empty_label.setVisible(self.model.camera_count() > 0 and self.model.rowCount() == 0)

    def _update_filter_labels(self) -> None:
        online, total = self.model.totals()
        numbers = {StatusFilter.ALL: total, StatusFilter.ONLINE: online, StatusFilter.OFFLINE: total - online}
        for status, button in self.filter_buttons.items():
            button.setText(f"{translate('CameraTree', FILTER_LABELS[status])} {numbers[status]}")

    def _search_entered(self) -> None:
        """Enter in the search box: filter now and move to the first match (Enter again plays it)."""
        self.apply_filters()
        ids = self.visible_camera_ids()
        if ids:
            self.select_camera(ids[0])
            self.view.setFocus()

    def _play_index(self, index: QModelIndex) -> None:
        camera_id = index.data(ROLE_CAMERA_ID)
        if camera_id:
            self.sig_play_requested.emit(camera_id)

    def _enter_index(self, index: QModelIndex) -> None:
        if index.data(ROLE_CAMERA_ID):
            self._play_index(index)
        else:
            town = index.siblingAtColumn(0)
            self.view.setExpanded(town, not self.view.isExpanded(town))

    def _show_context_menu(self, pos: QPoint) -> None:
        camera_id = self.view.indexAt(pos).data(ROLE_CAMERA_ID)
        if not camera_id:
            return
        menu = self.context_menu(camera_id)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()
