"""Smoke-test a built commandwall bundle the way a centre would run it: no checkout, no venv, a fresh user.

Usage::

    python3 packaging/smoke_test.py dist/                      # folder holding commandwall/commandwall
    python3 packaging/smoke_test.py dist/commandwall            # the bundle folder itself
    python3 packaging/smoke_test.py dist/commandwall-0.1.0-linux-x86_64.tar.gz   # the archive (extracted to a temp dir)

Standard library only, so any Python 3.9+ runs it (the bundle brings its own). It runs, from the bundle:

1. ``commandwall --version`` — must print ``commandwall <version> (built <date> …)``;
2. ``commandwall layers check`` — the bundled layers and pyproj's data load;
3. ``commandwall screenshot --out TMP --after 12`` on a fresh Xvfb display (``-displayfd``: a free number),
   with a clean environment (``HOME`` and ``COMMANDWALL_DATA_DIR`` in a temp dir; ``QTWEBENGINE_DISABLE_SANDBOX=1``
   as root) — the app starts its embedded exercise backend; then checks that the PNG exists and that
   ``state.json`` says the map page is ready, incidents are listed, at least one wall tile plays video and
   the alarm can sound (Qt Multimedia loads) and the wall scales through the bundled libyuv;
4. the same with ``--lang en``: the bundled English catalogue is found (the window's menus in English).

Exits 0 when all is well; otherwise prints what failed (with the app's log tail) and exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXE_NAME = "commandwall.exe" if sys.platform == "win32" else "commandwall"
LIVE_TILE = "直播"
# Log lines that mean the bundle, not the app, is broken.
# (Optional host libraries that Chromium probes, e.g. "Cannot load library vulkan", are not on the list.)
PACKAGING_ERRORS = (
    "ModuleNotFoundError",
    "No module named",
    "ImportError",
    "error while loading shared libraries",
    "Could not find QtWebEngineProcess",
    "resources not found",
    "ICU data not found",
    "locales directory not found",
    "Could not load the Qt platform plugin",
    "Failed to execute script",
)


class SmokeTestError(Exception):
    """One check failed; the message says which and shows the evidence."""


def find_executable(bundle: Path) -> Path:
    """The ``commandwall`` executable inside a bundle folder or a folder one level above it."""
    for candidate in (bundle / EXE_NAME, *sorted(bundle.glob(f"*/{EXE_NAME}"))):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise SmokeTestError(f"no executable {EXE_NAME} in {bundle} or its sub-folders")


def extract(archive: Path, into: Path) -> Path:
    """Unpack a tar.gz bundle archive (symlinks kept, nothing outside ``into``); returns ``into``."""
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            target = (into / member.name).resolve()
            if not target.is_relative_to(into.resolve()):
                raise SmokeTestError(f"archive member escapes the folder: {member.name}")
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="tar")
        else:  # Python < 3.12 without the backported filters
            tar.extractall(into)  # members checked above
    links = sum(1 for p in into.rglob("*") if p.is_symlink())
    print(f"extracted {archive.name}: {links} symlinks kept")
    return into


@contextmanager
def xvfb(width: int = 1920, height: int = 1080) -> Iterator[str]:
    """Run Xvfb on a free display (``-displayfd``) and yield ``":N"``; stop it afterwards."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise SmokeTestError("Xvfb is not installed (apt-get install xvfb xauth)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
         "-noreset"],
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
            raise SmokeTestError("Xvfb did not report a display number")
        yield f":{number.decode().strip()}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def clean_env(home: Path, display: str | None) -> dict[str, str]:
    """A minimal environment: nothing from a venv or the developer's shell leaks into the bundle."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin" if sys.platform != "win32" else os.environ.get("PATH", ""),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "XDG_RUNTIME_DIR": str(home / "run"),
        "COMMANDWALL_DATA_DIR": str(home / "data"),
    }
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform == "win32":
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "TEMP", "TMP") if k in os.environ})
    if display:
        env.update({"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"})
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"  # Chromium refuses to run sandboxed as root
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float, log: Path) -> subprocess.CompletedProcess:
    """Run one bundle command, saving its output to ``log``; a timeout is a failure, not a hang."""
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = (exc.stderr or b"").decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        log.write_text(out + err, encoding="utf-8")
        raise SmokeTestError(f"{' '.join(cmd[1:])} did not finish in {timeout:.0f} s\n{_tail(out + err)}") from exc
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    print(f"  {Path(cmd[0]).name} {' '.join(cmd[1:3])}: exit {proc.returncode} in {time.monotonic() - t0:.1f} s")
    return proc


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join("    | " + line for line in text.splitlines()[-lines:])


def _packaging_errors(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if any(sig in line for sig in PACKAGING_ERRORS)]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file; raises SmokeTestError if it is not one."""
    head = path.read_bytes()[:24]
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise SmokeTestError(f"{path} is not a PNG image")
    return struct.unpack(">II", head[16:24])


def check_version(exe: Path, env: dict[str, str], work: Path) -> str:
    """``commandwall --version`` prints the version and the build date of a frozen build."""
    proc = run([str(exe), "--version"], env, 60, work / "version.log")
    line = proc.stdout.strip()
    if proc.returncode != 0 or not line.startswith("commandwall ") or "built " not in line:
        raise SmokeTestError(
            f"--version: exit {proc.returncode}, printed {line!r}; want 'commandwall X (built DATE …)' "
            f"(cli.py's --version should use commandwall.buildinfo.VersionAction)\n{_tail(proc.stderr)}"
        )
    return line


