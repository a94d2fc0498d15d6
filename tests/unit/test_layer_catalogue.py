"""The layer tree's catalogue without Qt: the platform's layers read over real HTTP from the exercise backend,
order/opacity/on-off kept across restarts in a real config folder, sources added and removed in layers.json,
and the add-layer form's rules."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from commandwall import paths
from commandwall.app.layer_form import check_source, source_from_form
from commandwall.app.layer_view import LAYER_VIEW_FILE
from commandwall.app.platform import PlatformFactory
from commandwall.app.platform_layers import catalogue_loader, read_catalogue_layer
from commandwall.app.session import ClientSession
from commandwall.app.user_layers import (
    PLATFORM_GROUP,
    USER_LAYERS_FILE,
    UserLayersController,
    platform_tree_layers,
)
from commandwall.backend.parsing import LayerInfo
from commandwall.config import Settings
from commandwall.geo.sources import LayerSourceSpec, SourceResult

FEATURES = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.3 + i / 100, 34.8]},
             "properties": {"name": f"点{i}"}} for i in range(5)]


def write_sources(folder: Path, *ids: str) -> None:
    (folder / USER_LAYERS_FILE).write_text(json.dumps(
        [{"id": i, "title": i.upper(), "kind": "geojson", "path": str(folder / f"{i}.geojson")} for i in ids]), "utf-8")


def settings(folder: Path) -> SimpleNamespace:
    return SimpleNamespace(config_dir=folder, layer_sources=[])


def fake_entries() -> list:
    """Catalogue entries as the session keeps them (one read, one broken)."""
    from commandwall.app.platform_layers import CatalogueLayer

    def info(layer_id: str, kind: str) -> LayerInfo:
        return LayerInfo(layer_id, layer_id.upper(), kind, "EPSG:4326", {}, f"/api/v1/collections/{layer_id}/items")

    return [CatalogueLayer(info("towns", "towns"), features=FEATURES), CatalogueLayer(info("pts", "pts"), FEATURES),
            CatalogueLayer(info("gone", "pts"), error="HTTP 404")]


# --- the platform's catalogue over real HTTP ---------------------------------------------------------------------


def test_catalogue_layers_from_the_exercise_backend_with_counts_and_a_broken_entry(demo, duty) -> None:
    catalogue = duty.layers()
    broken = LayerInfo("missing", "<b>失效</b>图层", "pois", "EPSG:4326", {}, "/api/v1/collections/missing/items")
    entries = [read_catalogue_layer(duty, info) for info in [*catalogue, broken]]
    layers = platform_tree_layers(entries, duty.base_url)
    by_key = {layer.key: layer for layer in layers}
    served = {info.id: info.feature_count for info in catalogue}
    manifest = json.loads((paths.layers_dir() / "manifest.json").read_text("utf-8"))
    assert served["shelters"] and "shelters" not in {e["id"] for e in manifest["layers"]}  # the platform's own
    for layer_id, count in served.items():
        layer = by_key[f"platform:{layer_id}"]
        assert layer.status == "ok" and len(layer.result.features) == count, layer_id
        assert layer.group == PLATFORM_GROUP
    assert by_key["platform:shelters"].map_drawn is False  # drawn by the tree's page script
    assert by_key["platform:towns"].map_layer == "towns"  # the map's static layer, only switched
    assert by_key["platform:resources"].map_drawn and by_key["platform:resources"].map_layer is None
    gone = by_key["platform:missing"]
    assert gone.status == "error" and "404" in gone.result.error
    assert "ERROR" in gone.report and "collections/missing/items" not in gone.spec.title

    controller = UserLayersController([])
    controller.set_platform(layers)
    payload = {p["id"]: p for p in controller.page_payload()}
    assert len(payload["platform:shelters"]["points"]["lon"]) == served["shelters"]
    assert payload["platform:towns"]["data"] is None and payload["platform:towns"]["points"] is None
    assert payload["platform:missing"]["title"] == "<b>失效</b>图层"  # text for textContent, never markup
    assert "404" in payload["platform:missing"]["error"]


def test_the_session_reads_a_catalogue_layer_again_from_the_exercise_backend(demo, tmp_path: Path,
                                                                             monkeypatch) -> None:
    """刷新 on a platform layer: a started session reads the entry again over HTTP, as the main window's loader
    asks it to; an entry whose items are gone comes back with the platform's reason."""
    listed = demo.catalogue.catalogue
    gone = {"id": "gone", "title": "失效图层", "kind": "pois", "crs": "EPSG:4326", "style": {},
            "items_url": "/api/v1/collections/gone/items", "feature_count": 3}
    monkeypatch.setattr(demo.catalogue, "catalogue", lambda: [*listed(), gone])
    served = {entry["id"]: entry["feature_count"] for entry in listed()}
    session = ClientSession(Settings(data_dir=tmp_path / "desk"), PlatformFactory.at_url(demo.base_url, exercise=True))
    session.start()
    try:
        assert {e.info.id for e in session.catalogue} == {*served, "gone"}
        first = next(e for e in session.catalogue if e.info.id == "shelters")
        demo.catalogue.served["shelters"].features.pop()  # the platform's layer changed since the start
        again = session.read_catalogue_layer("shelters")
        assert again is not None and again.error is None and again is not first
        assert len(again.features) == served["shelters"] - 1 == len(first.features) - 1
        broken = session.read_catalogue_layer("gone")
        assert broken is not None and broken.features is None and "404" in broken.error
        assert session.read_catalogue_layer("never-listed") is None

        load = catalogue_loader(session)  # what the main window gives the layer tree
        result = load("platform:shelters")
        assert result is not None and len(result.features) == served["shelters"] - 1
        assert result.matched == served["shelters"]  # the count the catalogue said at the start
        assert "404" in load("platform:gone").error
    finally:
        session.stop()


