"""The drag data the wall accepts: camera ids as JSON under our MIME type, and a wall tile."""

from __future__ import annotations

import pytest

from commandwall.video.dragdrop import (
    MAX_DROPPED_CAMERAS,
    checked_camera_ids,
    decode_camera_ids,
    decode_wall_tile,
    encode_camera_ids,
    encode_wall_tile,
)


def test_an_id_as_long_as_the_domain_allows_is_taken() -> None:
    assert decode_camera_ids(encode_camera_ids(["C" * 128])) == ["C" * 128]


def test_camera_ids_round_trip_in_order_without_repeats() -> None:
    """Ids come back in order, repeats once, at most one wall's worth."""
    assert decode_camera_ids(encode_camera_ids(["CAM-0002", "CAM-0001", "CAM-0002"])) == ["CAM-0002", "CAM-0001"]
    many = [f"CAM-{n:04d}" for n in range(100)]
    assert decode_camera_ids(encode_camera_ids(many)) == many[:MAX_DROPPED_CAMERAS]
    assert encode_camera_ids(["临城-1"]) == '["临城-1"]'.encode()


@pytest.mark.parametrize("payload", [b"", b"\xff\xfe", b"{}", b'"CAM-0001"', b"[1]", b'[""]', b"[null]",
                                     b"[\"" + b"x" * 129 + b"\"]", b"[" * 100_000, b"[" + b"9" * 5000 + b"]"])
def test_anything_else_is_a_readable_error(payload: bytes) -> None:
    """Broken or foreign data raises ValueError with a message for the status bar."""
    with pytest.raises(ValueError, match="拖放"):
        decode_camera_ids(payload)


def test_wall_tile_round_trip_and_junk() -> None:
    """A tile reference comes back; anything else is None."""
    assert decode_wall_tile(encode_wall_tile("abc", 7)) == ("abc", 7)
    for junk in (b"", b"[]", b'{"wall": 1, "tile": 2}', b'{"wall": "a", "tile": true}', b"\xff", b"{" * 100_000,
                 b'{"wall": "a", "tile": ' + b"9" * 5000 + b"}"):  # the last: a number too long to read
        assert decode_wall_tile(junk) is None


def test_ids_from_the_map_page_pass_the_drops_checks() -> None:
    """What the page says is dragged is held to the same rules as a drop: a readable error otherwise."""
    assert checked_camera_ids(["CAM-0001", "临城-1"]) == ["CAM-0001", "临城-1"]
    for junk in ([""], ["  "], ["x" * 129], [7], [None], [object()]):
        with pytest.raises(ValueError, match="拖放"):
            checked_camera_ids(junk)
