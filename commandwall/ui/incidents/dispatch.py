"""The dispatch dialog (派遣): tick one or more units (nearest available by road first, with their status and
distance) or none to dispatch to a department; priority, deadline (督办) and instructions. One task is sent per
unit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.dispatch import DispatchOrder, UnitChoice, default_deadline_minutes
from commandwall.app.incidents import PRIORITY_LABELS
from commandwall.domain.models import CATEGORY_DEPARTMENTS, DEPARTMENTS, Incident, department_label
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.text import WrappingLabel, plain_label

#: Longest deadline the dialog offers (minutes: a week).
MAX_DEADLINE_MINUTES = 7 * 24 * 60
#: The dialog is never narrower than this (px).
DIALOG_MIN_WIDTH_PX = 560
#: What the dialog needs beside the unit list: the form's captions, margins and the window frame (px).
DIALOG_ROOM_PX = 200


class DispatchDialog(QDialog):
    """Ask for the tasks to dispatch for ``incident``; ``choices`` come ranked (available first, nearest by
    road first). Only available units can be ticked; ``preselect`` (a unit sent from its map card) is ticked to
    begin with if it can be, else the nearest one, never one already sent to this incident (its line says so);
    ``instructions`` start the 处置要求 (a resource's card names the resource there); ``caveat`` is said above the
    form (the units may not be current). ``sent_to()`` tells the units with an active task for this incident
    when 派遣 is pressed: sending one of them again is asked first. ``send(order)``, if given, sends as the
    dialog is accepted: a refusal it returns (the desk could not store the tasks) is said in the dialog, which
    stays open with everything the officer filled in."""

    def __init__(self, incident: Incident, choices: list[UnitChoice], parent: QWidget | None = None,
                 *, preselect: str | None = None, instructions: str = "", caveat: str = "",
                 sent_to: Callable[[], set[str]] | None = None,
                 send: Callable[[DispatchOrder], str | None] | None = None):
        super().__init__(parent)
        self._send = send
        #: the units with an active task for this incident now (asked again at 派遣: another desk may have sent
        #: one while this dialog was open); by default those the choices say
        self._sent_to = sent_to or (lambda: {c.unit.id for c in choices if c.sent_here})
        #: the question asked before sending a unit again (kept to be answered; None until asked)
        self.again_box: QMessageBox | None = None
        self.setWindowTitle(translate("DispatchDialog", "派遣任务"))
        self.setMinimumWidth(DIALOG_MIN_WIDTH_PX)
        self._incident = incident
        self.title = title = WrappingLabel(display_text(incident.title))  # a title may be one unbroken run
        title.setObjectName("dispatchTitle")

        self.units = QListWidget()
        self.units.setObjectName("unitList")
        self.units.setMinimumHeight(200)
        # The dark theme draws no box for an unticked item: draw one, filled when ticked.
        self.units.setStyleSheet(
            "QListWidget::indicator { width: 12px; height: 12px; border: 1px solid #7f9bb3; border-radius: 2px; }"
            "QListWidget::indicator:checked { background: #1890ff; border-color: #69c0ff; }"
        )
        self._choices = {c.unit.id: c for c in choices}
        for choice in choices:
            item = QListWidgetItem(choice.label())
            item.setData(Qt.ItemDataRole.UserRole, choice.unit.id)
            if choice.selectable:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            else:
                item.setFlags(Qt.ItemFlag.NoItemFlags)  # busy or offline: shown, cannot take a task
                item.setForeground(QBrush(QColor("#7f8c99")))
            if not choice.by_road:
                item.setToolTip(translate("DispatchDialog", "道路网未覆盖，按直线距离"))
            self.units.addItem(item)
        self.units.itemChanged.connect(self._on_ticked)
        # A row is as wide as the list is made to show it whole (the distance comes last); on a screen too
        # narrow for that it wraps onto a second line rather than running out behind a horizontal scroll bar.
        self.units.setWordWrap(True)
        self.units.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.units.setMinimumWidth(self._rows_width(parent))
        self.department = QComboBox()
        self.department.setEditable(False)
        for department in DEPARTMENTS:  # the platform gets the department's Chinese name, whatever is shown
            self.department.addItem(department_label(department), department)
        handles = CATEGORY_DEPARTMENTS.get(incident.category)  # with no unit ticked: the category's department
        if handles in DEPARTMENTS:
            self.department.setCurrentIndex(self.department.findData(handles))
        self.priority = QComboBox()
        for level, label in PRIORITY_LABELS.items():
            self.priority.addItem(translate("incidents", label), level)
        self.deadline = QSpinBox()
        self.deadline.setObjectName("deadlineMinutes")
        self.deadline.setRange(1, MAX_DEADLINE_MINUTES)
        self.deadline.setSuffix(translate("DispatchDialog", " 分钟内办结"))
        self._deadline_default = True  # follows the priority until the user changes it
        self.priority.currentIndexChanged.connect(self._on_priority)
        self.priority.setCurrentIndex(max(0, incident.priority - 1))
        self._on_priority()
        self.deadline.valueChanged.connect(self._on_deadline)
        self.instructions = QPlainTextEdit()
        self.instructions.setObjectName("instructions")
        self.instructions.setPlaceholderText(translate("DispatchDialog", "处置要求，例如：立即赶赴现场核实并反馈"))
        self.instructions.setMaximumHeight(90)
        self.instructions.setTabChangesFocus(True)  # Tab goes on to the buttons, as in any form
        self.instructions.setPlainText(instructions)  # a dispatch from a resource's card names the resource
        self.summary = plain_label()
        self.summary.setObjectName("dispatchSummary")
        self.error = WrappingLabel()  # names units: one long name must not widen the dialog
        self.error.setStyleSheet("color: #ff7875")

        form = QFormLayout()
        rows = ((translate("DispatchDialog", "事件"), title),
                (translate("DispatchDialog", "处置单元"), self.units),
                ("", self.summary),
                (translate("DispatchDialog", "责任部门"), self.department),
                (translate("DispatchDialog", "级别"), self.priority),
                (translate("DispatchDialog", "办结时限"), self.deadline),
                (translate("DispatchDialog", "处置要求"), self.instructions))
        for caption, field in rows:
            form.addRow(plain_label(caption), field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("DispatchDialog", "派遣"))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(translate("DispatchDialog", "派遣（Ctrl+Enter）"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(translate("DispatchDialog", "取消"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # sends from any field; Enter in 处置要求 stays a new line
            QShortcut(QKeySequence(keys), self, self._accept)
        layout = QVBoxLayout(self)
        #: said above the form when the units may not be current (the platform is not heard): the desk's text
        self.caveat = WrappingLabel(caveat)
        self.caveat.setObjectName("dispatchCaveat")
        self.caveat.setStyleSheet("background: #ad6800; padding: 4px;")
        self.caveat.setVisible(bool(caveat))
        layout.addWidget(self.caveat)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        tickable = [i for i in range(self.units.count())  # a unit already sent here is not ticked for it
                    if self.units.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable and not choices[i].sent_here]
        wanted = [i for i in tickable if self.units.item(i).data(Qt.ItemDataRole.UserRole) == preselect]
        # the unit asked for, else the first available: the nearest of the category's department if one is free
        # (the ranking lists them first), else the nearest — what an officer picks
        first = (wanted or tickable)[:1]
        for i in first:
            self.units.item(i).setCheckState(Qt.CheckState.Checked)
            self.units.scrollToItem(self.units.item(i))  # a unit sent from the map may be far down the list
        self._on_ticked()

    def _rows_width(self, parent: QWidget | None) -> int:
        """Width of the unit list that shows its widest row whole, at most what the screen leaves beside the
        form's captions (then rows wrap)."""
        metrics = self.units.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(self.units.item(i).text()) for i in range(self.units.count())), default=0
        )
        style = self.units.style()
        chrome = (  # the tick box, the item's margins, the vertical scroll bar, the frame
            style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
            + 3 * style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin)
            + 12
            + style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            + 2 * self.units.frameWidth()
        )
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().width() - DIALOG_ROOM_PX if screen is not None else widest + chrome
        return max(DIALOG_MIN_WIDTH_PX - DIALOG_ROOM_PX, min(widest + chrome, room))

    def checked_unit_ids(self) -> list[str]:
        """The ticked units, in list order (nearest first)."""
        return [self.units.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.units.count())
                if self.units.item(i).checkState() == Qt.CheckState.Checked]

    def _on_ticked(self, *_args: object) -> None:
        ids = self.checked_unit_ids()
        if ids:
            first = self._choices[ids[0]].unit
            if first.department in DEPARTMENTS:
                self.department.setCurrentIndex(self.department.findData(first.department))
            self.summary.setText(translate("DispatchDialog", "已选 {count} 个处置单元：每个单元一项任务").format(
                count=len(ids)))
        else:
            self.summary.setText(translate("DispatchDialog", "未选处置单元：任务派至责任部门"))

    def _on_priority(self, *_args: object) -> None:
        if self._deadline_default:
            self.deadline.blockSignals(True)
            self.deadline.setValue(default_deadline_minutes(int(self.priority.currentData())))
            self.deadline.blockSignals(False)

    def _on_deadline(self, _value: int) -> None:
        self._deadline_default = False

    def order(self) -> DispatchOrder:
        """What was filled in; the deadline is sent only when changed from the priority's default (then the
        platform counts it from the moment the task arrives, even after an outage)."""
        return DispatchOrder(
            incident_id=self._incident.id,
            unit_ids=tuple(self.checked_unit_ids()),
            department=self.department.currentData(),
            priority=int(self.priority.currentData()),
            instructions=self.instructions.toPlainText(),
            deadline_minutes=None if self._deadline_default else self.deadline.value(),
        )

    def _accept(self) -> None:
        problem = self.order().problem()
        if problem is not None:
            self.error.setText(problem)
            return
        again = [unit_id for unit_id in self.checked_unit_ids() if unit_id in self._sent_to()]
        if again and not self._send_again(again):
            return
        self.accept()

    def accept(self) -> None:
        """Send the order (with ``send``) and close; a refusal keeps the dialog open, saying it."""
        if self._send is not None:
            refused = self._send(self.order())
            if refused:
                self.error.setText(refused)
                return
        super().accept()

    def _send_again(self, unit_ids: list[str]) -> bool:
        """Ask before sending units that already have an active task for this incident (two desks sending the
        same unit is the usual way): True to send anyway; 返回 (the default) leaves the dialog as it was."""
        names = "、".join(display_text(self._choices[unit_id].unit.name, isolate=True) for unit_id in unit_ids)
        text = translate("DispatchDialog", "{units} 已有本事件未办结的任务（可能由其他席位派出），仍要再派吗？")
        self.again_box = box = QMessageBox(QMessageBox.Icon.Warning, translate("DispatchDialog", "重复派遣"),
                                           text.format(units=names), parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        send = box.addButton(translate("DispatchDialog", "仍要派遣"), QMessageBox.ButtonRole.AcceptRole)
        back = box.addButton(translate("DispatchDialog", "返回"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.exec()
        if box.clickedButton() is send:
            return True
        self.error.setText(translate("DispatchDialog", "未派遣：{units} 已派往本事件").format(units=names))
        return False
