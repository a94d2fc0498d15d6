"""SteadyLabel: a count or a clock that changes often does not lay the window out again for each new text."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from commandwall.ui.text import SteadyLabel


class LayoutRequests(QObject):
    """Counts the layout requests an object receives."""

    def __init__(self, watched: QObject) -> None:
        super().__init__()
        self.count = 0
        watched.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def row_with(qtbot, label: QLabel) -> tuple[QWidget, QWidget]:
    """A window with a row (another layout level) holding ``label`` beside a stretch, shown and laid out."""
    window = QWidget()
    qtbot.addWidget(window)
    row = QWidget()
    inner = QHBoxLayout(row)
    inner.addWidget(label)
    inner.addStretch(1)
    QVBoxLayout(window).addWidget(row)
    window.resize(600, 100)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    return window, row


def layout_requests_for(qtbot, label: QLabel, texts: list[str]) -> int:
    _window, row = row_with(qtbot, label)
    requests = LayoutRequests(row)
    for text in texts:
        label.setText(text)
        qtbot.wait(1)  # the posted requests are delivered
    return requests.count


COUNTS = [f"新 {n % 7} · {n} / 3000 起" for n in range(3000, 3040)]


def test_a_changing_count_asks_for_no_layout_where_a_plain_label_asks_for_one_per_text(qtbot) -> None:
    assert layout_requests_for(qtbot, QLabel(), COUNTS) >= len(COUNTS) // 2  # the cost it removes, seen here
    assert layout_requests_for(qtbot, SteadyLabel(COUNTS[0]), COUNTS) == 0


def test_a_longer_text_grows_the_label_and_shows_whole_and_a_shorter_keeps_the_room(qtbot) -> None:
    label = SteadyLabel("3 起")
    _window, _row = row_with(qtbot, label)  # kept: the label lives in it
    narrow = label.width()
    label.setText("未办结事件 12345 起 · 视频在线 1999/2000")
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width() > narrow, timeout=2000)
    wide = label.width()
    label.setText("1 起")
    qtbot.wait(20)
    assert label.width() == wide  # no layout for a count going down and up again


def test_a_bigger_font_refits_the_label(qtbot) -> None:
    label = SteadyLabel("2026-12-03 08:00:00")
    _window, _row = row_with(qtbot, label)  # kept: the label lives in it
    before = label.size()
    font = label.font()
    font.setPointSize(font.pointSize() * 2)
    label.setFont(font)
    qtbot.waitUntil(lambda: label.height() > before.height() and label.width() > before.width(), timeout=2000)
    assert label.size() == label.sizeHint()


def test_markup_and_hidden_characters_are_shown_as_their_characters(qtbot) -> None:
    """A SteadyLabel is plain text like ``plain_label``: markup, entities and template syntax are drawn as typed
    (the same pixels as a plain-text QLabel), whatever its size history."""
    from tests.hostile import corpus

    steady, plain = SteadyLabel(), QLabel()
    plain.setTextFormat(Qt.TextFormat.PlainText)
    for label in (steady, plain):
        qtbot.addWidget(label)
        label.show()
    for text in ["<b>粗体</b>", "<img src=x onerror=alert(1)>", "&amp;", "{{7*7}}", "${7*7}", *corpus()[:40]]:
        steady.setText(text)
        plain.setText(text)
        assert steady.text() == text and steady.textFormat() is Qt.TextFormat.PlainText
        assert steady.width() >= steady.sizeHint().width()  # shown whole
        plain.setFixedSize(steady.size())
        assert steady.grab().toImage() == plain.grab().toImage(), repr(text)


def test_a_shorter_text_gives_the_room_back_once_it_has_stayed_a_while(qtbot) -> None:
    """The status bar's connection state said why it was reconnecting, then 实时推送 for good: the label gives
    the width back (it kept it for ever, and the status bar's notices were cut for it)."""
    label = SteadyLabel("● 实时推送", shrink_after_ms=300)
    _window, _row = row_with(qtbot, label)  # kept: the label lives in it
    live = label.width()
    label.setText("● 重连中（第 3 次，5 秒后重试）：平台无响应")
    label.setStyleSheet("color: #faad14; font-weight: bold;")  # each state comes with its colour
    qtbot.waitUntil(lambda: label.width() > 2 * live, timeout=2000)
    wide = label.width()
    label.setText("● 实时推送")
    label.setStyleSheet("color: #52c41a; font-weight: bold;")
    qtbot.wait(100)
    assert label.width() == wide  # not at once: a text that comes back soon finds its room
    bold = QLabel("● 实时推送")
    bold.setStyleSheet("color: #52c41a; font-weight: bold;")
    qtbot.addWidget(bold)
    qtbot.waitUntil(lambda: label.width() < wide, timeout=2000)
    assert label.size() == bold.sizeHint()  # fits its text again, whole


def test_texts_that_come_and_go_keep_the_room_without_jitter(qtbot) -> None:
    label = SteadyLabel("● 实时推送", shrink_after_ms=1500)  # well past each 100 ms, also on a loaded machine
    _window, _row = row_with(qtbot, label)  # kept: the label lives in it
    label.setText("● 平台无响应（12 秒无数据）")
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width(), timeout=2000)
    wide = label.width()
    widths = set()
    for n in range(10):  # back and forth every 100 ms for a second: each wait sees the long text again
        label.setText("● 实时推送" if n % 2 == 0 else f"● 平台无响应（{13 + n} 秒无数据）")
        qtbot.wait(100)
        widths.add(label.width())
    assert widths == {wide}
