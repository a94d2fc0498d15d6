"""The camera list (视频点位) filled with the district's 1 515 cameras, and one status change, on the GUI thread.

    .venv/bin/python benchmarks/bench_camera_tree.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from commandwall.domain.models import CameraStatus
from commandwall.ui.cameras import CameraTree
from tests.ui.test_camera_tree import real_cameras


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    cameras = real_cameras()
    widget = CameraTree()
    widget.resize(360, 900)
    widget.show()
    app.processEvents()
    fills, updates = [], []
    for i in range(args.repeat):
        started = time.perf_counter()
        widget.set_cameras(cameras)
        fills.append((time.perf_counter() - started) * 1000)
        app.processEvents()
        status = CameraStatus.OFFLINE if i % 2 == 0 else CameraStatus.ONLINE
        started = time.perf_counter()
        widget.update_camera(cameras[1].model_copy(update={"status": status}))
        updates.append((time.perf_counter() - started) * 1000)
    print(f"{len(cameras)} cameras: fill median {statistics.median(fills):.1f} ms (best {min(fills):.1f}); "
          f"one status change median {statistics.median(updates):.2f} ms")
    widget.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
