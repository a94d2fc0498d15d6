"""Units: the list matches the units layer, and the simulator moves them."""

from __future__ import annotations

import json

from commandwall import paths
from commandwall.demo import DemoBackend
from commandwall.domain.models import Unit
from tests.contract.wire import ApiClient


def test_units_come_from_the_layer(viewer: ApiClient) -> None:
    manifest = json.loads((paths.layers_dir() / "manifest.json").read_text("utf-8"))
    entry = next(e for e in manifest["layers"] if e["kind"] == "units")
    stored = json.loads((paths.layers_dir() / entry["file"]).read_text("utf-8"))["features"]
    units = [Unit.model_validate(u) for u in viewer.get("/api/v1/units").json()["units"]]
    assert [u.id for u in units] == [f["properties"]["id"] for f in stored]
    assert {u.department for u in units} >= {"公安", "消防", "卫健", "城管", "应急"}
    assert all(117.1 < u.lon < 117.55 and 34.6 < u.lat < 34.97 for u in units)


def test_a_tick_moves_units(viewer: ApiClient, backend: DemoBackend) -> None:
    before = {u["id"]: u for u in viewer.get("/api/v1/units").json()["units"]}
    changes = backend.simulator.tick()
    moved = [c.split(":", 1)[1] for c in changes if c.startswith("unit:")]
    assert moved
    after = {u["id"]: u for u in viewer.get("/api/v1/units").json()["units"]}
    for unit_id in moved:
        assert after[unit_id]["updated_at"] > before[unit_id]["updated_at"]
        old, new = before[unit_id], after[unit_id]
        if old["status"] != "offline" and new["status"] != "offline":
            assert (old["lon"], old["lat"]) != (new["lon"], new["lat"])
    untouched = set(before) - set(moved)
    assert all(after[u] == before[u] for u in untouched)
