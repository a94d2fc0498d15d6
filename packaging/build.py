"""Build the commandwall bundle: PyInstaller (onedir) → checks → size report → archive.

Usage (from anywhere; paths are relative to the checkout)::

    .venv/bin/python packaging/build.py                 # dist/commandwall/ + dist/commandwall-<v>-<os>-<arch>.tar.gz
    .venv/bin/python packaging/build.py --no-archive    # just the folder
    .venv/bin/python packaging/build.py --no-trim       # PyInstaller defaults (to compare sizes / find a bad trim)

Steps: write ``build/_buildinfo.json`` (version, UTC build time — ``SOURCE_DATE_EPOCH`` if set — and git
revision), run PyInstaller with ``packaging/commandwall.spec``, strip debug symbols from the interpreter's own
libraries (Linux; wheels' libraries are left alone: stripping patchelf-edited libraries breaks them), check
that the bundle holds what the app needs, print its size and biggest parts, then archive it — a tar.gz with
symlinks kept (a zip on Windows) and a ``.sha256`` beside it. Exits non-zero with a message on any failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "commandwall.spec"
APP = "commandwall"

sys.path.insert(0, str(ROOT))
from commandwall import buildinfo  # noqa: E402 (needs the checkout on sys.path first)


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def platform_tag() -> str:
    """``linux-x86_64``, ``windows-x86_64``, ``macos-arm64`` … for the archive name."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def write_buildinfo(path: Path) -> dict:
    """Write the bundle's ``_buildinfo.json``; ``SOURCE_DATE_EPOCH`` (if set) fixes the build time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else None
    record = buildinfo.make_record(built_at=when, revision=buildinfo.git_revision(ROOT))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def preflight() -> None:
    """Fail early, with the fix, when a tool the build needs is missing."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError as exc:
        raise BuildError("PyInstaller is not installed in this environment: pip install -e '.[package]'") from exc
    if sys.platform.startswith("linux"):
        missing = [tool for tool in ("ldd", "objdump", "objcopy") if shutil.which(tool) is None]
        if missing:
            raise BuildError(f"PyInstaller needs {', '.join(missing)}: apt-get install binutils libc-bin")


