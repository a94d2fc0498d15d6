"""Application set-up: Qt's own strings in Chinese, the window icon."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox

from commandwall.ui.app import _install_translations


def test_standard_buttons_speak_chinese(qapp):
    _install_translations(qapp, "zh_CN")
    try:
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        texts = {box.button(b).text().replace("&", "") for b in (QDialogButtonBox.StandardButton.Ok,
                                                                  QDialogButtonBox.StandardButton.Cancel)}
        assert "取消" in " ".join(texts)
    finally:
        for translator in getattr(qapp, "_translators", []):
            qapp.removeTranslator(translator)
        qapp._translators = []
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
