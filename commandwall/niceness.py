"""CPU priority for work that can wait while the GUI thread cannot: the map page's Chromium processes and
compositing threads.

On a desk with two cores the GUI thread shares them with the decoder process, the map page's renderer process,
Chromium's compositor in the client's own process, the X server and the platform's other programs. In an
incident burst the GUI thread's stalls over 50 ms were mostly time it was ready to run and waiting for a core
(43–69 % of the late time, measured with ``bench_incidents --stalls``), not work of its own. The map page
draws at most twice a second in a burst, so its renderer and compositor lose nothing that matters by yielding:
with them ``MAP_NICENESS`` nicer, a 50 incidents/s burst stalled the GUI thread at most 37–57 ms (0–1 stalls over
50 ms in 30 s) in four runs, against 67–131 ms (2–6 stalls) in four runs without, alternating.

Linux only: niceness there is per thread (``setpriority`` on a thread id), raising it needs no privilege, and
threads inherit it from the thread that starts them. Elsewhere (and without ``/proc``) these do nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from pathlib import Path

log = logging.getLogger(__name__)

#: how much nicer than the client's GUI thread the map page's renderer and compositing threads run
MAP_NICENESS = 5
#: Chromium's threads in the client's own process that composite the map page (as Linux shortens thread names, to
#: 15 characters): its display compositor and its in-process GPU thread (software GL without a GPU)
CHROMIUM_COMPOSITING_THREADS = frozenset({"VizCompositorTh", "Chrome_InProcGp"})

_TASKS = Path("/proc")


def supported() -> bool:
    """Whether threads have a niceness of their own here (Linux with ``/proc``)."""
    return hasattr(os, "setpriority") and (_TASKS / "self" / "task").is_dir()


def at_least(thread_id: int, niceness: int) -> bool:
    """Make thread (or process) ``thread_id`` at least ``niceness`` nice (at most 19); never less nice than it is,
    so calling again changes nothing. True if it changed; False if it already was, is gone, or may not be changed."""
    niceness = min(19, niceness)
    try:
        if os.getpriority(os.PRIO_PROCESS, thread_id) >= niceness:
            return False
        os.setpriority(os.PRIO_PROCESS, thread_id, niceness)
        return True
    except OSError:  # the thread ended meanwhile, or belongs to someone else
        return False


def threads_of(pid: int) -> list[int]:
    """The thread ids of process ``pid`` (none when it is gone or there is no ``/proc``)."""
    try:
        return [int(entry.name) for entry in (_TASKS / str(pid) / "task").iterdir() if entry.name.isdigit()]
    except OSError:
        return []


def thread_name(pid: int, thread_id: int) -> str:
    """A thread's name as Linux keeps it (15 characters at most); "" when it is gone."""
    try:
        path = _TASKS / str(pid) / "task" / str(thread_id) / "comm"
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def lower_process(pid: int, by: int = MAP_NICENESS) -> int:
    """Every thread of process ``pid`` at least ``by`` nicer than this process's main thread; how many changed."""
    if not supported() or pid <= 0:
        return 0
    target = main_thread_niceness() + by
    return sum(at_least(thread_id, target) for thread_id in threads_of(pid))


def lower_own_threads(names: Collection[str], by: int = MAP_NICENESS) -> int:
    """The threads of this process named one of ``names`` at least ``by`` nicer than its main thread; how many
    changed."""
    if not supported():
        return 0
    pid, target = os.getpid(), main_thread_niceness() + by
    return sum(at_least(thread_id, target) for thread_id in threads_of(pid)
               if thread_id != pid and thread_name(pid, thread_id) in names)  # fmt: skip


def main_thread_niceness() -> int:
    """The niceness of this process's main thread (the GUI thread in the client)."""
    try:
        return os.getpriority(os.PRIO_PROCESS, os.getpid())
    except OSError:
        return 0
