"""Snapshot file names, the burned-in line and the writing of the file."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.video.snapshot import (
    MAX_SUFFIX,
    NamesTakenError,
    burn_in_text,
    snapshot_names,
    write_snapshot,
)
from tests.mounts import exfat, tmpfs

WHEN = datetime(2026, 12, 2, 3, 4, 5, tzinfo=CHINA_STANDARD_TIME)
PICTURE = bytes(range(256)) * 400  # 100 kB standing in for a PNG


def test_name_id_and_time_in_the_name_and_taken_names_get_a_number(tmp_path: Path) -> None:
    """``<name>_<id>_<YYYYMMDD-HHMMSS>.png``; a second one in the same second gets ``_2``."""
    first = write_snapshot(tmp_path, "临城街道·光明大道与华山路口西", "CAM-0047", WHEN, b"first")
    assert first.name == "临城街道·光明大道与华山路口西_CAM-0047_20261202-030405.png"
    second = write_snapshot(tmp_path, "临城街道·光明大道与华山路口西", "CAM-0047", WHEN, b"second")
    assert second.name == "临城街道·光明大道与华山路口西_CAM-0047_20261202-030405_2.png"
    assert first.read_bytes() == b"first" and second.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])  # no temporary left


def test_an_existing_snapshot_is_never_replaced(tmp_path: Path) -> None:
    """A file already under the name (another program's, or a snapshot from before) keeps its bytes."""
    taken = tmp_path / snapshot_names("常庄路", "CAM-0681", WHEN)[0]
    taken.write_bytes(b"older")
    path = write_snapshot(tmp_path, "常庄路", "CAM-0681", WHEN, PICTURE)
    assert path.name.endswith("_2.png") and path.read_bytes() == PICTURE
    assert taken.read_bytes() == b"older"


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
    """Separators, reserved and control characters become ``_``; the file is in the folder."""
    path = write_snapshot(tmp_path, name, "CAM-1", WHEN, b"x")
    assert path.parent == tmp_path and path.name == f"{expected}_CAM-1_20261202-030405.png" and path.is_file()


def test_too_many_in_one_second(tmp_path: Path) -> None:
    """After MAX_SUFFIX names in one second: NamesTakenError rather than a loop or an overwrite; no temporary."""
    for n in range(MAX_SUFFIX):
        write_snapshot(tmp_path, "x", "CAM-1", WHEN, f"{n}".encode())
    with pytest.raises(NamesTakenError):
        write_snapshot(tmp_path, "x", "CAM-1", WHEN, b"one too many")
    assert len(list(tmp_path.iterdir())) == MAX_SUFFIX
    assert (tmp_path / "x_CAM-1_20261202-030405.png").read_bytes() == b"0"


def test_a_long_name_and_id_give_a_name_the_file_system_takes(tmp_path: Path) -> None:
    """300 × 名 and an id of 128 × I: every name (``_99`` included) is at most 255 bytes and is written; the camera
    name is cut at a character, the id and the time stay whole."""
    names = snapshot_names("名" * 300, "I" * 128, WHEN)
    assert len(names) == MAX_SUFFIX
    for name in names:
        assert len(name.encode("utf-8")) <= 255, name
        stem = name.removesuffix(".png")
        assert stem.rstrip("_0123456789").startswith("名" * 50)
        assert "_" + "I" * 60 + "_20261202-030405" in stem  # the id as far as a name part goes (60 characters)
    assert len(names[-1].encode("utf-8")) == 255  # no more cut than needed
    for _ in range(MAX_SUFFIX):
        write_snapshot(tmp_path, "名" * 300, "I" * 128, WHEN, b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


@pytest.mark.parametrize("name", ["🚒" * 100, "名" * 100, "é" * 200, "a" * 300, "e\u0301" * 150])
def test_names_are_cut_at_a_character_for_a_file_system_of_short_names(name: str) -> None:
    """A file system taking 100 bytes (as eCryptfs takes 143): the name is cut on a character boundary, the id and
    the time are whole."""
    for file_name in snapshot_names(name, "CAM-0047", WHEN, 100):
        assert len(file_name.encode("utf-8")) <= 100
        assert file_name.encode("utf-8").decode("utf-8") == file_name
        assert "_CAM-0047_20261202-030405" in file_name


def test_burn_in_line() -> None:
    """Name, id and the time to the second."""
    assert burn_in_text("常庄街道·常庄路", "CAM-0681", WHEN) == "常庄街道·常庄路（CAM-0681）  2026-12-02 03:04:05"
    # a right-to-left name is isolated: the id and time after it stay in the line's own direction
    assert burn_in_text("محطة 7", "CAM-7", WHEN) == "\u2068محطة 7\u2069（CAM-7）  2026-12-02 03:04:05"


def test_every_hostile_name_gives_a_visible_file_name_in_the_folder(tmp_path: Path) -> None:
    from commandwall.textsafe import is_hidden
    from tests.hostile import corpus

    for text in corpus():
        for name in snapshot_names(text, "CAM-1", WHEN)[:: MAX_SUFFIX - 1]:
            path = tmp_path / name
            assert path.parent == tmp_path, repr(text)
            assert not any(is_hidden(c) for c in path.name), repr(text)
            assert len(path.name.encode("utf-8")) <= 255, repr(text)
    for name in ("🚒" * 100, "名" * 300):
        assert write_snapshot(tmp_path, name, "CAM-1", WHEN, b"").is_file()  # the file system takes the name


def test_a_path_longer_than_the_system_takes_is_said_and_leaves_nothing(tmp_path: Path) -> None:
    """A snapshot folder so deep that the path of the snapshot passes PATH_MAX: ENAMETOOLONG, no file left."""
    path_max = os.pathconf(tmp_path, "PC_PATH_MAX")
    folder = tmp_path
    while len(os.fsencode(folder)) < path_max - 120:
        folder = folder / ("d" * min(200, path_max - 120 - len(os.fsencode(folder))))
    folder.mkdir(parents=True)
    with pytest.raises(OSError) as raised:
        write_snapshot(folder, "临城街道·光明大道与华山路口西" * 4, "CAM-0047", WHEN, PICTURE)
    assert raised.value.errno == errno.ENAMETOOLONG
    assert list(folder.iterdir()) == []


WRITE_UNDER_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
from datetime import datetime
from pathlib import Path
from commandwall.localtime import CHINA_STANDARD_TIME
from commandwall.video.snapshot import write_snapshot

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG, not the end of the process
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
try:
    write_snapshot(Path(sys.argv[1]), "常庄路", "CAM-0681", datetime(2026, 12, 2, 3, 4, 5,
                   tzinfo=CHINA_STANDARD_TIME), bytes(200_000))
except OSError as error:
    print(error.errno)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_that_fails_halfway_leaves_no_cut_file(tmp_path: Path) -> None:
    """A write refused after 64 kB (a file size limit: EFBIG, as ENOSPC on a full disk) leaves neither a cut
    picture nor the temporary; the snapshot already there keeps its bytes."""
    taken = tmp_path / snapshot_names("常庄路", "CAM-0681", WHEN)[0]
    taken.write_bytes(b"older")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(WRITE_UNDER_A_FILE_SIZE_LIMIT), str(tmp_path)],
                          capture_output=True, text=True, timeout=60, check=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})  # fmt: skip
    assert done.stdout.strip() == str(errno.EFBIG), done.stderr
    assert list(tmp_path.iterdir()) == [taken] and taken.read_bytes() == b"older"


