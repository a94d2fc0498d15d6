"""A live layer whose server keeps failing is not hammered at its interval: each failed read doubles the wait
(from twice the interval up to ten minutes), a good read starts afresh. Against a real HTTP server on
127.0.0.1, over an hour of simulated time (the controller's clock is the test's)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from commandwall.app.user_layers import MAX_RETRY_S, UserLayersController
from commandwall.geo.sources import LayerSourceSpec
from tests.geo_servers import LiveLayerServer, point_features


@pytest.fixture
def live() -> Iterator[LiveLayerServer]:
    server = LiveLayerServer({"type": "FeatureCollection", "features": point_features(5)}).start()
    yield server
    server.stop()


class Clock:
    """Simulated seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def run(controller: UserLayersController, clock: Clock, seconds: int) -> list[float]:
    """Step the clock one second at a time for ``seconds``, reading every layer that is due (as the tree's
    timer does); the times of the reads."""
    reads = []
    for _ in range(seconds):
        clock.now += 1
        for layer_id in controller.due():
            controller.load(layer_id)
            reads.append(clock.now)
    return reads


def test_a_failing_live_layer_backs_off_and_a_good_read_resets_it(live: LiveLayerServer) -> None:
    live.status = 500
    clock = Clock()
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=live.url, refresh_s=10)
    controller = UserLayersController([spec], rng=random.Random(1), clock=clock)
    controller.load("live")
    layer = controller.get("live")
    first_try = clock.now
    reads = run(controller, clock, 3600)
    # at the interval it would have been 360 reads in the hour; backing off: 20, 40, 80, 160, 320, then ~600 s
    gaps = [b - a for a, b in zip([first_try, *reads], reads, strict=False)]
    assert 7 <= len(reads) <= 10, len(reads)
    for gap, expected in zip(gaps, (20, 40, 80, 160, 320, 600, 600), strict=False):
        assert 0.9 * expected - 1 <= gap <= 1.1 * expected + 1, gaps
    assert all(gap <= 1.1 * MAX_RETRY_S + 1 for gap in gaps)
    assert len(live.requests) == len(reads) + 1  # one request a read: the failures are not retried in a burst
    assert layer.failures == len(reads) + 1
    # the server is back: the next try reads it, and the layer is read at its interval again
    live.status = 200
    clock.now = layer.retry_at
    assert controller.due() == ["live"]
    controller.load("live")
    assert layer.result.usable and layer.failures == 0 and layer.retry_at is None
    assert controller.due(now=layer.result.fetched_at + 10) == ["live"]
    # and a new failure starts from the first step again
    live.status = 500
    controller.load("live")
    assert layer.failures == 1 and 18 <= layer.retry_at - clock.now <= 22


def test_an_empty_answer_is_not_a_failure(live: LiveLayerServer) -> None:
    live.set({"type": "FeatureCollection", "features": []})
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=live.url, refresh_s=10)
    controller = UserLayersController([spec])
    controller.load("live")
    layer = controller.get("live")
    assert layer.result.error and layer.failures == 0 and layer.retry_at is None
    assert controller.due(now=layer.result.fetched_at + 10) == ["live"]  # current alerts: none now, some soon


def test_a_live_layer_with_nothing_in_it_now_is_shown_as_such_not_as_broken(live: LiveLayerServer) -> None:
    """A live layer of current alerts that had some and now has none: the tree showed it red, 无法加载：the source
    has no features (English inside the Chinese tree), and the page got an error for it."""
    from commandwall.geo.sources import NO_FEATURES

    point = {"type": "Point", "coordinates": [117.3, 34.8]}
    live.set({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "积水点"},
                                                         "geometry": point}]})  # fmt: skip
    spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=live.url, refresh_s=10)
    controller = UserLayersController([spec])
    controller.load("live")
    layer = controller.get("live")
    assert layer.status == "ok" and controller.layer_payload(layer)["points"] is not None
    live.set({"type": "FeatureCollection", "features": []})
    controller.load("live")
    assert layer.result.error == NO_FEATURES and layer.status == "ok"
    payload = controller.layer_payload(layer)
    assert payload["error"] is None and payload["points"] is None and payload["data"] is None
