"""The add-layer dialog's check report with hostile names: a file name, a title, feature ids and properties from
the hostile corpus reach the report as visible text, never as controls that reorder or hide what it says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from commandwall.textsafe import BIDI_CONTROLS, is_hidden
from commandwall.ui.map.add_layer_dialog import AddLayerDialog
from tests.hostile import corpus

EVIL = "<b>粗</b>\u202egnp.exe\x00"


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    features = [{"type": "Feature", "id": text, "properties": {"name": text, text[:50] or "k": text},
                 "geometry": {"type": "Point", "coordinates": [117.3 + n * 1e-4, 34.8]}}
                for n, text in enumerate(corpus())]
    features.append({"type": "Feature", "id": EVIL, "properties": {"name": EVIL},
                     "geometry": {"type": "Point", "coordinates": [999, 999]}})  # a bad one, named by index
    path = tmp_path / "evil\u202efdp.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def test_the_check_report_shows_hostile_names_as_visible_text(qtbot: QtBot, hostile_file: Path) -> None:
    added: list = []
    dialog = AddLayerDialog(lambda title: "user-evil", added.append)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.location.setText(str(hostile_file))
    dialog.title.setText(EVIL)
    dialog.run_check()
    qtbot.waitUntil(lambda: "usable" in dialog.report.toPlainText(), timeout=20000)
    report = dialog.report.toPlainText()
    assert f"usable features: {len(corpus())}" in report and "bad features: 1" in report
    assert not any(char in report for char in BIDI_CONTROLS) and "\x00" not in report
    assert not any(is_hidden(char) for char in report if char not in "\n")
    assert "fdp.geojson" in report and "evil" in report  # the file named, its U+202E shown, not obeyed
    dialog.run_add()
    assert [spec.title for spec in added] == [EVIL]  # the title is kept as typed; shown through display_text
