"""Layer text and layer files from outside are data: the map page never renders, runs or embeds them, and the
layer loader and ``layers check`` answer any file with a result or a clear error — never a traceback."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commandwall import cli
from commandwall.geo.layers import Layer, LayerSet, check_layers, load_layers, normalize_features
from commandwall.mapdoc.page import build_map_page
from commandwall.textsafe import display_text
from tests.unit.test_geo_crs import crs_texts, json_values, near_geometries
from tests.unit.test_mapdoc_page import sample_layers

#: Hostile text for every text field of a layer; ``{canary}`` is a file that must never be created.
HOSTILE_TEMPLATES: tuple[str, ...] = (
    "{{7*7}}",
    "{% for x in range(3) %}X{% endfor %}",
    "{{ lipsum.__globals__.os.system('touch {canary}') }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {canary}').read() }}",
    "{{constructor.constructor('x')()}}",
    "{#",
    "{% raw %}",
    "${7*7}",
    "%s%(x)s{0}",
    "</script><script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 1\">",
    "\"><svg onload=\"window.__pwned = 1\">",
    "A &amp; B &lt;tag&gt;",
    "\u202egnp.exe",
    "\u2067临城街道\u2069",
    "零\u200b宽\u200d字\ufeff",
    "NUL\x00inside",
    "bell\x07 escape\x1b[31mred",
    "多行\n第二行",
    "\u2028\u2029",
    "长" * 50_000,  # 150 kB in UTF-8
    "🚒消防救援🌊 👨‍👩‍👧",
    "__proto__",
    "constructor",
    "",
    " ",
)


def hostile_corpus(canary: Path) -> list[str]:
    """The hostile strings with the canary file filled in."""
    return [t.replace("{canary}", str(canary)) for t in HOSTILE_TEMPLATES]


def hostile_layers(text: str) -> list[Layer]:
    """The sample layers with ``text`` as every layer title, town, grid and road name and road class."""
    layers = [dataclasses.replace(layer, title=text) for layer in sample_layers(town_name=text)]
    for layer in layers:
        for feature in layer.features:
            props = feature["properties"]
            if "name" in props and layer.kind != "boundary":
                props["name"] = text
            if "class" in props:
                props["class"] = text
    return layers


def test_map_page_holds_no_outside_text_and_runs_none(tmp_path: Path) -> None:
    """The page is the same skeleton whatever the layers are named, and building it runs none of their text in
    this process: the template payloads create the canary file if a name is ever rendered as a (Jinja) template,
    even one whose output is thrown away. That the loaded page runs none of it is checked in a real page by
    tests/ui/test_map_hostile.py."""
    canary = tmp_path / "canary"
    reference = build_map_page(sample_layers())
    for text in hostile_corpus(canary):
        page = build_map_page(hostile_layers(text))
        assert page == reference, text[:40]  # the same skeleton: nothing of the names is in it
        if len(text) >= 3:
            assert text not in page
    assert not canary.exists(), "a layer name ran as code while the page was built"


def test_static_layers_carry_hostile_text_literally(tmp_path: Path) -> None:
    from commandwall.mapdoc.page import static_layers_json

    canary = tmp_path / "canary"
    for text in hostile_corpus(canary):
        data = json.loads(static_layers_json(hostile_layers(text)))
        titles = [ref["title"] for ref in data["layers"]]
        assert titles == [display_text(text)] * 4  # shown as the widgets show it: hidden characters marked
        towns, grids, roads, _ = (ref["data"]["features"] for ref in data["layers"])
        assert {f["properties"]["name"] for f in towns + grids + roads} == {text}
        assert {f["properties"]["class"] for f in roads} == {text}
        labels = [p["name"] for p in (data["labels"] or {"points": []})["points"]]
        assert labels == ([display_text(text)] * 2 if text else [])  # an empty name gets no label
    assert not canary.exists()


# --- layers check and the loader -----------------------------------------------------------------------------


def nested(depth: int) -> str:
    """JSON text of ``depth`` nested lists."""
    return "[" * depth + "]" * depth


def write_layer_folder(folder: Path, manifest: Any, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = manifest if isinstance(manifest, str) else json.dumps(manifest, ensure_ascii=False)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def good_towns_geojson(name: str = "临城街道") -> str:
    ring = [[117.17, 34.66], [117.30, 34.66], [117.30, 34.88], [117.17, 34.88], [117.17, 34.66]]
    feature = {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False)


def test_layers_check_on_a_deeply_nested_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_layer_folder(tmp_path / "layers", '{"layers": ' + nested(100_000) + "}", {})
    code = cli.main(["layers", "check", str(folder)])
    out = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out.out + out.err and "RecursionError" not in out.out + out.err
    assert "ERROR manifest" in out.out and "too deeply" in out.out


def test_layers_check_on_a_deeply_nested_geojson(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = {
        "layers": [
            {"id": "towns", "title": "镇街", "kind": "towns", "crs": "EPSG:4326", "file": "towns.geojson"},
            {"id": "deep", "title": "深", "kind": "towns", "crs": "EPSG:4326", "file": "deep.geojson"},
            {"id": "deep2", "title": "深2", "kind": "towns", "crs": "EPSG:4326", "file": "deep2.geojson"},
        ]
    }
    deep2 = '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"x": ' + nested(500)
    folder = write_layer_folder(
        tmp_path / "layers",
        manifest,
        {
            "towns.geojson": good_towns_geojson(),
            "deep.geojson": nested(100_000),
            "deep2.geojson": deep2 + '}, "geometry": null}]}',
        },
    )
    code = cli.main(["layers", "check", str(folder)])
    out = capsys.readouterr()
    assert code == 1  # not everything is usable
    assert "Traceback" not in out.out + out.err
    lines = out.out.splitlines()
    assert any(line.split()[:2] == ["ok", "towns"] for line in lines)
    for layer_id in ("deep", "deep2"):
        [line] = [line for line in lines if line.split()[:2] == ["ERROR", layer_id]]
        assert "too deeply" in line
    assert lines[-2:] == ["1 layer(s) loaded, 2 error(s), 0 bad feature(s) left out", "NOT usable"]


def test_layers_check_command_prints_no_traceback(tmp_path: Path) -> None:
    folder = write_layer_folder(tmp_path / "layers", nested(100_000), {})
    proc = subprocess.run(
        [sys.executable, "-m", "commandwall", "layers", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "too deeply" in proc.stdout


def test_layers_check_reports_hostile_names_as_text(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    corpus = [t for t in hostile_corpus(canary) if t.strip()]
    manifest = {
        "layers": [
            {"id": f"t{i}", "title": text, "kind": "towns", "crs": "EPSG:4326", "file": f"t{i}.geojson"}
            for i, text in enumerate(corpus)
        ]
    }
    files = {f"t{i}.geojson": good_towns_geojson(text) for i, text in enumerate(corpus)}
    report, code = check_layers(write_layer_folder(tmp_path / "layers", manifest, files))
    assert code == 0
    assert "{{7*7}}" in report and "{% for x in range(3) %}X{% endfor %}" in report
    assert "<img src=x onerror=\"window.__pwned = 1\">" in report
    assert "\\u202egnp.exe" in report and "\u202e" not in report  # shown, not obeyed
    assert "\x1b" not in report and "\x00" not in report and "\\x1b[31mred" in report
    assert "… (50000 characters)" in report
    assert "👨\u200d👩\u200d👧" in report  # emoji sequences stay as they are
    assert not canary.exists()


def test_layers_check_never_raises_on_odd_manifest_entries(tmp_path: Path) -> None:
    manifest = {
        "layers": [
            {"id": "a", "kind": "towns", "crs": "EPSG:4326", "file": "bad\x00name.geojson"},
            {"id": "b", "kind": ["towns"], "crs": "EPSG:4326", "file": "t.geojson"},
            {"id": "c", "kind": "towns", "crs": {"x": 1}, "file": "t.geojson"},
            {"id": "d", "kind": "towns", "crs": "EPSG:4326", "file": "t.geojson", "title": ["x"] * 3},
            {"id": "e", "kind": "towns", "crs": "EPSG:4326", "file": "big.geojson"},
            {"id": "f", "kind": "towns", "crs": "EPSG:4326", "file": "gc.geojson"},
        ]
    }
    big = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[10**400, 1]]]}}
    geom: dict = {"type": "Point", "coordinates": [117.3, 34.8]}
    for _ in range(300):
        geom = {"type": "GeometryCollection", "geometries": [geom]}
    files = {
        "t.geojson": good_towns_geojson(),
        "big.geojson": json.dumps({"type": "FeatureCollection", "features": [big]}),
        "gc.geojson": json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geom}]}),
    }
    result = load_layers(write_layer_folder(tmp_path / "layers", manifest, files))
    assert set(result.layers) == {"d"} and result.layers["d"].title == "d"
    assert [e.layer_id for e in result.errors] == ["a", "b", "c", "e", "f"]
    assert all("unexpected" not in e.message for e in result.errors), result.errors
    report, code = check_layers(tmp_path / "layers")
    assert code == 1 and "Traceback" not in report


# --- fuzzing the loader ------------------------------------------------------------------------------------

features_like = st.lists(
    st.fixed_dictionaries(
        {"type": st.just("Feature") | json_values, "geometry": near_geometries | st.none() | json_values},
        optional={"properties": json_values | st.dictionaries(st.text(max_size=8), json_values, max_size=3)},
    )
    | json_values,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(features=features_like | json_values, crs=crs_texts)
def test_normalize_features_fuzz_gives_features_or_value_error(features: Any, crs: str) -> None:
    try:
        out = normalize_features(features, crs, bounds=None)
    except ValueError:
        return
    assert len(out) == len(features)
    assert all(f["type"] == "Feature" and isinstance(f["properties"], dict) for f in out)


#: A usable manifest entry; the fuzzer replaces some of its fields with anything.
VALID_ENTRY = {"id": "a", "title": "镇街", "kind": "towns", "crs": "EPSG:4326", "file": "layer.geojson"}
entry_overrides = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["a", "b", ""]) | json_values,
        "title": st.text(max_size=20) | json_values,
        "kind": st.sampled_from(["towns", "roads", "cameras", "boundary"]) | json_values,
        "crs": crs_texts | json_values,
        "file": st.sampled_from(["layer.geojson", "missing.geojson", "../x.geojson", ".", "nul\x00.geojson"])
        | st.text(max_size=20),
        "style": json_values,
    },
)
manifest_entries = st.builds(lambda overrides: {**VALID_ENTRY, **overrides}, entry_overrides) | json_values
manifests = st.fixed_dictionaries({"layers": st.lists(manifest_entries | json_values, max_size=4)}) | json_values
geojson_files = (
    st.fixed_dictionaries({"type": st.just("FeatureCollection") | json_values, "features": features_like})
    | json_values
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest=manifests, layer=geojson_files)
@example(manifest={"layers": [{**VALID_ENTRY, "file": "nul\x00.geojson"}]}, layer={})
@example(manifest={"layers": [VALID_ENTRY]}, layer=json.loads(good_towns_geojson()))
def test_load_layers_fuzz_reports_instead_of_raising(manifest: Any, layer: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_layer_folder(Path(tmp), json.dumps(manifest), {"layer.geojson": json.dumps(layer)})
        result = load_layers(folder)
        assert isinstance(result, LayerSet)
        assert all("unexpected" not in e.message for e in result.errors), result.errors
        report, code = check_layers(folder)
    assert code in (0, 1)
    assert report.splitlines()[-1] == ("usable" if code == 0 else "NOT usable")
    assert code == (0 if result.layers and not result.errors else 1)
