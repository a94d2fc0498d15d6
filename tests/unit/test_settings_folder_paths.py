"""Files and folders the settings name by a relative path are found in the settings folder, whatever folder the
desk was started from (a shortcut, a service, another shell): offline base maps (MBTiles file, tile folder),
layer sources' GeoJSON files (``COMMANDWALL_LAYER_SOURCES`` and ``<config>/layers.json``) and the local layer
folder. A file that is not there is reported with the absolute path that was tried."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
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
    assert problems == ["底图 缺文件 不可用：找不到 gone.mbtiles"]
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


# -- a path under the home of a user this machine does not have (a desk's settings copied from another) ---------

NO_SUCH_USER = "~zhangsan-not-on-this-machine"
TILDE_SETTINGS = {
    "COMMANDWALL_ALARM_SOUND": ("alarm_sound", f"{NO_SUCH_USER}/siren.wav"),
    "COMMANDWALL_CAP_DIR": ("cap_dir", f"{NO_SUCH_USER}/cap"),
    "COMMANDWALL_LAYER_SOURCES": ("layer_sources.0.path", json.dumps(
        [{"id": "roads", "title": "道路", "kind": "geojson", "path": f"{NO_SUCH_USER}/layers/roads.geojson"}])),
    "COMMANDWALL_BASE_MAPS": ("base_maps.0.path", json.dumps(
        [{"id": "city", "title": "城区", "kind": "mbtiles", "path": f"{NO_SUCH_USER}/city.mbtiles"}])),
    "COMMANDWALL_CONFIG_DIR": ("config_dir", f"{NO_SUCH_USER}/config"),
    "COMMANDWALL_DATA_DIR": ("data_dir", f"{NO_SUCH_USER}/data"),
    "COMMANDWALL_LAYERS_DIR": ("layers_dir", f"{NO_SUCH_USER}/layers"),
}


def _cli(args: list[str], env: dict[str, str | None], tmp_path: Path) -> subprocess.CompletedProcess:
    """``commandwall ARGS`` in a process of its own, with its own folders and ``env`` (None: unset)."""
    base = {**os.environ, "COMMANDWALL_DATA_DIR": str(tmp_path / "data"),
            "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen"}
    merged = {name: value for name, value in {**base, **env}.items() if value is not None}
    return subprocess.run([sys.executable, "-m", "commandwall", *args], capture_output=True, text=True, timeout=120,
                          env=merged, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("variable", sorted(TILDE_SETTINGS))
@pytest.mark.parametrize("command", ["config", "run"])
def test_a_setting_under_the_home_of_a_user_this_machine_does_not_have_is_an_invalid_setting(
        variable: str, command: str, tmp_path: Path) -> None:
    """``~zhangsan/…`` in a setting, as on a desk copied from another machine: ``Path.expanduser`` raised
    RuntimeError (Could not determine home directory) and the client, or ``config``, stopped with a traceback,
    exit 1, no window. Now it is the invalid setting README promises: its name and why, exit 2."""
    name, value = TILDE_SETTINGS[variable]
    proc = _cli([command], {variable: value}, tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "RuntimeError" not in proc.stderr, proc.stderr[-2000:]
    assert f"commandwall: invalid setting: {name}: " in proc.stderr, proc.stderr
    assert "has no user 'zhangsan-not-on-this-machine'" in proc.stderr, proc.stderr


def test_a_layers_json_entry_under_the_home_of_a_user_this_machine_does_not_have_is_refused_alone(
        config: Path, tmp_path: Path) -> None:
    """One ``layers.json`` entry naming ``~zhangsan/…`` stopped the whole start (the layer tree read it): now that
    entry is refused with its reason in the layer tree's problem line, and the others load."""
    (config / "mine.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [POINT]}), "utf-8")
    (config / USER_LAYERS_FILE).write_text(json.dumps([
        {"id": "roads", "title": "道路（张三）", "kind": "geojson", "path": f"{NO_SUCH_USER}/layers/roads.geojson"},
        {"id": "mine", "title": "本机图层", "kind": "geojson", "path": "mine.geojson"},
    ], ensure_ascii=False), "utf-8")
    controller = UserLayersController.from_settings(Settings(data_dir=tmp_path / "data", config_dir=config))
    assert [layer.spec.id for layer in controller.layers] == ["mine"]
    [problem] = controller.problems
    assert problem.startswith("layers.json entry 0: invalid (path: ") and "zhangsan-not-on-this-machine" in problem
    result = controller.load("mine")
    assert result is not None and result.usable and len(result.features) == 1


# -- an empty path setting is unset, not the folder the desk was started in -----------------------------------

def test_every_empty_path_setting_is_unset(config: Path, tmp_path: Path, monkeypatch) -> None:
    """``COMMANDWALL_DATA_DIR=""`` read as ``Path("")``, the folder the desk happened to be started in: the outbox,
    the logs and the exercise database landed there. Every path setting given empty is unset now."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in ("DATA_DIR", "CONFIG_DIR", "LAYERS_DIR", "CAP_DIR", "ALARM_SOUND"):
        monkeypatch.setenv(f"COMMANDWALL_{name}", "")
    settings = Settings()
    assert settings.data_dir == tmp_path / "xdg-data" / "commandwall"
    assert settings.config_dir == tmp_path / "xdg-config" / "commandwall"
    assert settings.layers_dir == paths.layers_dir()
    assert settings.cap_dir is None and settings.alarm_sound is None
    monkeypatch.setenv("XDG_DATA_HOME", "")  # empty is unset for the XDG folders too
    assert paths.user_data_dir() == Path.home() / ".local" / "share" / "commandwall"


@pytest.mark.parametrize("how", ["variable", "option"])
def test_an_empty_data_folder_on_the_command_line_is_the_default_one(how: str, tmp_path: Path) -> None:
    """``COMMANDWALL_DATA_DIR= commandwall config`` and ``commandwall config --data-dir ""`` showed
    ``data_dir = .``."""
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg-data"), "COMMANDWALL_DATA_DIR": "" if how == "variable" else None}
    proc = _cli(["config", *(["--data-dir", ""] if how == "option" else [])], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"data_dir = {tmp_path / 'xdg-data' / 'commandwall'}" in proc.stdout.splitlines(), proc.stdout
