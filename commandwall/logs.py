"""Logging set-up with a filter that keeps secrets (passwords in URLs, tokens) out of every log line."""

from __future__ import annotations

import logging
import re

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
        "secret",
        "client_secret",
        "key",
        "apikey",
        "api_key",
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
    (re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@", re.I), r"\g<scheme>***:***@"),
    (re.compile(rf"(?P<key>\b(?:{_SECRET_NAMES}|\w*(?:{'|'.join(_SECRET_SUFFIXES)}))=)[^&\s]+", re.I),
     r"\g<key>***"),
    (re.compile(r"(?P<key>Bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\g<key>***"),
)


def redact_secrets(text: str) -> str:
    """Replace credentials in URLs, token query parameters and bearer tokens with ``***``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through ``redact_secrets``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record, with secrets removed."""
        message = redact_secrets(record.getMessage())
        record.msg, record.args = message, None
        return True


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr with timestamps; every handler redacts secrets."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
