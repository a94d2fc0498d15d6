"""UI test set-up shared by the Qt tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from commandwall.app.platform import PlatformFactory
from commandwall.backoff import Backoff
from commandwall.demo import DemoBackend
from commandwall.ui.wall import WallView
from commandwall.video.pool import ReaderPool
from commandwall.video.reader import StreamReader
from tests.ui.dangling import dangling_layout_items
from tests.unit.test_video_mjpeg import MjpegServer


def pytest_configure(config) -> None:
    """Register the map's ``cw://`` URL scheme before pytest-qt creates the QApplication (Qt requires it)."""
    from commandwall.ui.map.scheme import register_scheme

    register_scheme()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After every UI test, while its windows are still alive: no layout item that Qt deleted is still wrapped by
    PySide (tests/ui/dangling.py) — such a wrapper hands a later Qt object to Python as the wrong type."""
    dangling = dangling_layout_items() if "shiboken6" in sys.modules else []
    result = yield
    if dangling:
        raise AssertionError("PySide still wraps layout items Qt deleted (a full layout added to another, then a "
                             "widget moved out of it):\n  " + "\n  ".join(dangling))
    return result


@pytest.fixture(autouse=True)
def _application_theme_put_back(qapp) -> Iterator[None]:
    """A test that themes the application puts it back (the ``themed`` fixture does): the next test in the process
    sees the application as it was, not the desk's style sheet and font another test left."""
    from PySide6.QtGui import QFont

    sheet, font = qapp.styleSheet(), QFont(qapp.font())
    yield
    if qapp.styleSheet() != sheet or qapp.font() != font:
        qapp.setStyleSheet(sheet)
        qapp.setFont(font)
        pytest.fail("the test left the application themed (the themed fixture puts it back)", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _delete_widgets_before_qt_goes(qapp) -> Iterator[None]:
    """Delete every top-level widget (and so every web page) before the QApplication is torn down.

    A QWebEnginePage still alive when the default web profile is released makes QtWebEngine crash at exit
    (exit status 139 after all tests passed), so whatever a test left behind is deleted here, at the end of
    the session, while Qt can still do it properly.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qapp.processEvents()


@pytest.fixture
def server() -> Iterator[MjpegServer]:
    """A real MJPEG camera server (sub 640×360, main 1280×720)."""
    srv = MjpegServer(fps=25).start()
    yield srv
    srv.stop()


@pytest.fixture
def pool() -> Iterator[ReaderPool]:
    """Readers with a short backoff, all stopped after the test."""
    p = ReaderPool(lambda url: StreamReader(url, backoff=Backoff(initial_s=0.1, maximum_s=0.5)))
    yield p
    p.stop_all(timeout_s=6.0)


@pytest.fixture
def wall(qtbot, pool: ReaderPool) -> Iterator[WallView]:
    """A shown 2×2 wall, 960×540 (tiles well under 800 px: sub streams)."""
    view = WallView(pool, tile_count=4)
    qtbot.addWidget(view)
    view.resize(960, 540)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()


@pytest.fixture
def exercise(tmp_path: Path) -> Iterator[DemoBackend]:
    """The exercise backend on 127.0.0.1, stopped after the test: nothing changes on it unless the test makes it.

    Its simulator is off: left on, it advances a random open incident about every 20 s, drops and restores
    cameras, moves units and steps tasks, so an incident, camera or unit a test picked (a NEW incident, an online
    camera, an available unit) could change under it at any moment. (The exercise running on its own is the
    end-to-end tests' part: the whole client with its embedded backend.)"""
    backend = DemoBackend(db_path=tmp_path / "exercise.sqlite3", incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


@pytest.fixture
def exercise_platform(exercise: DemoBackend) -> PlatformFactory:
    """What the command line hands the session in exercise mode, for the test's own exercise backend."""
    return PlatformFactory.at_url(exercise.base_url, exercise=True)


@pytest.fixture
def english(qapp):
    """The application in English for one test, then as it was (the other tests read the Chinese texts)."""
    from PySide6.QtCore import QLocale
    from PySide6.QtWebEngineCore import QWebEngineProfile

    from commandwall import i18n
    from commandwall.ui.language import install_language
    from tests.ui.widget_texts import catalogues

    catalogues.release()  # the .qm from the committed catalogues, as `make setup` makes it
    translators = list(getattr(qapp, "_translators", []))
    translator, locale = i18n._translator, QLocale()
    accept = QWebEngineProfile.defaultProfile().httpAcceptLanguage()
    assert install_language(qapp, "en") == "en"
    assert QLocale().language() is QLocale.Language.English
    yield
    for added in qapp._translators[len(translators):]:
        qapp.removeTranslator(added)
    qapp._translators = translators
    qapp._language = "zh_CN"
    i18n.install(translator)
    QLocale.setDefault(locale)
    QWebEngineProfile.defaultProfile().setHttpAcceptLanguage(accept)


@pytest.fixture
def themed(qapp) -> Iterator[None]:
    """The desk's theme (its UI font, 10 pt, and style sheet) for one test, then the application as it was: sizes
    measured as a desk shows them."""
    from commandwall.ui.theme import apply_theme

    style, palette, font, sheet = qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet()
    apply_theme(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)
    qapp.setPalette(palette)
    qapp.setStyle(style)


@pytest.fixture(params=["zh_CN", "en"])
def language(request) -> str:
    """Each language of the desk in turn (English through the ``english`` fixture)."""
    if request.param == "en":
        request.getfixturevalue("english")
    return request.param
