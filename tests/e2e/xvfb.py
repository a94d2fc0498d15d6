"""A virtual X display for end-to-end tests: Xvfb on a free display number, optionally split into monitors."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager


@contextmanager
def xvfb_display(width: int = 1920, height: int = 1080, monitors: int = 1):
    """Start Xvfb (``-displayfd`` picks a free number), yield ``":N"``, stop it.

    With ``monitors > 1`` the screen is ``monitors × width`` wide and split into RandR monitors, which is
    what Qt sees as several QScreens (``+xinerama`` with several ``-screen``s gives Qt only one).
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", f"{width * monitors}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + 20
        with os.fdopen(read_fd, "rb") as pipe:
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            raise RuntimeError("Xvfb did not report a display number")
        display = f":{number.decode().strip()}"
        if monitors > 1:
            env = {**os.environ, "DISPLAY": display}
            for i in range(monitors):
                name = f"MON{i}"
                output = "screen" if i == 0 else "none"
                subprocess.run(
                    ["xrandr", "--setmonitor", name, f"{width}/508x{height}/286+{i * width}+0", output],
                    env=env, check=True, timeout=20,
                )
        yield display
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