def test_a_full_disk_leaves_no_cut_or_empty_file(tmp_path: Path) -> None:
    """On a 64 kB tmpfs, a 100 kB snapshot and then two more fail with ENOSPC and leave only what was there."""
    with tmpfs(tmp_path / "small", 65536) as folder:
        older = write_snapshot(folder, "常庄路", "CAM-0681", WHEN, b"older")
        for _ in range(3):
            with pytest.raises(OSError) as raised:
                write_snapshot(folder, "常庄路", "CAM-0681", WHEN, PICTURE)
            assert raised.value.errno == errno.ENOSPC
        assert list(folder.iterdir()) == [older] and older.read_bytes() == b"older"
        fits = write_snapshot(folder, "常庄路", "CAM-0681", WHEN, PICTURE[:30_000])  # room again for a smaller one
        assert fits.name.endswith("_2.png") and fits.read_bytes() == PICTURE[:30_000]


def test_a_file_system_without_hard_links(tmp_path: Path) -> None:
    """exFAT (a USB stick) has no hard links: the snapshot still appears whole under a free name, never over
    another, and no temporary is left."""
    with exfat(tmp_path / "stick", tmp_path / "stick.img") as folder:
        first = write_snapshot(folder, "常庄路", "CAM-0681", WHEN, PICTURE)
        second = write_snapshot(folder, "常庄路", "CAM-0681", WHEN, b"second")
        assert first.read_bytes() == PICTURE and second.read_bytes() == b"second"
        assert second.name.endswith("_2.png")
        assert sorted(p.name for p in folder.iterdir()) == sorted([first.name, second.name])
