"""Wall presets (预案): the file format, the store (bad files do not break the others), the shipped ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commandwall import paths
from commandwall.video.presets import MAX_FILE_BYTES, PresetError, PresetStore, WallPreset
from commandwall.video.tour import Tour


def test_round_trip_with_and_without_tour() -> None:
    """A preset comes back from its file text as it was; the layout key is normalised."""
    plain = WallPreset("高速出入口", " 2+8", ("CAM-1171", None, "CAM-1168"))
    assert plain.layout == "2+8"
    assert WallPreset.from_json(plain.to_json()) == plain
    toured = WallPreset("夜间轮巡", "9", (), Tour("光明大道", ["CAM-0047", "CAM-0048"], 20))
    again = WallPreset.from_json(toured.to_json())
    assert again == toured and again.tour is not None and again.tour.dwell_s == 20


@pytest.mark.parametrize(("name", "layout", "cameras", "message"), [
    ("", "4", (), "名称"),
    ("a/b", "4", (), "名称"),
    ("x" * 41, "4", (), "名称"),
    ("好", "5", (), "无此画面布局"),
    ("好", "1", ("CAM-0001", "CAM-0002"), "只有 1 个画面"),
    ("好", "4", (3,), "无效的摄像机编号"),
    ("好", "4", (" ",), "无效的摄像机编号"),
])  # fmt: skip
def test_bad_presets_are_refused(name: str, layout: str, cameras: tuple, message: str) -> None:
    """Names that cannot be file names, unknown layouts, too many or invalid cameras: PresetError."""
    with pytest.raises(PresetError, match=message):
        WallPreset(name, layout, cameras)


BAD_FILES: dict[str, bytes] = {
    "not-json.json": b"{oops",
    "foreign.json": json.dumps({"name": "x", "layout": "4"}).encode(),
    "future.json": json.dumps({"format": "commandwall-wall-preset", "version": 9, "name": "x"}).encode(),
    "layout.json": json.dumps({"format": "commandwall-wall-preset", "version": 1, "name": "x",
                               "layout": "7", "cameras": []}).encode(),
    "tour.json": json.dumps({"format": "commandwall-wall-preset", "version": 1, "name": "x", "layout": "4",
                             "tour": {"camera_ids": ["A", "A"]}}).encode(),
    "cameras.json": json.dumps({"format": "commandwall-wall-preset", "version": 1, "name": "x",
                                "layout": "4", "cameras": "CAM-0001"}).encode(),
    "latin1.json": "{\"name\": \"é\"}".encode("latin-1"),
    "huge.json": b" " * (MAX_FILE_BYTES + 1),
    "deep.json": b"[" * 100_000,  # nesting beyond the parser's recursion
    # Python reads no int of more than 4300 digits (a plain ValueError, not a JSONDecodeError)
    "long-number.json": b'{"format": "commandwall-wall-preset", "version": 1, "name": "x", "layout": "4",'
                        b' "tour": {"camera_ids": ["A"], "dwell_s": ' + b"9" * 5000 + b"}}",
    # an int with no float: the dwell's range message cannot print it with :g
    "huge-dwell.json": b'{"format": "commandwall-wall-preset", "version": 1, "name": "x", "layout": "4",'
                       b' "tour": {"camera_ids": ["A"], "dwell_s": ' + b"9" * 400 + b"}}",
    "long-id.json": json.dumps({"format": "commandwall-wall-preset", "version": 1, "name": "x", "layout": "4",
                                "tour": {"camera_ids": ["A" * 100_000]}}).encode(),
    "tour-name.json": json.dumps({"format": "commandwall-wall-preset", "version": 1, "name": "x", "layout": "4",
                                  "tour": {"name": 5, "camera_ids": ["A"]}}).encode(),
}  # fmt: skip


def test_bad_files_are_named_and_the_others_load(tmp_path: Path) -> None:
    """Every bad file yields one error naming it and the reason; the good presets load, sorted by name."""
    store = PresetStore(tmp_path / "mine")
    store.save(WallPreset("乙", "4", ("CAM-0002",)))
    store.save(WallPreset("甲", "1+5", ("CAM-0001",)))
    for name, data in BAD_FILES.items():
        (tmp_path / "mine" / name).write_bytes(data)
    (tmp_path / "mine" / "notes.txt").write_text("not a preset")
    loaded = store.load()
    assert [p.name for p in loaded.presets] == sorted(["甲", "乙"])
    assert sorted(e.path.name for e in loaded.errors) == sorted(BAD_FILES)
    reasons = {e.path.name: str(e) for e in loaded.errors}
    assert "JSON" in reasons["not-json.json"] and "format" in reasons["foreign.json"]
    assert "版本" in reasons["future.json"] and "无此画面布局" in reasons["layout.json"]
    assert "重复" in reasons["tour.json"] and "过大" in reasons["huge.json"] and "嵌套" in reasons["deep.json"]
    assert "数字" in reasons["long-number.json"] and "停留时间" in reasons["huge-dwell.json"]
    assert "摄像机编号 'AAAAAAAAAAAAAAAAAAAA…'" in reasons["long-id.json"] and len(reasons["long-id.json"]) < 100
    assert "轮巡名称" in reasons["tour-name.json"]
    assert all(r.startswith("预案文件 ") for r in reasons.values())


def test_a_preset_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """Windows Notepad starts a UTF-8 file with a byte order mark: the preset is read as it was written."""
    preset = WallPreset("记事本", "4", ("CAM-0001",))
    (tmp_path / "记事本.json").write_bytes(b"\xef\xbb\xbf" + preset.to_json().encode("utf-8"))
    loaded = PresetStore(tmp_path).load()
    assert loaded.presets == [preset] and not loaded.errors


DEVICES = {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


@pytest.mark.parametrize("name", ["CON", "nul", "Com1.备用", "..", "a\u202egpj.exe", "上\u2028下", "\u200b"])
def test_a_name_that_is_no_safe_file_name_is_kept_inside_a_safe_file(tmp_path: Path, name: str) -> None:
    """CON.json is the console on Windows, a bidi control makes a file name read backwards, a line separator
    breaks it: such a preset is saved under a made file name, its own name is kept in the file, and saving it
    again replaces that file. A name that is a plain file name keeps its file (the others are not affected)."""
    store = PresetStore(tmp_path)
    plain = store.save(WallPreset("CON 路口", "4", ("CAM-0002",)))
    path = store.save(WallPreset(name, "4", ("CAM-0001",)))
    assert plain.name == "CON 路口.json" and path.parent == tmp_path and path.suffix == ".json"
    stem = path.stem
    assert stem.split(".")[0].strip().upper() not in DEVICES and stem[0] not in ". " and stem[-1] not in ". "
    assert all(c.isprintable() for c in stem) and "\u202e" not in stem and "\u2028" not in stem
    store.save(WallPreset(name, "9", ("CAM-0003",)))
    loaded = store.load()
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted([plain.name, path.name]) and not loaded.errors
    assert [(p.name, p.layout) for p in loaded.presets] == sorted([("CON 路口", "4"), (name, "9")])


def test_the_store_reads_again_only_what_changed(tmp_path: Path) -> None:
    """Opening the 预案 menu reads the folder again: an unchanged folder gives back the same list, and a changed
    one gives the change, with the unchanged presets kept as they were read (not parsed again)."""
    store = PresetStore(tmp_path)
    for n in range(3):
        store.save(WallPreset(f"预案{n}", "4", (f"CAM-000{n}",)))
    first = store.load()
    assert store.load() is first
    changed = WallPreset("预案1", "9", ("CAM-0009", "CAM-0010"))  # another size: a time stamp may be coarse
    (tmp_path / "预案1.json").write_text(changed.to_json(), "utf-8")  # written in place
    second = store.load()
    assert second is not first and second.get("预案1").layout == "9"  # type: ignore[union-attr]
    assert second.get("预案0") is first.get("预案0") and second.get("预案2") is first.get("预案2")
    (tmp_path / "预案2.json").unlink()
    PresetStore(tmp_path).save(WallPreset("新的", "1", ("CAM-0005",)))  # another desk sharing the folder
    assert [p.name for p in store.load().presets] == ["新的", "预案0", "预案1"]


def test_saving_replaces_by_name_and_mine_win_over_shipped(tmp_path: Path) -> None:
    """A preset saved under a shipped preset's name is the one offered; saving again replaces the file."""
    shipped = tmp_path / "shipped"
    PresetStore(shipped).save(WallPreset("高速出入口", "2+8", ("CAM-1171",)))
    store = PresetStore(tmp_path / "mine", [shipped, tmp_path / "absent"])
    assert store.load().get("高速出入口").layout == "2+8"  # type: ignore[union-attr]
    path = store.save(WallPreset("高速出入口", "4", ("CAM-1362",)))
    assert path == tmp_path / "mine" / "高速出入口.json"
    store.save(WallPreset("高速出入口", "9", ("CAM-1362",)))
    loaded = store.load()
    assert [(p.name, p.layout) for p in loaded.presets] == [("高速出入口", "9")] and not loaded.errors
    assert sorted(f.name for f in (tmp_path / "mine").iterdir()) == ["高速出入口.json"]  # no temporary left


