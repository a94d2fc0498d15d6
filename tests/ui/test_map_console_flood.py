"""The map page's console in the log: a page refused a thousand tiles writes a few lines a minute, not a thousand."""

from __future__ import annotations

import logging

import pytest

from commandwall.ui.map.view import MapView
from tests.ui.test_map_view import run_js, view  # noqa: F401 - the map view fixture


def test_two_hundred_tiles_refused_by_the_page_policy_make_three_log_lines(
    qtbot, view: MapView, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG, logger="commandwall.ui.map")
    # images from a host the page's content policy does not allow: the engine refuses each with a console error
    run_js(qtbot, view, """(() => { for (let k = 0; k < 200; k++) { const img = document.createElement('img');
        img.src = 'http://tiles.invalid/' + k + '.png'; document.body.appendChild(img); } return 1; })()""")
    run_js(qtbot, view, "console.error('a different message'), 1")

    def page_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "commandwall.ui.map.view"]

    qtbot.waitUntil(lambda: any("a different message" in line for line in page_lines()), timeout=10000)
    refused = [line for line in page_lines() if "tiles.invalid" in line]
    assert len(refused) == 3, refused
    assert all("Content Security Policy" in line for line in refused), refused
