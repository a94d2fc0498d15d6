"""The Qt-free wall model: tiles → cameras across layouts, selection, maximising, swaps, lent areas."""

from __future__ import annotations

import pytest

from commandwall.domain.models import Camera, StreamUrls
from commandwall.video.wall_model import WallChange, WallModel


def cam(n: int) -> Camera:
    """Camera CAM-000n with distinct main/sub URLs."""
    base = f"http://127.0.0.1:9/streams/CAM-{n:04d}"
    return Camera(id=f"CAM-{n:04d}", name=f"临城街道·{n}号路口", lon=117.26, lat=34.79,
                  streams=StreamUrls(main=f"{base}/main.ts", sub=f"{base}/sub.ts"))  # fmt: skip


def ids(model: WallModel) -> list[str | None]:
    """Camera id per tile."""
    return [c.id if c else None for c in model.cameras()]


@pytest.fixture
def model() -> tuple[WallModel, list[WallChange]]:
    """A 2×2 model with its change log."""
    m = WallModel("4")
    changes: list[WallChange] = []
    m.subscribe(changes.append)
    return m, changes


def test_layout_switch_keeps_the_tiles_that_stay(model: tuple[WallModel, list[WallChange]]) -> None:
    """4 → 1+5 keeps tiles 0–3 (0 becomes the big tile); 1+5 → 1 empties tiles 1–5 and says which."""
    m, changes = model
    m.place([cam(1), cam(2), cam(3), cam(4)])
    changes.clear()
    m.set_layout("1+5")
    assert ids(m) == ["CAM-0001", "CAM-0002", "CAM-0003", "CAM-0004", None, None]
    assert changes == [WallChange(tiles=frozenset(), layout=True)]  # no camera moved: nothing to reopen
    m.select(5)
    m.toggle_maximized(1)
    changes.clear()
    m.set_layout(1)
    assert ids(m) == ["CAM-0001"] and m.selected is None and m.maximized is None
    assert changes == [WallChange(tiles=frozenset({1, 2, 3}), layout=True, selection=True, maximized=True)]
    changes.clear()
    m.set_layout("1")
    assert changes == []  # the same layout again is no change
    with pytest.raises(ValueError, match="无此画面布局"):
        m.set_layout("5")
    assert m.layout.key == "1"


def test_play_targets_selected_then_empty_then_oldest(model: tuple[WallModel, list[WallChange]]) -> None:
    """assign(None, …) fills empty tiles, then replaces the oldest; a selection redirects it."""
    m, _ = model
    assert [m.assign(None, cam(n)) for n in range(1, 5)] == [0, 1, 2, 3]
    assert m.assign(None, cam(5)) == 0
    assert m.assign(None, cam(6)) == 1
    m.select(3)
    assert m.assign(None, cam(7)) == 3
    m.select(None)
    assert m.assign(None, cam(8)) == 2  # tile 2 (CAM-0003) is now the oldest
    with pytest.raises(IndexError):
        m.assign(4, cam(9))


def test_swap_clear_and_place(model: tuple[WallModel, list[WallChange]]) -> None:
    """Swaps exchange two tiles; clear empties; place fills from a tile on and drops what does not fit."""
    m, changes = model
    m.place([cam(1), cam(2)])
    changes.clear()
    m.swap(0, 3)
    assert ids(m) == [None, "CAM-0002", None, "CAM-0001"]
    assert changes[-1].tiles == {0, 3}
    m.swap(1, 1)
    assert len(changes) == 1
    m.clear(3)
    m.clear(3)  # already empty: no change
    assert ids(m) == [None, "CAM-0002", None, None] and len(changes) == 2
    assert m.place([cam(5), cam(6), cam(7)], start=2) == [2, 3]
    assert ids(m) == [None, "CAM-0002", "CAM-0005", "CAM-0006"]
    m.place([cam(2)], start=1)  # the same camera where it is: no change announced
    assert len(changes) == 3
    assert m.tiles_showing("CAM-0002") == [1]
    m.clear_all()
    assert ids(m) == [None] * 4