def test_two_files_of_one_name_keep_the_saved_one_and_name_the_other(tmp_path: Path) -> None:
    """A copied or renamed file that claims a name already taken in the same folder is reported, not picked at
    random: the file the preset is saved as wins, whatever the file names sort like."""
    store = PresetStore(tmp_path / "mine")
    store.save(WallPreset("临城路口", "4", ("CAM-0001",)))
    (tmp_path / "mine" / "0-副本.json").write_text(WallPreset("临城路口", "9", ("CAM-0002",)).to_json(), "utf-8")
    (tmp_path / "mine" / "a.json").write_text(WallPreset("别名", "1", ("CAM-0003",)).to_json(), "utf-8")
    (tmp_path / "mine" / "b.json").write_text(WallPreset("别名", "16", ("CAM-0004",)).to_json(), "utf-8")
    loaded = store.load()
    assert [(p.name, p.layout) for p in loaded.presets] == sorted([("临城路口", "4"), ("别名", "1")])
    reasons = {e.path.name: str(e) for e in loaded.errors}
    assert set(reasons) == {"0-副本.json", "b.json"}
    assert "临城路口.json" in reasons["0-副本.json"] and "同名" in reasons["0-副本.json"]
    assert "a.json" in reasons["b.json"]


def _exercise_cameras() -> dict[str, dict]:
    doc = json.loads((paths.layers_dir() / "cameras.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in doc["features"]}


def test_the_exercise_presets_show_real_exercise_cameras() -> None:
    """The shipped presets load without error and name cameras of the exercise seed where their names say."""
    loaded = PresetStore(paths.shipped_wall_presets_dir()).load()
    assert not loaded.errors
    cameras = _exercise_cameras()
    names = {p.name for p in loaded.presets}
    assert {"临城街道主要路口", "高速出入口"} <= names
    for preset in loaded.presets:
        ids = [c for c in preset.cameras if c] + list(preset.tour.camera_ids if preset.tour else ())
        assert ids and all(c in cameras for c in ids), preset.name
    crossings = loaded.get("临城街道主要路口")
    assert crossings is not None and all(cameras[c]["town"] == "临城街道" and "路口" in cameras[c]["name"]
                                         for c in crossings.cameras if c)  # fmt: skip
    highway = loaded.get("高速出入口")
    assert highway is not None and all("京台高速与" in cameras[c]["name"] for c in highway.cameras if c)
    assert len(set(highway.cameras)) == len(highway.cameras) == 10 and highway.layout == "2+8"
