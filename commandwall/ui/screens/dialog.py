"""屏幕设置: one role per screen, applied at once and saved in the profile."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from commandwall.app.screens import ScreenRole
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.screens.manager import ScreenManager, sorted_screens
from commandwall.ui.text import WrappingLabel


class ScreenSettingsDialog(QDialog):
    """A role chooser per present screen; 确定 hands the roles to the :class:`ScreenManager`."""

    def __init__(self, manager: ScreenManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ScreenSettings", "屏幕设置"))
        self.manager = manager
        form = QFormLayout(self)
        note = WrappingLabel(translate("ScreenSettings", "方案：{profile}。每块屏幕显示一项；"
                                      "没有屏幕显示的内容停靠在主窗口中。").format(profile=display_text(manager.profile.name)))
        form.addRow(note)
        self.choosers: list[QComboBox] = []
        roles = manager.roles or [ScreenRole.CONSOLE] * len(sorted_screens())
        for i, (screen, role) in enumerate(zip(sorted_screens(), roles, strict=False)):
            combo = QComboBox()
            combo.setObjectName(f"screenRole{i}")
            for option in ScreenRole:
                combo.addItem(option.title, option.value)
            combo.setCurrentIndex(list(ScreenRole).index(role))
            geo = screen.geometry()
            # a monitor's name comes from its EDID or the X server: shown as the characters it is
            caption = translate("ScreenSettings", "屏幕 {number}（{name}，{width}×{height}）").format(
                number=i + 1, name=display_text(screen.name()), width=geo.width(), height=geo.height())
            form.addRow(_plain_label(caption), combo)
            self.choosers.append(combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_roles(self) -> list[ScreenRole]:
        """The role picked for each screen, in screen order."""
        return [ScreenRole(combo.currentData()) for combo in self.choosers]

    def accept(self) -> None:
        """Apply and save the chosen roles, then close."""
        self.manager.set_roles(self.chosen_roles())
        super().accept()


def _plain_label(text: str) -> QLabel:
    """A label that never reads its text as markup."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label
