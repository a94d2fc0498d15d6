"""Attachments of the exercise backend (附件): files kept with an incident, each recorded on its timeline.

A file arrives as the raw request body with its name in a ``Content-Disposition`` header and is stored in the
``attachments`` table together with its ``attachment`` timeline entry, in one transaction, at most once per
``Idempotency-Key`` (the same key with another file or name is refused). It is served back as a download
(``Content-Disposition: attachment``, ``X-Content-Type-Options: nosniff``) with a content type from a short list
of harmless ones (pictures, PDF, plain text) and ``application/octet-stream`` for everything else: a file is
never served as HTML, SVG or script a browser would run.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from commandwall.demo import timeline
from commandwall.demo.db import Database
from commandwall.demo.errors import NotFoundError, RefusedError
from commandwall.domain.models import MAX_ATTACHMENT_BYTES, Incident, TimelineEntry, TimelineKind

__all__ = ["MAX_ATTACHMENT_BYTES", "StoredAttachment", "add", "content_type_for", "get"]
#: The longest file name accepted (characters).
MAX_ATTACHMENT_NAME = 255
#: Content types served as such (by the name's extension); anything else is ``application/octet-stream``.
SAFE_CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".mp4": "video/mp4",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class StoredAttachment:
    """One stored file: its id, incident, name as sent, bytes and served content type."""

    id: str
    incident_id: str
    name: str
    content_type: str
    sha256: str
    data: bytes


def content_type_for(name: str) -> str:
    """The content type a file named ``name`` is served with (never one a browser would render as a page)."""
    return SAFE_CONTENT_TYPES.get(PurePosixPath(name.replace("\\", "/")).suffix.lower(), DEFAULT_CONTENT_TYPE)


def body_hash(name: str, data: bytes) -> str:
    """What an Idempotency-Key is checked against: the name and the bytes."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(data).digest()).hexdigest()


def add(db: Database, incident: Incident | str, name: str, data: bytes, key: str, actor: str,
        desk: str) -> tuple[TimelineEntry, bool]:
    """Store ``data`` as ``name`` on the incident exactly once per ``key``: (its timeline entry, created).

    ``RefusedError("idempotency_key_reused")`` for another file or name under a used key;
    ``NotFoundError`` for an unknown incident.
    """
    incident_id = incident if isinstance(incident, str) else incident.id
    digest = body_hash(name, data)
    with db.transaction() as tx:
        found = timeline.by_key(tx, key)
        if found is not None:
            entry, first_hash = found
            if first_hash != digest or entry.incident_id != incident_id:
                raise RefusedError("idempotency_key_reused",
                                   "this Idempotency-Key was already used with a different request body")
            return entry, False
        if tx.one("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)) is None:
            raise NotFoundError(f"incident {incident_id} not found")
        attachment_id = f"ATT-{uuid.uuid4().hex[:12].upper()}"
        tx.execute(
            "INSERT INTO attachments (id, incident_id, name, size, content_type, sha256, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (attachment_id, incident_id, name, len(data), content_type_for(name), hashlib.sha256(data).hexdigest(),
             data),
        )
        entry = timeline.record(tx, incident_id, TimelineKind.ATTACHMENT, actor=actor, desk=desk, text=name,
                                ref=attachment_id, key=key, body_hash=digest, size=len(data))
    return entry, True


def get(db: Database, incident_id: str, attachment_id: str) -> StoredAttachment:
    """One stored file of an incident; ``NotFoundError`` if the incident has no such attachment."""
    row = db.one("SELECT id, incident_id, name, content_type, sha256, data FROM attachments"
                 " WHERE id = ? AND incident_id = ?", (attachment_id, incident_id))
    if row is None:
        raise NotFoundError(f"incident {incident_id} has no attachment {attachment_id}")
    return StoredAttachment(row["id"], row["incident_id"], row["name"], row["content_type"], row["sha256"],
                            bytes(row["data"]))
