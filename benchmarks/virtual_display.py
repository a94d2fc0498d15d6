"""A virtual X display for the video benchmarks that put pictures into X windows (``bench_presentation.py``,
``bench_wall.py --xvfb``)."""

from __future__ import annotations

import atexit
import os
import select
import shutil
import subprocess
import tempfile
import time

from exercise_backend import stop_process  # this script's folder

#: how long Xvfb may take to accept connections
XVFB_START_S = 15.0


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    """An Xvfb of ``width`` × ``height`` × 24 on the first free display number (it says which on a pipe once it
    accepts connections); returns (process, display name). Exits with a message when there is no Xvfb or it does
    not start within :data:`XVFB_START_S`."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise SystemExit("no Xvfb on PATH: install it (apt-get install xvfb; scripts/system-deps.sh installs it)")
    read_end, write_end = os.pipe()
    messages = tempfile.TemporaryFile()  # noqa: SIM115 - read on failure; closed when the script ends
    proc = subprocess.Popen(
        [binary, "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
         "-noreset"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=messages,
    )  # fmt: skip
    os.close(write_end)
    atexit.register(stop_process, proc)  # also when the script ends by a signal (end_cleanly_on_signals)
    answer = b""
    deadline = time.monotonic() + XVFB_START_S
    try:
        while not answer.endswith(b"\n") and time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([read_end], [], [], 0.2)
            if ready:
                chunk = os.read(read_end, 64)
                if not chunk:
                    break
                answer += chunk
    finally:
        os.close(read_end)
    if not answer.strip().isdigit():
        stop_process(proc)
        messages.seek(0)
        said = messages.read().decode(errors="replace").strip()[-1000:]
        raise SystemExit(f"Xvfb did not start within {XVFB_START_S:g} s: {said or 'no message'}")
    return proc, f":{answer.strip().decode()}"
