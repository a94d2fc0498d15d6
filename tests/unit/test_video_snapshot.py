"""Snapshot file names and the burned-in line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.video.snapshot import MAX_SUFFIX, burn_in_text, snapshot_path

WHEN = datetime(2026, 12, 2, 3, 4, 5, tzinfo=CHINA_STANDARD_TIME)


def test_name_id_and_time_in_the_name_and_taken_names_get_a_number(tmp_path: Path) -> None:
    """``<name>_<id>_<YYYYMMDD-HHMMSS>.png``; a second one in the same second gets ``_2``."""
    first = snapshot_path(tmp_path, "临城街道·光明大道与华山路口西", "CAM-0047", WHEN)
    assert first.name == "临城街道·光明大道与华山路口西_CAM-0047_20261202-030405.png"
    first.write_bytes(b"")
    assert snapshot_path(tmp_path, "临城街道·光明大道与华山路口西", "CAM-0047", WHEN).name.endswith("_2.png")


@pytest.mark.parametrize(("name", "expected"), [
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    ("../../etc/passwd", "etc_passwd"),
    ("\x00\x1b[31m", "[31m"),
    ("...", "camera"),
    ("长" * 100, "长" * 60),
    ("\u202egnp.exe", "gnp.exe"),  # a bidi override would show the file name reversed
    ("零\u200b宽\u2066x\u2069", "零宽x"),
])  # fmt: skip
def test_unsafe_names_stay_inside_the_folder(tmp_path: Path, name: str, expected: str) -> None:
    """Separators, reserved and control characters become ``_``; the path stays in the folder."""
    path = snapshot_path(tmp_path, name, "CAM-1", WHEN)
    assert path.parent == tmp_path and path.name == f"{expected}_CAM-1_20261202-030405.png"


def test_too_many_in_one_second(tmp_path: Path) -> None:
    """After MAX_SUFFIX names in one second: ValueError rather than a loop or an overwrite."""
    stem = "x_CAM-1_20261202-030405"
    (tmp_path / f"{stem}.png").write_bytes(b"")
    for n in range(2, MAX_SUFFIX + 1):
        (tmp_path / f"{stem}_{n}.png").write_bytes(b"")
    with pytest.raises(ValueError):
        snapshot_path(tmp_path, "x", "CAM-1", WHEN)


def test_burn_in_line() -> None:
    """Name, id and the time to the second."""
    assert burn_in_text("常庄街道·常庄路", "CAM-0681", WHEN) == "常庄街道·常庄路（CAM-0681）  2026-12-02 03:04:05"


def test_every_hostile_name_gives_a_visible_file_name_in_the_folder(tmp_path: Path) -> None:
    from commandwall.textsafe import is_hidden
    from tests.hostile import corpus

    for text in corpus():
        path = snapshot_path(tmp_path, text, "CAM-1", WHEN)
        assert path.parent == tmp_path, repr(text)
        assert not any(is_hidden(c) for c in path.name), repr(text)
        assert len(path.name.encode("utf-8")) <= 255, repr(text)
    emoji = snapshot_path(tmp_path, "🚒" * 100, "CAM-1", WHEN)
    emoji.write_bytes(b"")  # the file system takes the name
