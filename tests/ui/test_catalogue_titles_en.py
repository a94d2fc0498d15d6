"""The platform's layer catalogue's English titles (``title_en`` of ``GET /api/v1/layers``) on a whole desk over
the real exercise backend: an English desk shows them in the map page's layer box and the layer tree's 平台图层
group, a Chinese desk the titles; a hostile ``title_en`` shows as its characters and runs nothing; one that is not
usable text (10 000 characters, a number, null) is left aside for the title, and the layer stays listed and drawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from commandwall import i18n
from commandwall.app.session import ClientSession
from commandwall.config import Settings
from commandwall.textsafe import display_text
from commandwall.ui.main_window import MainWindow
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js
from tests.ui.windows import main_window
from tests.unit.test_i18n_core import CJK

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)

#: The catalogue's static layers, bottom to top as the page draws them: (id, title, English title).
STATIC = [("towns", "镇街", "Towns"), ("grids", "网格", "Grid cells"), ("roads", "道路", "Roads"),
          ("district", "薛城区界", "Xuecheng District boundary")]  # fmt: skip
#: Every catalogue entry of the exercise backend: id -> (title, English title).
CATALOGUE = {
    **{layer_id: (title, english) for layer_id, title, english in STATIC},
    "resources": ("应急资源", "Emergency resources"),
    "shelters": ("应急避难场所", "Emergency shelters"),
}
MARKUP = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture
def desk(qtbot, tmp_path: Path, exercise_platform) -> Iterator[MainWindow]:
    """A whole desk logged in to the test's exercise backend, its map page ready and its 平台图层 listed."""
    session = ClientSession(Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config"), exercise_platform)
    with main_window(qtbot, session, map_ready=True) as window:
        tree = window.layer_tree_feature.widget
        qtbot.waitUntil(lambda: tree.item("platform:shelters") is not None, timeout=30000)
        qtbot.waitUntil(lambda: len(_layer_box(qtbot, window)) >= len(STATIC), timeout=30000)
        yield window


def _layer_box(qtbot, window: MainWindow) -> list[str]:
    """The names in the map page's layer box, as shown."""
    labels = "document.querySelectorAll('.leaflet-control-layers-overlays label')"
    return run_js(qtbot, window.map_feature.view, f"[...{labels}].map(l => l.textContent.trim())")


def _platform_rows(window: MainWindow) -> dict[str, str]:
    """The layer tree's 平台图层 rows: key -> title shown."""
    head = window.layer_tree_feature.widget.group("platform")
    items = [head.child(i) for i in range(head.childCount())]
    return {item.data(0, Qt.ItemDataRole.UserRole): item.text(0) for item in items}


@pytest.fixture
def serving(exercise, monkeypatch):
    """``serving({id: title_en})``: the exercise backend's catalogue then serves these ``title_en`` values as given
    (the key taken out for ``...``); call it before the desk logs in."""
    listed = exercise.catalogue.catalogue

    def serve(titles_en: dict[str, object]) -> None:
        def catalogue() -> list[dict]:
            entries = listed()
            for entry in entries:
                if entry["id"] in titles_en:
                    entry.pop("title_en", None)
                    if titles_en[entry["id"]] is not ...:
                        entry["title_en"] = titles_en[entry["id"]]
            return entries

        monkeypatch.setattr(exercise.catalogue, "catalogue", catalogue)

    return serve


def test_an_english_desk_shows_the_catalogues_english_titles(qtbot, english, desk: MainWindow) -> None:
    assert i18n.language() == "en"
    names = _layer_box(qtbot, desk)
    assert names[: len(STATIC)] == [english_title for _, _, english_title in STATIC]
    assert not [name for name in names if CJK.search(name)], names
    titles = {layer["id"]: layer["title"] for layer in run_js(qtbot, desk.map_feature.view, "CW.stats().static")}
    assert titles == {layer_id: english_title for layer_id, _, english_title in STATIC}
    rows = _platform_rows(desk)
    assert rows == {f"platform:{layer_id}": english for layer_id, (_, english) in CATALOGUE.items()}
    # the layer the tree's page script draws carries its English title there too
    view = desk.map_feature.view
    qtbot.waitUntil(
        lambda: run_js(qtbot, view, "CW.userLayers()").get("platform:shelters", {}).get("onMap") is True, timeout=30000
    )
    assert run_js(qtbot, view, "CW.userLayers()")["platform:shelters"]["title"] == "Emergency shelters"


def test_a_chinese_desk_shows_the_catalogues_titles(qtbot, desk: MainWindow) -> None:
    assert i18n.language() == "zh"
    assert _layer_box(qtbot, desk)[: len(STATIC)] == [title for _, title, _ in STATIC]
    assert _platform_rows(desk) == {f"platform:{layer_id}": title for layer_id, (title, _) in CATALOGUE.items()}


@pytest.mark.parametrize(
    ("title_en", "shown"),
    [(MARKUP, display_text(MARKUP)), ("R" * 10_000, "道路"), (42, "道路"), (None, "道路"), (..., "道路")],
    ids=["markup", "10000-chars", "number", "null", "absent"],
)
def test_a_hostile_catalogue_english_title_is_text_or_left_aside(
    qtbot, tmp_path: Path, english, exercise_platform, serving, title_en, shown: str
) -> None:
    serving({"roads": title_en, "shelters": MARKUP})
    session = ClientSession(Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config"), exercise_platform)
    with main_window(qtbot, session, map_ready=True) as window:
        tree = window.layer_tree_feature.widget
        qtbot.waitUntil(lambda: tree.item("platform:shelters") is not None, timeout=30000)
        qtbot.waitUntil(lambda: len(_layer_box(qtbot, window)) >= len(STATIC), timeout=30000)
        assert _layer_box(qtbot, window)[: len(STATIC)] == ["Towns", "Grid cells", shown, "Xuecheng District boundary"]
        rows = _platform_rows(window)
        assert set(rows) == {f"platform:{layer_id}" for layer_id in CATALOGUE}  # no entry dropped
        assert rows["platform:roads"] == display_text(shown, 60)
        assert rows["platform:shelters"] == display_text(MARKUP, 60)
        roads = next(e for e in window.session.catalogue if e.info.id == "roads")
        assert roads.features and tree.item("platform:roads").text(1) == str(len(roads.features))  # still drawn
        view = window.map_feature.view
        qtbot.waitUntil(
            lambda: run_js(qtbot, view, "CW.userLayers()").get("platform:shelters", {}).get("onMap") is True,
            timeout=30000,
        )
        assert run_js(qtbot, view, "CW.userLayers()")["platform:shelters"]["title"] == display_text(MARKUP, 60)
        assert len(run_js(qtbot, view, "CW.stats().static")) == len(STATIC)
        qtbot.wait(200)  # time for an onerror handler to run, had a title become an element
        assert run_js(qtbot, view, "typeof window.__pwned") == "undefined"
        assert run_js(qtbot, view, "document.querySelectorAll('img[src=x]').length") == 0
