"""PySide6 6.12.0 on Python 3.11 aborted after ~570 Signal.emit() calls; this must survive tens of thousands."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading
    from PySide6.QtCore import QCoreApplication, QObject, Signal, Qt

    class Source(QObject):
        sig_flag = Signal(bool)
        sig_item = Signal(object)

    app = QCoreApplication([])
    source = Source()
    received = {"flag": 0, "item": 0}
    source.sig_flag.connect(lambda v: received.__setitem__("flag", received["flag"] + 1),
                            Qt.ConnectionType.QueuedConnection)
    source.sig_item.connect(lambda v: received.__setitem__("item", received["item"] + 1),
                            Qt.ConnectionType.QueuedConnection)

    def worker(n):
        for i in range(n):
            source.sig_flag.emit(i % 2 == 0)
            source.sig_item.emit({"i": i})

    threads = [threading.Thread(target=worker, args=(10_000,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(200):
        app.processEvents()
        if received["flag"] == 40_000 and received["item"] == 40_000:
            break
    for i in range(20_000):  # and from the main thread, direct
        source.sig_flag.emit(True)
    app.processEvents()
    print("received", received["flag"], received["item"])
    """
)


def test_many_signal_emits_across_threads_survive():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=240,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    flags, items = map(int, proc.stdout.split()[1:3])
    assert items == 40_000
    assert flags >= 40_000
