"""``kill`` (SIGTERM: a desktop session logging out, a service manager) and a closed terminal (SIGHUP) end the
running client as closing its window does: the view is saved for the next start, the data folder's lock freed,
exit status 0. Before, only Ctrl+C did; SIGTERM ended the process where it stood (the wall left after a
40-minute shift not saved, the lock file left behind)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.xvfb import xvfb_display

pytestmark = pytest.mark.e2e


def _wait_for(path: Path, text: str, proc: subprocess.Popen, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if path.is_file() and text in path.read_text("utf-8", errors="replace"):
            return True
        time.sleep(0.3)
    return False


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_to_quit_closes_the_client_as_its_window_would(name: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "COMMANDWALL_DATA_DIR": str(data),
           "COMMANDWALL_CONFIG_DIR": str(tmp_path / "config"), "COMMANDWALL_DEMO_INCIDENT_RATE": "0",
           "COMMANDWALL_LOG_LEVEL": "INFO"}  # fmt: skip
    log = data / "logs" / "commandwall.log"
    with xvfb_display(1600, 900) as display:
        proc = subprocess.Popen([sys.executable, "-m", "commandwall", "run", "--tiles", "4"],
                                env={**env, "DISPLAY": display}, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert _wait_for(log, "event stream live", proc, 120), log.read_text("utf-8") if log.is_file() else ""
            assert _wait_for(log, ": live", proc, 30), "the wall plays before it is asked to quit"
            assert (data / "commandwall.lock").exists()
            proc.send_signal(getattr(signal, name))
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert proc.returncode == 0, err[-3000:]
    logged = log.read_text("utf-8")
    assert f"{name} received: closing the client" in logged, logged[-2000:]
    assert "exercise backend stopped" in logged, "the session was stopped, not cut off"
    assert (data / "view.ini").is_file() and "wall" in (data / "view.ini").read_text("utf-8"), "the view is saved"
    assert not (data / "commandwall.lock").exists(), "the lock is freed"
