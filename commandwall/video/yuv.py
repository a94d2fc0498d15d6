"""The wall's pictures scaled by libyuv when the tile asks for one of the ratios it has fast paths for.

A wall on a 1080p screen asks for the same few ratios all day: a 640×360 sub stream into a 16-tile wall's tile
(468×262 under the wall's tool bar, 476×268 without) is 3/4 of it less a margin, into a 9-tile wall's (628×352)
the picture itself, into a 36-tile wall's 316×178 (without the tool bar) a half; a 1280×720 main stream into a
4-tile wall's 956×536 is 3/4 again. libyuv
(Google's YUV library, in Debian as libyuv0) scales a 4:2:0 picture by exactly 1/2, 1/4 or 3/4 with
special-cased SIMD row filters (box-filtered: each output sample averages the input samples it covers) and
converts it to BGRX in one more pass. Measured on this project's clips (one thread; the OpenCV planes-then-convert
path of :class:`~commandwall.video.capture.BgrxScaler` beside it):

=======================================  ==========  ========
640×360 → tile                            OpenCV µs   libyuv µs
=======================================  ==========  ========
476×268 (16 tiles, via 480×270)           170         78
636×356 (9 tiles, via the picture)        265         53
316×178 (36 tiles, via 320×180)           134         34
1280×720 → 956×536 (4 tiles, via 960×540)  670         285
=======================================  ==========  ========

and the 3/4 box filter is nearer an area-averaged reference than OpenCV's bilinear (38–39 dB against 37).

So a picture is scaled to the smallest fast size that covers the tile's box and trimmed to it — only when that
trims at most :data:`MAX_TRIM` of the picture's width and of its height, the trim centred. Any other size, a
picture OpenCV's conversion would not take (see ``opencv_convertible``), or a desk without libyuv goes through
OpenCV as before. libyuv's conversion is BT.601 limited range, as OpenCV's (the two differ by rounding: 58 dB).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
from fractions import Fraction

import numpy as np

log = logging.getLogger(__name__)

#: the ratios libyuv's ScalePlane special-cases (1: no scaling, the picture converted as it is), smallest first;
#: not its 3/8, whose filter is coarser than OpenCV's bilinear (33 against 36 dB from an area-averaged picture,
#: 1280×720 into a 16-tile box: edges visibly more jagged)
FAST_RATIOS = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1))
#: the largest share of the scaled picture's width or height trimmed to fit the tile's box (3 %: 14 of 480
#: columns, 8 of 270 rows — a 16-tile wall on a 1080p screen, whose tiles show 468×262 of a 640×360 stream,
#: trims 12 and 8, under 1.5 % at each edge)
MAX_TRIM = 0.03
#: libyuv's FilterMode: kFilterBox (area averaging)
FILTER_BOX = 3

_P, _I = ctypes.c_void_p, ctypes.c_int


def _load() -> ctypes.CDLL | None:
    """libyuv with the two functions used here, or None (logged) when the desk has none or
    ``COMMANDWALL_LIBYUV=0`` turns it off (the wall then scales through OpenCV: for measuring one beside the
    other, or should a desk's libyuv misbehave)."""
    if os.environ.get("COMMANDWALL_LIBYUV", "").strip().lower() in {"0", "off", "no", "false"}:
        log.info("libyuv turned off (COMMANDWALL_LIBYUV): wall pictures are scaled by OpenCV")
        return None
    candidates = ["libyuv.so.0"]
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:  # the packaged app carries its own copy
        candidates.insert(0, os.path.join(bundled, "libyuv.so.0"))
    for name in candidates:
        try:
            library = ctypes.CDLL(name)
            library.I420Scale.argtypes = [_P, _I, _P, _I, _P, _I, _I, _I, _P, _I, _P, _I, _P, _I, _I, _I, _I]
            library.I420Scale.restype = _I
            library.I420ToARGB.argtypes = [_P, _I, _P, _I, _P, _I, _P, _I, _I, _I]
            library.I420ToARGB.restype = _I
            return library
        except (OSError, AttributeError):
            continue
    log.info("libyuv not found (libyuv.so.0): wall pictures are scaled by OpenCV (about twice the CPU at 9, 16 "
             "and 36 tiles)")
    return None


_LIBYUV: ctypes.CDLL | bool | None = False  # False: not looked for yet


def libyuv() -> ctypes.CDLL | None:
    """The loaded libyuv, or None; looked for once."""
    global _LIBYUV
    if _LIBYUV is False:
        _LIBYUV = _load()
    return _LIBYUV  # type: ignore[return-value]


def _half(n: int) -> int:
    """A 4:2:0 chroma plane's side for a picture side of ``n`` (libyuv's rounding)."""
    return (n + 1) // 2


@functools.lru_cache(maxsize=256)
def trimmed_scale(source: tuple[int, int], box: tuple[int, int]) -> tuple[int, int] | None:
    """The size (w, h), scaled from ``source`` by one of :data:`FAST_RATIOS` on both axes, that covers ``box``
    with the least trimmed off and at most :data:`MAX_TRIM` on each axis; None when no ratio does.

    A ratio counts only when it is exact on the luma and the chroma planes both (libyuv takes its fast path for
    each plane separately): 640×360 → 480×270 (chroma 320×180 → 240×135) does; 640×362 → 320×181 (chroma
    181 rows → 90.5) does not."""
    width, height = source
    box_width, box_height = box
    if min(width, height, box_width, box_height) <= 0:
        return None
    for ratio in FAST_RATIOS:
        sides = [_fast_side(side, box_side, ratio) for side, box_side in ((width, box_width), (height, box_height))]
        if None not in sides:
            return sides[0], sides[1]
    return None


def _fast_side(side: int, box_side: int, ratio: Fraction) -> int | None:
    """``side`` scaled by ``ratio`` when that is exact for the plane and its chroma and covers ``box_side``
    trimming at most :data:`MAX_TRIM`; else None."""
    scaled = side * ratio
    if scaled.denominator != 1 or _half(side) * ratio != _half(int(scaled)):
        return None
    if scaled < box_side or scaled - box_side > MAX_TRIM * scaled:
        return None
    return int(scaled)


class YuvScaler:
    """Scales 4:2:0 pictures into BGRX arrays through libyuv's fast paths (:func:`trimmed_scale`); one per
    stream (it keeps the scaled planes' buffer between pictures)."""

    def __init__(self) -> None:
        self._library = libyuv()
        self._scratch: tuple[tuple[int, int], np.ndarray] | None = None

    @property
    def available(self) -> bool:
        """Whether libyuv was found."""
        return self._library is not None

    def scale(self, frame: object, size: tuple[int, int], out: np.ndarray | None) -> np.ndarray | None:
        """``frame`` (a PyAV ``yuv420p`` frame of BT.601 limited range) scaled to ``size`` (w, h) as H×W×4 BGRX,
        into ``out`` when given; None when libyuv is missing or no fast ratio fits (the caller scales it itself).
        """
        library = self._library
        if library is None or frame.format.name != "yuv420p":  # type: ignore[attr-defined]
            return None
        width, height = frame.width, frame.height  # type: ignore[attr-defined]
        scaled = trimmed_scale((width, height), size)
        if scaled is None:
            return None
        planes = frame.planes  # type: ignore[attr-defined]
        sides = ((width, height), (_half(width), _half(height)), (_half(width), _half(height)))
        for plane, (plane_width, plane_height) in zip(planes, sides, strict=True):
            # a flipped (negative) or short plane: not pointer arithmetic to take chances with (PyAV's buffer_size is
            # line_size × rows; checked all the same)
            if plane.line_size < plane_width or plane.buffer_size < plane.line_size * plane_height:
                return None
        out_width, out_height = size
        if out is None:
            out = np.empty((out_height, out_width, 4), np.uint8)
        elif (out.shape != (out_height, out_width, 4) or out.dtype != np.uint8 or out.strides[1:] != (4, 1)
              or out.strides[0] < out_width * 4 or not out.flags.writeable):  # fmt: skip
            raise ValueError(f"the destination is {out.shape} {out.dtype} {out.strides}, the picture "
                             f"{(out_height, out_width, 4)}")
        if scaled == (width, height):
            pointers = [(plane.buffer_ptr, plane.line_size) for plane in planes]
        else:
            pointers = self._scaled(library, planes, (width, height), scaled)
            if pointers is None:
                return None
        # the trim centred, on even samples so that the chroma planes are trimmed by whole samples
        left = (scaled[0] - out_width) // 2 & ~1
        top = (scaled[1] - out_height) // 2 & ~1
        (y, y_stride), (u, u_stride), (v, v_stride) = pointers
        status = library.I420ToARGB(y + top * y_stride + left, y_stride,
                                    u + top // 2 * u_stride + left // 2, u_stride,
                                    v + top // 2 * v_stride + left // 2, v_stride,
                                    out.ctypes.data, out.strides[0], out_width, out_height)  # fmt: skip
        return out if status == 0 else None

    def _scaled(self, library: ctypes.CDLL, planes: object, source: tuple[int, int],
                scaled: tuple[int, int]) -> list[tuple[int, int]] | None:  # fmt: skip
        """The planes scaled to ``scaled`` into the kept buffer, as (address, stride) each; None if libyuv
        refused."""
        width, height = scaled
        chroma_width, chroma_height = _half(width), _half(height)
        if self._scratch is None or self._scratch[0] != scaled:
            self._scratch = (scaled, np.empty(width * height + 2 * chroma_width * chroma_height, np.uint8))
        y = self._scratch[1].ctypes.data
        u = y + width * height
        v = u + chroma_width * chroma_height
        p_y, p_u, p_v = planes  # type: ignore[misc]
        status = library.I420Scale(p_y.buffer_ptr, p_y.line_size, p_u.buffer_ptr, p_u.line_size,
                                   p_v.buffer_ptr, p_v.line_size, source[0], source[1],
                                   y, width, u, chroma_width, v, chroma_width, width, height, FILTER_BOX)  # fmt: skip
        if status != 0:
            return None
        return [(y, width), (u, chroma_width), (v, chroma_width)]