# --- the saved view ----------------------------------------------------------------------------------------------


def test_order_opacity_and_visibility_survive_a_restart(tmp_path: Path) -> None:
    write_sources(tmp_path, "a", "b", "c")
    first = UserLayersController.from_settings(settings(tmp_path))
    first.set_platform(platform_tree_layers(fake_entries(), "http://127.0.0.1:1"))
    # the platform's group starts in the page's drawing order: its own panes first, the static layers below
    assert [la.key for la in first.layers] == ["a", "b", "c", "platform:pts", "platform:gone", "platform:towns"]
    assert first.move("c", -1) and first.move("c", -1)
    assert not first.move("c", -1)  # top of its group
    assert not first.move("platform:pts", -1)  # the platform's group stays below the user's
    first.set_opacity("b", 0.35)
    first.set_visible("a", False)
    first.move("platform:towns", -2)
    first.set_visible("platform:pts", False)

    second = UserLayersController.from_settings(settings(tmp_path))  # another start, the same folder
    assert [la.key for la in second.layers] == ["c", "a", "b"]
    assert second.get("b").opacity == pytest.approx(0.35) and second.get("a").visible is False
    saved = json.loads((tmp_path / LAYER_VIEW_FILE).read_text("utf-8"))
    assert "platform:pts" in saved["layers"]  # kept until the catalogue is seen again
    second.set_opacity("c", 0.5)  # a change before the catalogue arrives keeps the platform's entries
    second.set_platform(platform_tree_layers(fake_entries(), "http://127.0.0.1:1"))
    assert [la.key for la in second.layers] == ["c", "a", "b", "platform:towns", "platform:pts", "platform:gone"]
    assert second.get("platform:pts").visible is False


def test_a_removed_source_is_dropped_and_a_corrupt_view_is_reported_not_fatal(tmp_path: Path) -> None:
    write_sources(tmp_path, "a", "b")
    UserLayersController.from_settings(settings(tmp_path)).set_opacity("b", 0.4)
    write_sources(tmp_path, "a")  # b taken out of layers.json by hand
    UserLayersController.from_settings(settings(tmp_path))
    saved = json.loads((tmp_path / LAYER_VIEW_FILE).read_text("utf-8"))
    assert "b" not in saved["layers"] and "b" not in saved["order"]

    for corrupt in ('{"order": [1, 2', '[1, 2, 3]', '{"layers": {"a": {"opacity": "x"}}, "order": ["a"]}', "\x00"):
        (tmp_path / LAYER_VIEW_FILE).write_text(corrupt, "utf-8")
        controller = UserLayersController.from_settings(settings(tmp_path))
        assert [la.key for la in controller.layers] == ["a"]
        assert controller.get("a").opacity == pytest.approx(0.9)  # as configured
        if corrupt.startswith('{"layers"'):
            assert controller.problems == []  # a bad entry is skipped, the file is fine
        else:
            assert any(LAYER_VIEW_FILE in p and "cannot be used" in p for p in controller.problems), corrupt
    controller.set_visible("a", False)  # the next change writes a good file again
    assert json.loads((tmp_path / LAYER_VIEW_FILE).read_text("utf-8"))["layers"]["a"]["visible"] is False


# --- sources added and removed in the tree ------------------------------------------------------------------------


