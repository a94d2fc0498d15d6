"""The exercise streams show their index in the loop in every picture (``commandwall.demo.media.read_index_code``):
whether a picture came before another on the stream's timeline, across the loop's wrap."""

from __future__ import annotations

from commandwall.demo.media import CLIP_FRAMES, GOP


def assert_not_before(shown: int, later: int, what: str) -> None:
    """``later``, the index of a picture shown after the one indexed ``shown`` (the next picture, or the first of a
    stream that took over), is ``shown`` or later on the loop — one picture of slack: two streams' pictures of one
    instant reach the desk a few milliseconds apart."""
    back = (shown - later) % CLIP_FRAMES
    assert back <= 1 or back > CLIP_FRAMES // 2, (
        f"{what}: stepped back from {shown} to {later}, {back} pictures (a GOP is {GOP})")
