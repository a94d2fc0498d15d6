"""One client per data folder: a second one is refused with a clear message, a crashed one's lock is taken over."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from commandwall.ui.app import AlreadyRunningError, DataFolderError, acquire_desk_lock


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


@pytest.mark.parametrize("below", ["", "desk"])
def test_a_data_folder_that_is_a_file_is_named_with_the_reason(tmp_path, below):
    """A data folder set to a file's path (or below one) is said with the folder and why, not a traceback."""
    taken = tmp_path / "commandwall-data"
    taken.write_text("not a folder")
    folder = taken / below if below else taken
    with pytest.raises(DataFolderError) as refused:
        acquire_desk_lock(folder)
    assert not isinstance(refused.value, AlreadyRunningError)
    assert str(folder) in str(refused.value) and "数据目录无法使用" in str(refused.value)
    if not below:
        assert "不是文件夹" in str(refused.value)
    assert taken.read_text() == "not a folder"  # left as it was


def test_a_data_folder_nothing_can_be_written_in_is_not_taken_for_another_client(tmp_path):
    """A folder where the lock file cannot be made (read-only disk, no rights; here /proc, where even root
    cannot create files) is said as such: not as 已在运行（进程 0） with nothing running."""
    with pytest.raises(DataFolderError) as refused:
        acquire_desk_lock(Path("/proc/self"))
    assert not isinstance(refused.value, AlreadyRunningError)
    assert str(refused.value).startswith("数据目录无法") and "/proc/self" in str(refused.value)


def test_the_client_started_on_a_file_as_its_data_folder_exits_with_the_reason(tmp_path):
    """The command a desk runs: one clear line on stderr, exit 1, no traceback, nothing made in the file's place."""
    taken = tmp_path / "data"
    taken.write_text("x")
    env = {**os.environ, "COMMANDWALL_DATA_DIR": str(taken), "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config"),
           "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "commandwall", "screenshot", "--out", str(tmp_path / "shots"),
                           "--after", "1"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert f"数据目录无法使用：{taken}" in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "shots").exists() and taken.read_text() == "x"


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_lock_file_that_is_no_regular_file_is_named_not_taken_for_another_client(tmp_path, kind):
    """``commandwall.lock`` a folder read as 已在运行（进程 0，）with nothing running; a named pipe held the start
    for ever (Qt read the owner from it). Both are said as the data folder's problem, naming the lock file, at
    once (a process of its own: a wait cannot hold up the tests), and left as they were."""
    lock_path = tmp_path / "commandwall.lock"
    if kind == "folder":
        lock_path.mkdir()
    else:
        os.mkfifo(lock_path)
    code = (
        "import sys; from pathlib import Path\n"
        "from commandwall.ui.app import acquire_desk_lock, AlreadyRunningError, DataFolderError\n"
        "try:\n    acquire_desk_lock(Path(sys.argv[1]))\nexcept AlreadyRunningError as e:\n"
        "    print(e); sys.exit(4)\nexcept DataFolderError as e:\n    print(e); sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "已在运行" not in proc.stdout
    assert f"数据目录无法使用：{tmp_path}" in proc.stdout and str(lock_path) in proc.stdout, proc.stdout
    assert "不是普通文件" in proc.stdout, proc.stdout
    assert lock_path.is_dir() if kind == "folder" else lock_path.is_fifo()


def test_the_client_whose_log_file_is_a_named_pipe_starts_and_logs_to_stderr(tmp_path):
    """``logs/commandwall.log`` a named pipe: the client hung before its window, holding the data folder's lock
    (a second start was refused as already running). Now it says so on stderr, starts, and takes its pictures."""
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    os.mkfifo(data / "logs" / "commandwall.log")
    env = {**os.environ, "COMMANDWALL_DATA_DIR": str(data), "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config"),
           "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    proc = subprocess.run([sys.executable, "-m", "commandwall", "screenshot", "--out", str(tmp_path / "shots"),
                           "--after", "1", "--timeout", "1"], capture_output=True, text=True, timeout=180, env=env,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]  # 1: pictures taken before the exercise connected
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert f"no log file in {data / 'logs'}" in proc.stderr and "named pipe" in proc.stderr, proc.stderr[-2000:]
    assert (tmp_path / "shots" / "screen-0.png").exists()
    assert (data / "logs" / "commandwall.log").is_fifo()
