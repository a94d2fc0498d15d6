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


def test_english_without_its_catalogue_says_so_and_stays_chinese(qapp, tmp_path, monkeypatch, caplog):
    """A missing commandwall_en.qm (set-up not run): a clear warning, and the window in Chinese, not a mixture."""
    from PySide6.QtCore import QLocale

    from commandwall import i18n
    from commandwall.ui import language

    monkeypatch.setattr(language.paths, "resources_dir", lambda: tmp_path)
    before, locale = i18n._translator, QLocale()
    try:
        with caplog.at_level("WARNING", logger="commandwall.ui.language"):
            assert language.install_language(qapp, "en") == "zh_CN"
        assert "commandwall_en.qm is missing" in caplog.text and "stays in Simplified Chinese" in caplog.text
        assert QLocale().language() is QLocale.Language.Chinese
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own strings too
        assert i18n.translate("MainWindow", "视频墙") == "视频墙"
    finally:
        for translator in getattr(qapp, "_translators", []):
            qapp.removeTranslator(translator)
        qapp._translators = []
        i18n.install(before)
        QLocale.setDefault(locale)


def test_the_client_hands_the_interpreter_lock_round_sooner() -> None:
    """The GUI process (as ``_make_app`` sets it up, in a process of its own) lets other threads hold the
    interpreter lock 1 ms at a time, not Python's 5 ms, while the GUI thread waits for it."""
    import os
    import subprocess
    import sys

    code = "import sys; from commandwall.ui.app import _make_app; _make_app(); print(sys.getswitchinterval())"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip().splitlines()[-1]) == 0.001
