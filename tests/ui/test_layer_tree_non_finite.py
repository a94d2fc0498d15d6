"""A user layer file with NaN / Infinity coordinates in the layer tree: drawn with its good features, its row
says how many were left out for invalid coordinates, and the page gets nothing non-finite."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from commandwall.app.user_layers import UserLayersController
from commandwall.geo.sources import LayerSourceSpec
from commandwall.ui.map.layer_tree import LayerTreeFeature
from tests.geo_servers import point_features
from tests.ui.test_map_layer_catalogue import shown_page
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


def test_the_row_says_how_many_features_had_invalid_coordinates(qtbot, tmp_path: Path) -> None:
    features = point_features(5)
    features[0]["geometry"]["coordinates"][0] = math.nan
    features[3]["geometry"]["coordinates"][1] = math.inf
    features[1]["properties"]["name"] = math.nan
    features.append({"type": "Feature", "geometry": None, "properties": {}})  # bad for another reason
    path = tmp_path / "nan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, allow_nan=True), "utf-8")
    spec = LayerSourceSpec(id="file", title="含NaN图层", kind="geojson", path=path)
    feature = LayerTreeFeature(UserLayersController([spec]), shown_page(qtbot))
    qtbot.addWidget(feature.widget)
    sent: list[str] = []
    feature.bridge.layer_changed.connect(sent.append)
    try:
        qtbot.waitUntil(lambda: len(sent) == 1, timeout=10000)
        row = feature.widget.item("file")
        assert row.text(1) == "3"
        assert "2 个要素坐标无效，已略去" in row.text(2) and "1 个要素无效已跳过" in row.text(2)
        page = json.loads(sent[0])
        assert len(page["points"]["lon"]) == 3 and page["points"]["names"][0] == "1"  # NaN name: null, so its id
    finally:
        feature.shutdown()
