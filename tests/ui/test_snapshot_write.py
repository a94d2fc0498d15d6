"""Writing a snapshot (抓拍) as PNG: a write that fails (a full disk, a file size limit) leaves no cut or empty
picture, never touches a snapshot already there, and says why."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QFont

from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.ui.wall.snapshot import SnapshotError, save_snapshot
from commandwall.video.snapshot import snapshot_names
from tests.mounts import tmpfs

WHEN = datetime(2026, 12, 2, 3, 4, 5, tzinfo=CHINA_STANDARD_TIME)


def noise(height: int, width: int) -> np.ndarray:
    """A picture that does not compress (its PNG is about as big as its pixels)."""
    return np.random.default_rng(7).integers(0, 256, (height, width, 3), np.uint8)


def test_a_full_disk_leaves_no_cut_png_and_says_so(qapp, tmp_path: Path) -> None:
    """64 kB tmpfs: three snapshots of a 640×360 picture fail with 磁盘空间不足 and leave only the snapshot that was
    there before (not a cut PNG, nor empty ``_2``/``_3`` files)."""
    with tmpfs(tmp_path / "small", 65536) as folder:
        older = folder / snapshot_names("常庄路", "CAM-0681", WHEN)[0]
        older.write_bytes(b"older")
        for _ in range(3):
            with pytest.raises(SnapshotError) as raised:
                save_snapshot(noise(360, 640), "常庄路", "CAM-0681", folder, WHEN, QFont())
            assert str(raised.value) == f"磁盘空间不足，抓拍未保存：{folder}"
        assert list(folder.iterdir()) == [older] and older.read_bytes() == b"older"


SAVE_UNDER_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
from datetime import datetime
from pathlib import Path
import numpy as np
from PySide6.QtGui import QFont, QGuiApplication
from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.ui.wall.snapshot import SnapshotError, save_snapshot

app = QGuiApplication(["snapshot"])
picture = np.random.default_rng(7).integers(0, 256, (360, 640, 3), np.uint8)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG, not the end of the process
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
for _ in range(3):
    try:
        save_snapshot(picture, "常庄路", "CAM-0681", Path(sys.argv[1]), datetime(2026, 12, 2, 3, 4, 5,
                      tzinfo=CHINA_STANDARD_TIME), QFont())
    except SnapshotError as error:
        print(error)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_refused_halfway_leaves_no_cut_png_and_says_so(tmp_path: Path) -> None:
    """Without root: a file size limit of 64 kB refuses the PNG halfway (EFBIG); three tries leave no file
    but the snapshot that was there, and each says that the picture could not be written, and why."""
    older = tmp_path / snapshot_names("常庄路", "CAM-0681", WHEN)[0]
    older.write_bytes(b"older")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(SAVE_UNDER_A_FILE_SIZE_LIMIT), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=True, env=env)  # fmt: skip
    said = done.stdout.splitlines()
    assert said == [f"抓拍图片无法写入：{tmp_path}（{os.strerror(errno.EFBIG)}）"] * 3, done.stderr
    assert list(tmp_path.iterdir()) == [older] and older.read_bytes() == b"older"
