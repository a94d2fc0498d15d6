"""The desk's outbox files: one per platform and user, and what waits in the others.

Rows queued by one officer are never sent with another's token (the audit trail names who acted), so each user
has his own outbox file on each platform (``outbox-<platform>-<user>.sqlite3`` in the data folder; the names are
hashed). Who owns a file is written into it (table ``desk_owner``: user name, platform address), so that when
another user logs in on the desk — or the desk is pointed at another platform address (a failover) — the officer
can be told whose actions still wait there and where, and see them: they are sent only when that user logs in to
that platform again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from commandwall import localtime
from commandwall.domain.workflow import action_label
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.paths import read_only_sqlite_uri
from commandwall.textsafe import display_text

log = logging.getLogger(__name__)

_OWNER_SCHEMA = "CREATE TABLE IF NOT EXISTS desk_owner (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def outbox_path(data_dir: Path, base_url: str, exercise: bool, username: str) -> Path:
    """The outbox file of ``username`` on the platform at ``base_url`` (the exercise backend has one scope)."""
    scope = "exercise" if exercise else hashlib.sha1(base_url.encode()).hexdigest()[:12]
    user = hashlib.sha1(username.encode()).hexdigest()[:8]
    return data_dir / f"outbox-{scope}-{user}.sqlite3"


def record_owner(path: Path, username: str, base_url: str, exercise: bool) -> None:
    """Write into the outbox file at ``path`` whose it is (best effort: a file that cannot take it is logged)."""
    try:
        with closing(sqlite3.connect(path, timeout=5)) as db, db:
            db.execute(_OWNER_SCHEMA)
            db.executemany("INSERT OR REPLACE INTO desk_owner (key, value) VALUES (?, ?)",
                           [("username", username), ("platform", base_url), ("exercise", json.dumps(exercise))])
    except sqlite3.Error as exc:
        log.warning("outbox %s: its owner not recorded (%s)", path.name, exc)


#: What each kind of waiting action is called in the list.
KIND_LABELS = {
    "task": QT_TRANSLATE_NOOP("outboxes", "派遣任务"),
    "transition": QT_TRANSLATE_NOOP("outboxes", "状态变更"),
    "note": QT_TRANSLATE_NOOP("outboxes", "备注"),
    "attachment": QT_TRANSLATE_NOOP("outboxes", "附件"),
}


@dataclass(frozen=True)
class WaitingAction:
    """One action waiting in another outbox: its kind (task, transition, note, attachment), the incident, the
    workflow action of a transition, and when it was queued."""

    kind: str
    incident_id: str
    action: str
    created_at: datetime | None


@dataclass(frozen=True)
class WaitingOutbox:
    """Another outbox of this desk with actions still pending: whose (``username`` "" when the file does not say:
    written before owners were recorded) and on which platform (``platform`` "" likewise)."""

    path: Path
    username: str
    platform: str
    exercise: bool
    actions: list[WaitingAction] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The list the officer reads (read-only): a heading naming the user and platform, then one line per action,
        ``MM-DD HH:MM  kind  incident`` (local time; the incident id as the file holds it, made safe to show)."""
        who = display_text(self.username or self.path.name, 64)
        where = display_text(self.platform, 120) if self.platform and not self.exercise else ""
        head = (translate("outboxes", "{user}（平台 {platform}）：{count} 项").format(user=who, platform=where,
                                                                                count=len(self.actions))
                if where else translate("outboxes", "{user}：{count} 项").format(user=who, count=len(self.actions)))
        lines = [head]
        for action in self.actions:
            if action.kind == "transition" and action.action:
                kind = translate("outboxes", "「{action}」").format(action=action_label(action.action))
            else:
                label = KIND_LABELS.get(action.kind)
                kind = translate("outboxes", label) if label else display_text(action.kind, 24)
            when = f"{localtime.to_display(action.created_at):%m-%d %H:%M}" if action.created_at else "--"
            lines.append(f"    {when}  {kind}  {display_text(action.incident_id, 64)}")
        return lines

    def notice(self, here: str) -> str:
        """The line that tells the officer (``here``: the address of the platform the desk uses now)."""
        count = len(self.actions)
        if not self.username:
            text = translate("outboxes", "本机另一用户有 {count} 项操作尚未送达平台（文件 {name}，需以该用户登录发送）")
            return text.format(count=count, name=self.path.name)
        if self.exercise or not self.platform or self.platform == here:
            text = translate("outboxes", "用户 {user} 有 {count} 项操作尚未送达平台（需以该用户登录发送）")
            return text.format(user=self.username, count=count)
        text = translate("outboxes",
                         "用户 {user} 在平台 {platform} 有 {count} 项操作尚未送达（需以该用户登录该平台发送）")
        return text.format(user=self.username, platform=self.platform, count=count)


def _read_waiting(path: Path) -> WaitingOutbox | None:
    """The pending actions of the outbox file at ``path`` and its owner, or None when nothing is pending (a column
    a file of another version lacks is read as empty)."""
    with closing(sqlite3.connect(read_only_sqlite_uri(path), uri=True, timeout=1)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM outbox WHERE state = 'pending'").fetchall()
        if not rows:
            return None
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        owner = {row[0]: row[1] for row in db.execute("SELECT key, value FROM desk_owner")} if (
            "desk_owner" in tables) else {}
    actions = []
    for row in rows:
        values = dict(zip(row.keys(), tuple(row), strict=True))
        try:
            body = json.loads(values.get("payload") or "{}")
        except (TypeError, ValueError):
            body = {}
        body = body if isinstance(body, dict) else {}
        try:
            queued: datetime | None = datetime.fromisoformat(values.get("created_at"))
        except (TypeError, ValueError):
            queued = None
        actions.append(WaitingAction(str(values.get("kind") or ""), str(body.get("incident_id") or ""),
                                     str(body.get("action") or ""), queued))
    return WaitingOutbox(path, str(owner.get("username", "")), str(owner.get("platform", "")),
                         owner.get("exercise") == "true", actions)


def waiting_elsewhere(data_dir: Path, mine: Path | None) -> list[WaitingOutbox]:
    """The desk's outbox files other than ``mine`` that hold pending actions (another user's, another platform's),
    read without writing; a file that cannot be read is logged and left out."""
    found = []
    for path in sorted(Path(data_dir).glob("outbox-*.sqlite3")):
        if path == mine:
            continue
        try:
            waiting = _read_waiting(path)
        except sqlite3.Error as exc:
            log.warning("could not read %s: %s", path.name, exc)
            continue
        if waiting is not None:
            log.warning("%d action(s) wait in %s for its own user (%s) and platform (%s)", len(waiting.actions),
                        path.name, waiting.username or "?", waiting.platform or "?")
            found.append(waiting)
    return found
