"""Chinese text and emoji render with real fonts (no tofu boxes) in widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QImage, QPainter, QRawFont

SAMPLE = "薛城区一体化综合指挥平台 临城街道 待受理"


def test_a_cjk_font_is_installed(qapp):
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no font supports Simplified Chinese: install fonts-noto-cjk"


def test_the_ui_font_has_glyphs_for_the_district_names(qapp, themed):
    font = QFont(qapp.font())
    raw = QRawFont.fromFont(font, QFontDatabase.WritingSystem.SimplifiedChinese)
    assert raw.isValid()
    missing = [ch for ch in SAMPLE if not ch.isspace() and not raw.supportsCharacter(ord(ch))]
    assert not missing, f"{raw.familyName()} lacks {missing}"
    # every character gets its own width: tofu boxes would all be the same narrow box
    metrics = QFontMetrics(font)
    assert metrics.horizontalAdvance("薛城区") >= 2 * metrics.horizontalAdvance("ab")


EMOJI = "🚒🌊"  # in department and incident names: 消防🚒, 防汛🌊
NO_GLYPH = "\U0010fffd"  # private use: no font has it, so Qt draws its missing-glyph box


def _render(text: str, font: QFont) -> QImage:
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def _coloured(image: QImage) -> int:
    colours = (image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width()))
    return sum(1 for c in colours if max(c.red(), c.green(), c.blue()) - min(c.red(), c.green(), c.blue()) > 80)


def test_a_colour_emoji_font_is_installed(qapp):
    families = [f for f in QFontDatabase.families() if "emoji" in f.lower()]
    assert families, "no emoji font: install fonts-noto-color-emoji (scripts/system-deps.sh)"


def test_the_ui_font_draws_emoji_as_colour_glyphs_not_boxes(qapp, themed):
    font = QFont(qapp.font())
    box = _render(NO_GLYPH, font)
    for emoji in EMOJI:
        image = _render(emoji, font)
        assert image != box, f"{emoji} is drawn as the missing-glyph box"
        assert _coloured(image) > 20, f"{emoji} is not drawn in colour (no colour emoji font in the fallback)"
