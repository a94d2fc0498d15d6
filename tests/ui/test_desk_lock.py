"""One client per data folder: a second one is refused with a clear message, a crashed one's lock is taken over."""

from __future__ import annotations

import subprocess
import sys

import pytest

from commandwall.ui.app import AlreadyRunningError, acquire_desk_lock


def test_second_client_on_the_same_data_folder_is_refused(tmp_path):
    lock = acquire_desk_lock(tmp_path)
    try:
        code = (
            "import sys; from pathlib import Path\n"
            "from commandwall.ui.app import acquire_desk_lock, AlreadyRunningError\n"
            "try:\n    acquire_desk_lock(Path(sys.argv[1]))\nexcept AlreadyRunningError as e:\n"
            "    print(e); sys.exit(3)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 3
        assert "已在运行" in proc.stdout and str(tmp_path) in proc.stdout
    finally:
        lock.unlock()
    again = acquire_desk_lock(tmp_path)  # free again once released
    again.unlock()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    code = (
        "import os, sys; from pathlib import Path\n"
        "from commandwall.ui.app import acquire_desk_lock\n"
        "held = acquire_desk_lock(Path(sys.argv[1]))\nos._exit(0)  # dies holding the lock\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=60)
    assert (tmp_path / "commandwall.lock").exists()
    lock = acquire_desk_lock(tmp_path)
    lock.unlock()


def test_same_process_cannot_take_it_twice(tmp_path):
    lock = acquire_desk_lock(tmp_path)
    try:
        with pytest.raises(AlreadyRunningError):
            acquire_desk_lock(tmp_path)
    finally:
        lock.unlock()


@pytest.mark.parametrize("content", [b"", b"garbage\n", b"\x00\xff\xfe", b"12"])
def test_a_lock_file_naming_no_owner_is_taken_over(tmp_path, content):
    """A power cut while the lock file was written leaves it empty or cut short: it locks nothing (refusing every
    start with 已在运行（进程 0）, as it did, kept the desk down until someone deleted it)."""
    (tmp_path / "commandwall.lock").write_bytes(content)
    lock = acquire_desk_lock(tmp_path)
    assert lock.isLocked()
    lock.unlock()
