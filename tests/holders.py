"""Another program holding one of the desk's SQLite files: a separate process (as a backup tool or the ``sqlite3``
shell would be) with the file in an exclusive transaction until it is let go."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

#: The holding program: rollback journal (a WAL file would let readers in), ``BEGIN EXCLUSIVE``, "held" on its
#: output, then it waits for a line (or the end) on its input and lets go.
_HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=DELETE")
db.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
db.close()
"""


@contextlib.contextmanager
def held_by_another_program(path: Path) -> Iterator[Callable[[], None]]:
    """Hold the database at ``path`` locked from another process; yields a function that lets it go (it is let go
    at the end anyway)."""
    process = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdin=subprocess.PIPE,
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
