"""Child process of test_map_drag_x11: a map and a wall side by side on an X display (xcb), and a real drag
made with X input (XTest, as a mouse would): press on a camera point, move onto tile 3, release.

Prints ``RESULT {json}`` — what the map signalled, the map centre before and after, whether the map pans
again, the cameras on the wall and tile 3's badge — and exits.
"""

from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from commandwall.ui.map.scheme import register_scheme
from commandwall.video.dragdrop import CAMERA_IDS_MIME, decode_camera_ids
from tests.e2e.xinput import XInput


def main() -> int:
    """Run the drag and print the result."""
    register_scheme()
    app = QApplication(sys.argv[:1])
    from commandwall.ui.map.view import MapView
    from commandwall.ui.wall import WallView
    from commandwall.video.pool import ReaderPool
    from tests.ui.test_wall import camera
    from tests.unit.test_mapdoc_page import sample_layers
    from tests.unit.test_video_mjpeg import MjpegServer

    server = MjpegServer(fps=25).start()
    cams = {c.id: c for c in (
        camera("CAM-0041", "临城街道·光明大道", server),
        camera("CAM-0042", "临城街道·珠江路", server).model_copy(update={"lon": 117.262, "lat": 34.791}),
    )}  # fmt: skip
    window = QWidget()
    row = QHBoxLayout(window)
    row.setContentsMargins(0, 0, 0, 0)
    map_view, pool = MapView(), ReaderPool()
    wall = WallView(pool, 4)
    wall.camera_lookup = cams.get
    row.addWidget(map_view, 1)
    row.addWidget(wall, 1)
    window.resize(1400, 700)
    window.move(0, 0)
    window.show()
    pointer = XInput()
    result: dict = {"drags": [], "clicks": []}

    def on_drag(drag: QDrag) -> None:
        result["drags"].append(decode_camera_ids(drag.mimeData().data(CAMERA_IDS_MIME).data()))

    map_view.sig_camera_drag_started.connect(on_drag)
    map_view.sig_camera_clicked.connect(lambda camera_id: result["clicks"].append(camera_id))

    def js(code: str, then) -> None:
        map_view.page().runJavaScript(f"JSON.stringify(({code}))", 0, lambda text: then(json.loads(text)))

    def on_ready() -> None:
        map_view.set_cameras(list(cams.values()))
        QTimer.singleShot(1500, lambda: js("CW.map.setView([34.791, 117.262], 16, {animate: false}), "
                                           "[CW.cameraPoint('CAM-0042'), CW.stats().center]", drag))  # fmt: skip

    def drag(answer) -> None:
        (x, y), result["center_before"] = answer
        start = map_view.mapToGlobal(QPoint(round(x), round(y)))
        tile = wall.tile(3)
        end = tile.mapToGlobal(tile.rect().center())
        path = [start + (end - start) * k / 20 for k in range(21)]
        pointer.move(start)

        def step(k: int) -> None:
            if k < len(path):
                pointer.move(path[k])
                QTimer.singleShot(60, lambda: step(k + 1))
            else:
                QTimer.singleShot(300, lambda: (pointer.left_button(False), QTimer.singleShot(3000, finish)))

        QTimer.singleShot(300, lambda: (pointer.left_button(True), QTimer.singleShot(200, lambda: step(1))))

    def finish() -> None:
        js("[CW.stats().center, CW.map.dragging.enabled()]", report)

    def report(answer) -> None:
        result["center_after"], result["map_pans_again"] = answer
        result["wall"] = [c.id if c else None for c in wall.cameras()]
        result["tile3"] = wall.tile(3).state_text()
        print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
        wall.shutdown()
        pool.stop_all()
        server.stop()
        app.quit()

    map_view.sig_ready.connect(on_ready)
    map_view.load_page(sample_layers())
    QTimer.singleShot(90_000, app.quit)
    app.exec()
    window.deleteLater()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    raise SystemExit(main())
