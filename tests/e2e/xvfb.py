"""A virtual X display for end-to-end tests: Xvfb on a free display number, optionally split into monitors."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from contextlib import contextmanager


def monitor_args(name: str, width: int, height: int, x: int, y: int = 0, output: str = "none") -> list[str]:
    """The xrandr arguments that make a RandR monitor ``name`` of ``width × height`` px at ``(x, y)`` (96 dpi)."""
    return ["--setmonitor", name, f"{width}/{width * 254 // 960}x{height}/{height * 254 // 960}+{x}+{y}", output]


@contextmanager
def xvfb_display(width: int = 1920, height: int = 1080, monitors: int = 1, extra: tuple[str, ...] = (),
                 sizes: Sequence[tuple[int, int]] = ()):
    """Start Xvfb (``-displayfd`` picks a free number), yield ``":N"``, stop it. ``extra``: more Xvfb arguments
    (``("-extension", "MIT-SHM")`` leaves that extension out).

    With ``monitors > 1`` the screen is ``monitors × width`` wide and split into RandR monitors, which is
    what Qt sees as several QScreens (``+xinerama`` with several ``-screen``s gives Qt only one). ``sizes``
    instead: monitors of those sizes left to right, their tops in line (the screen as wide as all of them and
    as high as the highest).
    """
    if sizes:
        monitors, width, height = len(sizes), 0, max(h for _w, h in sizes)
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0",
         f"{sum(w for w, _h in sizes) if sizes else width * monitors}x{height}x24",
         "-nolisten", "tcp", "-noreset", *extra],
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
        if sizes:
            env = {**os.environ, "DISPLAY": display}
            x = 0
            for i, (w, h) in enumerate(sizes):
                subprocess.run(["xrandr", *monitor_args(f"MON{i}", w, h, x, 0, "screen" if i == 0 else "none")],
                               env=env, check=True, timeout=20)
                x += w
        elif monitors > 1:
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


def screenshots_while_screens_change(env: dict[str, str], out, steps, *, count: int,
                                     after_s: float = 6, interval_s: float = 8) -> tuple[int, str]:
    """Run ``commandwall screenshot`` (``count`` captures) and change the monitors while it runs: ``steps`` are
    ``(capture file name, [xrandr arguments, …])``; once that capture is written, each xrandr command runs in
    turn. The first capture comes as soon as the client has settled (``after_s`` at the most). Returns the
    client's exit code and its stderr; the client is killed if anything goes wrong."""
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "commandwall", "screenshot", "--out", str(out), "--after", str(after_s),
         "--when-ready", "--count", str(count), "--interval", str(interval_s)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for name, commands in steps:
            deadline = time.monotonic() + 120
            while not (out / name).exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert (out / name).exists(), f"capture {name} never came"
            for arguments in commands:
                subprocess.run(["xrandr", *arguments], env=env, check=True, timeout=20)
        _stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, stderr
