"""Showing platform text safely in Qt: as text, never as markup, with nothing hidden in it."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget

from commandwall.i18n import translate
from commandwall.textsafe import display_text


def plain_tooltip(*lines: str) -> str:
    """A tooltip that shows ``lines`` exactly as written.

    Qt guesses whether a tooltip is rich text: ``<img …>`` from the platform would be rendered, while an
    escaped ``A &amp; B`` would show the entity. Marking the tooltip as rich text and escaping every line
    shows the characters themselves in both cases; each line first goes through ``display_text``, so
    bidirectional and invisible characters are marked and a very long line is cut.
    """
    return "<qt>" + "<br>".join(html.escape(display_text(line)) for line in lines) + "</qt>"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never reads its text as markup (a QLabel guesses rich text otherwise).

    ``text`` is shown as given: pass outside text through ``display_text`` first.
    """
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class Banner(QLabel):
    """The strip above a screen's content that says what concerns the whole desk (an outage, a hanging
    platform, polling): plain text (it may quote the platform), wrapped, on a coloured background, hidden while
    there is nothing to say. Its object name ``banner`` is what screenshots and tests look for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self._colour = ""
        self.hide()

    def say(self, text: str, colour: str) -> None:
        """Show ``text`` (already made safe to show: ``display_text``) on ``colour``; ``""`` hides the banner."""
        self._colour = colour if text else ""
        self.setText(text)
        self.setStyleSheet(f"background: {colour};" if self._colour else "")
        self.setVisible(bool(text))

    def shown(self) -> tuple[str, str]:
        """The text shown ("" when hidden) and its background colour, as :meth:`say` takes them."""
        return (self.text(), self._colour) if not self.isHidden() else ("", "")


def duration_text(seconds: float) -> str:
    """How long, as badges and the status bar say it: 42秒, 3分05秒, 2小时07分."""
    whole = max(0, int(seconds))
    if whole < 60:
        return translate("Duration", "{s}秒").format(s=whole)
    if whole < 3600:
        return translate("Duration", "{m}分{s:02d}秒").format(m=whole // 60, s=whole % 60)
    return translate("Duration", "{h}小时{m:02d}分").format(h=whole // 3600, m=whole % 3600 // 60)


class SteadyLabel(QLabel):
    """A plain-text label for a value that changes often (a count, the clock) that does not lay its window out
    again for each new text.

    A QLabel with a new text asks its layout to be redone, and that layout its parent's, up to the main
    window's: the docks, the status bar and the central widget were measured again on every batch of an
    incident burst and on every tick of the clock. This one has a fixed size (Qt passes a fixed-size widget by
    when it collects layout requests), grown when a text needs more room and refitted to its text when the
    font or style changes; a count that shrinks leaves the room it had.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        super().setText(text)
        self._refit(grow_only=False)

    def setText(self, text: str) -> None:  # noqa: N802
        """Show ``text`` (plain); the label grows if it needs more room."""
        if text != self.text():
            super().setText(text)
            self._refit(grow_only=True)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Another font or style: the text takes another size."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._refit(grow_only=False)

    def _refit(self, *, grow_only: bool) -> None:
        hint = self.sizeHint()
        size = QSize(max(hint.width(), self.minimumWidth()) if grow_only else hint.width(), hint.height())
        if self.minimumSize() != size or self.maximumSize() != size:
            self.setFixedSize(size)
