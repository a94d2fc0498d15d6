"""Real file systems for tests that need a full disk or a file system without hard links: mounted for the test
and unmounted after it; the test is skipped where mounting is not permitted (not root, no tools, no kernel or
FUSE support)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

#: in every skip of this module: the machine's rights (root, loop devices, FUSE), not the set-up, decide whether a
#: file system can be mounted, so such a skip is allowed in CI (tests/conftest.py)
MOUNT_UNAVAILABLE = "MOUNT_UNAVAILABLE"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


def _needs_root() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip(f"{MOUNT_UNAVAILABLE}: mounting a file system needs root")


@contextlib.contextmanager
def tmpfs(where: Path, size_bytes: int) -> Iterator[Path]:
    """A tmpfs of ``size_bytes`` mounted on ``where`` (made): a disk that is full after that many bytes."""
    _needs_root()
    where.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(where))
    if mounted.returncode != 0:
        pytest.skip(f"{MOUNT_UNAVAILABLE}: tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        _run("umount", str(where))


@contextlib.contextmanager
def exfat(where: Path, image: Path, size_bytes: int = 8 << 20) -> Iterator[Path]:
    """An exFAT file system (no hard links, as on a USB stick) in ``image``, mounted with FUSE on ``where``."""
    _needs_root()
    tools = ("mkfs.exfat", "mount.exfat-fuse", "losetup")
    if missing := [tool for tool in tools if shutil.which(tool) is None]:
        pytest.skip(f"{MOUNT_UNAVAILABLE}: no {', '.join(missing)} here")
    where.mkdir(parents=True, exist_ok=True)
    with image.open("wb") as file:
        file.truncate(size_bytes)
    if (made := _run("mkfs.exfat", str(image))).returncode != 0:
        pytest.skip(f"{MOUNT_UNAVAILABLE}: mkfs.exfat failed: {made.stderr.strip()}")
    loop = _run("losetup", "-f", "--show", str(image))
    if loop.returncode != 0:
        pytest.skip(f"{MOUNT_UNAVAILABLE}: no loop device: {loop.stderr.strip()}")
    device = loop.stdout.strip()
    try:
        mounted = _run("mount.exfat-fuse", device, str(where))
        if mounted.returncode != 0:
            pytest.skip(f"{MOUNT_UNAVAILABLE}: exFAT cannot be mounted here: {mounted.stderr.strip()}")
        try:
            yield where
        finally:
            _run("umount", str(where))
    finally:
        _run("losetup", "-d", device)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the disk under ``folder`` up to about ``leave`` bytes free (0: full, to the last block): a file of it."""
    filler = folder / "filler"
    stat = os.statvfs(folder)
    wanted = max(0, stat.f_bavail * stat.f_frsize - leave)
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        block = b"\0" * 4096
        while wanted > 0 or leave == 0:
            try:
                wanted -= os.write(fd, block[: wanted] if leave else block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    finally:
        os.close(fd)
    return filler


def remount(where: Path, *, read_only: bool) -> None:
    """Make the file system mounted on ``where`` read-only (a disk that went so), or writable again (mended)."""
    done = _run("mount", "-o", f"remount,{'ro' if read_only else 'rw'}", str(where))
    assert done.returncode == 0, done.stderr
