"""The nesting limit on JSON from outside: exact at the limit, whichever way the depth is found."""

from __future__ import annotations

import json

import pytest

from commandwall.backend.answers import MAX_JSON_DEPTH, decode_json, json_depth
from commandwall.backend.errors import MalformedAnswerError


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH])
def test_nesting_up_to_the_limit_decodes(depth: int) -> None:
    assert json.dumps(decode_json(nested(depth), "test")) == json.dumps(json.loads(nested(depth)))


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000])
def test_nesting_past_the_limit_is_refused_with_its_reason(depth: int) -> None:
    with pytest.raises(MalformedAnswerError, match="nested deeper"):
        decode_json(nested(depth), "test")


def test_many_openers_that_do_not_nest_deep_decode() -> None:
    """More openers than the limit, shallow (a list of objects, brackets inside strings): the exact count runs."""
    wide = json.dumps([{"title": "[{" * 40, "tags": [1]} for _ in range(200)])
    assert json_depth(wide.encode()) == 3
    assert len(decode_json(wide, "test")) == 200
    deep_in_strings = json.dumps({"a": "[" * 500, "b": {"c": "{" * 500}})
    assert decode_json(deep_in_strings, "test")["b"]["c"] == "{" * 500


def test_a_small_event_deeper_than_the_limit_is_refused_too() -> None:
    event = json.dumps({"type": "incident.upserted", "data": json.loads(nested(MAX_JSON_DEPTH + 1))})
    with pytest.raises(MalformedAnswerError, match="nested deeper"):
        decode_json(event, "events")


@pytest.mark.parametrize("garbage", [
    b"", b"{", b'{"a": NaN}', b"[Infinity]", b"\xff\xfe{}", b"<html>502</html>",
    b'{"type": "incident.upserted", "data": {"id": 1}', b"1" * 5000, b"{}{}", b"\x00" * 64,
])
def test_garbage_with_few_openers_is_still_refused_with_a_reason(garbage: bytes) -> None:
    """The shortcut skips only the depth scan: text that is not strict JSON is refused as before."""
    with pytest.raises(MalformedAnswerError, match="not JSON"):
        decode_json(garbage, "events")
