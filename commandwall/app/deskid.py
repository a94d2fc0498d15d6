"""Which desk (workstation and data folder) an action came from: the ``X-Desk-Id`` the platform records in
incident timelines."""

from __future__ import annotations

import hashlib
import re
import socket
from pathlib import Path

_NOT_HEADER_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def desk_id(data_dir: Path, hostname: str | None = None) -> str:
    """``<host>-<8 hex digits of the data folder's path>``: stable for one installation, different for two
    desks on one machine, printable ASCII (a non-ASCII host name is reduced to what is left, else ``desk``)."""
    host = _NOT_HEADER_SAFE.sub("-", hostname if hostname is not None else socket.gethostname()).strip("-.")
    folder = hashlib.sha256(str(Path(data_dir).expanduser().resolve()).encode("utf-8", "surrogatepass"))
    return f"{host[:48] or 'desk'}-{folder.hexdigest()[:8]}"
