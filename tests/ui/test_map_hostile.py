"""Hostile layer titles, town/grid/road names and road classes in the real map page (QtWebEngine, offscreen):
shown literally as text, nothing runs — neither in the client process (template syntax) nor in the page."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from commandwall.geo.layers import Layer
from commandwall.textsafe import display_text
from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import SOFTWARE_RENDERING_MESSAGES, run_js
from tests.unit.test_layers_hostile import hostile_corpus
from tests.unit.test_mapdoc_page import _box, sample_layers

pytestmark = pytest.mark.qt_log_ignore(*SOFTWARE_RENDERING_MESSAGES, extend=True)


@pytest.fixture(autouse=True)
def no_page_errors(caplog: pytest.LogCaptureFixture):
    """A JS console error (a CSP violation, a failed handler), alert or refused navigation fails the test."""
    caplog.set_level(logging.DEBUG, logger="commandwall.ui.map")
    yield
    bad = [r for r in caplog.records if r.name == "commandwall.ui.map.view" and r.levelno >= logging.WARNING]
    assert not bad, [r.getMessage()[:300] for r in bad]


def hostile_map_layers(corpus: list[str]) -> list[Layer]:
    """The sample district with one small town per hostile name, hostile layer titles, grid and road names
    and road classes."""
    district, towns, grids, roads, cameras = sample_layers()
    side = 6
    town_features = [
        _box(
            117.18 + 0.045 * (i % side),
            34.67 + 0.035 * (i // side),
            117.21 + 0.045 * (i % side),
            34.69 + 0.035 * (i // side),
            name=name,
        )
        for i, name in enumerate(corpus)
    ]
    titles = iter(corpus)
    towns = dataclasses.replace(towns, title=next(titles), features=town_features)
    grids = dataclasses.replace(grids, title=next(titles))
    for feature, name in zip(grids.features, corpus, strict=False):
        feature["properties"]["name"] = name
    roads = dataclasses.replace(roads, title=next(titles))
    for feature, name in zip(roads.features, corpus[3:], strict=False):
        feature["properties"].update(name=name, **{"class": name})
    district = dataclasses.replace(district, title=next(titles))
    return [district, towns, grids, roads, cameras]


@pytest.fixture
def corpus(tmp_path: Path) -> list[str]:
    return [text for text in hostile_corpus(tmp_path / "canary") if text]


def test_hostile_names_show_literally_and_run_nothing(qtbot, tmp_path: Path, corpus: list[str]) -> None:
    layers = hostile_map_layers(corpus)
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=30000):
        widget.load_page(layers)
    assert widget.is_ready()
    qtbot.wait(300)  # time for an onerror/onload handler to fire, had a name become an element

    labels = run_js(qtbot, widget, "[...document.querySelectorAll('.cw-town-label')].map(e => e.textContent)")
    # every town label is the name as text, {{7*7}} included; hidden characters show as marks (‹U+202E›)
    assert sorted(labels) == sorted(display_text(text) for text in corpus)
    control = run_js(
        qtbot,
        widget,
        "[...document.querySelectorAll('.leaflet-control-layers-overlays label')].map(e => e.textContent)",
    )
    # towns, grids, roads, boundary titles
    assert [c.removeprefix(" ") for c in control[:4]] == [display_text(text) for text in corpus[:4]]
    assert run_js(qtbot, widget, "typeof window.__pwned") == "undefined"
    assert run_js(qtbot, widget, "document.querySelectorAll('img, svg:not(.leaflet-zoom-animated)').length") == 0
    assert run_js(qtbot, widget, "document.title") == "薛城区 一张图"
    static = run_js(qtbot, widget, "CW.stats().static")
    assert [(s["kind"], s["count"], s["onMap"]) for s in static] == [
        ("towns", len(corpus), True),
        ("grids", 4, True),
        ("roads", 2, True),
        ("boundary", 1, True),
    ]
    assert not (tmp_path / "canary").exists(), "a layer name ran as code in the client"


def test_layer_control_switches_static_layers(qtbot, corpus: list[str]) -> None:
    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=30000):
        widget.load_page(hostile_map_layers(corpus))
    toggle = "document.querySelectorAll('.leaflet-control-layers-overlays input')[{}].click()"
    run_js(qtbot, widget, "(" + toggle.format(0) + ", true)")  # towns off
    run_js(qtbot, widget, "(" + toggle.format(4) + ", true)")  # town labels off
    stats = run_js(qtbot, widget, "CW.stats()")
    assert [s["onMap"] for s in stats["static"]] == [False, True, True, True]
    assert run_js(qtbot, widget, "document.querySelectorAll('.cw-town-label').length") == 0
    run_js(qtbot, widget, "(" + toggle.format(0) + ", true)")
    assert run_js(qtbot, widget, "CW.stats().static[0].onMap") is True
    # the district is fitted: its bounds are inside the view
    assert run_js(qtbot, widget, "CW.map.getBounds().contains(CW.staticLayer('district').getBounds())") is True


def test_hostile_grid_names_in_the_density_tooltip_show_literally_and_run_nothing(qtbot, corpus: list[str]) -> None:
    """The incident density overlay's tooltip names the grid cell under the pointer: a hostile cell name is its
    text, not markup (an <img onerror> would be an element, and try to run)."""
    from commandwall.mapdoc.payload import incident_density_payload

    widget = MapView()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    with qtbot.waitSignal(widget.sig_ready, timeout=30000):
        widget.load_page(sample_layers())
    grid = next(layer for layer in sample_layers() if layer.kind == "grids").features[0]
    cells = [dict(grid, properties={"id": f"G-{n}", "name": name}) for n, name in enumerate(corpus)]
    with qtbot.waitSignal(widget.sig_layer_drawn, check_params_cb=lambda k, n: k == "density", timeout=5000):
        widget.set_incident_density(incident_density_payload(cells, {"G-0": 3}))
    open_each = """(() => {
        CW.map.addLayer(CW.density.layer);
        return CW.density.layer.getLayers().map((shape) => {
            shape.openTooltip();
            const tip = shape.getTooltip().getElement().querySelector('.cw-tip');
            const seen = [tip.querySelector('.cw-tip-title').textContent, tip.querySelectorAll('*').length];
            shape.closeTooltip();
            return seen;
        });
    })()"""
    titles = run_js(qtbot, widget, open_each)
    assert titles == [[display_text(name), 2] for name in corpus]  # a title and a count line, nothing else
    qtbot.wait(300)  # time for an onerror handler to fire, had a name become an element
    assert run_js(qtbot, widget, "typeof window.__pwned") == "undefined"
    assert run_js(qtbot, widget, "document.querySelectorAll('img').length") == 0
