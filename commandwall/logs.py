"""Logging set-up with a filter that keeps secrets (passwords in URLs, tokens) out of every log line."""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = (
    (re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@", re.I), r"\g<scheme>***:***@"),
    (re.compile(r"(?P<key>(?:token|access_token|password|passwd|pwd|tk)=)[^&\s]+", re.I), r"\g<key>***"),
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
