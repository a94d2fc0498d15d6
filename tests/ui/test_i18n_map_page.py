"""The English catalogue compiled with lrelease, loaded in a real QTranslator: the Qt-free layers' words and
the map page (QtWebEngine, offscreen) come out in English, numbers in the page's locale."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from commandwall import i18n
from commandwall.app.incidents import ActionRights
from commandwall.domain.models import IncidentStatus, status_label
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js
from tests.unit.test_i18n_core import CATALOGUE, CJK
from tests.unit.test_mapdoc_page import sample_layers

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


def lrelease() -> str:
    """PySide6's lrelease, next to the interpreter in a virtual environment, else on the PATH."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    found = str(beside) if beside.exists() else shutil.which("pyside6-lrelease")
    if found is None:
        pytest.fail("pyside6-lrelease not found (it comes with PySide6)")
    return found


@pytest.fixture(scope="module")
def english_qm(tmp_path_factory) -> Path:
    """The committed .ts compiled as the build compiles it."""
    qm = tmp_path_factory.mktemp("i18n") / "commandwall_core_en.qm"
    subprocess.run([lrelease(), str(CATALOGUE), "-qm", str(qm)], check=True, capture_output=True, timeout=120)
    return qm


@pytest.fixture
def english(qapp, english_qm: Path) -> Iterator[QTranslator]:
    """Qt's translator with the English catalogue installed, and behind commandwall.i18n, as the UI does it."""
    translator = QTranslator()
    assert translator.load(str(english_qm))
    assert QCoreApplication.installTranslator(translator)
    i18n.install(QCoreApplication.translate)
    yield translator
    i18n.install(None)
    QCoreApplication.removeTranslator(translator)


@pytest.fixture(autouse=True)
def no_page_errors(caplog: pytest.LogCaptureFixture):
    """Any JS console error of the map page fails the test."""
    caplog.set_level(logging.DEBUG, logger="commandwall.ui.map")
    yield
    bad = [r for r in caplog.records if r.name == "commandwall.ui.map.view" and r.levelno >= logging.WARNING]
    assert not bad, [r.getMessage() for r in bad]


def test_the_compiled_catalogue_translates_the_qt_free_layers(english) -> None:
    assert status_label(IncidentStatus.RESOLVED) == "Resolved"
    assert ActionRights(["viewer"]).refusal("escalate") == "Your role (Observer) may not “Escalate”"


def test_the_map_page_built_in_english_shows_english_and_no_chinese_in_its_own_chrome(qtbot, english) -> None:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(sample_layers())

    assert run_js(qtbot, view, "document.title") == "Xuecheng District Map"
    assert run_js(qtbot, view, "CW.locale") == "en"
    # fields are filled once (a value is never read as a field); an unknown key shows as itself
    assert run_js(qtbot, view, "CW.t('density_count', {count: '{count}<b>'})") == "{count}<b> incident(s)"
    assert run_js(qtbot, view, "CW.t('no_such_key')") == "no_such_key"
    assert run_js(qtbot, view, "CW.number(1234567.891, 1)") == "1,234,567.9"
    measure = run_js(qtbot, view, "Array.from(document.querySelectorAll('.cw-measure a'))"
                                  ".map(a => [a.textContent, a.title])")
    assert measure == [["Distance", "Measure a distance (double-click to finish)"],
                       ["Area", "Measure an area (double-click to finish)"]]
    assert run_js(qtbot, view, "document.querySelector('.cw-search-input').placeholder") == (
        "Search: camera, town, grid, incident, unit")
    legend = run_js(qtbot, view, "document.querySelector('.cw-legend').textContent")
    assert legend.startswith("Legend") and "Camera (online)" in legend and "Incident · Critical" in legend
    chrome = run_js(qtbot, view, """[
        document.querySelector('.cw-legend').textContent,
        document.querySelector('.cw-measure').textContent,
        document.querySelector('.cw-select').textContent,
        Array.from(document.querySelectorAll('.cw-select a')).map(a => a.title).join(' '),
        document.querySelector('.cw-coords').textContent,
        document.querySelector('.cw-coords').title,
        document.querySelector('.cw-search-input').placeholder,
        document.querySelector('.cw-selection-wall').textContent,
    ]""")
    assert all(chrome) and not [text for text in chrome if CJK.search(text)], chrome

    # the layer control: the page's own layers in English; the static layers keep their (data) titles
    layers = run_js(qtbot, view, "document.querySelector('.leaflet-control-layers').textContent")
    for title in ("Cameras", "Camera views", "Incidents", "Field units", "Emergency resources", "Town names"):
        assert title in layers
    assert "镇街名称" not in layers and "处置力量" not in layers

    # a measured distance in the page's locale and words
    run_js(qtbot, view, "CW.measure.start('line'), CW.measure.add([34.80, 117.30]), "
                        "CW.measure.add([34.80, 117.32]), true")
    qtbot.waitUntil(lambda: bool(run_js(qtbot, view, "CW.measure.result() !== null")), timeout=5000)
    label = run_js(qtbot, view, "document.querySelector('.cw-measure-value').textContent")
    assert re.fullmatch(r"1\.8\d km", label), label
    assert run_js(qtbot, view, "document.querySelector('.cw-measure-clear').title") == "Clear the measurement"