def test_add_then_remove_a_source_in_layers_json(tmp_path: Path) -> None:
    write_sources(tmp_path, "a")
    controller = UserLayersController.from_settings(settings(tmp_path))
    new_id = controller.new_source_id("巡逻点")
    spec = source_from_form("file", str(tmp_path / "p.geojson"), "", "EPSG:4548", "巡逻点", new_id)
    layer = controller.add_source(spec)
    assert controller.layers[0] is layer and layer.removable
    listed = json.loads((tmp_path / USER_LAYERS_FILE).read_text("utf-8"))
    assert [e["id"] for e in listed] == ["a", new_id] and listed[1]["crs"] == "EPSG:4548"
    again = UserLayersController.from_settings(settings(tmp_path))
    assert again.get(new_id).spec == spec
    with pytest.raises(ValueError, match="exists already"):
        controller.add_source(spec)
    assert controller.remove_source(new_id)
    assert [e["id"] for e in json.loads((tmp_path / USER_LAYERS_FILE).read_text("utf-8"))] == ["a"]
    assert controller.get(new_id) is None

    env = UserLayersController.from_settings(SimpleNamespace(
        config_dir=tmp_path, layer_sources=[LayerSourceSpec(id="env", title="E", kind="geojson", path="/x.json")]))
    assert not env.remove_source("env")  # from the environment: not the tree's to remove

    (tmp_path / USER_LAYERS_FILE).write_text("{broken", "utf-8")  # never overwritten by an add
    with pytest.raises(ValueError, match="fix or remove it first"):
        controller.add_source(source_from_form("url", "http://127.0.0.1:1/x.geojson", "", "", "x", "x"))
    assert (tmp_path / USER_LAYERS_FILE).read_text("utf-8") == "{broken"


def test_a_file_typed_with_a_relative_path_is_kept_as_the_file_checked(tmp_path: Path, monkeypatch) -> None:
    """The form reads a typed relative path in the folder the desk runs in, as the check does; the saved source
    names that file absolutely (the settings file's own relative paths are read in the settings folder)."""
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    spec = source_from_form("file", "points/p.geojson", "", "", "巡逻点", "p")
    assert spec.path == tmp_path / "work" / "points" / "p.geojson"


def test_the_form_says_what_is_wrong_without_echoing_a_key() -> None:
    spec = source_from_form("ogcapi", "http://127.0.0.1:5000/collections/points/items", "", "EPSG:4326", "", "l1")
    assert (spec.kind, spec.url, spec.collection, spec.title) == ("ogcapi", "http://127.0.0.1:5000", "points",
                                                                   "points")
    spec = source_from_form("wfs", "http://127.0.0.1:8080/wfs?service=WFS", "cw:points", "bd09mc", "W", "l2")
    assert (spec.url, spec.type_name, spec.crs) == ("http://127.0.0.1:8080/wfs", "cw:points", "bd09mc")
    with pytest.raises(ValueError) as err:
        source_from_form("url", "http://127.0.0.1:1/x.geojson?tk=SECRETKEY", "", "", "x", "l3")
    assert "SECRETKEY" not in str(err.value) and "key or token" in str(err.value)
    with pytest.raises(ValueError, match="crs"):
        source_from_form("file", "/x.geojson", "", "EPSG:9999", "x", "l4")
    with pytest.raises(ValueError, match="collection"):
        source_from_form("ogcapi", "http://127.0.0.1:1/ogc", "", "", "x", "l5")
    with pytest.raises(ValueError, match="missing"):
        source_from_form("file", "  ", "", "", "x", "l6")


def test_check_reports_like_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "p.geojson"
    bad = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500, 34.8]}, "properties": {}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [*FEATURES, bad]}), "utf-8")
    result, report = check_source(source_from_form("file", str(path), "", "", "", "l1"))
    assert isinstance(result, SourceResult) and len(result.features) == 5
    assert "usable features: 5 (Point 5)" in report and "bad features: 1" in report and "feature 5:" in report
    assert "bbox (WGS84 lon/lat)" in report and report.endswith("usable")


def test_layers_check_names_the_problem_without_echoing_a_key() -> None:
    from commandwall.geo.check import check_target

    report, code = check_target("http://127.0.0.1:1/x.geojson?token=SECRET42&tk=KEY42&crs=<b>")
    assert code == 2 and "SECRET42" not in report and "KEY42" not in report
    assert report == ("cannot check http://127.0.0.1:1/x.geojson?crs=%3Cb%3E: "
                      "url: a layer URL must not carry a key or token in its query")
    report, code = check_target("http://127.0.0.1:1/wfs?service=WFS&typeNames=cw:x&token=SECRET42")
    assert code == 1 and "SECRET42" not in report  # a WFS query is rebuilt: the key is not sent, nor shown
