"""The dark command-centre look: a Fusion palette and a small style sheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = "#0b1420"
PANEL = "#111d2b"
ACCENT = "#19c3e6"
TEXT = "#d6e4f0"

STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {BACKGROUND}; }}
QDockWidget::title {{ background: #14263a; color: {ACCENT}; padding: 4px 8px; font-weight: bold; }}
QToolBar {{ background: #0f1c2b; border-bottom: 1px solid #1f3a55; spacing: 6px; }}
QToolBar QToolButton#qt_toolbar_ext_button {{ background: #3a6f9e; border: 1px solid {ACCENT}; border-radius: 2px; }}
QStatusBar {{ background: #0f1c2b; color: {TEXT}; }}
QTableView {{ gridline-color: #1f3a55; selection-background-color: #1d4e73; }}
QHeaderView::section {{ background: #14263a; color: {ACCENT}; border: 0; padding: 3px; }}
QLabel#incidentTitle {{ font-size: 15px; font-weight: bold; color: #ffffff; }}
QLabel#banner {{ background: #a8071a; color: white; padding: 4px 10px; font-weight: bold; }}
QLabel#titleLabel {{ color: {ACCENT}; font-size: 16px; font-weight: bold; padding: 0 12px; }}
QPushButton {{ background: #16324d; border: 1px solid #25527a; padding: 4px 10px; border-radius: 3px; }}
QPushButton:hover {{ background: #1d4e73; }}
QPushButton:disabled {{ color: #5b6b7a; border-color: #22384d; }}
"""


def apply_theme(app: QApplication) -> None:
    """Fusion style with a dark palette, CJK-capable UI font."""
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, PANEL),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.Base, "#0d1926"),
        (QPalette.ColorRole.AlternateBase, "#12202f"),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.Button, "#16324d"),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Highlight, "#1d4e73"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#14263a"),
        (QPalette.ColorRole.ToolTipText, TEXT),
        (QPalette.ColorRole.PlaceholderText, "#6b7d8f"),
    ):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "sans-serif"])
    font.setPointSize(10)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
