"""Chinese text renders with a real CJK font (no tofu boxes) in widgets."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QRawFont

from commandwall.ui.theme import apply_theme

SAMPLE = "薛城区一体化综合指挥平台 临城街道 待受理"


def test_a_cjk_font_is_installed(qapp):
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no font supports Simplified Chinese: install fonts-noto-cjk"


def test_the_ui_font_has_glyphs_for_the_district_names(qapp):
    apply_theme(qapp)
    font = QFont(qapp.font())
    raw = QRawFont.fromFont(font, QFontDatabase.WritingSystem.SimplifiedChinese)
    assert raw.isValid()
    missing = [ch for ch in SAMPLE if not ch.isspace() and not raw.supportsCharacter(ord(ch))]
    assert not missing, f"{raw.familyName()} lacks {missing}"
    # every character gets its own width: tofu boxes would all be the same narrow box
    metrics = QFontMetrics(font)
    assert metrics.horizontalAdvance("薛城区") >= 2 * metrics.horizontalAdvance("ab")