def check_layers(exe: Path, env: dict[str, str], work: Path) -> None:
    """``commandwall layers check`` loads every bundled layer (CRS conversion through pyproj's data)."""
    proc = run([str(exe), "layers", "check"], env, 90, work / "layers.log")
    if proc.returncode != 0:
        raise SmokeTestError(f"layers check failed (exit {proc.returncode}):\n{_tail(proc.stdout + proc.stderr)}")


def check_screenshot(exe: Path, env: dict[str, str], work: Path, after: float, timeout: float) -> dict:
    """``commandwall screenshot`` under Xvfb: PNG written, map ready, incidents listed, video playing."""
    out = work / "shots"
    proc = run([str(exe), "screenshot", "--out", str(out), "--after", str(after)], env, timeout,
               work / "screenshot.log")
    output = proc.stdout + proc.stderr
    broken = _packaging_errors(output)
    if proc.returncode != 0 or broken:
        raise SmokeTestError(f"screenshot: exit {proc.returncode}; packaging errors: {broken or 'none'}\n"
                           f"{_tail(output)}")
    state_file = out / "state.json"
    if not state_file.is_file():
        raise SmokeTestError(f"screenshot wrote no {state_file}\n{_tail(output)}")
    shot = json.loads(state_file.read_text(encoding="utf-8"))[0]
    state = shot["state"]
    problems = []
    for name in shot["files"]:
        png = Path(name)
        if not png.is_file():
            problems.append(f"screenshot {png} is missing")
            continue
        width, height = png_size(png)
        if (width, height) != (1920, 1080) or png.stat().st_size < 50_000:
            problems.append(f"screenshot {png.name} is {width}x{height}, {png.stat().st_size} bytes (blank?)")
    if not shot["files"]:
        problems.append("screenshot listed no PNG files")
    if not state.get("map_ready"):
        problems.append("the map page never reported ready (QtWebEngine, cw:// assets or layers)")
    if not state.get("incidents_listed"):
        problems.append("no incidents listed (embedded exercise backend or its data)")
    tiles = [t.get("state") for t in state.get("tiles", [])]
    if LIVE_TILE not in tiles:
        problems.append(f"no wall tile plays video (cv2/FFmpeg); tile states {tiles}")
    if state.get("alarm_sound") != "QSoundEffect":
        problems.append(f"the alarm cannot sound (Qt Multimedia not in the bundle): {state.get('alarm_sound')}")
    if state.get("wall_scaling") != "libyuv":
        problems.append(f"the bundle's libyuv did not load: wall pictures scaled by {state.get('wall_scaling')} "
                        f"(about twice the CPU at 9, 16 and 36 tiles)")
    if problems:
        raise SmokeTestError("screenshot checks failed:\n  " + "\n  ".join(problems) + f"\n{_tail(output)}")
    print(f"  map ready, {state['incidents_listed']} incidents listed, tiles {tiles}, "
          f"connection {state.get('connection', '?').strip()}")
    return state


def check_english(exe: Path, env: dict[str, str], work: Path, timeout: float) -> None:
    """``--lang en``: the bundled English catalogue (resources/i18n/commandwall_en.qm) is found and used."""
    out = work / "shots-en"
    proc = run([str(exe), "--lang", "en", "screenshot", "--out", str(out), "--after", "4"], env, timeout,
               work / "screenshot-en.log")
    output = proc.stdout + proc.stderr
    state_file = out / "state.json"
    if proc.returncode != 0 or not state_file.is_file():
        raise SmokeTestError(f"screenshot --lang en: exit {proc.returncode}\n{_tail(output)}")
    state = json.loads(state_file.read_text(encoding="utf-8"))[0]["state"]
    if state.get("language") != "en" or "Video Wall" not in state.get("menus", []):
        raise SmokeTestError(f"the English catalogue was not used: language {state.get('language')}, menus "
                             f"{state.get('menus')}\n{_tail(output)}")
    if state.get("no_glyph"):
        raise SmokeTestError(f"texts drawn as boxes (no font has their characters): {state['no_glyph']}")
    print(f"  in English: menus {', '.join(state['menus'])}")


def smoke(target: Path, after: float = 12.0, timeout: float = 180.0, keep: Path | None = None) -> None:
    """Run every check against ``target`` (bundle folder, its parent, or a .tar.gz); raise SmokeTestError."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cw-smoke-") as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if target.is_file() and target.name.endswith((".tar.gz", ".tgz")):
            target = extract(target, Path(tmp) / "bundle")
        exe = find_executable(target)
        print(f"smoke test of {exe}")
        home = work / "home"
        home.mkdir(exist_ok=True)
        version = check_version(exe, clean_env(home, None), work)
        print(f"  {version}")
        check_layers(exe, clean_env(home, None), work)
        with xvfb() as display:
            check_screenshot(exe, clean_env(home, display), work, after, timeout)
            check_english(exe, clean_env(home, display), work, timeout)
    print(f"smoke test passed in {time.monotonic() - started:.0f} s")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``smoke_test.py BUNDLE [--after S] [--timeout S] [--keep DIR]``; returns the exit code."""
    p = argparse.ArgumentParser(description="Smoke-test a built commandwall bundle under Xvfb.")
    p.add_argument("bundle", type=Path, help="dist folder, bundle folder, or the .tar.gz archive")
    p.add_argument("--after", type=float, default=12.0, help="seconds before the screenshot (default 12)")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds the screenshot may take (default 180)")
    p.add_argument("--keep", type=Path, help="keep logs, screenshots and the data folder here")
    args = p.parse_args(argv)
    try:
        smoke(args.bundle, after=args.after, timeout=args.timeout, keep=args.keep)
    except SmokeTestError as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
