"""The add-layer dialog (添加图层…) of the layer tree: kind, file or URL, collection / feature type, CRS and title;
检查 reads the source on a worker thread and shows what ``commandwall layers check`` would say (count, geometry
types, bbox, bad features with reasons); 添加 keeps it in ``<config>/layers.json`` through the layer tree.

The form's rules live in :mod:`commandwall.app.layer_form` (no Qt); this is only the skin. Everything shown is
plain text; URLs are shown redacted by the report (a URL with a key is refused before anything is read).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.layer_form import FORM_KINDS, check_source, source_from_form
from commandwall.geo.crs import SUPPORTED_CRS
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

_NAME_LABELS = {"ogcapi": QT_TRANSLATE_NOOP("AddLayerDialog", "集合"),
                "wfs": QT_TRANSLATE_NOOP("AddLayerDialog", "要素类型"),
                "wfs_gml": QT_TRANSLATE_NOOP("AddLayerDialog", "要素类型")}


class AddLayerDialog(QDialog):
    """Non-modal: the map stays usable while a slow service is checked. ``new_id(title)`` gives the new source's
    id; ``add(spec)`` keeps it (``ValueError`` with a message for the user when it cannot)."""

    sig_checked = Signal(int, str)  # (check number, report) from the worker thread, queued to the GUI thread

    def __init__(self, new_id: Callable[[str], str], add: Callable[[Any], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("AddLayerDialog", "添加图层"))
        self._new_id, self._add = new_id, add
        self._checks = 0  # a newer check (or an edit) makes an older answer stale
        self._closed = False
        self.kind = QComboBox(self)
        for key, label in FORM_KINDS:
            self.kind.addItem(translate("layers", label), key)
        self.location = QLineEdit(self)
        self.browse = QPushButton(translate("AddLayerDialog", "选择文件…"), self)
        self.name = QLineEdit(self)
        self.name_label = QLabel(self)
        self.crs = QComboBox(self)
        self.crs.setEditable(True)
        self.crs.addItems(list(SUPPORTED_CRS))
        self.crs.setCurrentText("EPSG:4326")
        self.title = QLineEdit(self)
        self.title.setMaxLength(60)
        self.check = QPushButton(translate("AddLayerDialog", "检查"), self)
        self.add = QPushButton(translate("AddLayerDialog", "添加"), self)
        self.cancel = QPushButton(translate("AddLayerDialog", "取消"), self)
        self.report = QPlainTextEdit(self)
        self.report.setReadOnly(True)
        self.report.setPlaceholderText(
            translate("AddLayerDialog", "检查：读取图层，列出要素数、几何类型、范围和无效要素"))
        self.report.setMinimumSize(560, 200)
        where = QHBoxLayout()
        where.addWidget(self.location, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(translate("AddLayerDialog", "类型"), self.kind)
        form.addRow(translate("AddLayerDialog", "文件或网址"), where)
        form.addRow(self.name_label, self.name)
        form.addRow(translate("AddLayerDialog", "坐标系"), self.crs)
        form.addRow(translate("AddLayerDialog", "名称"), self.title)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check)
        buttons.addStretch(1)
        buttons.addWidget(self.add)
        buttons.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report, 1)
        layout.addLayout(buttons)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self.browse.clicked.connect(self._browse)
        self.check.clicked.connect(self.run_check)
        self.add.clicked.connect(self.run_add)
        self.cancel.clicked.connect(self.reject)
        for edit in (self.location, self.name, self.title):
            edit.textEdited.connect(self._stale)
        self.sig_checked.connect(self._on_checked)
        self._on_kind()

    def reset(self) -> None:
        """An empty form (kept kind), ready for the next source."""
        self._checks += 1
        for edit in (self.location, self.name, self.title):
            edit.clear()
        self.crs.setCurrentText("EPSG:4326")
        self.report.clear()
        self.check.setEnabled(True)

    def kind_key(self) -> str:
        """The chosen kind: ``file``, ``url``, ``ogcapi`` or ``wfs``."""
        return str(self.kind.currentData())

    def spec(self) -> Any:
        """The source the form describes; ``ValueError`` says what is wrong."""
        return source_from_form(self.kind_key(), self.location.text(), self.name.text(), self.crs.currentText(),
                                self.title.text(), self._new_id(self.title.text()))

    def _on_kind(self) -> None:
        kind = self.kind_key()
        self.browse.setVisible(kind == "file")
        label = _NAME_LABELS.get(kind)
        self.name_label.setText(translate("AddLayerDialog", label) if label else "")
        self.name.setVisible(label is not None)
        self.name_label.setVisible(label is not None)
        hint = {"file": "/path/layer.geojson", "url": "http://host/layer.geojson",
                "ogcapi": translate("AddLayerDialog", "http://host/ogcapi  或  …/collections/ID/items"), "wfs": "http://host/geoserver/wfs",
                "wfs_gml": "http://host/geoserver/wfs"}[kind]
        self.location.setPlaceholderText(hint)
        self._stale()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, translate("AddLayerDialog", "选择 GeoJSON 文件"), "",
                                              "GeoJSON (*.geojson *.json);;* (*)")
        if path:
            self.location.setText(path)
            self._stale()

    def _stale(self, *_args: object) -> None:
        self._checks += 1  # an answer still under way is for a form that no longer is
        self.check.setEnabled(True)

    def _say(self, text: str) -> None:
        self.report.setPlainText(display_text(text, 20000, multiline=True))

    def run_check(self) -> None:
        """Check the source on a worker thread; the report replaces the text below when it comes."""
        try:
            spec = self.spec()
        except ValueError as exc:
            self._say(translate("AddLayerDialog", "无法检查：{reason}").format(reason=exc))
            return
        self._checks += 1
        number = self._checks
        self.check.setEnabled(False)
        self._say(translate("AddLayerDialog", "检查中：{where}…").format(where=spec.where()))

        def work() -> None:
            try:
                _result, report = check_source(spec)
            except Exception as exc:  # check_source does not raise; if it ever does, say so, never hang
                log.exception("layer check failed")
                report = f"unexpected {type(exc).__name__}"
            if not self._closed:
                self.sig_checked.emit(number, report)

        threading.Thread(target=work, name="layer-check", daemon=True).start()

    def _on_checked(self, number: int, report: str) -> None:
        if number != self._checks:
            return  # the form changed since: this answer is not for it
        self.check.setEnabled(True)
        self._say(report)

    def run_add(self) -> None:
        """Keep the source and close; stay open with the reason when it cannot be kept."""
        try:
            self._add(self.spec())
        except ValueError as exc:
            self._say(translate("AddLayerDialog", "无法添加：{reason}").format(reason=exc))
            return
        self.accept()

    def shutdown(self) -> None:
        """No answer reaches the dialog any more (the window is closing)."""
        self._closed = True
        self.close()
