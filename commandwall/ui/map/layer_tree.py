"""The layer tree (图层) dock: the user's own layers (自定义图层) and the platform's catalogue (平台图层) as two
groups, with on/off, opacity, order, a legend swatch, feature counts, the refresh interval of live layers, and a
broken layer shown with its reason while the rest draw; 添加图层… adds a source, the context menu removes one.

:class:`LayerTreeFeature` binds the tree to a :class:`UserLayersController` and to the map page: sources are
read on worker threads, and each layer reaches the page (``resources/web/cw-layers.js``) as JSON data over
the map's web channel, through :class:`LayerPageBridge` registered there as ``"cwLayers"`` — a big layer as its
address only (``cw://app/data/…``), which the page fetches.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from commandwall import jsonslices
from commandwall.app.user_layers import (
    LOCAL_GROUP,
    PLATFORM_GROUP,
    USER_GROUP,
    UserLayer,
    UserLayersController,
    local_tree_layers,
    platform_tree_layers,
)
from commandwall.geo.sources import LAYER_DEADLINE_S, PAUSE_COLLECTOR_BYTES, SourceResult
from commandwall.heap import collector_paused
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.localtime import to_display
from commandwall.textsafe import display_text
from commandwall.ui.map.add_layer_dialog import AddLayerDialog
from commandwall.ui.map.scheme import SchemeHandler, scheme_handler
from commandwall.ui.split import ShareSplitter
from commandwall.ui.text import WrappingLabel, plain_label, plain_tooltip, plain_warning

log = logging.getLogger(__name__)

_STATUS_COLORS = {"ok": "#30d158", "partial": "#ffd60a", "stale": "#ff9f0a", "error": "#ff453a",
                  "loading": "#9fb6c8"}
_ID_ROLE = Qt.ItemDataRole.UserRole
_GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
# An opacity change is written to ``layer_view.json`` this long after the last one (or when the slider is let go).
OPACITY_SAVE_MS = 300
#: Sources read at once (network waits, not CPU: a slow server holds one of them): first reads, reads asked for
#: by hand (刷新), and the retries of layers that never loaded. A layer has at most one read queued or under way,
#: each ending within ``geo.sources.LAYER_DEADLINE_S``.
SOURCE_READERS = 6
#: Live layers' periodic reads (``refresh_s``) have readers of their own: however many hung layers are being
#: read (or re-read by hand) on the others, a live layer keeps its period.
LIVE_READERS = 3
#: A periodic read still under way after this long is said in its row (正在刷新…); a quick one is not, so that a
#: live layer's row does not flicker at every read.
SHOW_LOADING_AFTER_S = 1.0
#: A layer whose JSON is longer than this reaches the page as its address (``cw://app/data/…``, fetched by the
#: page), not as text through the web channel: the channel serialises what it sends on the GUI thread (a 31 MB
#: layer of 6 000 polygons held it 270 ms), the scheme hands over shared bytes that the page reads in pieces.
INLINE_LAYER_CHARS = 256 * 1024


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def page_text(value: Any) -> str | QByteArray:
    """A layer's JSON for the page, made where the layer was read (a worker thread): the text when short,
    else its bytes to serve over ``cw://`` (:data:`INLINE_LAYER_CHARS`). Encoded in slices
    (``jsonslices.dumps``): one ``json.dumps`` of a big layer held the interpreter lock, and so the GUI thread,
    for a second."""
    text = jsonslices.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    if len(text) <= INLINE_LAYER_CHARS:
        return text
    return QByteArray(text.encode("ascii"))  # ensure_ascii: one byte a character


class LayerPageBridge(QObject):
    """What cw-layers.js talks to: ``layers()`` then ``styles()`` on connect, ``layerChanged``/``styleChanged``
    afterwards. A layer's JSON is made on the worker thread that read it (:meth:`keep`); a big one is served by
    ``handler`` as ``cw://app/data/…`` and the page is sent only ``{id, href}`` to fetch it (without a
    handler it goes as text)."""

    layer_changed = Signal(str, name="layerChanged")
    style_changed = Signal(str, name="styleChanged")
    layer_removed = Signal(str, name="layerRemoved")
    sig_drawn = Signal(str, int)
    sig_toggled = Signal(str, bool)

    def __init__(self, controller: UserLayersController, parent: QObject | None = None,
                 handler: SchemeHandler | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._handler = handler
        self._texts: dict[str, str] = {}  # what the page is sent for each layer: its JSON, or {id, href}
        self._served: dict[str, str] = {}  # layer id -> the name its bytes are served under
        self._prefix = "layer-" + secrets.token_hex(6) + "-"  # several maps may share the scheme handler
        self._serial = itertools.count(1)

    def keep(self, layer_id: str, text: str | QByteArray) -> str:
        """Keep a layer's JSON (``UserLayersController.layer_payload``, from :func:`page_text`) for pages that
        connect later; returns what to send the page now: the text itself, or ``{id, href}`` for bytes, which
        are served (each version under a name of its own, so a page never fetches an older one)."""
        if old := self._served.pop(layer_id, None):
            self._handler.drop_data(old)
        if isinstance(text, QByteArray):
            if self._handler is None:
                text = text.data().decode("ascii")
            else:
                name = f"{self._prefix}{next(self._serial)}.json"
                url = self._handler.set_data(name, text).toString()
                self._served[layer_id] = name
                text = _json({"id": layer_id, "href": url})
        self._texts[layer_id] = text
        return text

    def forget(self, layer_id: str) -> None:
        """A layer left the tree: drop its JSON and take it off the page."""
        self._texts.pop(layer_id, None)
        if old := self._served.pop(layer_id, None):
            self._handler.drop_data(old)
        self.layer_removed.emit(layer_id)

    @Slot(result=str)
    def layers(self) -> str:
        """Every user layer as JSON text (the page asks on connect and after a reload), a big one as
        ``{id, href}``."""
        c = self._controller
        return "[" + ",".join(self._texts.get(layer.key) or _json(c.layer_payload(layer))
                              for layer in c.layers) + "]"

    @Slot(result=str)
    def styles(self) -> str:
        """How each layer is shown now (the kept JSON may predate a change of order, opacity or visibility)."""
        return _json([self._controller.style_payload(layer) for layer in self._controller.layers])

    @Slot(str, int)
    def layerDrawn(self, layer_id: str, count: int) -> None:  # noqa: N802 (name seen by JS)
        """The page has painted ``count`` features of a layer."""
        self.sig_drawn.emit(str(layer_id)[:40], int(count))

    @Slot(str, bool)
    def layerToggled(self, layer_id: str, visible: bool) -> None:  # noqa: N802 (name seen by JS)
        """A layer was switched on the page itself (the map's own layer control)."""
        self.sig_toggled.emit(str(layer_id)[:300], bool(visible))


# What the officer is told a failed read was (``SourceResult.error_kind``); the English detail (the server,
# redacted) goes to the tooltip, the details and the log.
_FAILURE_TEXTS = {
    "timeout": QT_TRANSLATE_NOOP("LayerTree", "连接超时（服务器未按时应答）"),
    "unreachable": QT_TRANSLATE_NOOP("LayerTree", "无法连接服务器"),
    "auth": QT_TRANSLATE_NOOP("LayerTree", "服务要求登录（HTTP {status}）"),
    "forbidden": QT_TRANSLATE_NOOP("LayerTree", "无权访问（HTTP {status}）"),
    "server": QT_TRANSLATE_NOOP("LayerTree", "服务出错（HTTP {status}）"),
    "http": QT_TRANSLATE_NOOP("LayerTree", "服务拒绝了请求（HTTP {status}）"),
    "not_json": QT_TRANSLATE_NOOP("LayerTree", "返回的不是 GeoJSON（不是有效的 JSON）"),
    "not_geojson": QT_TRANSLATE_NOOP("LayerTree", "返回的不是 GeoJSON 要素集合"),
    "not_gml": QT_TRANSLATE_NOOP("LayerTree", "返回的不是 GML 3.2 要素集合"),
    "too_large": QT_TRANSLATE_NOOP("LayerTree", "返回的数据过大"),
    "deadline": QT_TRANSLATE_NOOP("LayerTree", "读取超时（{seconds} 秒内未读完）"),
    "file": QT_TRANSLATE_NOOP("LayerTree", "无法读取图层文件"),
    "unusable": QT_TRANSLATE_NOOP("LayerTree", "没有可用的要素"),
    "crs": QT_TRANSLATE_NOOP("LayerTree", "坐标系不受支持"),
    "unexpected": QT_TRANSLATE_NOOP("LayerTree", "读取出错"),
}


def failure_text(result: SourceResult | None) -> str:
    """Why a read failed, in the desk's language, said as what happened (a timeout is not a refused connection);
    the technical detail is ``result.error``. A reason not from a source read (the local folder's, the
    catalogue's: no ``error_kind``) is said as it came."""
    if result is None or result.error is None:
        return ""
    kind = result.error_kind
    if kind is None:
        return result.error
    if kind == "not_geojson" and result.spec.kind == "wfs" and result.spec.wfs_format == "gml32":
        kind = "not_gml"
    text = translate("LayerTree", _FAILURE_TEXTS.get(kind, _FAILURE_TEXTS["unexpected"]))
    return text.format(status=result.error_status or "", seconds=f"{LAYER_DEADLINE_S:g}")


def _failure_detail(layer: UserLayer) -> str:
    """The technical reason of the layer's latest failed read (English, URLs redacted), or ""."""
    if layer.read_error is not None:
        return layer.read_error
    r = layer.result
    return r.error or "" if r is not None and r.failed else ""


def _details_text(layer: UserLayer) -> str:
    """The details pane: for a layer whose latest read failed, its state and why (the desk's language) above
    the source report (English, as ``commandwall layers check`` writes it)."""
    detail = _failure_detail(layer)
    failure = layer.failure if layer.read_error is not None else layer.result
    if not detail or failure is None or failure.error_kind is None:  # none, or not a source read's (said as is)
        return layer.report
    head = translate("LayerTree", "状态：{status}").format(status=_status_text(layer))
    return "\n".join([head, translate("LayerTree", "技术细节：{detail}").format(detail=detail), "", layer.report])


def _status_text(layer: UserLayer) -> str:
    r = layer.result
    if r is None:
        return translate("LayerTree", "加载中…")
    if layer.loading:  # a read queued or under way: pressing 刷新 again starts no other
        return translate("LayerTree", "正在刷新…")
    if not r.usable and not r.failed and layer.read_error is None:  # answered, with nothing in it now
        parts = [translate("LayerTree", "当前无要素")]
        if layer.refresh_interval and layer.refreshable:
            parts.append(translate("LayerTree", "每 {seconds} 秒刷新").format(seconds=layer.refresh_interval))
        return translate("LayerTree", "；").join(parts)
    if not r.usable or layer.read_error is not None:
        if r.usable:  # the last good read is still drawn: say how old it is (with its day when not today's)
            read_at = to_display(datetime.fromtimestamp(r.fetched_at, UTC))
            today = read_at.date() == to_display(datetime.now(UTC)).date()
            shown = read_at.strftime("%H:%M:%S" if today else "%Y-%m-%d %H:%M:%S")
            text = translate("LayerTree", "读取失败：{error}；地图显示 {time} 的数据").format(
                error=failure_text(layer.failure) or layer.read_error, time=shown)
        else:
            text = translate("LayerTree", "无法加载：{error}").format(error=failure_text(r))
        if layer.retry_at is not None:  # a live layer that keeps failing: read less often, and when next
            when = to_display(datetime.fromtimestamp(layer.retry_at, UTC)).strftime("%H:%M:%S")
            text += translate("LayerTree", "；") + translate("LayerTree", "已连续失败 {count} 次，{time} 再试").format(
                count=layer.failures, time=when)
        return text
    parts = []
    if r.non_finite:  # NaN / Infinity in coordinates: said apart, as it is the file's writer's doing
        parts.append(translate("LayerTree", "{count} 个要素坐标无效，已略去").format(count=r.non_finite))
    if len(r.bad) > r.non_finite:
        parts.append(translate("LayerTree", "{count} 个要素无效已跳过").format(count=len(r.bad) - r.non_finite))
    if r.truncated:
        parts.append(translate("LayerTree", "仅取前 {count} 个").format(count=len(r.features)))
    if layer.refresh_interval and layer.refreshable:
        parts.append(translate("LayerTree", "每 {seconds} 秒刷新").format(seconds=layer.refresh_interval))
    return translate("LayerTree", "；").join(parts) or translate("LayerTree", "正常")


# --- the legend: what each layer draws, as the page draws it ---------------------------------------------------
# Size of a legend symbol (px).
LEGEND_ICON_SIZE = 16
# At most this many category rows under a layer (a layer styled by hundreds of values lists the first ones).
MAX_LEGEND_ROWS = 30
_LEGEND_ROLE = Qt.ItemDataRole.UserRole + 2
#: Legend rows of a layer with several geometry types: points, lines, polygons (面: areas).
_SHAPE_TITLES = {"point": QT_TRANSLATE_NOOP("LayerTree", "点"), "line": QT_TRANSLATE_NOOP("LayerTree", "线"),
                 "polygon": QT_TRANSLATE_NOOP("LayerTree", "面")}
# The page's dark outline of point markers (cw-layers.js ``pointToLayer``, cw-points.js).
_MARKER_OUTLINE = "#0b1622"


@dataclass(frozen=True)
class LegendSymbol:
    """How the page draws one kind of feature: a ``point`` marker (``radius``, filled, outlined), a ``line``
    (``stroke`` colour, ``weight`` px) or a ``polygon`` (``fill`` at ``fill_opacity``, outlined by ``stroke``)."""

    shape: str
    stroke: str
    fill: str | None = None
    fill_opacity: float = 0.0
    weight: float = 2.0
    radius: float = 5.0
    stroke_opacity: float = 1.0


@dataclass(frozen=True)
class LegendRow:
    """One row of a layer's legend: a symbol and what it stands for (a geometry type or a category)."""

    label: str
    symbol: LegendSymbol


def _page_symbol(shape: str, color: str) -> LegendSymbol:
    """A user layer's symbol as cw-layers.js draws it: points filled in the layer colour with a dark outline,
    lines in the colour 2 px wide, polygons outlined 2 px in the colour and filled with it at 25 %."""
    if shape == "point":
        return LegendSymbol("point", _MARKER_OUTLINE, color, 0.9, weight=1.0, radius=5.0)
    if shape == "line":
        return LegendSymbol("line", color, weight=2.0)
    return LegendSymbol("polygon", color, color, 0.25, weight=2.0)


def _style_symbol(shape: str, style: Mapping[str, Any]) -> LegendSymbol:
    """A symbol from a Leaflet path style (``mapdoc.page.clean_style``: color, weight, opacity, fillColor …)."""
    stroke = str(style.get("color") or "#3388ff")
    fills = style.get("fill", True) is not False and shape != "line"
    return LegendSymbol(shape, stroke, str(style.get("fillColor") or stroke) if fills else None,
                        float(style.get("fillOpacity", 0.2)) if fills else 0.0, float(style.get("weight", 2)),
                        float(style.get("radius", 3)), float(style.get("opacity", 1.0)))


def legend_rows(layer: UserLayer) -> list[LegendRow]:
    """What ``layer`` draws, from the legend summary made where it was read (``UserLayer.legend``; the features
    themselves are never walked here): one row per geometry type (点/线/面) in the page's style for the layer;
    for a layer the page styles by category (``UserLayer.category_styles``: roads by ``class``, towns by name),
    one row per category its features have, then the rest. Empty while nothing is read (or the layer failed)."""
    summary, tables = layer.legend, layer.category_styles
    if summary is None:
        return []
    if tables is None:
        return [LegendRow(translate("LayerTree", _SHAPE_TITLES[shape]), _page_symbol(shape, layer.spec.color))
                for shape in summary.shapes]
    base: Mapping[str, Any] = tables.get("style") or {}
    classes: Mapping[str, Any] = tables.get("classes") or {}
    palette: Mapping[str, Any] = tables.get("palette") or {}
    rows = [LegendRow(display_text(c.value, 60), _style_symbol(c.shape, classes[c.value] if c.table == "class"
                                                                else {**base, "fillColor": palette[c.value]}))
            for c in summary.categories[:MAX_LEGEND_ROWS]]
    if not rows:
        return [LegendRow(translate("LayerTree", _SHAPE_TITLES[shape]), _style_symbol(shape, base))
                for shape in summary.shapes]
    #: Legend row of a category-styled layer's features in none of its categories (drawn in the base style).
    other = translate("LayerTree", "其他")
    return rows + [LegendRow(other, _style_symbol(shape, base)) for shape in summary.rest]


def legend_icon(symbol: LegendSymbol, size: int = LEGEND_ICON_SIZE) -> QPixmap:
    """The symbol drawn as GIS legends draw it: a round marker, a horizontal line, or a filled square with its
    outline, on a transparent ``size`` × ``size`` pixmap."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    stroke = QColor(symbol.stroke)
    stroke.setAlphaF(max(0.0, min(1.0, symbol.stroke_opacity)))
    weight = max(1.0, min(symbol.weight, size / 4))
    pen = QPen(stroke, weight) if symbol.weight > 0 else QPen(Qt.PenStyle.NoPen)
    fill = QColor(symbol.fill) if symbol.fill else None
    if fill is not None:
        fill.setAlphaF(max(0.0, min(1.0, symbol.fill_opacity)))
    painter.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
    painter.setPen(pen)
    middle = size / 2
    if symbol.shape == "point":
        radius = max(3.0, min(symbol.radius, size / 2 - 1.5))
        painter.drawEllipse(QPointF(middle, middle), radius, radius)
    elif symbol.shape == "line":
        painter.drawLine(QPointF(1, middle), QPointF(size - 1, middle))
    else:
        inset = 1.5 + weight / 2
        painter.drawRect(QRectF(inset, inset, size - 2 * inset, size - 2 * inset))
    painter.end()
    return pixmap


_GROUP_TITLES = {USER_GROUP: QT_TRANSLATE_NOOP("LayerTree", "自定义图层"),
                 LOCAL_GROUP: QT_TRANSLATE_NOOP("LayerTree", "本地图层"),
                 PLATFORM_GROUP: QT_TRANSLATE_NOOP("LayerTree", "平台图层")}


#: The layer rows the tree shows at least where its tab has the height (a 768 px desk's): the details under it
#: shrink first.
TREE_ROWS = 8
#: The details' height where the tab has room (dragging the handle up gives them more).
DETAILS_HEIGHT = 110


class LayerTreeWidget(QWidget):
    """The tree and its controls: a group row each for the user's layers and the platform's, the layers below.
    Signals carry the layer key: ``sig_visible(key, on)``, ``sig_opacity(key, 0–1)``, ``sig_move(key, step)``
    (−1 up, +1 down), ``sig_reload(key)``, ``sig_remove(key)``, ``sig_refresh(key, seconds)`` (the refresh
    interval set in the details, 0 never); ``sig_add()`` asks for the add-layer dialog."""

    sig_visible = Signal(str, bool)
    sig_opacity = Signal(str, float)
    sig_move = Signal(str, int)
    sig_reload = Signal(str)
    sig_remove = Signal(str)
    sig_add = Signal()
    sig_refresh = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([translate("LayerTree", "图层"), translate("LayerTree", "要素"),
                                   translate("LayerTree", "状态")])
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        self.up = QPushButton(translate("LayerTree", "上移"), self)
        self.down = QPushButton(translate("LayerTree", "下移"), self)
        self.reload = QPushButton(translate("LayerTree", "刷新"), self)
        self.add = QPushButton(translate("LayerTree", "添加图层…"), self)
        self.add.clicked.connect(self.sig_add)
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(5, 100)
        self.opacity.setToolTip(translate("LayerTree", "透明度"))
        self.up.clicked.connect(lambda: self._emit_move(-1))
        self.down.clicked.connect(lambda: self._emit_move(1))
        self.reload.clicked.connect(self._emit_reload)
        self.opacity.valueChanged.connect(self._on_opacity)
        self.refresh = QSpinBox(self)  # the selected layer's refresh interval (live layers, the platform's too)
        self.refresh.setRange(0, 86400)
        self.refresh.setSingleStep(10)
        self.refresh.setSpecialValueText(translate("LayerTree", "不自动刷新"))
        self.refresh.setSuffix(translate("LayerTree", " 秒"))
        self.refresh.setToolTip(translate("LayerTree", "每隔多少秒重新读取该图层（0 为不自动刷新，最短 10 秒）"))
        self.refresh.setKeyboardTracking(False)  # a value typed in counts when it is complete (Enter, focus out)
        self.refresh.valueChanged.connect(self._emit_refresh)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(translate("LayerTree", "选择图层查看来源、要素数、范围和无效要素"))
        self.problems = WrappingLabel("", self)  # may quote a layer file or a server: one unbroken run too
        self.problems.setStyleSheet("color: #ff9f0a;")
        self.problems.hide()
        controls = QHBoxLayout()  # two rows: the tab fits a narrow desk column (the dock's width is shared)
        controls.addWidget(self.up)
        controls.addWidget(self.down)
        controls.addWidget(self.reload)
        controls.addStretch(1)
        shading = QHBoxLayout()
        shading.addWidget(plain_label(translate("LayerTree", "透明度"), self))
        shading.addWidget(self.opacity, 1)
        shading.addWidget(self.add)
        every = QHBoxLayout()
        every.addWidget(plain_label(translate("LayerTree", "刷新间隔"), self))
        every.addWidget(self.refresh, 1)
        below = QWidget(self)  # the selected layer's controls and details, under a handle the user may drag
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addLayout(controls)
        below_layout.addLayout(shading)
        below_layout.addLayout(every)
        below_layout.addWidget(self.details, 1)
        below_layout.addWidget(self.problems)
        margin = round(self.details.document().documentMargin())
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() + 2 * (self.details.frameWidth()
                                                                                      + margin))  # a line
        self.splitter = ShareSplitter(Qt.Orientation.Vertical, self._tree_and_below, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(below)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self._filling = False
        self._layers: dict[str, UserLayer] = {}
        self._on_current_changed(None)

    def _tree_and_below(self, height: int) -> list[int]:
        """The heights of the tree and of what is under it in ``height`` px: the tree at least
        :data:`TREE_ROWS` rows (the details shrink first, down to a line), and all the rest where the details
        have :data:`DETAILS_HEIGHT`."""
        below = self.splitter.widget(1)
        row = max(self.tree.sizeHintForRow(0), self.tree.fontMetrics().height() + 4)
        needed = self.tree.header().sizeHint().height() + TREE_ROWS * row + 2 * self.tree.frameWidth()
        wanted = below.sizeHint().height() - self.details.sizeHint().height() + DETAILS_HEIGHT
        tree = min(max(needed, height - wanted), height - below.minimumSizeHint().height())
        return [tree, height - tree]

    def current_id(self) -> str | None:
        """The key of the selected layer, or None (also for a group row)."""
        item = self.tree.currentItem()
        return item.data(0, _ID_ROLE) if item is not None else None

    def group(self, group: str) -> QTreeWidgetItem | None:
        """The group row (``user`` or ``platform``), or None."""
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).data(0, _GROUP_ROLE) == group:
                return self.tree.topLevelItem(i)
        return None

    def item(self, layer_id: str) -> QTreeWidgetItem | None:
        """The row of a layer, or None."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, _ID_ROLE) == layer_id:
                    return group.child(j)
        return None

    def show_layers(self, layers: list[UserLayer], problems: list[str] = (),  # type: ignore[assignment]
                    platform_problem: str | None = None) -> None:
        """Fill the tree (each group in drawing order, top first), keeping the selection."""
        selected = self.current_id()
        self._layers = {layer.key: layer for layer in layers}
        self._filling = True
        try:
            self.tree.clear()
            for group in (USER_GROUP, LOCAL_GROUP, PLATFORM_GROUP):
                members = [layer for layer in layers if layer.group == group]
                if group == LOCAL_GROUP and not members:  # listed only while the local folder is drawn
                    continue
                head = QTreeWidgetItem(self.tree)
                head.setData(0, _GROUP_ROLE, group)
                head.setText(0, translate("LayerTree", _GROUP_TITLES[group]))
                head.setFlags(Qt.ItemFlag.ItemIsEnabled)
                head.setText(1, str(len(members)))
                if group == LOCAL_GROUP:
                    where = translate("LayerTree", "本地图层目录，代替平台图层目录绘制")
                    head.setText(2, where)
                    head.setToolTip(2, plain_tooltip(where))
                if group == PLATFORM_GROUP and platform_problem:
                    reason = display_text(translate("LayerTree", "图层目录不可用：{reason}").format(
                        reason=platform_problem))
                    head.setText(2, reason)
                    head.setToolTip(2, plain_tooltip(reason))
                    head.setForeground(2, QBrush(QColor(_STATUS_COLORS["error"])))
                for layer in members:
                    item = QTreeWidgetItem(head)
                    item.setData(0, _ID_ROLE, layer.key)
                    if layer.map_drawn and layer.map_layer is None:  # the map's own markers: its control
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                        item.setToolTip(1, translate("LayerTree", "由地图绘制，在地图右上角的图层控件中开关"))
                    else:
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    self._fill(item, layer)
                    if layer.key == selected:
                        self.tree.setCurrentItem(item)
                head.setExpanded(True)
        finally:
            self._filling = False
        self.problems.setText(display_text("；".join(problems)))
        self.problems.setVisible(bool(problems))

    def update_layer(self, layer: UserLayer) -> None:
        """Refresh one row (count, status) after a read."""
        item = self.item(layer.key)
        if item is not None:
            self._filling = True
            try:
                self._fill(item, layer)
            finally:
                self._filling = False
        if layer.key == self.current_id():
            self._on_current_changed(item)

    def _fill_legend(self, item: QTreeWidgetItem, layer: UserLayer) -> None:
        """The layer row's symbol and, when it draws more than one kind of thing, a row per kind below it."""
        rows = legend_rows(layer)
        if rows:
            item.setIcon(0, QIcon(legend_icon(rows[0].symbol)))
        else:  # nothing read yet: the layer's colour
            swatch = QPixmap(LEGEND_ICON_SIZE, LEGEND_ICON_SIZE)
            swatch.fill(QColor(layer.spec.color))
            item.setIcon(0, QIcon(swatch))
        for i in reversed(range(item.childCount())):
            if item.child(i).data(0, _LEGEND_ROLE):
                item.removeChild(item.child(i))
        for row in rows if len(rows) > 1 else []:
            child = QTreeWidgetItem(item)
            child.setData(0, _LEGEND_ROLE, True)
            child.setFlags(Qt.ItemFlag.ItemIsEnabled)
            child.setIcon(0, QIcon(legend_icon(row.symbol)))
            child.setText(0, row.label)
        item.setExpanded(len(rows) > 1)

    def legend(self, layer_id: str) -> list[tuple[str, QIcon]]:
        """The legend shown for a layer: ``(label, icon)`` per row below it, or its own icon alone (label "")."""
        item = self.item(layer_id)
        if item is None:
            return []
        rows = [(item.child(i).text(0), item.child(i).icon(0)) for i in range(item.childCount())
                if item.child(i).data(0, _LEGEND_ROLE)]
        return rows or [("", item.icon(0))]

    def _fill(self, item: QTreeWidgetItem, layer: UserLayer) -> None:
        self._fill_legend(item, layer)
        item.setText(0, display_text(layer.spec.title))
        if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            item.setCheckState(0, Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
        r = layer.result
        item.setText(1, "" if r is None else str(len(r.features)) if r.usable else "—")
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status = display_text(_status_text(layer))
        item.setText(2, status)
        detail = display_text(_failure_detail(layer), 600)
        if detail and detail not in status:  # the technical reason (the server, redacted) for whoever mends it
            status += "\n" + detail
        item.setToolTip(2, plain_tooltip(status))  # Qt would guess markup in a URL or reason
        item.setToolTip(0, plain_tooltip(layer.spec.where()))
        item.setForeground(2, QBrush(QColor(_STATUS_COLORS[layer.status])))
        item.setData(1, _ID_ROLE, round(layer.opacity * 100))

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._filling and column == 0:
            self.sig_visible.emit(item.data(0, _ID_ROLE), item.checkState(0) == Qt.CheckState.Checked)

    def _on_current_changed(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        enabled = item is not None and item.data(0, _ID_ROLE) is not None
        shown_here = enabled and bool(item.flags() & Qt.ItemFlag.ItemIsUserCheckable)  # not the map's own markers
        layer = self._layers.get(item.data(0, _ID_ROLE)) if item is not None else None
        for widget in (self.up, self.down, self.opacity):
            widget.setEnabled(shown_here)
        reading = layer is not None and layer.loading
        self.reload.setEnabled(enabled and not reading)  # one read at a time: pressed again it would queue more
        self.reload.setText(translate("LayerTree", "正在刷新…") if reading else translate("LayerTree", "刷新"))
        if item is not None:
            self.opacity.blockSignals(True)
            self.opacity.setValue(int(item.data(1, _ID_ROLE) or 90))
            self.opacity.blockSignals(False)
        self.details.setPlainText("" if layer is None else display_text(_details_text(layer), 20000, multiline=True))
        self.refresh.setEnabled(layer is not None and layer.refreshable)
        self.refresh.blockSignals(True)
        self.refresh.setValue(layer.refresh_interval if layer is not None and layer.refreshable else 0)
        self.refresh.blockSignals(False)

    def _on_opacity(self, value: int) -> None:
        layer_id = self.current_id()
        if layer_id is not None:
            self.tree.currentItem().setData(1, _ID_ROLE, value)
            self.sig_opacity.emit(layer_id, value / 100.0)

    def _emit_refresh(self) -> None:
        layer = self._layers.get(self.current_id() or "")
        if layer is not None and layer.refreshable and self.refresh.value() != layer.refresh_interval:
            self.sig_refresh.emit(layer.key, self.refresh.value())

    def _emit_move(self, step: int) -> None:
        if (layer_id := self.current_id()) is not None:
            self.sig_move.emit(layer_id, step)

    def _emit_reload(self) -> None:
        if (layer_id := self.current_id()) is not None:
            self.sig_reload.emit(layer_id)

    def context_actions(self, layer_id: str) -> list[tuple[str, Any]]:
        """What the context menu offers for a layer: (text, callable)."""
        layer = self._layers.get(layer_id)
        if layer is None:
            return []
        actions: list[tuple[str, Any]] = []
        if not layer.loading:  # being read: a second read would only queue behind it
            actions.append((translate("LayerTree", "刷新"), lambda: self.sig_reload.emit(layer_id)))
        if layer.removable:
            actions.append((translate("LayerTree", "移除图层"), lambda: self.sig_remove.emit(layer_id)))
        return actions

    def _context_menu(self, pos: Any) -> None:
        item = self.tree.itemAt(pos)
        layer_id = item.data(0, _ID_ROLE) if item is not None else None
        menu = QMenu(self)
        for text, run in self.context_actions(layer_id) if layer_id else []:
            menu.addAction(text).triggered.connect(run)
        menu.addAction(translate("LayerTree", "添加图层…")).triggered.connect(self.sig_add)
        menu.exec(self.tree.viewport().mapToGlobal(pos))


class LayerTreeFeature(QObject):
    """The layer tree bound to its controller and to ``view``'s page; ``widget`` to place in a dock.

    Register before the page loads (the web channel announces its objects when the page connects).
    ``sig_layer_drawn(id, count)`` says when the page has painted a layer.
    """

    sig_layer_drawn = Signal(str, int)
    _sig_loaded = Signal(str, object, bool)  # (id, page_text, changed) from worker threads: queued to the GUI thread
    _sig_platform = Signal(object, object, object)  # (layers, {key: JSON}, (problem, loader)) from a worker

    def __init__(self, controller: UserLayersController, view: QWebEngineView, parent: QObject | None = None,
                 *, start: bool = True) -> None:
        super().__init__(parent)
        self.controller = controller
        self.bridge = LayerPageBridge(controller, self, scheme_handler(view.page().profile()))
        view.page().webChannel().registerObject("cwLayers", self.bridge)
        self.bridge.sig_drawn.connect(self.sig_layer_drawn)
        self.bridge.sig_toggled.connect(self._on_page_toggled)
        self.widget = LayerTreeWidget()
        self.widget.show_layers(controller.layers, controller.problems)
        self.widget.sig_visible.connect(self._on_visible)
        self.widget.sig_opacity.connect(self._on_opacity)
        self.widget.sig_move.connect(self._on_move)
        self.widget.sig_reload.connect(self.reload)
        self.widget.sig_remove.connect(self.remove)
        self.widget.sig_add.connect(self.open_add_dialog)
        self.widget.sig_refresh.connect(self._on_refresh_interval)
        self._sig_loaded.connect(self._on_loaded)
        self._sig_platform.connect(self._on_platform)
        self.dialog: AddLayerDialog | None = None
        # sources are read on a pool of their own, several at once: a slow server (a page may take two minutes)
        # holds one worker, not every layer; the platform's and the local group are prepared on another
        self._pool = ThreadPoolExecutor(max_workers=SOURCE_READERS, thread_name_prefix="layer-source")
        self._live_pool = ThreadPoolExecutor(max_workers=LIVE_READERS, thread_name_prefix="layer-live")
        self._reads_since: dict[str, float] = {}  # layer id -> when its periodic read was queued (monotonic)
        self._groups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="layer-groups")
        self._closed = False
        self._save_soon = QTimer(self)  # opacity changes are saved once the slider rests, not at every step
        self._save_soon.setSingleShot(True)
        self._save_soon.setInterval(OPACITY_SAVE_MS)
        self._save_soon.timeout.connect(self.controller.save_view)
        self.widget.opacity.sliderReleased.connect(self._save_view_now)
        self._refresh = QTimer(self)
        self._refresh.setInterval(1000)
        self._refresh.timeout.connect(self._refresh_due)
        if start:
            self.start()

    def start(self) -> None:
        """Read every source (on worker threads) and start refreshing the live ones."""
        for layer in self.controller.layers:
            self.reload(layer.key)
        self._refresh.start()

    def show_platform(self, entries: list, base_url: str, problem: str | None = None,
                      loader: Any = None) -> None:
        """Put the platform's catalogue (``CatalogueLayer`` entries as the session read them) in its group;
        ``problem`` when the catalogue could not be had; ``loader(key)`` reads one entry again (off the GUI
        thread). The reports, legends and page JSON are made on a worker thread."""
        if not self._closed:
            self._groups.submit(self._make_platform, list(entries), base_url, problem, loader)

    def show_local(self, layers: list, errors: list[tuple[str, str]], layers_dir: Any, problem: str) -> None:
        """List the local layer folder's layers (``geo.layers.Layer`` as the map draws them, and the ones that
        failed as (id, reason)) in their own group 本地图层, standing in for the platform's catalogue, which
        could not be had (``problem``, said on the 平台图层 row). Made on a worker thread."""
        if not self._closed:
            self._groups.submit(self._make_local, list(layers), list(errors), layers_dir, problem)

    def _make_local(self, layers: list, errors: list, layers_dir: Any, problem: str) -> None:
        try:
            tree_layers = local_tree_layers(layers, errors, Path(layers_dir))
            texts = {layer.key: page_text(self.controller.layer_payload(layer)) for layer in tree_layers}
        except Exception:  # the platform group's reason is still said
            log.exception("local layers could not be prepared")
            tree_layers, texts = [], {}
        if not self._closed:
            self._sig_platform.emit(tree_layers, texts, (problem, None))

    def _make_platform(self, entries: list, base_url: str, problem: str | None, loader: Any) -> None:
        try:
            layers = platform_tree_layers(entries, base_url)
            texts = {layer.key: page_text(self.controller.layer_payload(layer)) for layer in layers}
        except Exception:  # one bad catalogue must not cost the user's layers
            log.exception("platform layers could not be prepared")
            layers, texts, problem = [], {}, problem or "unexpected error"
        if not self._closed:
            self._sig_platform.emit(layers, texts, (problem, loader))

    def _on_platform(self, layers: list, texts: dict, extra: tuple) -> None:
        problem, loader = extra
        gone = [la.key for la in self.controller.layers if la.group in (PLATFORM_GROUP, LOCAL_GROUP)]
        self.controller.set_platform(layers, problem, loader)
        for key in gone:
            if self.controller.get(key) is None:
                self.bridge.forget(key)
        self._show_tree()
        for layer in layers:
            text = _json(self.controller.layer_payload(layer)) if layer.key not in texts else texts[layer.key]
            self.bridge.layer_changed.emit(self.bridge.keep(layer.key, text))
        self._send_styles()  # z of every layer changed

    def _show_tree(self) -> None:
        self.widget.show_layers(self.controller.layers, self.controller.problems, self.controller.platform_problem)

    def open_add_dialog(self) -> AddLayerDialog:
        """Open the add-layer dialog (添加图层…); a source it adds is saved, listed and read at once."""
        if self.dialog is None:
            self.dialog = AddLayerDialog(self.controller.new_source_id, self.add_source, self.widget)
        self.dialog.reset()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def add_source(self, spec: Any) -> None:
        """Keep ``spec`` in ``layers.json``, list it on top of the user's layers and read it; ``ValueError``
        (a message for the user) when it cannot be kept."""
        layer = self.controller.add_source(spec)
        self._show_tree()
        self.reload(layer.key)
        self._send_styles()

    def remove(self, layer_id: str) -> None:
        """Take a user source out of ``layers.json``, the tree and the map (asks nothing: the menu is the ask)."""
        try:
            removed = self.controller.remove_source(layer_id)
        except ValueError as exc:
            plain_warning(self.widget, translate("LayerTree", "无法移除图层"), display_text(str(exc)))
            return
        if removed:
            self.bridge.forget(layer_id)
            self._show_tree()
            self._send_styles()

    def reload(self, layer_id: str) -> None:
        """Read one source again now, unless it is being read (the row says so: 正在刷新…, and the button is
        off): asked again while a read is queued or under way, nothing more is queued."""
        if self._closed or not self.controller.begin_read(layer_id):
            return
        self._pool.submit(self._load, layer_id)
        if (layer := self.controller.get(layer_id)) is not None:
            self.widget.update_layer(layer)

    def _load(self, layer_id: str) -> None:
        text: str | QByteArray = ""
        changed = True
        try:
            try:
                result = self.controller.load(layer_id)
            except BaseException:
                self.controller.end_read(layer_id)  # it may be read again
                log.exception("layer %s could not be read", layer_id)
                raise
            changed = result is None or not result.unchanged
            layer = self.controller.get(layer_id)
            big = getattr(result, "bytes_read", 0) >= PAUSE_COLLECTOR_BYTES
            with collector_paused() if big else contextlib.nullcontext():  # a copy of every coordinate list
                text = page_text(self.controller.layer_payload(layer)) if layer is not None and changed else ""
        finally:
            if not self._closed:  # after shutdown the tree and the page may be gone
                self._sig_loaded.emit(layer_id, text, changed)

    def _refresh_due(self) -> None:
        """Every second: read the live layers whose time has come (on their own readers) and the layers that never
        loaded whose next try is due; say in its row a periodic read that is taking long."""
        if self._closed:
            return
        now = time.monotonic()
        for layer_id in self.controller.due():
            layer = self.controller.get(layer_id)
            live = layer is not None and layer.refresh_interval > 0
            (self._live_pool if live else self._pool).submit(self._load, layer_id)
            self._reads_since[layer_id] = now
        for layer_id, since in list(self._reads_since.items()):
            layer = self.controller.get(layer_id)
            if layer is None or not layer.loading:
                self._reads_since.pop(layer_id, None)
            elif since >= 0 and now - since >= SHOW_LOADING_AFTER_S:
                self._reads_since[layer_id] = -1.0  # said once
                self.widget.update_layer(layer)

    def _on_loaded(self, layer_id: str, text: str | QByteArray, changed: bool = True) -> None:
        """A read finished: the tree shows it; the page gets the layer again only when it changed (a live layer
        re-read as it was is not re-sent nor re-drawn)."""
        self._reads_since.pop(layer_id, None)
        layer = self.controller.get(layer_id)
        if layer is None:
            return
        self.widget.update_layer(layer)
        if not changed:  # the data stands; whether it is old (a failed read) may not: the page fades it
            self.bridge.style_changed.emit(_json(self.controller.style_payload(layer)))
            return
        if isinstance(text, str) and not text:  # the worker failed to make it (it logged why): make it here
            text = _json(self.controller.layer_payload(layer))
        self.bridge.layer_changed.emit(self.bridge.keep(layer_id, text))
        self.bridge.style_changed.emit(_json(self.controller.style_payload(layer)))

    def _send_styles(self) -> None:
        for layer in self.controller.layers:
            self.bridge.style_changed.emit(_json(self.controller.style_payload(layer)))

    def _on_visible(self, layer_id: str, visible: bool) -> None:
        self.controller.set_visible(layer_id, visible)
        self._send_styles()

    def _on_refresh_interval(self, layer_id: str, seconds: int) -> None:
        """A refresh interval set in the details: kept, and honoured by the refresh timer (reads on workers)."""
        if self.controller.set_refresh(layer_id, seconds) is not None:
            self.widget.update_layer(self.controller.get(layer_id))

    def _on_page_toggled(self, layer_id: str, visible: bool) -> None:
        """The page's layer control switched a layer: the tree's tick and the saved view follow."""
        layer = self.controller.get(layer_id)
        if layer is None or layer.visible == visible:
            return
        self.controller.set_visible(layer_id, visible)
        self.widget.update_layer(layer)

    def _on_opacity(self, layer_id: str, opacity: float) -> None:
        """Fade the layer on the page at once; keep the view in ``layer_view.json`` when the slider is let go
        or has rested for :data:`OPACITY_SAVE_MS` (a drag is dozens of values: one write, not one each)."""
        self.controller.set_opacity(layer_id, opacity, save=False)
        if (layer := self.controller.get(layer_id)) is not None:
            self.bridge.style_changed.emit(_json(self.controller.style_payload(layer)))
        if not self.widget.opacity.isSliderDown():
            self._save_soon.start()

    def _save_view_now(self) -> None:
        self._save_soon.stop()
        self.controller.save_view()

    def _on_move(self, layer_id: str, step: int) -> None:
        if self.controller.move(layer_id, step):
            self._show_tree()
            self._send_styles()

    def shutdown(self) -> None:
        """Stop refreshing; reads under way finish on their own, nothing new starts."""
        self._closed = True
        self._refresh.stop()
        if self._save_soon.isActive():  # an opacity change not saved yet
            self._save_view_now()
        if self.dialog is not None:
            self.dialog.shutdown()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._live_pool.shutdown(wait=False, cancel_futures=True)
        self._groups.shutdown(wait=False, cancel_futures=True)
