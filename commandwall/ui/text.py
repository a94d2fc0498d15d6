"""Showing platform text safely in Qt: as text, never as markup, with nothing hidden in it."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

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
