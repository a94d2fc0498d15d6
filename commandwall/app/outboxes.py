"""The desk's outbox files: one per platform and user, and what waits in the others.

Rows queued by one officer are never sent with another's token (the audit trail names who acted), so each user
has his own outbox file on each platform (``outbox-<platform>-<user>.sqlite3`` in the data folder; the names are
hashed). Who owns a file is written into it (table ``desk_owner``: user name, platform address), so that when
another user logs in on the desk — or the desk is pointed at another platform address (a failover) — the officer
can be told whose actions still wait there and where, and see them: they are sent only when that user logs in to
that platform again.

The other files are the desk's too, but nothing in them is this user's to mend: one that cannot be read — a named pipe
or a folder under such a name, a damaged file, one another program holds locked, rows nested past what can be read —
is logged and listed as unreadable (:attr:`WaitingOutbox.problem`), and never keeps anyone from logging in.
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
from commandwall.localdb import NotARegularDatabaseError, Trouble, connect_local, trouble
from commandwall.localjson import parse_json
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
        with closing(connect_local(path, timeout=5)) as db, db:
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

#: Why another outbox file could not be read, as the officer reads it.
PROBLEM_LABELS = {
    "not_a_file": QT_TRANSLATE_NOOP("outboxes", "不是普通文件"),
    "locked": QT_TRANSLATE_NOOP("outboxes", "正被其他程序占用"),
    "unreadable": QT_TRANSLATE_NOOP("outboxes", "文件已损坏或无法读取"),
}


def _problem_of(error: BaseException) -> str:
    """The :data:`PROBLEM_LABELS` key for what reading another outbox file raised."""
    if isinstance(error, NotARegularDatabaseError):
        return "not_a_file"
    if isinstance(error, sqlite3.Error) and trouble(error) is Trouble.LOCKED:
        return "locked"
    return "unreadable"


@dataclass(frozen=True)
class WaitingAction:
    """One action waiting in another outbox: its kind (task, transition, note, attachment), the incident, the
    workflow action of a transition, and when it was queued."""

    kind: str
    incident_id: str
    action: str
    created_at: datetime | None
    #: a dispatch's unit, department and instructions ("" for other kinds, or when the row does not say)
    unit_id: str = ""
    department: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class WaitingOutbox:
    """Another outbox of this desk with actions still pending: whose (``username`` "" when the file does not say:
    written before owners were recorded) and on which platform (``platform`` "" likewise). ``problem`` (a key of
    :data:`PROBLEM_LABELS`) when the file could not be read: what waits in it, if anything, is not known."""

    path: Path
    username: str
    platform: str
    exercise: bool
    actions: list[WaitingAction] = field(default_factory=list)
    problem: str = ""

    def _problem_text(self) -> str:
        label = PROBLEM_LABELS.get(self.problem, PROBLEM_LABELS["unreadable"])
        return translate("outboxes", label)

    def lines(self) -> list[str]:
        """The list the officer reads (read-only): a heading naming the user and platform, then one line per action,
        ``MM-DD HH:MM  kind  incident`` (local time; the incident id as the file holds it, made safe to show); a file
        that could not be read is one line saying so."""
        if self.problem:
            return [translate("outboxes", "{name}：无法读取（{problem}），其中是否有待发送的操作不明").format(
                name=display_text(self.path.name, 120), problem=self._problem_text())]
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

    def on_platform(self, here: str, exercise: bool) -> bool:
        """Whether its actions are for the platform the desk uses now (``here``; ``exercise``: the embedded one,
        whose address changes from run to run): their incident ids name the incidents the desk shows."""
        if self.problem or not self.username:
            return False
        return (self.exercise and exercise) or (not exercise and bool(self.platform) and self.platform == here)

    def notice(self, here: str) -> str:
        """The line that tells the officer (``here``: the address of the platform the desk uses now)."""
        count = len(self.actions)
        if self.problem:
            text = translate("outboxes", "本机另一发件箱文件 {name} 无法读取（{problem}）：其中可能有尚未送达的操作")
            return text.format(name=self.path.name, problem=self._problem_text())
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
    """The pending actions of the outbox file at ``path`` and its owner, or None when nothing is pending or it holds
    no outbox (an empty file; a column a file of another version lacks is read as empty). A regular file only
    (``NotARegularDatabaseError``), read-only; ``sqlite3.Error`` when it cannot be read."""
    with closing(connect_local(path, read_only=True, timeout=1)) as db:
        db.row_factory = sqlite3.Row
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "outbox" not in tables:
            return None
        rows = db.execute("SELECT * FROM outbox WHERE state = 'pending'").fetchall()
        if not rows:
            return None
        owner = {row[0]: row[1] for row in db.execute("SELECT key, value FROM desk_owner")} if (
            "desk_owner" in tables) else {}
    actions = []
    for row in rows:
        values = dict(zip(row.keys(), tuple(row), strict=True))
        try:
            body = parse_json(values.get("payload") or "{}")
        except (TypeError, ValueError, AttributeError):  # not JSON (nested past what can be read …), not text
            body = {}
        body = body if isinstance(body, dict) else {}
        try:
            queued: datetime | None = datetime.fromisoformat(values.get("created_at"))
        except (TypeError, ValueError):
            queued = None
        actions.append(WaitingAction(str(values.get("kind") or ""), str(body.get("incident_id") or ""),
                                     str(body.get("action") or ""), queued, str(body.get("unit_id") or ""),
                                     str(body.get("department") or ""), str(body.get("instructions") or "")))
    return WaitingOutbox(path, str(owner.get("username", "")), str(owner.get("platform", "")),
                         owner.get("exercise") == "true", actions)


def waiting_elsewhere(data_dir: Path, mine: Path | None) -> list[WaitingOutbox]:
    """The desk's outbox files other than ``mine`` that hold pending actions (another user's, another platform's),
    read without writing; a file that cannot be read (anything under such a name: see the module docstring) is
    logged and listed with its ``problem``. Never raises for what a file holds, never waits on one for long."""
    found = []
    try:
        paths = sorted(Path(data_dir).glob("outbox-*.sqlite3"))
    except OSError as exc:
        log.warning("the data folder's outbox files not listed: %s", exc)
        return []
    for path in paths:
        if path == mine:
            continue
        try:
            waiting = _read_waiting(path)
        except Exception as exc:  # whatever the file is or holds, the login goes on
            log.warning("could not read %s: %s: %s", path.name, type(exc).__name__, exc)
            found.append(WaitingOutbox(path, "", "", False, problem=_problem_of(exc)))
            continue
        if waiting is not None:
            log.warning("%d action(s) wait in %s for its own user (%s) and platform (%s)", len(waiting.actions),
                        path.name, waiting.username or "?", waiting.platform or "?")
            found.append(waiting)
    return found
