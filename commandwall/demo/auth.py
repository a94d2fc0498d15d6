"""Demo users, password check and bearer tokens (only a hash of each token is stored)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from commandwall.demo.db import Database

#: username -> (password, roles, display name). The exercise's well-known accounts.
DEMO_USERS: dict[str, tuple[str, list[str], str]] = {
    "viewer": ("viewer", ["viewer"], "观察员"),
    "duty": ("duty", ["duty_officer"], "值班员"),
    "commander": ("commander", ["commander"], "指挥长"),
    "admin": ("admin", ["admin"], "系统管理员"),
}
#: Roles that may change things (transitions, tasks, PTZ); viewer is read-only.
WRITE_ROLES = frozenset({"duty_officer", "commander", "admin"})
TOKEN_TTL_S = 8 * 3600
_ITERATIONS = 20_000


@dataclass(frozen=True)
class User:
    """An authenticated caller."""

    username: str
    roles: tuple[str, ...]
    display_name: str

    @property
    def can_write(self) -> bool:
        """True for duty officers, commanders and admins."""
        return bool(WRITE_ROLES.intersection(self.roles))


def _hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def seed_users(db: Database) -> None:
    """Create the demo accounts (idempotent)."""
    with db.transaction() as tx:
        for username, (password, roles, display) in DEMO_USERS.items():
            salt = secrets.token_bytes(16)
            tx.execute(
                "INSERT OR IGNORE INTO users (username, salt, pw_hash, roles, display_name)"
                " VALUES (?, ?, ?, ?, ?)",
                (username, salt, _hash_password(password, salt), json.dumps(roles), display),
            )


def login(db: Database, username: str, password: str) -> tuple[User, str] | None:
    """Check a password; on success return the user and a new bearer token."""
    row = db.one("SELECT * FROM users WHERE username = ?", (username,))
    if row is None or not hmac.compare_digest(_hash_password(password, row["salt"]), row["pw_hash"]):
        return None
    token = secrets.token_urlsafe(32)
    with db.transaction() as tx:
        tx.execute("DELETE FROM tokens WHERE expires_at < ?", (time.time(),))
        tx.execute(
            "INSERT INTO tokens (token_hash, username, expires_at) VALUES (?, ?, ?)",
            (_hash_token(token), username, time.time() + TOKEN_TTL_S),
        )
    return User(username, tuple(json.loads(row["roles"])), row["display_name"]), token


def user_for_token(db: Database, token: str) -> User | None:
    """The user a valid, unexpired token belongs to."""
    row = db.one(
        "SELECT u.username, u.roles, u.display_name FROM tokens t JOIN users u ON u.username = t.username"
        " WHERE t.token_hash = ? AND t.expires_at > ?",
        (_hash_token(token), time.time()),
    )
    if row is None:
        return None
    return User(row["username"], tuple(json.loads(row["roles"])), row["display_name"])
