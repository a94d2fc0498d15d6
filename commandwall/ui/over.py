"""Dialogs over the window they were asked from. On a desk of several screens the map, the wall and the incident
centre have windows of their own, each full screen on its monitor: a dialog asked for from one of them opens
over it, not over the main window on another monitor (where nobody at the wall would see it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget


def asking_window(fallback: QWidget) -> QWidget:
    """The window the officer is working in now (the active one; for a dialog, the window it is over), or
    ``fallback`` when no window of the desk is active."""
    window = QApplication.activeWindow()
    seen = 0
    while isinstance(window, QDialog) and window.parentWidget() is not None and seen < 16:
        window, seen = window.parentWidget().window(), seen + 1
    if window is None or isinstance(window, QDialog) or window.windowType() == Qt.WindowType.Popup:
        return fallback
    return window


def put_over(dialog: QDialog, window: QWidget) -> None:
    """Make ``dialog`` (one kept and shown again) a dialog of ``window``: it stacks over that window and, shown,
    opens centred on it (Qt centres a dialog on its parent). One that is open moves there at once."""
    if dialog.parentWidget() is window:
        return
    visible = dialog.isVisible()
    dialog.setParent(window, dialog.windowFlags())  # a dialog stays a window of its own
    dialog.setAttribute(Qt.WidgetAttribute.WA_Moved, False)  # centred anew on its new parent
    if visible:
        dialog.show()


def give_back_dialogs(window: QWidget, to: QWidget) -> None:
    """The dialogs of ``window`` (a screen's window about to close) go over ``to``: closing ``window`` would
    delete them with it, and a dialog kept for later (the login, the shortcut sheet) would be gone."""
    for dialog in window.findChildren(QDialog, options=Qt.FindChildOption.FindDirectChildrenOnly):
        put_over(dialog, to)
