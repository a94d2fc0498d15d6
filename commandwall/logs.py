"""Logging set-up: stderr and, once a desk holds its data folder, a rotating log file there; a filter keeps
secrets (passwords in URLs, tokens) out of every line, and line breaks or other control characters in a message
(text from the platform or a web page) from making entries of their own."""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import re
import stat
import sys
import threading
from pathlib import Path
from typing import TextIO

#: Query parameters whose values are secrets (compared case-insensitively): the one list that URL checks (layer
#: and tile URLs, ``backend.http``) and the log's redaction use
SECRET_PARAMS = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "password",
        "passwd",
        "pwd",
        "pass",  # cameras' and NVRs' own query logins (?username=admin&pass=…)
        "passcode",
        "loginpas",
        "secret",
        "client_secret",
        "key",
        "apikey",
        "api_key",
        "access_key",
        "accesskey",
        "sk",  # Baidu's security key, with its ak
        "tk",  # Tianditu's key
        "ak",  # Baidu's key
        "auth",
        "authorization",
        "signature",
        "sig",
    }
)
#: names that end like this are secrets too (``x_auth_token``, ``db_password``, ``app_secret``)
_SECRET_SUFFIXES = ("token", "password", "secret")


def is_secret_param(name: str) -> bool:
    """True when a query parameter of this name carries a secret (the one list every URL check uses)."""
    lowered = name.lower()
    return lowered in SECRET_PARAMS or lowered.endswith(_SECRET_SUFFIXES)


_SECRET_NAMES = "|".join(sorted(map(re.escape, SECRET_PARAMS), key=len, reverse=True))
_SECRET_PATTERNS = (
    # user:password@ up to the last @ before whitespace: a password may hold "/", "?", "#" or "@"
    (re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]*:\S*@", re.I), r"\g<scheme>***:***@"),
    (re.compile(rf"(?P<key>\b(?:{_SECRET_NAMES}|\w*(?:{'|'.join(_SECRET_SUFFIXES)}))=)[^&\s]+", re.I),
     r"\g<key>***"),
    (re.compile(r"(?P<key>Bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\g<key>***"),
)


def redact_secrets(text: str) -> str:
    """Replace credentials in URLs, token query parameters and bearer tokens with ``***``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


#: control characters (C0 but tab and line feed, DEL, C1) and the Unicode line and paragraph separators: each would
#: end a log line or hide what follows it in a terminal; bidirectional controls and zero-width characters
#: (U+061C, U+200B–U+200F, U+202A–U+202E, U+2066–U+2069) would reorder a line or hide a difference in a name
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
#: what a line break in a message is written as: the next line indented, so it never reads as a log entry of its own
CONTINUATION = "\n    "


def as_one_entry(text: str) -> str:
    """``text`` as one log entry: every control character written as an escape (``\\r``, ``\\x1b``, ``\\u2028``)
    and each further line indented (a traceback in a message stays readable): a message quoting the platform or a
    web page cannot forge an entry of its own."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text).replace("\n", CONTINUATION)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through ``redact_secrets`` and :func:`as_one_entry` (a traceback, kept
    apart in ``exc_info``, keeps its lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record, with secrets removed and as one entry (once: every handler has this filter)."""
        if not getattr(record, "commandwall_cleaned", False):
            record.msg, record.args = as_one_entry(redact_secrets(record.getMessage())), None
            record.commandwall_cleaned = True
        return True


class RedactingFormatter(logging.Formatter):
    """The log's line format; a traceback (which keeps its lines) loses its secrets too: an exception's text may
    quote a URL with its password."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        """The traceback through ``redact_secrets``."""
        return redact_secrets(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's name
        """The stack through ``redact_secrets``."""
        return redact_secrets(super().formatStack(stack_info))


#: the log file in the data folder, its size before it is rolled over, and how many old ones are kept
LOG_FOLDER = "logs"
LOG_FILE = "commandwall.log"
LOG_FILE_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger(__name__)


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr with timestamps; every handler redacts secrets. Uncaught exceptions (in the main thread, a Qt
    slot, a worker thread) are logged too, so the log file has them."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], value: BaseException, tb) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    log.critical("uncaught exception", exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.critical("uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


class DeskLogFile(logging.handlers.RotatingFileHandler):
    """The desk's log file in its data folder (a class of its own: other file handlers are not it). Opened only
    as a regular file (:func:`open_log_file`), also after a roll-over."""

    def _open(self) -> TextIO:
        """The file to append to, never a named pipe or a device in its place."""
        return open_log_file(Path(self.baseFilename), self.encoding or "utf-8", self.errors)


def open_log_file(path: Path, encoding: str = "utf-8", errors: str | None = None) -> TextIO:
    """``path`` opened to append text to, made if missing — only when it is a regular file. Opened without
    waiting: a named pipe in its place is refused at once (opening it to write waited for a reader for ever, and
    the desk never started, holding its data folder's lock), as are a folder and a device;
    :class:`commandwall.paths.NotARegularFileError` (an ``OSError``) says which."""
    from commandwall.paths import NotARegularFileError

    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a named pipe nobody reads: opening it without waiting says so
            raise NotARegularFileError(f"{path} is a named pipe, not a regular file") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFileError(f"{path} is not a regular file (a named pipe or a device)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return open(fd, "a", encoding=encoding, errors=errors)
    except BaseException:
        os.close(fd)
        raise


def log_to_file(data_dir: Path) -> Path | None:
    """Also log to ``logs/commandwall.log`` in ``data_dir`` (rolled over at 10 MB, five kept), with the same
    format and filter as stderr; call once the desk holds the folder. Returns the file, or None when it cannot be
    written or is no regular file (a named pipe, a folder: said on stderr, never waited on; the client runs on
    without it)."""
    path = data_dir / LOG_FOLDER / LOG_FILE
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, DeskLogFile) and Path(handler.baseFilename) == path.absolute():
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = DeskLogFile(path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8")
    except OSError as exc:
        log.warning("no log file in %s: %s; this session logs to stderr only", path.parent, exc)
        return None
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    return path


def current_log_file() -> Path | None:
    """The log file this process writes (None before :func:`log_to_file`, or when it could not be opened)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, DeskLogFile):
            return Path(handler.baseFilename)
    return None


_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I)


class RepeatLimiter:
    """Keeps one kind of message from flooding the log: at most ``burst`` lines of the same kind (its text with
    URLs taken out: a blocked tile per tile) each ``window_s`` seconds; the next one after a window with lines
    left out says how many.

    ``admit(text, now)`` returns None to leave the line out, else how many of its kind were left out before it.
    """

    def __init__(self, burst: int = 3, window_s: float = 60.0, kinds: int = 256) -> None:
        self.burst, self.window_s, self.kinds = burst, window_s, kinds
        self._seen: dict[str, list[float | int]] = {}  # kind → [window start, lines in it, left out]

    @staticmethod
    def kind_of(text: str) -> str:
        """The text with its URLs taken out: one kind for every tile a page failed to load."""
        return _URL.sub("<url>", text)

    def admit(self, text: str, now: float) -> int | None:
        """None to leave ``text`` out; else the number of its kind left out since it was last logged."""
        kind = self.kind_of(text)
        entry = self._seen.get(kind)
        if entry is None or now - entry[0] >= self.window_s:
            left_out = int(entry[2]) if entry is not None else 0
            if len(self._seen) >= self.kinds and entry is None:
                self._seen.clear()  # bounded: a page making a new kind each time forgets the old ones
            self._seen[kind] = [now, 1, 0]
            return left_out
        if entry[1] < self.burst:
            entry[1] += 1
            return 0
        entry[2] += 1
        return None
