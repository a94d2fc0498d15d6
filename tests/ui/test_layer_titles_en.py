"""A layer folder's English titles (``title_en`` in ``manifest.json``) on an English desk: the map page's layer
box and the layer tree's 本地图层 group show them (the Chinese title where a layer has none), a Chinese desk the
titles; a hostile ``title_en`` shows as its characters and runs nothing; one that is not usable text is left
aside. The English catalogue is the committed one, compiled by lrelease and installed in a real QTranslator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from commandwall import i18n, paths
from commandwall.app.user_layers import UserLayersController
from commandwall.geo.layers import load_layers
from commandwall.textsafe import display_text
from commandwall.ui.map.layer_tree import LayerTreeFeature
from commandwall.ui.map.view import MapView
from tests.ui.test_i18n_map_page import english, english_qm  # noqa: F401  (fixtures)
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, no_page_errors, run_js
from tests.unit.test_i18n_core import CJK

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)
__all__ = ["no_page_errors"]  # autouse: a JS error, alert or refused navigation of the page fails the test

#: The exercise folder's static layers, bottom to top as the page draws them: (id, title, English title).
STATIC = [("towns", "镇街", "Towns"), ("grids", "网格", "Grid cells"), ("roads", "道路", "Roads"),
          ("district", "薛城区界", "Xuecheng District boundary")]  # fmt: skip
#: Hostile English titles: markup, script, a bidi override, a zero-width space, template syntax.
HOSTILE = ["<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>", "Roads\u202eevil",
           "Gr\u200bids", "{{constructor.constructor('window.__pwned=1')()}}"]  # fmt: skip


def _page(qtbot, layers: list) -> MapView:
    view = MapView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    with qtbot.waitSignal(view.sig_ready, timeout=20000):
        view.load_page(layers)
    return view


def _layer_box(qtbot, view: MapView) -> list[str]:
    """The names in the page's layer box, as shown."""
    return run_js(qtbot, view, "[...document.querySelectorAll('.leaflet-control-layers-overlays label')]"
                               ".map(l => l.textContent.trim())")


def _tree_titles(qtbot, tmp_path: Path, folder: Path) -> dict[str, str]:
    """The layer tree's 本地图层 rows (key -> title shown) for the folder's layers, as the desk lists them when
    the platform's catalogue cannot be had."""
    loaded = load_layers(folder)
    view = MapView()
    qtbot.addWidget(view)
    feature = LayerTreeFeature(UserLayersController([], config_dir=tmp_path / "config"), view)
    tree = feature.widget
    qtbot.addWidget(tree)
    feature.show_local(list(loaded.layers.values()), [(e.layer_id, e.message) for e in loaded.errors], folder,
                       "unreachable")
    qtbot.waitUntil(lambda: tree.group("local") is not None, timeout=20000)
    head = tree.group("local")
    items = [head.child(i) for i in range(head.childCount())]
    return {item.data(0, Qt.ItemDataRole.UserRole): item.text(0) for item in items}


def test_the_english_page_shows_the_folders_english_layer_titles(qtbot, english) -> None:  # noqa: F811
    view = _page(qtbot, list(load_layers(paths.layers_dir()).layers.values()))
    names = _layer_box(qtbot, view)
    assert names[:len(STATIC)] == [english_title for _, _, english_title in STATIC]
    assert not [name for name in names if CJK.search(name)], names  # the page's own layers are English too
    titles = {layer["id"]: layer["title"] for layer in run_js(qtbot, view, "CW.stats().static")}
    assert titles == {layer_id: english_title for layer_id, _, english_title in STATIC}


def test_a_chinese_desk_shows_the_titles(qtbot) -> None:
    assert i18n.language() == "zh"
    view = _page(qtbot, list(load_layers(paths.layers_dir()).layers.values()))
    assert _layer_box(qtbot, view)[:len(STATIC)] == [title for _, title, _ in STATIC]


def test_the_english_layer_tree_lists_the_folders_english_titles(qtbot, tmp_path: Path, english) -> None:  # noqa: F811
    titles = _tree_titles(qtbot, tmp_path, paths.layers_dir())
    expected = {f"local:{layer_id}": english_title for layer_id, _, english_title in STATIC}
    assert {key: titles[key] for key in expected} == expected
    assert titles["local:resources"] == "Emergency resources"
    assert not [title for title in titles.values() if CJK.search(title)], titles


def _folder_with_titles(tmp_path: Path, titles_en: dict[str, object]) -> Path:
    """The exercise folder with the given ``title_en`` per layer id (None: the key taken out)."""
    folder = tmp_path / "layers"
    shutil.copytree(paths.layers_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for entry in manifest["layers"]:
        if entry["id"] in titles_en:
            entry.pop("title_en", None)
            if titles_en[entry["id"]] is not None:
                entry["title_en"] = titles_en[entry["id"]]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_english_title_shows_as_text_on_the_page_and_in_the_tree(
        qtbot, tmp_path: Path, english, hostile: str) -> None:  # noqa: F811
    folder = _folder_with_titles(tmp_path, {"roads": hostile, "towns": None})
    view = _page(qtbot, list(load_layers(folder).layers.values()))
    names = _layer_box(qtbot, view)
    assert names[:len(STATIC)] == ["镇街", "Grid cells", display_text(hostile), "Xuecheng District boundary"]
    qtbot.wait(200)  # time for an onerror handler to run, had the title become an element
    assert run_js(qtbot, view, "typeof window.__pwned") == "undefined"
    assert run_js(qtbot, view, "document.querySelectorAll('.leaflet-control-layers img, "
                               ".leaflet-control-layers script').length") == 0
    titles = _tree_titles(qtbot, tmp_path, folder)
    assert titles["local:roads"] == display_text(hostile, 60) and titles["local:towns"] == "镇街"


@pytest.mark.parametrize("bad", [42, ["Roads"], {"en": "Roads"}, "   ", "", "R" * 61])
def test_an_unusable_english_title_is_left_aside_for_the_title(qtbot, tmp_path: Path, english, bad) -> None:  # noqa: F811
    folder = _folder_with_titles(tmp_path, {"roads": bad})
    loaded = load_layers(folder)
    assert not loaded.errors  # the layer itself loads
    assert loaded.layers["roads"].title_en is None
    view = _page(qtbot, list(loaded.layers.values()))
    assert _layer_box(qtbot, view)[:len(STATIC)] == ["Towns", "Grid cells", "道路", "Xuecheng District boundary"]