def test_arrange_sets_layout_and_every_tile(model: tuple[WallModel, list[WallChange]]) -> None:
    """A preset's arrangement: the layout, the cameras in order, the other tiles empty."""
    m, _ = model
    m.place([cam(1), cam(2), cam(3), cam(4)])
    m.arrange("2+8", [cam(4), None, cam(9)])
    assert m.layout.key == "2+8"
    assert ids(m) == ["CAM-0004", None, "CAM-0009", *[None] * 7]
    m.arrange("1", [cam(1), cam(2)])  # more cameras than tiles: the rest is left out
    assert ids(m) == ["CAM-0001"]
    m.toggle_maximized(0)
    m.arrange("1", [cam(3)])  # the same layout again: the maximised tile goes back all the same
    assert m.maximized is None and ids(m) == ["CAM-0003"]


def test_show_in_area_and_restore(model: tuple[WallModel, list[WallChange]]) -> None:
    """Alarm linkage borrows the big tiles (here 2+8: tiles 0, 1) and gives them back; a tile the officer
    changed meanwhile keeps the officer's camera; a token works once."""
    m, _ = model
    m.set_layout("2+8")
    m.place([cam(1), cam(2), cam(3)])
    assert m.area() == [0, 1]
    token = m.show_in_area([cam(20), cam(21), cam(22)])
    assert ids(m)[:3] == ["CAM-0020", "CAM-0021", "CAM-0003"]
    m.assign(1, cam(30))  # the officer puts another camera in one borrowed tile
    assert m.restore(token) is True
    assert ids(m)[:3] == ["CAM-0001", "CAM-0030", "CAM-0003"]
    assert m.restore(token) is False
    assert m.restore("area-999") is False


def test_show_in_area_on_a_square_wall_and_after_a_layout_switch(model: tuple[WallModel, list[WallChange]]) -> None:
    """Without big tiles the area is the whole wall; an explicit area is checked; a layout switch in between
    makes restore a no-op (the tiles no longer mean the same)."""
    m, _ = model
    m.place([cam(1)])
    assert m.area() == [0, 1, 2, 3]
    token = m.show_in_area([cam(20), cam(21)])
    assert ids(m) == ["CAM-0020", "CAM-0021", None, None]
    m.set_layout("9")
    assert m.restore(token) is False
    assert ids(m)[:2] == ["CAM-0020", "CAM-0021"]
    with pytest.raises(IndexError):
        m.show_in_area([cam(1)], area=[9])
    token = m.show_in_area([cam(5)], area=[8])
    assert ids(m)[8] == "CAM-0005"
    assert m.restore(token) and ids(m)[8] is None


def test_selection_and_maximise(model: tuple[WallModel, list[WallChange]]) -> None:
    """Selection and the maximised tile are announced; toggling twice brings the layout back."""
    m, changes = model
    m.select(2)
    m.select(2)
    m.toggle_maximized(2)
    assert m.selected == 2 and m.maximized == 2
    m.toggle_maximized(2)
    assert m.maximized is None
    assert [(c.selection, c.maximized) for c in changes] == [(True, False), (False, True), (False, True)]
    with pytest.raises(IndexError):
        m.select(4)


def test_a_selection_on_the_first_tile_a_smaller_layout_drops_does_not_outlive_it() -> None:
    """Tile 4 (the fifth) of a 3×3 wall selected, then 2×2: tiles 0–3 stay, the selection went with tile 4 — the
    next camera played goes to a tile that exists, not to the one that left."""
    m = WallModel("9")
    changes: list[WallChange] = []
    m.subscribe(changes.append)
    m.place([cam(n) for n in range(1, 10)])
    m.select(4)
    changes.clear()
    m.set_layout("4")
    assert m.selected is None
    assert changes == [WallChange(tiles=frozenset(range(4, 9)), layout=True, selection=True)]
    assert m.target_tile() in range(4)
    m.select(3)  # the last tile that stayed keeps its selection across a switch to a larger layout
    m.set_layout("9")
    assert m.selected == 3
