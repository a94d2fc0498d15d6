"""A layer whose server is down when the desk starts is tried again by itself, waiting 10 s, then twice as long
each time up to five minutes, until it loads; a layer that loaded once and is not live is not read again by itself.
Against a real HTTP server on 127.0.0.1 that comes up late, over simulated time (the controller's clock)."""

from __future__ import annotations

import random

from commandwall.app.user_layers import UserLayersController
from commandwall.geo.sources import LayerSourceSpec
from tests.geo_servers import LiveLayerServer, point_features
from tests.layer_read_servers import MisbehavingLayerServer, refused_url
from tests.unit.test_user_layers_backoff import Clock, run


def test_a_layer_down_at_start_is_tried_again_until_it_loads() -> None:
    url = refused_url()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    spec = LayerSourceSpec(id="down", title="开班时宕机", kind="geojson", url=url)
    clock = Clock()
    controller = UserLayersController([spec], clock=clock, rng=random.Random(7))
    controller.load("down")
    layer = controller.get("down")
    assert layer.result.failed and layer.failures == 1
    assert layer.retry_at is not None and 9 <= layer.retry_at - clock.now <= 11
    start = clock.now
    reads = run(controller, clock, 2000)  # down all along: 10, 20, 40 … then every five minutes
    gaps = [b - a for a, b in zip([start, *reads], reads, strict=False)]
    assert 9 <= gaps[0] <= 12 and 18 <= gaps[1] <= 23 and 36 <= gaps[2] <= 45
    assert max(gaps) <= 300 * 1.1 + 1 and len(reads) < 15
    server = MisbehavingLayerServer(port).start()  # the server is back
    try:
        reads = run(controller, clock, 400)
        assert reads and layer.result.usable and layer.failures == 0 and layer.retry_at is None
        assert server.hits["/ok.geojson"] == 1
        assert run(controller, clock, 3600) == []  # loaded, not live: not read again by itself
    finally:
        server.stop()


def test_a_layer_that_loaded_once_is_not_read_again_when_a_later_read_fails() -> None:
    server = LiveLayerServer({"type": "FeatureCollection", "features": point_features(4)}).start()
    try:
        spec = LayerSourceSpec(id="once", title="读过", kind="geojson", url=server.url)
        clock = Clock()
        controller = UserLayersController([spec], clock=clock)
        controller.load("once")
        server.status = 500
        controller.load("once")  # asked by hand: fails, the map keeps the good read
        layer = controller.get("once")
        assert layer.read_error is not None and layer.retry_at is None
        assert run(controller, clock, 3600) == [] and len(server.requests) == 2
    finally:
        server.stop()


def test_a_layer_has_one_read_at_a_time() -> None:
    spec = LayerSourceSpec(id="one", title="一次", kind="geojson", url=refused_url())
    controller = UserLayersController([spec])
    assert controller.begin_read("one") and not controller.begin_read("one")
    assert controller.due(now=4e9) == []
    controller.load("one")
    assert controller.begin_read("one")


def test_a_live_layer_whose_read_is_under_way_is_not_handed_out_again() -> None:
    """A live layer (read every 10 s) whose read hangs past its period: the timer must not hand it to another
    reader every tick — its copies would fill the live layers' readers."""
    server = LiveLayerServer({"type": "FeatureCollection", "features": point_features(4)}).start()
    try:
        spec = LayerSourceSpec(id="live", title="实时", kind="geojson", url=server.url, refresh_s=10)
        clock = Clock()
        controller = UserLayersController([spec], clock=clock)
        controller.load("live")
        assert controller.get("live").result.usable
        clock.now += 11
        assert controller.due() == ["live"]  # handed out: its read is under way (and hangs)
        assert not controller.begin_read("live")  # 刷新 meanwhile: nothing more
        clock.now += 3600
        assert controller.due() == []
    finally:
        server.stop()
