"""Showing platform text safely in Qt: as text, never as markup."""

from __future__ import annotations

import html


def plain_tooltip(*lines: str) -> str:
    """A tooltip that shows ``lines`` exactly as written.

    Qt guesses whether a tooltip is rich text: ``<img …>`` from the platform would be rendered, while an
    escaped ``A &amp; B`` would show the entity. Marking the tooltip as rich text and escaping every line
    shows the characters themselves in both cases.
    """
    return "<qt>" + "<br>".join(html.escape(line) for line in lines) + "</qt>"
