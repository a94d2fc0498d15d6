"""Another program holding one of the desk's SQLite files: a separate process (as a backup tool or the ``sqlite3``
shell would be) with the file in an exclusive transaction until it is let go."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

#: The holding program: ``BEGIN EXCLUSIVE`` in the file's journal mode (``keep``), or after switching it to a rollback
#: journal (``DELETE``: then readers wait too; in WAL mode only writers do), "held" on its output, then it waits for
#: a line (or the end) on its input and lets go.
_HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] != "keep":
    db.execute("PRAGMA journal_mode=" + sys.argv[2])
db.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
db.close()
"""


@contextlib.contextmanager
def held_by_another_program(path: Path, journal: str = "DELETE") -> Iterator[Callable[[], None]]:
    """Hold the database at ``path`` locked from another process (``journal``: ``DELETE`` switches the file to a
    rollback journal first; ``keep`` holds it as it is — a WAL file stays open to readers); yields a function that
    lets it go (it is let go at the end anyway)."""
    process = subprocess.Popen([sys.executable, "-c", _HOLD, str(path), journal], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)

    def let_go() -> None:
        if process.poll() is None:
            assert process.stdin is not None
            with contextlib.suppress(OSError):
                process.stdin.write("\n")
                process.stdin.close()
            process.wait(timeout=10)

    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held", "the holding program did not take the lock"
        yield let_go
    finally:
        try:
            let_go()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
