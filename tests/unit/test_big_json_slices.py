"""Big JSON made and read in slices (``commandwall.jsonslices``, ``backend.answers.decode_json``): the same text and
values as ``json``, and the same refusals and checks."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from commandwall import jsonslices
from commandwall.backend.answers import SLICED_DECODE_BYTES, decode_json
from commandwall.backend.errors import MalformedAnswerError


def polygons(n: int, vertices: int = 90) -> dict[str, Any]:
    """A FeatureCollection of ``n`` polygons of ``vertices`` vertices (a parcel layer)."""
    features = []
    for k in range(n):
        cx, cy = 117.16 + (k % 97) * 0.003, 34.64 + (k // 97) * 0.003
        ring = [[round(cx + 0.001 * math.cos(2 * math.pi * i / vertices), 7),
                 round(cy + 0.001 * math.sin(2 * math.pi * i / vertices), 7)] for i in range(vertices)]
        features.append({"type": "Feature", "id": k, "properties": {"name": f"地块{k}"},
                         "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}})
    return {"type": "FeatureCollection", "features": features}


COMPACT = {"ensure_ascii": True, "separators": (",", ":"), "allow_nan": False}


@pytest.mark.parametrize("value", [
    0, "x", None, [], {}, [[]], {"é\u2028": [1, 2, {"b": [3] * 20000}], "k": "v"}, list(range(30000)),
    [{"x": list(range(i))} for i in range(300)], [list(range(20000)), 1, [list(range(9000))] * 3], ("t", (1, 2)),
    [1, [2, [3, [4, [5, list(range(50000))]]]]], polygons(300),
])
def test_slices_make_the_same_text_and_values_as_json(value: Any) -> None:
    for options in ({}, COMPACT, {"ensure_ascii": False}):
        for per_slice in (3, 100, jsonslices.SLICE_NUMBERS):
            assert jsonslices.dumps(value, slice_numbers=per_slice, **options) == json.dumps(value, **options)
    text = json.dumps(value)
    for depth in (0, 1, 2, 5):
        assert jsonslices.loads(text, split_depth=depth) == json.loads(text)
        assert jsonslices.loads(f" \n{text}\t ".encode(), split_depth=depth) == json.loads(text)


@pytest.mark.parametrize("text", ["", " ", "{", "[", "[1,]", '{"a":1,}', '{"a" 1}', "[1 2]", "{1:2}", "[1]x",
                                  "\ufeff[1]", '["\x01"]', '{"a\x01":1}', "nul", "[1,,2]", "{,}", "[,]", '{"a":}'])
def test_what_json_refuses_slices_refuse(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    for depth in (0, 1, 2):
        with pytest.raises(json.JSONDecodeError):
            jsonslices.loads(text, split_depth=depth)


def test_a_big_page_is_decoded_in_slices_to_the_same_value_and_checked_as_a_small_one() -> None:
    collection = polygons(6000)
    body = json.dumps(collection).encode()
    assert len(body) > SLICED_DECODE_BYTES
    assert decode_json(body, "layer") == collection
    # the same checks as a small body: depth, NaN, not JSON
    deep = body[:-2] + b',{"deep":' + b"[" * 70 + b"]" * 70 + b"}]}"
    with pytest.raises(MalformedAnswerError, match="deeper than 64"):
        decode_json(deep, "layer")
    nan = body.replace(b"\"id\": 0,", b"\"id\": NaN,", 1)
    assert nan != body
    with pytest.raises(MalformedAnswerError, match="not JSON"):
        decode_json(nan, "layer")
    seen: list[str] = []
    assert decode_json(nan, "layer", non_finite=lambda c: seen.append(c) or math.nan) is not None and seen == ["NaN"]
    with pytest.raises(MalformedAnswerError, match="not JSON"):
        decode_json(body + b"x", "layer")
