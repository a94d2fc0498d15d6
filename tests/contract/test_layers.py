"""Layer catalogue and features: declared CRS kept, rel=next paging, bbox filtering in WGS84."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pyproj import Transformer
from shapely import box, transform
from shapely.geometry import shape

from commandwall import paths
from tests.contract.spec import validate_schema
from tests.contract.wire import ApiClient

MANIFEST = json.loads((paths.layers_dir() / "manifest.json").read_text(encoding="utf-8"))
ENTRIES = {e["id"]: e for e in MANIFEST["layers"]}
CATALOGUE_IDS = [e["id"] for e in MANIFEST["layers"] if e["kind"] not in ("cameras", "units")]
BBOX = (117.22, 34.76, 117.30, 34.82)  # around 临城/常庄


def stored_features(layer_id: str) -> list[dict[str, Any]]:
    """Features exactly as in layers/."""
    data = json.loads((paths.layers_dir() / ENTRIES[layer_id]["file"]).read_text(encoding="utf-8"))
    return data["features"]


def fetch_all(client: ApiClient, url: str, max_pages: int = 200) -> tuple[list[dict[str, Any]], list[dict]]:
    """Follow rel=next from ``url``; returns (features, pages)."""
    features: list[dict[str, Any]] = []
    pages: list[dict] = []
    for _ in range(max_pages):
        page = client.get(url).json()
        pages.append(page)
        features += page["features"]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nxt:
            return features, pages
        assert nxt[0].startswith(client.base_url + "/") or nxt[0].startswith("/")
        url = nxt[0].removeprefix(client.base_url)
    raise AssertionError("paging did not end")


def test_catalogue_lists_map_layers_not_cameras_or_units(viewer: ApiClient) -> None:
    layers = viewer.get("/api/v1/layers").json()["layers"]
    assert [entry["id"] for entry in layers] == [*CATALOGUE_IDS, "shelters"]
    shelters = layers.pop()  # the one layer only the platform has (not in layers/)
    assert shelters["kind"] == "shelters" and shelters["crs"] == "EPSG:4326" and shelters["title"] == "应急避难场所"
    features, _ = fetch_all(viewer, f"{shelters['items_url']}?limit=10")
    assert len(features) == shelters["feature_count"] > 10
    assert all(f["geometry"]["type"] == "Point" and f["properties"]["name"] for f in features)
    for entry in layers:
        assert entry["crs"] == ENTRIES[entry["id"]]["crs"]
        assert entry["kind"] == ENTRIES[entry["id"]]["kind"]
        assert entry["style"] == ENTRIES[entry["id"]]["style"]
        assert entry["items_url"] == f"/api/v1/collections/{entry['id']}/items"
        assert entry["feature_count"] == len(stored_features(entry["id"]))


def test_catalogue_entries_carry_the_manifests_english_titles(viewer: ApiClient) -> None:
    layers = viewer.get("/api/v1/layers").json()["layers"]  # validated against the spec's LayerEntry on the way
    assert {entry["id"]: entry.get("title_en") for entry in layers} == {
        **{layer_id: ENTRIES[layer_id]["title_en"] for layer_id in CATALOGUE_IDS}, "shelters": "Emergency shelters"}
    assert all(entry["title_en"] and entry["title"] != entry["title_en"] for entry in layers)
    # the contract bounds it: plain text of 1 to 60 characters; a client leaves anything else aside
    validate_schema("LayerEntry", {**layers[0], "title_en": "T" * 60})
    for bad in (None, 42, "", "T" * 61, ["Towns"]):
        with pytest.raises(jsonschema.ValidationError):
            validate_schema("LayerEntry", {**layers[0], "title_en": bad})


@pytest.mark.parametrize("layer_id", CATALOGUE_IDS)
def test_paging_returns_every_feature_in_the_declared_crs(viewer: ApiClient, layer_id: str) -> None:
    features, pages = fetch_all(viewer, f"/api/v1/collections/{layer_id}/items?limit=7")
    assert features == stored_features(layer_id)  # same order, same (declared-CRS) coordinates
    assert all(p["numberMatched"] == len(features) for p in pages)
    assert [p["numberReturned"] for p in pages[:-1]] == [7] * (len(pages) - 1)


def test_projected_layers_keep_their_metres(viewer: ApiClient) -> None:
    towns = viewer.get("/api/v1/collections/towns/items?limit=1").json()["features"]
    x, y = towns[0]["geometry"]["coordinates"][0][0]
    assert ENTRIES["towns"]["crs"] == "EPSG:4548"
    assert 400_000 < x < 700_000 and 3_700_000 < y < 4_000_000  # GK metres, not degrees


@pytest.mark.parametrize("layer_id", ["grids", "roads", "resources"])
def test_bbox_selects_exactly_the_intersecting_features(viewer: ApiClient, layer_id: str) -> None:
    bbox = ",".join(str(v) for v in BBOX)
    features, pages = fetch_all(viewer, f"/api/v1/collections/{layer_id}/items?limit=5&bbox={bbox}")
    # projected to WGS84 by pyproj itself, not by the code under test
    to_wgs84 = Transformer.from_crs(ENTRIES[layer_id]["crs"], "EPSG:4326", always_xy=True).transform
    area = box(*BBOX)
    expected = [
        f
        for f in stored_features(layer_id)
        if transform(shape(f["geometry"]), to_wgs84, interleaved=False).intersects(area)
    ]
    assert expected, "the test bbox should hit something"
    assert len(expected) < len(stored_features(layer_id)), "the test bbox should leave something out"
    assert features == expected
    assert pages[0]["numberMatched"] == len(expected)
    assert all("bbox=" in link["href"] for p in pages for link in p["links"] if link["rel"] == "next")


def test_limit_is_clamped_and_offset_past_the_end_is_empty(viewer: ApiClient) -> None:
    page = viewer.get("/api/v1/collections/grids/items?limit=5000").json()
    assert page["numberReturned"] == min(1000, page["numberMatched"])
    empty = viewer.get("/api/v1/collections/grids/items?offset=100000").json()
    assert empty["features"] == [] and empty["numberReturned"] == 0
    assert not [link for link in empty["links"] if link["rel"] == "next"]


@pytest.mark.parametrize(
    "query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=117.3,34.7,117.2,34.8", "limit=0", "limit=x", "offset=-1"]
)
def test_bad_parameters_are_422(viewer: ApiClient, query: str) -> None:
    body = viewer.get(f"/api/v1/collections/grids/items?{query}", 422).json()
    assert body["error"] == "validation_error"


@pytest.mark.parametrize("layer_id", ["cameras", "units", "nope"])
def test_layers_outside_the_catalogue_are_404(viewer: ApiClient, layer_id: str) -> None:
    viewer.get(f"/api/v1/collections/{layer_id}/items", 404)
