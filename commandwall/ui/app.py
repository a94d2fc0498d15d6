"""Starting the GUI: environment, QApplication, the main window, and the screenshot mode."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from commandwall import paths
from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.config import DEFAULT_LANGUAGE, Settings
from commandwall.i18n import translate
from commandwall.localtime import set_display_offset
from commandwall.logs import log_to_file

log = logging.getLogger(__name__)

#: how long another thread may keep the interpreter lock while the GUI thread waits for it (Python's default is
#: 5 ms). PySide gives the lock up around every Qt call, so each paint takes it back dozens of times; with the live
#: feed, the dashboard's count and the video readers taking turns with it, every one of those waits could last a
#: whole interval. In a 200 incidents/s burst (``bench_incidents``, four runs each, alternating) the GUI thread's
#: stalls over 50 ms went from 17–26 to 9–11 in 30 s and publish-to-visible p95 from 115–137 to 103–111 ms; at
#: 50/s no difference beyond the noise
GIL_SWITCH_INTERVAL_S = 0.001


#: After the client has settled, the wait before a ``--when-ready`` capture: the map page paints its data a frame
#: or more after it has it (a capture at once showed the static layers without the cameras and incidents).
SETTLED_PAINT_MS = 1000


def configure_interpreter() -> None:
    """Let the GUI thread get the interpreter lock back sooner (:data:`GIL_SWITCH_INTERVAL_S`); call before the
    client's threads start."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def _make_app(language: str = "zh_CN"):
    """Set up QtWebEngine's environment and scheme, then create the QApplication (order matters)."""
    from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme

    configure_webengine_environment()
    configure_interpreter()
    register_scheme()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("commandwall")
    _install_translations(app, language)
    app.setApplicationDisplayName(translate("MainWindow", "薛城区一体化综合指挥平台"))
    app.setOrganizationName("Xuecheng")
    from commandwall.ui.theme import apply_theme

    apply_theme(app)
    from commandwall.ui.collector import GuiThreadCollector

    if not hasattr(app, "_collector"):  # Qt objects in garbage are freed on the GUI thread, never a worker's
        app._collector = GuiThreadCollector(app)
        app._collector.start()
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(paths.resources_dir() / "icons" / "commandwall.svg")))
    return app


def _install_translations(app, language: str) -> str:
    """The window's language (``zh_CN`` or ``en``) and Qt's own strings in it; returns the language in effect."""
    from commandwall.ui.language import install_language

    return install_language(app, language)


# the data folder's lock file (acquire_desk_lock)
LOCK_FILE = "commandwall.lock"


class DataFolderError(RuntimeError):
    """The data folder cannot be used: it is a file, cannot be made or written, or another client holds it."""


class AlreadyRunningError(DataFolderError):
    """Another commandwall uses the same data folder (its outbox would be sent twice)."""


def acquire_desk_lock(data_dir: Path):
    """Lock the data folder for this process; returns the held ``QLockFile`` or raises ``AlreadyRunningError``
    (another client holds it) or ``DataFolderError`` (it cannot be made or written: a file of that name, a
    read-only disk, no rights; or its lock file is a folder, a named pipe or a device), each saying which folder
    and why.

    Two clients on one data folder would both resend the same pending outbox rows and overwrite each other's
    view settings. A lock left by a crashed process is taken over (Qt checks that its PID is gone).
    """
    from PySide6.QtCore import QLockFile

    from commandwall.app.settings_folder import unusable_folder_reason

    reason = unusable_folder_reason(data_dir)
    if reason is not None:
        raise DataFolderError(translate("MainWindow", "数据目录无法使用：{folder}（{reason}）").format(
            folder=data_dir, reason=reason))
    path = data_dir / LOCK_FILE
    if not _regular_or_missing(path):
        # Qt reads the owner from whatever is there: a named pipe held the start for ever, a folder read as
        # "already running (process 0)"
        raise DataFolderError(translate(
            "MainWindow", "数据目录无法使用：{folder}（锁文件 {lock} 不是普通文件，而是文件夹、命名管道或设备；"
            "请移走它后再启动）").format(folder=data_dir, lock=path))
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # only a dead owner makes it stale
    if not lock.tryLock(200) and lock.error() is not QLockFile.LockError.LockFailedError:
        raise DataFolderError(translate("MainWindow", "数据目录无法写入：{folder}（没有权限或磁盘只读）").format(
            folder=data_dir))
    if not lock.isLocked() and _lock_owner(lock)[0] <= 0:
        # a lock file naming no owner (empty or cut short by a power cut) locks nothing: taken over
        log.warning("the data folder's lock file names no owner: taken over")
        lock.removeStaleLockFile()
        lock.tryLock(200)
    if not lock.isLocked():
        pid, host = _lock_owner(lock)
        text = translate("MainWindow", "commandwall 已在运行（进程 {pid}，{host}），数据目录 {folder}")
        raise AlreadyRunningError(text.format(pid=pid, host=host, folder=data_dir))
    return lock


