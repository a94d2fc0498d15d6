"""The user layers' controller: where sources are configured, order/opacity/visibility, live refresh, and what
the page gets (names as safe text)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from commandwall.app.user_layers import UserLayersController, read_sources_file
from commandwall.config import Settings
from commandwall.geo.sources import NO_FEATURES, LayerSourceSpec, SourceResult


def spec(layer_id: str, **kw) -> LayerSourceSpec:
    return LayerSourceSpec(id=layer_id, title=layer_id.upper(), kind="geojson", path=Path("/x.json"), **kw)


def test_sources_from_settings_then_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "layers.json").write_text(json.dumps([
        {"id": "a", "title": "A", "kind": "geojson", "path": "/nowhere.geojson"},
        {"id": "b", "title": "B", "kind": "wfs", "url": "http://127.0.0.1:1/wfs"},
        {"id": "a", "title": "again", "kind": "geojson", "path": "/x.geojson"},
    ]), "utf-8")
    settings = SimpleNamespace(config_dir=tmp_path, layer_sources=[spec("env")])
    controller = UserLayersController.from_settings(settings)
    assert [layer.spec.id for layer in controller.layers] == ["env", "a"]
    assert len(controller.problems) == 2  # b lacks type_name; a is there twice
    assert "entry 1: invalid" in controller.problems[0]
    assert "twice" in controller.problems[1]


def test_the_env_variable_is_a_json_list(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMMANDWALL_LAYER_SOURCES", json.dumps(
        [{"id": "live", "title": "实时", "kind": "geojson", "url": "http://127.0.0.1:9/live.json", "refresh_s": 30}]))
    settings = Settings(config_dir=tmp_path)
    assert [s.id for s in settings.layer_sources] == ["live"]
    assert settings.layer_sources[0].refresh_s == 30


def test_a_broken_config_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "layers.json"
    for text in ("{not json", '{"layers": 5}', "[" * 100000):
        path.write_text(text, "utf-8")
        specs, problems = read_sources_file(path)
        assert specs == [] and len(problems) == 1


def test_order_visibility_opacity_and_styles() -> None:
    controller = UserLayersController([spec("a"), spec("b"), spec("c")])
    assert [controller.style_payload(layer)["z"] for layer in controller.layers] == [2, 1, 0]  # first on top
    assert controller.move("c", -2) and [layer.spec.id for layer in controller.layers] == ["c", "a", "b"]
    assert not controller.move("c", -1)
    controller.set_visible("a", False)
    controller.set_opacity("b", 0)
    styles = {layer.spec.id: controller.style_payload(layer) for layer in controller.layers}
    assert styles["a"]["visible"] is False and styles["b"]["opacity"] == 0.05 and styles["c"]["z"] == 2


def test_live_layers_are_due_after_their_interval_and_only_once() -> None:
    loads: list[str] = []

    def loader(s: LayerSourceSpec, previous: SourceResult | None = None) -> SourceResult:
        loads.append(s.id)
        return SourceResult(spec=s, fetched_at=1000.0, error=NO_FEATURES)

    controller = UserLayersController([spec("live", refresh_s=30), spec("still")], loader=loader)
    controller.load("live")
    controller.load("still")
    assert controller.due(now=1029.0) == []
    assert controller.due(now=1030.0) == ["live"]
    assert controller.due(now=1031.0) == []  # being read: not asked for twice
    controller.load("live")
    assert loads == ["live", "still", "live"]


def test_the_page_gets_safe_names_and_the_error_of_a_broken_layer() -> None:
    def loader(s: LayerSourceSpec, previous: SourceResult | None = None) -> SourceResult:
        if s.id == "bad":
            return SourceResult(spec=s, error="HTTP 404 from http://127.0.0.1/x\u202e.json")
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [117.30000001, 34.8]},
                   "properties": {"name": "evil\u202egnp.exe", "secret": "kept out"}}
        return SourceResult(spec=s, features=[feature])

    controller = UserLayersController([spec("ok"), spec("bad")], loader=loader)
    controller.load("ok")
    controller.load("bad")
    ok, bad = controller.page_payload()
    # a point layer goes as columns for the points canvas; the name marked, as everywhere; "secret" left out
    assert ok["data"] is None
    assert ok["points"] == {"lon": [117.3], "lat": [34.8], "names": ["evil‹U+202E›gnp.exe"]}
    assert bad["data"] is None and "HTTP 404" in bad["error"] and "\u202e" not in bad["error"]


def test_a_refresh_interval_set_in_the_tree_overrides_the_source_and_is_kept(tmp_path: Path) -> None:
    def loader(s: LayerSourceSpec, previous: SourceResult | None = None) -> SourceResult:
        return SourceResult(spec=s, fetched_at=1000.0, error=NO_FEATURES)

    controller = UserLayersController([spec("live", refresh_s=30), spec("still")], loader=loader, config_dir=tmp_path)
    controller.load("live")
    controller.load("still")
    assert controller.set_refresh("still", 3) == 10  # raised to the shortest allowed
    assert controller.set_refresh("live", 0) == 0  # never, though its source says 30 s
    assert controller.set_refresh("nothing", 60) is None
    assert controller.due(now=1100.0) == ["still"]
    saved = json.loads((tmp_path / "layer_view.json").read_text("utf-8"))["layers"]
    assert saved["still"]["refresh_s"] == 10 and saved["live"]["refresh_s"] == 0
    again = UserLayersController([spec("live", refresh_s=30), spec("still")], loader=loader, config_dir=tmp_path)
    assert [again.get(k).refresh_interval for k in ("live", "still")] == [0, 10]
    # a hand-edited file with an interval that is not allowed: ignored, the source's interval applies
    for wrong in (5, True, "30", 30.5, -1, 10**12, None, {"{{7*7}}": 1}, "<b>60</b>"):
        saved["live"]["refresh_s"] = wrong
        (tmp_path / "layer_view.json").write_text(json.dumps({"order": [], "layers": saved}), "utf-8")
        kept = UserLayersController([spec("live", refresh_s=30)], config_dir=tmp_path).get("live")
        assert kept.refresh_interval == 30, wrong
    (tmp_path / "layer_view.json").write_bytes(b'{"layers": {"live": {"refresh_s": 60')  # cut short: not JSON
    assert UserLayersController([spec("live", refresh_s=30)], config_dir=tmp_path).get("live").refresh_interval == 30


def test_an_unreadable_layer_view_is_set_aside_before_it_is_written_anew(tmp_path: Path, caplog) -> None:
    """A hand edit with one comma too many: the layers show as configured, and the first change keeps the file
    beside the new one as ``layer_view.json.broken-<time>`` (to mend), as the desk's other files are."""
    hand_edit = b'{"order": ["a", "b",], "layers": {"a": {"visible": false}}}'
    (tmp_path / "layer_view.json").write_bytes(hand_edit)
    controller = UserLayersController([spec("a"), spec("b")], config_dir=tmp_path)
    assert controller.get("a").visible and any("layer_view.json" in p for p in controller.problems)
    controller.set_visible("b", False)
    aside = list(tmp_path.glob("layer_view.json.broken-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == hand_edit
    saved = json.loads((tmp_path / "layer_view.json").read_text("utf-8"))
    assert saved["layers"]["b"]["visible"] is False
    assert any("kept as layer_view.json.broken-" in r.getMessage() for r in caplog.records)
    controller.set_visible("a", False)  # the new file is good: nothing more is set aside
    assert len(list(tmp_path.glob("layer_view.json.broken-*"))) == 1


def test_a_settings_folder_that_is_a_file_is_not_written_to_and_not_misreported(tmp_path: Path, caplog) -> None:
    from commandwall.app.settings_folder import settings_folder_problem

    folder = tmp_path / "config"
    folder.write_text("not a folder", "utf-8")
    problem = settings_folder_problem(folder)
    assert problem == f"设置目录不可用：{folder}（同名的文件已存在，不是文件夹），本次的界面设置不会保存"
    assert settings_folder_problem(folder / "below") is not None  # a folder under that file: the same
    assert settings_folder_problem(tmp_path / "new" / "config") is None and (tmp_path / "new" / "config").is_dir()
    controller = UserLayersController([spec("a"), spec("b")], config_dir=folder)
    controller.set_visible("a", False)
    controller.move("b", -1)
    assert folder.read_text("utf-8") == "not a folder"
    assert not any("File exists" in r.getMessage() or "cannot write" in r.getMessage() for r in caplog.records)
    assert not any("cannot be written" in p for p in controller.problems)


def test_entries_beyond_the_hundredth_are_said_not_dropped_silently(tmp_path: Path) -> None:
    """``layers.json`` with 120 good entries: the last 20 were left out without a word in the layer tree."""
    path = tmp_path / "layers.json"
    path.write_text(json.dumps([{"id": f"l{n}", "title": f"图层{n}", "kind": "geojson", "path": f"l{n}.geojson"}
                                for n in range(120)]), "utf-8")
    specs, problems = read_sources_file(path)
    assert [spec.id for spec in specs] == [f"l{n}" for n in range(100)]
    assert problems == ["layers.json: 20 entries after the first 100 left out (at most 100 layer sources are read)"]


def test_an_invalid_entry_is_named_with_its_reason(tmp_path: Path) -> None:
    """The problem line said only which field (``invalid (type_name)``); it now says what is wrong with it, never
    the value (a URL in it may carry a key)."""
    path = tmp_path / "layers.json"
    path.write_text(json.dumps([{"id": "b", "title": "B", "kind": "wfs", "url": "http://127.0.0.1:1/wfs?x=secret"}]),
                    "utf-8")
    _specs, [problem] = read_sources_file(path)
    assert problem == "layers.json entry 0: invalid (entry: a wfs layer needs type_name)", problem
