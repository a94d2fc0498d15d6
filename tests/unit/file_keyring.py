"""A ``keyring`` backend that keeps its entries in one JSON file: the OS keyring's stand-in for tests.

Selected in a child process with ``PYTHON_KEYRING_BACKEND=tests.unit.file_keyring.FileKeyring`` and the file's
path in ``COMMANDWALL_TEST_KEYRING_FILE``; everything above it (``keyring``'s API, the client's use of it) runs
as on a desk with a Secret Service.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    """Entries ``{service: {username: password}}`` in the JSON file named by ``COMMANDWALL_TEST_KEYRING_FILE``."""

    priority = 1  # type: ignore[assignment]  (keyring declares it a classproperty)

    @property
    def path(self) -> Path:
        """The JSON file."""
        return Path(os.environ["COMMANDWALL_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, dict[str, str]]:
        return json.loads(self.path.read_text("utf-8")) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored password or ``None``."""
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store (or replace) one entry."""
        entries = self._load()
        entries.setdefault(service, {})[username] = password
        self.path.write_text(json.dumps(entries), "utf-8")

    def delete_password(self, service: str, username: str) -> None:
        """Remove one entry; ``PasswordDeleteError`` if there is none (as keyring's own backends do)."""
        entries = self._load()
        if username not in entries.get(service, {}):
            raise PasswordDeleteError("no such entry")
        del entries[service][username]
        self.path.write_text(json.dumps(entries), "utf-8")