def _regular_or_missing(path: Path) -> bool:
    """True when ``path`` is a regular file (a link to one too) or nothing at all (a dangling link as well: Qt
    takes it for a stale lock)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:  # a loop of links, a name too long: not a file Qt could lock
        return False


def _lock_owner(lock) -> tuple[int, str]:
    """The process id and host a lock file names ((0, "") when it names none it can be read as)."""
    info = lock.getLockInfo()  # (pid, host, app); some bindings prepend a bool
    if len(info) == 4 and not info[0]:
        return 0, ""
    pid, host = info[-3:-1]
    return (pid if isinstance(pid, int) else 0), str(host or "")


def _make_window(settings: Settings, platform: PlatformFactory, *, ask_when_no_password: bool = False):
    from commandwall.ui.main_window import MainWindow

    window = MainWindow(ClientSession(settings, platform, ask_when_no_password=ask_when_no_password))
    window.resize(1600, 900)
    from PySide6.QtWidgets import QApplication

    collector = getattr(QApplication.instance(), "_collector", None)
    if collector is not None:  # a burst of incidents is busy: a full collection due meanwhile waits for a pause
        window.signals.sig_incidents.connect(collector.busy)
    return window


def _still_running_threads() -> list[threading.Thread]:
    """Daemon threads still alive: the interpreter would finalise under them (it joins the others first)."""
    me = threading.current_thread()
    return [t for t in threading.enumerate() if t is not me and t.daemon and t.is_alive()]


def _leave(window, lock, code: int) -> int:
    """Shut the window's session and video down after the event loop, then return ``code`` to exit with.

    ``MainWindow.closeEvent`` normally did this already; it is repeated (idempotent, bounded joins) because
    the loop can also end without the window being closed. Once every thread has been joined the interpreter
    may finalise as usual. If one is still running after the bounded joins (a stream stuck in FFmpeg past its
    timeouts, a request past its own), letting Python finalise is what aborts: a daemon thread that returns
    from native code after finalisation has begun is ended with ``pthread_exit``, whose forced unwind meets
    OpenCV's ``catch (...)`` and ends in "FATAL: exception not rethrown" (SIGABRT, status 134). Only in that
    case the process leaves with ``os._exit(code)``, after the lock is released and logging and the standard
    streams are flushed. The outbox database needs no closing for that: every row is committed in its own
    SQLite transaction, which survives the process ending at any point, and ``Outbox.stop`` has already
    closed it unless its worker is the thread still running.
    """
    stuck_streams = window.shutdown()
    lock.unlock()
    threads = _still_running_threads()
    if not threads:
        return code
    log.error("still running after shutdown: %s%s; leaving without interpreter finalisation",
              ", ".join(t.name for t in threads),
              f" (streams: {', '.join(stuck_streams)})" if stuck_streams else "")  # fmt: skip
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def can_show_dialogs() -> bool:
    """Whether a message box would be seen: on Windows and macOS always; elsewhere only with a display
    (``DISPLAY`` or ``WAYLAND_DISPLAY``) and a Qt platform that draws on it (not ``offscreen`` or ``minimal``).
    Without one, Qt would abort on start or the box would wait unseen for ever."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if platform in ("offscreen", "minimal", "minimalegl"):
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_problem_box(text: str):
    """The message box saying why the client cannot start (``text`` as plain text: it may quote a path)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from commandwall.textsafe import display_text

    box = QMessageBox(QMessageBox.Icon.Critical, translate("MainWindow", "薛城区一体化综合指挥平台"), "")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(display_text(text, None, multiline=True))
    return box


def show_start_problem(text: str | Callable[[], str], language: str = DEFAULT_LANGUAGE) -> bool:
    """Say why the client cannot start in a message box, and wait until it is closed (the caller then exits);
    False, with nothing shown, where no one would see it (:func:`can_show_dialogs`). ``text`` may be a function
    making it, called once ``language`` is installed (on an application made here; one already running keeps its
    own)."""
    if not can_show_dialogs():
        return False
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        from commandwall.ui.language import install_language

        install_language(app, language)
    start_problem_box(text() if callable(text) else text).exec()
    return True


#: the signals that ask the client to end as if its window were closed: Ctrl+C, ``kill`` (a desktop session's
#: logout, a service manager) and the terminal it was started from going away
QUIT_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def _close_on_signals(window) -> None:
    """End the client cleanly on :data:`QUIT_SIGNALS` (the window's own close: the view saved, streams and the
    outbox stopped, the data folder's lock freed), not killed where it stands."""

    def close(number: int, _frame: object) -> None:
        log.warning("%s received: closing the client", signal.Signals(number).name)
        window.close()

    for name in QUIT_SIGNALS:
        if hasattr(signal, name):  # no SIGHUP on Windows
            signal.signal(getattr(signal, name), close)


def run_gui(settings: Settings, platform: PlatformFactory) -> int:
    """Run the client against ``platform`` until its window closes; returns the exit code."""
    set_display_offset(settings.display_utc_offset_hours)
    app = _make_app(settings.ui_language())
    try:
        lock = acquire_desk_lock(settings.data_dir)
    except DataFolderError as exc:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        from commandwall.textsafe import display_text

        log.error("%s", exc)
        box = QMessageBox(QMessageBox.Icon.Critical, "commandwall", "")
        box.setTextFormat(Qt.TextFormat.PlainText)  # the host name and folder are not ours to trust
        box.setText(display_text(str(exc)))
        box.exec()
        return 1
    log_to_file(settings.data_dir)
    window = _make_window(settings, platform, ask_when_no_password=True)  # the login dialog asks
    window.arrange_on_screens()
    window.start_session()
    _close_on_signals(window)
    from PySide6.QtCore import QTimer

    keepalive = QTimer()  # lets Python see Ctrl+C while Qt's loop runs
    keepalive.start(300)
    keepalive.timeout.connect(lambda: None)
    code = app.exec()
    return _leave(window, lock, code)


def run_screenshot(settings: Settings, platform: PlatformFactory, out_dir: Path, after_s: float, count: int = 1,
                   interval_s: float = 1.0, timeout_s: float = 90.0, preset: str | None = None,
                   when_ready: bool = False) -> int:
    """Start the client, wait ``after_s`` seconds, save one PNG per screen (``count`` times), exit 0.

    ``preset``: the wall preset (预案) to recall once the client has connected, to see it on the screens.
    ``when_ready``: ``after_s`` is a maximum: the first capture is taken as soon as the client has settled
    (:func:`commandwall.ui.screenshot.client_settled`: connected, the map drawn, every shown tile live or said
    offline or idle, the dashboard's figures in), at the latest after ``after_s`` as without it.

    If by then the client has not connected and drawn its map, it waits for that (up to ``timeout_s`` from
    the start: a loaded machine is slower, not broken), then captures anyway and exits non-zero if it never
    got there. Beside the PNGs, ``state.json`` records where
    the map, the wall tiles and the incident list are on screen and what they show, so tests can check the
    pictures region by region.
    """
    from PySide6.QtCore import QTimer

    set_display_offset(settings.display_utc_offset_hours)
    app = _make_app(settings.ui_language())
    try:
        lock = acquire_desk_lock(settings.data_dir)
    except DataFolderError as exc:
        log.error("%s", exc)
        return 1
    try:  # before the session starts: a file in the way was a traceback once the client ran
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.error("the pictures cannot go to %s: %s", out_dir, exc)
        lock.unlock()
        return 2
    log_to_file(settings.data_dir)
    window = _make_window(settings, platform)
    window.arrange_on_screens()
    recalled = {"ok": True}

    def recall() -> None:
        recalled["ok"] = window.wall_feature.presets.recall(preset)
        if not recalled["ok"]:  # the pictures would show a wall the preset never reached
            log.error("no wall preset named %r to recall", preset)

    if preset:  # after the window's own start-up (slots run in the order connected): the preset wins
        window.signals.sig_ready.connect(recall)
    window.start_session()
    result = {"code": 1}
    shots: list[dict] = []

    def grab(k: int) -> None:
        try:
            from commandwall.ui.screenshot import grab_screens, window_state

            files = grab_screens(app, window, out_dir, suffix="" if count == 1 else f"-{k}")
            shots.append({"files": [str(f) for f in files], "state": window_state(window)})
            if k + 1 < count:
                QTimer.singleShot(int(interval_s * 1000), lambda: grab(k + 1))
                return
            (out_dir / "state.json").write_text(json.dumps(shots, ensure_ascii=False, indent=2), "utf-8")
            if window.is_ready() and recalled["ok"]:
                result["code"] = 0
            elif not recalled["ok"]:
                log.error("screenshot taken without the wall preset asked for")
            else:  # the pictures are written, but they show a client that never connected
                log.error("screenshot taken before the client had connected to the platform")
        except Exception:
            log.exception("screenshot failed")
        window.close()
        app.quit()

    started = time.monotonic()

    def wait_until_ready() -> None:
        if (window.is_ready() and window.map.is_ready()) or time.monotonic() - started > timeout_s:
            grab(0)
        else:
            QTimer.singleShot(250, wait_until_ready)

    def wait_until_settled() -> None:
        from commandwall.ui.screenshot import client_settled

        if time.monotonic() - started >= after_s:
            wait_until_ready()
        elif client_settled(window):
            # the page has its data: give it and Chromium's compositor a moment to put it on screen
            QTimer.singleShot(SETTLED_PAINT_MS, lambda: grab(0))
        else:
            QTimer.singleShot(100, wait_until_settled)

    if when_ready:
        QTimer.singleShot(100, wait_until_settled)
    else:
        QTimer.singleShot(int(after_s * 1000), wait_until_ready)
    app.exec()
    for shot in shots:
        for f in shot["files"]:
            print(f)
    return _leave(window, lock, result["code"])
