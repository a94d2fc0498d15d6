"""Encode the exercise cameras' H.264/H.265 clips (``make clips``; ``make setup`` runs it).

One 10 s loop at 25 fps per codec (libx264, libx265 — both in PyAV's wheels) and variant (sub 640×360,
main 1280×720): a seeded moving scene, the loop's frame index in big digits and as the machine-readable
cell code of ``commandwall.demo.media``, a key frame every second, no B-frames (what cameras send). Written
as MPEG-TS into ``resources/clips`` with ``manifest.json`` last, so a half-made folder is never used.

Run: ``.venv/bin/python scripts/make_clips.py [--out resources/clips] [--seed 7]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import av
import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commandwall.demo.media import (  # noqa: E402
    CLIP_FRAMES,
    CODECS,
    FPS,
    GOP,
    SIZES,
    clip_name,
    draw_index_code,
)  # fmt: skip

ENCODERS = {"h264": "libx264", "hevc": "libx265"}
LABELS = {"h264": "H.264", "hevc": "H.265"}
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def _options(codec: str) -> dict[str, str]:
    if codec == "h264":
        return {"preset": "veryfast", "tune": "zerolatency", "crf": "27", "g": str(GOP),
                "keyint_min": str(GOP), "sc_threshold": "0", "bf": "0"}  # fmt: skip
    params = f"keyint={GOP}:min-keyint={GOP}:scenecut=0:bframes=0:repeat-headers=1:log-level=error"
    return {"preset": "ultrafast", "tune": "zerolatency", "crf": "30", "x265-params": params}


def draw(index: int, width: int, height: int, label: str, scene: np.ndarray, balls: np.ndarray) -> np.ndarray:
    """Frame ``index`` of the loop: scene, moving balls and a crossing bar, the index in digits and code."""
    s = width / 640
    img = scene.copy()
    t = index / FPS
    for x, y, vx, vy, r, b, g, red in balls:
        cx = int(abs((x + vx * t) % 2 - 1) * width)
        cy = int(abs((y + vy * t) % 2 - 1) * height * 0.8)
        cv2.circle(img, (cx, cy), int(r * s), (int(b), int(g), int(red)), -1, cv2.LINE_AA)
    bx = int((t / 10) * (width + 120 * s)) - int(60 * s)
    cv2.rectangle(img, (bx, int(height * 0.62)), (bx + int(60 * s), int(height * 0.72)), (240, 240, 240), -1)
    cv2.rectangle(img, (0, 0), (int(330 * s), int(34 * s)), (0, 0, 0), -1)
    cv2.putText(img, f"{label} {width}x{height} {FPS}fps", (int(8 * s), int(24 * s)), _FONT, 0.7 * s,
                (255, 255, 255), max(1, int(2 * s)), cv2.LINE_AA)  # fmt: skip
    digits = f"{index:03d}"
    scale, thick = 3.2 * s, max(3, int(8 * s))
    (tw, th), _ = cv2.getTextSize(digits, _FONT, scale, thick)
    org = (width - tw - int(20 * s), th + int(20 * s))
    cv2.rectangle(img, (org[0] - int(10 * s), int(8 * s)), (width - int(8 * s), org[1] + int(14 * s)), (0, 0, 0), -1)
    cv2.putText(img, digits, org, _FONT, scale, (0, 255, 255), thick, cv2.LINE_AA)
    draw_index_code(img, index)
    return img


def _scene(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    c0, c1 = rng.uniform(20, 120, 3), rng.uniform(60, 200, 3)
    fy = np.linspace(0.0, 1.0, height)[:, None, None]
    fx = np.linspace(0.0, 1.0, width)[None, :, None]
    img = np.clip((c0 * (1 - fy) + c1 * fy) * (0.7 + 0.3 * fx), 0, 255).astype(np.uint8)
    step = max(40, width // 16)
    for x in range(0, width, step):
        cv2.line(img, (x, 0), (x, height - 1), (90, 90, 90), 1)
    for y in range(0, height, step):
        cv2.line(img, (0, y), (width - 1, y), (90, 90, 90), 1)
    return img


def encode(path: Path, codec: str, variant: str, seed: int) -> int:
    """Write one clip; returns its size in bytes."""
    width, height = SIZES[variant]
    rng = np.random.default_rng(seed)
    scene = _scene(width, height, rng)
    balls = np.column_stack([rng.uniform(0, 2, (6, 2)), rng.uniform(0.05, 0.4, (6, 2)) * rng.choice([-1, 1], (6, 2)),
                             rng.uniform(12, 30, 6), rng.uniform(40, 255, (6, 3))])  # fmt: skip
    tmp = path.with_suffix(".part")
    with av.open(str(tmp), "w", format="mpegts") as out:
        stream = out.add_stream(ENCODERS[codec], rate=FPS, options=_options(codec))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(CLIP_FRAMES):
            frame = av.VideoFrame.from_ndarray(draw(index, width, height, LABELS[codec], scene, balls), format="bgr24")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    tmp.replace(path)
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    """Encode every clip and write the manifest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "clips")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "manifest.json").unlink(missing_ok=True)
    clips = []
    for i, codec in enumerate(CODECS):
        for j, variant in enumerate(SIZES):
            start = time.perf_counter()
            size = encode(args.out / clip_name(codec, variant), codec, variant, args.seed + 10 * i + j)
            print(f"{clip_name(codec, variant)}: {size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
            clips.append({"file": clip_name(codec, variant), "codec": codec, "variant": variant,
                          "width": SIZES[variant][0], "height": SIZES[variant][1], "fps": FPS,
                          "frames": CLIP_FRAMES})  # fmt: skip
    manifest = {"seed": args.seed, "clips": clips}
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
