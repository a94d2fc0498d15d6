"""Showing platform text safely in Qt: as text, never as markup, with nothing hidden in it."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from commandwall.i18n import translate
from commandwall.textsafe import ZWSP, breakable, display_text


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


def plain_warning(parent: QWidget, title: str, text: str) -> QMessageBox:
    """Open a warning over ``parent`` that shows ``text`` as plain text, and return it (window-modal: the
    window's loop keeps running, the wall keeps playing; it deletes itself once closed).

    ``QMessageBox.warning`` guesses whether its text is rich text: an ``<img …>`` or a link quoted from
    outside would be rendered. Pass outside text through ``display_text`` first.
    """
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class WrappingLabel(QLabel):
    """A plain-text, word-wrapped label for text that may come from outside (a platform's error message, an
    incident title, a user or profile name), as narrow as its layout makes it whatever the text.

    A word-wrapped QLabel breaks lines only between words and is never narrower than its longest word: one
    unbroken run from the platform (200 "W", a base64 token) held a banner, a dialog or a dock at over
    2000 px and pushed the main window off its screen. This label draws its text with a place to break after
    every :data:`~commandwall.textsafe.BREAK_RUN` characters of a longer run (:func:`breakable`), so every
    character is shown, on as many lines as it takes. :meth:`text` is the text as set, and a selection copied
    (Ctrl+C, the context menu's copy) is copied without the added breaks.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Show ``text`` (already made fit to show: ``display_text``), wrapped, breaking long runs."""
        self._text = text
        super().setText(breakable(text))

    def text(self) -> str:
        """The text as set (without the places to break that are added to draw it)."""
        return self._text

    def drawn_text(self) -> str:
        """The text as the label draws it: :meth:`text` with a ZERO WIDTH SPACE in each long run."""
        return super().text()

    def clear(self) -> None:
        """Show nothing."""
        self.setText("")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Ctrl+C on a selection copies it without the breaks added to draw it."""
        super().keyPressEvent(event)
        if event.matches(QKeySequence.StandardKey.Copy):
            self._copy_without_breaks()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt's name)
        """The context menu's copy copies the selection without the breaks added to draw it."""
        super().contextMenuEvent(event)  # the menu runs until it is closed
        self._copy_without_breaks()

    def _copy_without_breaks(self) -> None:
        clipboard = QGuiApplication.clipboard()
        copied = clipboard.text()
        if ZWSP in copied and copied == self.selectedText():  # what this label copied (outside text has no ZWSP)
            clipboard.setText(copied.replace(ZWSP, ""))



class Banner(WrappingLabel):
    """The strip above a screen's content that says what concerns the whole desk (an outage, a hanging
    platform, polling): plain text (it may quote the platform), wrapped, on a coloured background, hidden while
    there is nothing to say. Its object name ``banner`` is what screenshots and tests look for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("banner")
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


#: How long (ms) a :class:`SteadyLabel` keeps the room of a longer text once a shorter one has come.
SHRINK_AFTER_MS = 5000


class SteadyLabel(QLabel):
    """A plain-text label for a value that changes often (a count, the clock) that does not lay its window out
    again for each new text.

    A QLabel with a new text asks its layout to be redone, and that layout its parent's, up to the main
    window's: the docks, the status bar and the central widget were measured again on every batch of an
    incident burst and on every tick of the clock. This one has a fixed size (Qt passes a fixed-size widget by
    when it collects layout requests), grown at once when a text (or another font) needs more room. A shorter
    text leaves the room it had for ``shrink_after_ms``; then the label gives back what none of the texts
    shown meanwhile needed (a status bar's connection state that said why it was reconnecting kept that width
    for "● 实时推送", and the status bar's notices were cut for it). A text that comes and goes within that time
    keeps the room: no jitter.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 shrink_after_ms: int = SHRINK_AFTER_MS) -> None:
        super().__init__(parent)
        self._widest = 0  # the widest text shown since a shorter text started the wait
        self._shrink = QTimer(self)
        self._shrink.setSingleShot(True)
        self._shrink.setInterval(shrink_after_ms)
        self._shrink.timeout.connect(self._give_back)
        self.setTextFormat(Qt.TextFormat.PlainText)
        super().setText(text)
        self._refit(grow_only=False)

    def setText(self, text: str) -> None:  # noqa: N802
        """Show ``text`` (plain); the label grows at once if it needs more room, and gives room back later."""
        if text != self.text():
            super().setText(text)
            self._settle()

    def _settle(self) -> None:
        """Grow now if the text needs more room; give back room once it has not been needed for a while."""
        self._refit(grow_only=True)
        needed = self.text_size().width()
        if self._shrink.isActive():
            self._widest = max(self._widest, needed)
        elif needed < self.minimumWidth():
            self._widest = needed
            self._shrink.start()

    def _give_back(self) -> None:
        needed = self.text_size()
        width = max(self._widest, needed.width())
        if width < self.minimumWidth():
            self.setFixedSize(QSize(width, needed.height()))

    def text_size(self) -> QSize:
        """The size the text shown needs. QLabel's own size hint is never under the label's minimum size, here
        the fixed size: a label that measured itself by it could never become narrower again."""
        self.ensurePolished()
        metrics, align = self.fontMetrics(), self.alignment()
        centred = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignHCenter
        text = metrics.boundingRect(QRect(0, 0, 2000, 2000), (align & ~centred) | Qt.TextFlag.TextExpandTabs,
                                    self.text())
        width = text.width() if self.text() else metrics.averageCharWidth()  # as QLabel measures nothing
        across = down = 2 * self.margin()
        indent = self.indent()
        if indent < 0 and self.frameWidth():  # QLabel's own indent beside a frame
            indent = metrics.horizontalAdvance("x") - 2 * self.margin()
        if indent > 0 and self.text():
            across += indent if align & (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignRight) else 0
            down += indent if align & (Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignBottom) else 0
        margins = self.contentsMargins()
        return QSize(width + across + margins.left() + margins.right(),
                     text.height() + down + margins.top() + margins.bottom())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Another font or style: the text takes another size, taken like a new text (room now if needed, given
        back later): a state's style sheet, set again with each of its texts, sets the font too."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._settle()

    def _refit(self, *, grow_only: bool) -> None:
        hint = self.text_size()
        size = QSize(max(hint.width(), self.minimumWidth()) if grow_only else hint.width(), hint.height())
        if self.minimumSize() != size or self.maximumSize() != size:
            self.setFixedSize(size)


class ElidedLabel(QLabel):
    """A one-line plain-text label that, given less room than its text needs, ends it with … and says the whole
    text in its tooltip: a caption in a narrow dock (a 1280 px desk, a longer translation) neither loses its
    last letters mid-glyph nor holds its neighbours to its width. ``text()`` is the whole text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Show ``text`` (plain), cut with … where the label is too narrow for it."""
        super().setText(text)
        self._say_whole()

    def elided(self) -> bool:
        """Whether the label is too narrow for its whole text now (it shows it cut with …)."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        """The text as the label draws it now: whole, or cut with …."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """As narrow as … and the margins: the text is cut, not the neighbours squeezed."""
        hint = super().minimumSizeHint()
        margins = self.contentsMargins()
        return QSize(self.fontMetrics().horizontalAdvance("…") + margins.left() + margins.right(), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Another width: the tooltip says the whole text only while it is cut."""
        super().resizeEvent(event)
        self._say_whole()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Another font (a style sheet's): the text may fit now, or no longer."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._say_whole()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """The text, cut with … where it does not fit, in the label's colours and alignment."""
        painter = QPainter(self)
        try:
            self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()), self.palette(),
                                      self.isEnabled(), self.shown_text(), self.foregroundRole())
        finally:
            painter.end()

    def _say_whole(self) -> None:
        self.setToolTip(plain_tooltip(self.text()) if self.text() and self.elided() else "")
