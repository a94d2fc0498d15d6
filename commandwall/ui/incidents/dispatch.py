"""The dispatch dialog (派遣): choose a unit or department, write instructions, set the priority."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.incidents import PRIORITY_LABELS
from commandwall.domain.models import UNIT_STATUS_LABELS, Incident, Unit, UnitStatus
from commandwall.textsafe import display_text
from commandwall.ui.text import plain_label

DEPARTMENTS = ("公安", "消防", "卫健", "城管", "应急", "交警", "环保", "住建", "水务")


def unit_label(unit: Unit, metres: float) -> str:
    """A unit as the dispatch list shows it: name · department · status · distance.

    Name and department come from the platform: marked by ``display_text`` and isolated, so right-to-left
    text cannot pull the separators around it.
    """
    name, department = display_text(unit.name, isolate=True), display_text(unit.department, isolate=True)
    return f"{name} · {department} · {UNIT_STATUS_LABELS[unit.status]} · {metres / 1000:.1f} km"


class DispatchDialog(QDialog):
    """Ask for the task to dispatch for ``incident``; ``units`` come sorted nearest first with distances."""

    def __init__(self, incident: Incident, units: list[tuple[Unit, float]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("派遣任务")
        self.setMinimumWidth(460)
        self._incident = incident
        self.title = title = QLabel()
        title.setObjectName("dispatchTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setText(display_text(incident.title))
        title.setWordWrap(True)

        self.unit = QComboBox()
        self.unit.setObjectName("unitCombo")
        self.unit.addItem("（不指定单元，派至部门）", None)
        for unit, metres in units:
            label = unit_label(unit, metres)
            self.unit.addItem(label, unit.id)
            if unit.status is UnitStatus.OFFLINE:
                self.unit.model().item(self.unit.count() - 1).setEnabled(False)
        self._units = {u.id: u for u, _ in units}
        self.department = QComboBox()
        self.department.addItems(DEPARTMENTS)
        self.unit.currentIndexChanged.connect(self._on_unit)
        self.priority = QComboBox()
        for level, label in PRIORITY_LABELS.items():
            self.priority.addItem(label, level)
        self.priority.setCurrentIndex(max(0, incident.priority - 1))
        self.instructions = QPlainTextEdit()
        self.instructions.setObjectName("instructions")
        self.instructions.setPlaceholderText("处置要求，例如：立即赶赴现场核实并反馈")
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #ff7875")

        form = QFormLayout()
        for caption, field in (("事件", title), ("处置单元", self.unit), ("责任部门", self.department),
                               ("级别", self.priority), ("处置要求", self.instructions)):
            form.addRow(plain_label(caption), field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("派遣")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        # Preselect the nearest available unit: what a duty officer would pick first.
        for i in range(1, self.unit.count()):
            unit = self._units[self.unit.itemData(i)]
            if unit.status is UnitStatus.AVAILABLE:
                self.unit.setCurrentIndex(i)
                break

    def _on_unit(self, _index: int) -> None:
        unit = self._units.get(self.unit.currentData())
        if unit is not None and unit.department in DEPARTMENTS:
            self.department.setCurrentText(unit.department)

    def _accept(self) -> None:
        if not self.instructions.toPlainText().strip():
            self.error.setText("请填写处置要求")
            return
        self.accept()

    def payload(self) -> dict:
        """The task as the API expects it (``POST /api/v1/tasks``)."""
        return {
            "incident_id": self._incident.id,
            "unit_id": self.unit.currentData(),
            "department": self.department.currentText(),
            "instructions": self.instructions.toPlainText().strip(),
            "priority": int(self.priority.currentData()),
        }
