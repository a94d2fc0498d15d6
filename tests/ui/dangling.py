"""Layout items that PySide still wraps after Qt deleted them.

When a layout that already holds widgets is added to another (``addLayout``, ``setLayout``), PySide makes a Python
wrapper for each of its items and keeps it as a child of the outer layout. Qt deletes an item when its widget
leaves the layout (moved to another cell or layout, reparented, deleted), but PySide is not told: the wrapper
stays registered under the freed address. The next Qt object allocated there and handed to Python (a web
request job, a widget in a slot) comes back as that wrapper, of the wrong type — ``'QWidgetItem' object has no
attribute 'requestUrl'`` in the map's URL scheme handler, or a crash. Nothing in Python owns such a wrapper, so
it cannot be released from here: the code must not make one (add a layout to its parent before its widgets, or
take a widget out with ``removeWidget`` before moving it).
"""

from __future__ import annotations

import re

import shiboken6
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget

_PARENT = re.compile(r"parent\.+ <[^>]* at (0x[0-9a-f]+)>")


def dangling_layout_items() -> list[str]:
    """One line for each layout item PySide wraps that no live layout holds and Python does not own: where
    (the widgets above the layout that kept it) — empty when there is none."""
    wrappers = shiboken6.getAllValidWrappers()
    layouts = [w for w in wrappers if isinstance(w, QLayout) and shiboken6.isValid(w)]
    by_address = {hex(id(layout)): layout for layout in layouts}
    found = []
    for wrapper in wrappers:
        if not isinstance(wrapper, QLayoutItem) or isinstance(wrapper, QLayout) or shiboken6.ownedByPython(wrapper):
            continue
        # indexOf compares pointers only: it never reads the (possibly freed) item
        if any(layout.indexOf(wrapper) >= 0 for layout in layouts):
            continue
        parent = _PARENT.search(shiboken6.dump(wrapper))
        layout = by_address.get(parent.group(1)) if parent else None
        found.append(f"a {type(wrapper).__name__} kept by {_describe(layout)}")
    return found


def _describe(layout: QLayout | None) -> str:
    if layout is None:
        return "no layout PySide knows"
    chain = []
    widget: QWidget | None = layout.parentWidget()
    while widget is not None and len(chain) < 5:
        chain.append(f"{type(widget).__name__}({widget.objectName()!r})")
        widget = widget.parentWidget()
    return f"a {type(layout).__name__} in {' < '.join(chain) or 'no widget'}"
