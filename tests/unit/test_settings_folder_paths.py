"""Files and folders the settings name by a relative path are found in the settings folder, whatever folder the
desk was started from (a shortcut, a service, another shell): offline base maps (MBTiles file, tile folder),
layer sources' GeoJSON files (``COMMANDWALL_LAYER_SOURCES`` and ``<config>/layers.json``) and the local layer
folder. A file that is not there is reported with the absolute path that was tried."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from commandwall import paths
from commandwall.app.map import base_map_catalogue
from commandwall.app.user_layers import USER_LAYERS_FILE, UserLayersController
from commandwall.config import Settings
from commandwall.geo.layers import load_layers
from tests.unit.test_geo_basemaps import make_mbtiles, png

POINT = {"type": "Feature", "properties": {"name": "消防水鹤"},
         "geometry": {"type": "Point", "coordinates": [117.26, 34.80]}}


@pytest.fixture
def config(tmp_path: Path, monkeypatch) -> Path:
    """The settings folder; the process runs in another, empty folder."""
    folder, elsewhere = tmp_path / "config", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def test_offline_base_maps_are_found_in_the_settings_folder(config: Path, tmp_path: Path, caplog) -> None:
    (config / "maps").mkdir()
    make_mbtiles(config / "maps" / "city.mbtiles", {(10, 0, 0): png((1, 2, 3))})
    (config / "tiles" / "10" / "0").mkdir(parents=True)
    (config / "tiles" / "10" / "0" / "0.png").write_bytes(png((4, 5, 6)))
    settings = Settings(data_dir=tmp_path / "data", config_dir=config, base_maps=[
        {"id": "city", "title": "城市", "kind": "mbtiles", "path": "maps/city.mbtiles"},
        {"id": "folder", "title": "瓦片目录", "kind": "folder", "path": "tiles"},
        {"id": "gone", "title": "缺文件", "kind": "mbtiles", "path": "maps/gone.mbtiles"},
    ])
    caplog.set_level(logging.WARNING)
    catalogue, problems = base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles")
    assert [b.id for b in catalogue.base_maps] == ["city", "folder"]
    assert catalogue.tile("city", 10, 0, 0) == (png((1, 2, 3)), "image/png")
    assert catalogue.tile("folder", 10, 0, 0) == (png((4, 5, 6)), "image/png")
    assert problems == ["底图 缺文件 不可用"]
    assert str(config / "maps" / "gone.mbtiles") in caplog.text  # the path tried, in full


def test_layer_sources_files_are_found_in_the_settings_folder(config: Path, tmp_path: Path, monkeypatch) -> None:
    (config / "own").mkdir()
    (config / "own" / "hydrants.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [POINT]}),
                                                     "utf-8")
    (config / USER_LAYERS_FILE).write_text(json.dumps([
        {"id": "from-file", "title": "文件中的", "kind": "geojson", "path": "own/hydrants.geojson"},
        {"id": "gone", "title": "缺文件", "kind": "geojson", "path": "own/gone.geojson"},
    ]), "utf-8")
    monkeypatch.setenv("COMMANDWALL_LAYER_SOURCES", json.dumps(
        [{"id": "from-env", "title": "环境变量中的", "kind": "geojson", "path": "own/hydrants.geojson"}]))
    controller = UserLayersController.from_settings(Settings(data_dir=tmp_path / "data", config_dir=config))
    assert [layer.spec.id for layer in controller.layers] == ["from-env", "from-file", "gone"]
    for layer_id in ("from-env", "from-file"):
        result = controller.load(layer_id)
        assert result is not None and result.error is None and len(result.features) == 1, result.error
    gone = controller.load("gone")
    assert gone is not None and str(config / "own" / "gone.geojson") in (gone.error or "")


def test_the_local_layer_folder_is_found_in_the_settings_folder(config: Path, tmp_path: Path) -> None:
    shutil.copytree(paths.layers_dir(), config / "district")
    settings = Settings(data_dir=tmp_path / "data", config_dir=config, layers_dir=Path("district"))
    assert settings.layers_dir == config / "district"
    loaded = load_layers(settings.layers_dir)
    assert not loaded.errors and {"towns", "grids"} <= set(loaded.layers)
    missing = Settings(data_dir=tmp_path / "data", config_dir=config, layers_dir=Path("nowhere"))
    [error] = load_layers(missing.layers_dir).errors
    assert str(config / "nowhere" / "manifest.json") in error.message


def test_absolute_and_home_paths_are_kept(config: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert paths.in_settings_folder(tmp_path / "a.mbtiles", config) == tmp_path / "a.mbtiles"
    assert paths.in_settings_folder("~/maps/a.mbtiles", config) == tmp_path / "maps" / "a.mbtiles"
    assert paths.in_settings_folder("maps/a.mbtiles", config) == config / "maps" / "a.mbtiles"


def test_the_alarm_sound_and_the_early_warnings_folder_are_found_in_the_settings_folder(config: Path,
                                                                                        tmp_path: Path) -> None:
    """Named relative to the settings folder: found there, not in the folder the desk was started from; a sound
    that is not there is refused naming the absolute path tried."""
    from commandwall.app.alarm import write_tone

    write_tone(config / "siren.wav")
    (config / "cap").mkdir()
    settings = Settings(data_dir=tmp_path / "data", config_dir=config, alarm_sound=Path("siren.wav"),
                        cap_dir=Path("cap"))  # fmt: skip
    assert settings.alarm_sound == config / "siren.wav" and settings.cap_dir == config / "cap"
    with pytest.raises(ValueError, match=r"alarm_sound must be an existing \.wav file") as refused:
        Settings(data_dir=tmp_path / "data", config_dir=config, alarm_sound=Path("gone.wav"))
    assert str(config / "gone.wav") in str(refused.value)
