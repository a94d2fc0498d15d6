"""UI test set-up shared by the Qt tests."""

from __future__ import annotations


def pytest_configure(config) -> None:
    """Register the map's ``cw://`` URL scheme before pytest-qt creates the QApplication (Qt requires it)."""
    from commandwall.ui.map.scheme import register_scheme

    register_scheme()