def run_pyinstaller(dist: Path, work: Path, info_file: Path, trim: bool, clean: bool) -> None:
    """Run PyInstaller on the spec with this interpreter; its log goes to ``work/pyinstaller.log``."""
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        cmd.append("--clean")
    env = {**os.environ, "COMMANDWALL_BUILDINFO": str(info_file),
           "COMMANDWALL_PACKAGE_TRIM": "1" if trim else "0"}
    work.mkdir(parents=True, exist_ok=True)
    log_file = work / "pyinstaller.log"
    with log_file.open("w", encoding="utf-8") as log:
        proc = subprocess.run([*cmd, str(SPEC)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              check=False)
    text = log_file.read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        if "WARNING" in line or "ERROR" in line:
            print(f"  pyinstaller: {line.strip()}")
    if proc.returncode != 0:
        tail = "\n".join(text.splitlines()[-30:])
        raise BuildError(f"PyInstaller failed (exit {proc.returncode}); log {log_file}:\n{tail}")


def data_root(bundle: Path) -> Path:
    """The bundle's data folder (``sys._MEIPASS``): ``_internal`` in PyInstaller 6, the bundle itself before."""
    internal = bundle / "_internal"
    return internal if internal.is_dir() else bundle


def strip_interpreter_libs(bundle: Path) -> int:
    """``strip --strip-debug`` libpython and the stdlib extension modules (Linux); returns bytes saved.

    Only the interpreter's own files: wheels' libraries are patchelf-edited by auditwheel, and stripping
    those corrupts them ("ELF load command address/offset not page-aligned").
    """
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return 0
    internal = data_root(bundle)
    targets = [p for p in internal.glob("libpython3*.so*") if p.is_file() and not p.is_symlink()]
    targets += sorted(internal.glob("python3*/lib-dynload/*.so"))
    before = sum(p.stat().st_size for p in targets)
    if targets:
        subprocess.run([strip, "--strip-debug", *map(str, targets)], check=True)
    return before - sum(p.stat().st_size for p in targets)


def _missing_qt_deps(internal: Path) -> list[str]:
    """Qt/ICU/PySide libraries that a bundled ELF file links but the bundle lacks (Linux, via ldd)."""
    ldd = shutil.which("ldd")
    if not sys.platform.startswith("linux") or ldd is None:
        return []
    qt_dir = internal / "PySide6"
    files = [p for p in qt_dir.rglob("*") if p.is_file() and not p.is_symlink() and ".so" in p.name]
    files += [p for p in qt_dir.rglob("QtWebEngineProcess") if p.is_file()]
    problems = []
    for f in files:
        out = subprocess.run([ldd, str(f)], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            name = line.strip().split(" ", 1)[0]
            if "not found" in line and name.startswith(("libQt6", "libicu", "libpyside6", "libshiboken6")):
                problems.append(f"{f.relative_to(internal)} needs {name}")
    return problems


def check_bundle(bundle: Path) -> list[str]:
    """What is wrong with the bundle (empty when it holds what the app needs)."""
    exe = bundle / (APP + (".exe" if sys.platform == "win32" else ""))
    internal = data_root(bundle)
    problems = [] if exe.is_file() else [f"executable {exe} is missing"]
    required = [
        "_buildinfo.json",
        "layers/manifest.json",
        "resources/api/openapi.yaml",
        "resources/web/cw-map.js",
        "resources/web/cw-map.css",
        "resources/web/node_modules/leaflet/dist/leaflet.js",
        "resources/web/node_modules/leaflet/dist/leaflet.css",
        "resources/web/node_modules/proj4/dist/proj4.js",
        "resources/web/node_modules/supercluster/dist/supercluster.min.js",
        "resources/web/node_modules/kdbush/kdbush.min.js",
        "resources/web/cw-points.js",
        "resources/web/cw-incidents.js",
        "resources/web/cw-tools.js",
        "resources/web/cw-select.js",
        "resources/basemaps/xuecheng.mbtiles",
        "resources/clips/manifest.json",
        "resources/clips/h264-sub.ts",
        "resources/clips/hevc-sub.ts",
        "resources/i18n/commandwall_en.qm",
    ]
    problems += [f"{name} is missing" for name in required if not (internal / name).is_file()]
    helper = [p for p in internal.rglob("QtWebEngineProcess*") if p.is_file()]
    if not helper:
        problems.append("QtWebEngineProcess (QtWebEngine's helper executable) is missing")
    for name in ("qtwebengine_resources.pak", "icudtl.dat", "v8_context_snapshot.bin"):
        if not any(internal.rglob(name)):
            problems.append(f"QtWebEngine resource {name} is missing")
    locales = sorted(p.name for p in internal.rglob("qtwebengine_locales/*.pak"))
    if "zh-CN.pak" not in locales or "en-US.pak" not in locales:
        problems.append(f"QtWebEngine locales zh-CN/en-US missing (have {locales})")
    if any(internal.rglob("node_modules/*/src")):
        problems.append("node_modules sources were bundled (only dist files should be)")
    problems += [f"broken link: {m}" for m in _missing_qt_deps(internal)]
    return problems


def _size(path: Path) -> int:
    """Bytes under ``path`` (files only; symlinks count as themselves, not their targets)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_symlink() or p.is_file())


def biggest_parts(root: Path, total: int, limit: int = 15, share: float = 0.2) -> list[tuple[int, str]]:
    """The biggest entries under ``root``; a folder holding more than ``share`` of ``total`` is opened up."""
    parts: list[tuple[int, str]] = []
    todo = [root]
    while todo:
        folder = todo.pop()
        for child in folder.iterdir():
            size = _size(child)
            if child.is_dir() and not child.is_symlink() and size > share * total:
                todo.append(child)
            else:
                parts.append((size, child.relative_to(root).as_posix() + ("/" if child.is_dir() else "")))
    return sorted(parts, reverse=True)[:limit]


def report_size(bundle: Path) -> int:
    """Print the bundle's size and biggest parts; return the size in bytes."""
    total = _size(bundle)
    files = sum(1 for p in bundle.rglob("*") if p.is_file() or p.is_symlink())
    print(f"bundle {bundle}: {total / 1e6:.0f} MB ({total / 2**20:.0f} MiB) in {files} files")
    for size, name in biggest_parts(bundle, total):
        print(f"  {size / 1e6:8.1f} MB  {name}")
    return total


def _tarinfo_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Archive entries owned by root:root, group/other not writable (whoever built it)."""
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode &= 0o755 if not info.issym() else 0o777
    return info


def _walk(bundle: Path) -> Iterator[Path]:
    """Every entry under ``bundle`` in sorted order; symlinks are not followed."""
    for dirpath, dirnames, filenames in os.walk(bundle):
        dirnames.sort()
        base = Path(dirpath)
        for name in dirnames:
            yield base / name
        for name in sorted(filenames):
            yield base / name


def make_archive(bundle: Path, out_base: Path, top: str, level: int) -> Path:
    """``out_base``.tar.gz (zip on Windows) holding ``bundle`` as ``top/``; symlinks stay symlinks."""
    if sys.platform == "win32":
        out = out_base.with_name(out_base.name + ".zip")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
            for path in _walk(bundle):
                if path.is_file():
                    zf.write(path, f"{top}/{path.relative_to(bundle).as_posix()}")
        return out
    out = out_base.with_name(out_base.name + ".tar.gz")
    partial = out.with_name(out.name + ".part")
    with tarfile.open(partial, "w:gz", compresslevel=level) as tar:
        tar.add(bundle, arcname=top, recursive=False, filter=_tarinfo_filter)
        for path in _walk(bundle):
            tar.add(path, arcname=f"{top}/{path.relative_to(bundle).as_posix()}", recursive=False,
                    filter=_tarinfo_filter)
    partial.replace(out)
    return out


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    p.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (default: build/)")
    p.add_argument("--no-archive", action="store_true", help="skip the tar.gz")
    p.add_argument("--no-trim", action="store_true", help="PyInstaller defaults: no excludes, no trimming")
    p.add_argument("--no-strip", action="store_true", help="keep debug symbols in libpython")
    p.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    p.add_argument("--level", type=int, default=6, choices=range(1, 10), metavar="1-9",
                   help="gzip level of the archive (default 6)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build, check, size and archive; returns the exit code."""
    args = parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    bundle = dist / APP
    timings: list[tuple[str, float]] = []
    started = time.monotonic()
    try:
        preflight()
        info_file = work / buildinfo.BUILDINFO_FILE
        record = write_buildinfo(info_file)
        print(f"building commandwall {record['version']} ({record['revision'] or 'no git revision'}, "
              f"{record['built_at']}) with {sys.executable}")
        t0 = time.monotonic()
        run_pyinstaller(dist, work / "pyinstaller", info_file, trim=not args.no_trim, clean=args.clean)
        timings.append(("pyinstaller", time.monotonic() - t0))
        if not args.no_strip:
            saved = strip_interpreter_libs(bundle)
            if saved:
                print(f"stripped debug symbols from the interpreter's libraries: {saved / 1e6:.1f} MB")
        problems = check_bundle(bundle)
        if problems:
            raise BuildError("the bundle is incomplete:\n  " + "\n  ".join(problems))
        report_size(bundle)
        trimmed = work / "pyinstaller" / "commandwall" / "trimmed.txt"
        if trimmed.is_file():
            count = len(trimmed.read_text(encoding="utf-8").splitlines())
            print(f"left out {count} collected files (list: {trimmed.relative_to(ROOT)})")
        if not args.no_archive:
            t0 = time.monotonic()
            base = dist / f"{APP}-{record['version']}-{platform_tag()}"
            archive = make_archive(bundle, base, top=f"{APP}-{record['version']}", level=args.level)
            digest = sha256_file(archive)
            Path(f"{archive}.sha256").write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
            timings.append(("archive", time.monotonic() - t0))
            size = archive.stat().st_size
            print(f"archive {archive}: {size / 1e6:.0f} MB ({size / 2**20:.0f} MiB), sha256 {digest[:16]}…")
    except (BuildError, OSError, subprocess.CalledProcessError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    timings.append(("total", time.monotonic() - started))
    print("timings: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
