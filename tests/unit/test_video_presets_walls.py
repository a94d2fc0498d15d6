"""Wall presets across several wall screens: the version-2 file (a list of walls), old one-wall files read as
wall 1, and what a bad list of walls says."""

from __future__ import annotations

import json

import pytest

from commandwall import paths
from commandwall.video.presets import (
    MAX_WALLS,
    PresetError,
    PresetStore,
    WallArrangement,
    WallPreset,
)
from commandwall.video.tour import Tour


def test_several_walls_round_trip_as_version_2() -> None:
    """Each wall keeps its layout, cameras and tour, in order; wall 1 is also the preset's layout/cameras."""
    walls = [WallArrangement("1+5", ("CAM-0001", None, "CAM-0003")),
             WallArrangement(" 9", ("CAM-0010",), Tour("光明大道", ["CAM-0047", "CAM-0048"], 20)),
             WallArrangement("16")]
    preset = WallPreset.of_walls("三屏联动", walls)
    doc = json.loads(preset.to_json())
    assert doc["version"] == 2 and "layout" not in doc
    assert [w["layout"] for w in doc["walls"]] == ["1+5", "9", "16"]
    again = WallPreset.from_json(preset.to_json())
    assert again == preset
    assert [w.layout for w in again.walls] == ["1+5", "9", "16"]
    assert again.walls[1].tour is not None and again.walls[1].tour.camera_ids == ("CAM-0047", "CAM-0048")
    assert (again.layout, again.cameras, again.tour) == ("1+5", ("CAM-0001", None, "CAM-0003"), None)


def test_one_wall_is_still_written_and_read_as_version_1() -> None:
    """A one-wall preset stays readable by older clients; every shipped (version 1) file reads as one wall."""
    one = WallPreset.of_walls("单屏", [WallArrangement("4", ("CAM-0001",))])
    doc = json.loads(one.to_json())
    assert doc["version"] == 1 and doc["layout"] == "4" and "walls" not in doc
    shipped = PresetStore(paths.shipped_wall_presets_dir()).load()
    assert shipped.presets and not shipped.errors
    for preset in shipped.presets:
        assert len(preset.walls) == 1 and preset.walls[0].layout == preset.layout


def _v2(walls: object) -> str:
    return json.dumps({"format": "commandwall-wall-preset", "version": 2, "name": "坏", "walls": walls})


@pytest.mark.parametrize(("text", "message"), [
    (_v2([]), "缺少 \"walls\""),
    (_v2({"layout": "4"}), "缺少 \"walls\""),
    (_v2(["4"]), "对象列表"),
    (_v2([{"layout": "4"}, {"layout": "7"}]), "无此画面布局"),
    (_v2([{"layout": "1", "cameras": ["A", "B"]}]), "只有 1 个画面"),
    (_v2([{"layout": "4", "cameras": "CAM-1"}]), "摄像机编号列表"),
    (_v2([{"layout": "4", "tour": {"camera_ids": "x"}}]), "camera_ids"),
    (_v2([{"layout": "4"}] * (MAX_WALLS + 1)), f"最多 {MAX_WALLS} 面"),
    (json.dumps({"format": "commandwall-wall-preset", "version": 3, "name": "x", "layout": "4"}), "不受支持"),
])
def test_a_bad_list_of_walls_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PresetError, match=message):
        WallPreset.from_json(text)


def test_a_store_holds_old_and_new_presets_side_by_side(tmp_path) -> None:
    """A folder with a version-1 file, a version-2 file and a broken one: both usable ones load."""
    store = PresetStore(tmp_path)
    store.save(WallPreset("旧", "4", ("CAM-0001",)))
    store.save(WallPreset.of_walls("新", [WallArrangement("1+7"), WallArrangement("4", ("CAM-0002",))]))
    (tmp_path / "坏.json").write_text(_v2("nope"), "utf-8")
    loaded = store.load()
    assert [(p.name, len(p.walls)) for p in loaded.presets] == [("新", 2), ("旧", 1)]
    assert [e.path.name for e in loaded.errors] == ["坏.json"]
