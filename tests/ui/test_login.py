"""Login, switch user, logout and an expired token, driven through the real dialog against a real exercise
backend (HTTP on 127.0.0.1, SQLite), with a real keyring backend for "remember"."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail
from pydantic import HttpUrl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.cli import exercise_accounts
from commandwall.config import Settings
from commandwall.credentials import keyring_service, resolve_password
from commandwall.demo.backend import DemoBackend
from commandwall.domain.models import IncidentStatus
from commandwall.ui.main_window import MainWindow
from tests.ui.windows import main_window, open_main_window
from tests.unit.file_keyring import FileKeyring

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)


def open_window(qtbot, settings: Settings, platform: PlatformFactory, *, ask: bool = False) -> MainWindow:
    """The window started (not waited for: a login dialog may come first); ``ask``: a login is asked for when
    the settings hold no password."""
    return open_main_window(qtbot, ClientSession(settings, platform, ask_when_no_password=ask), wait_ready=False)


@pytest.fixture
def exercise(tmp_path) -> Iterator[DemoBackend]:
    """The exercise backend with its simulator off: the tests follow one NEW incident through logins, and the
    simulator advancing it (one incident every 20 s or so) would change the buttons they check."""
    backend = DemoBackend(db_path=tmp_path / "exercise.sqlite3", incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


@pytest.fixture
def window(qtbot, tmp_path, exercise):
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True, accounts=exercise_accounts())
    with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), platform)) as win:
        yield win


def pick_account(qtbot, dialog, username: str) -> None:
    """One click on the exercise account's row fills user name and password."""
    rows = [dialog.accounts.item(i) for i in range(dialog.accounts.count())]
    item = next(row for row in rows if f" {username} · " in row.text() or f"　{username} · " in row.text())
    rect = dialog.accounts.visualItemRect(item)
    qtbot.mouseClick(dialog.accounts.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.username.text() == username and dialog.password.text() == username


def submit_with_enter(qtbot, dialog) -> None:
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def workflow_buttons(window) -> list[QPushButton]:
    return [b for b in window.incidents.detail.findChildren(QPushButton) if b.objectName().startswith("action_")]


def test_switch_to_viewer_then_logout_and_back_to_duty(qtbot, window):
    session = window.session
    incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
    window.incidents.select(incident.id)
    wall_before = [c.id if c else None for c in window.wall.cameras()]
    assert "值班员" in window.status.user_label.text() and window.incidents.detail.dispatch_button.isEnabled()

    window.switch_user_action.trigger()
    dialog = window.login_feature.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.accounts.count() == 4
    dialog.grab().save("/tmp/login-dialog.png")
    dialog.username.setText("viewer")
    qtbot.keyClicks(dialog.password, "not-the-password")
    submit_with_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: "用户名或密码错误" in dialog.error.text(), timeout=15000)
    assert dialog.password.text() == "" and dialog.isVisible()
    assert session.user.username == "duty"  # a refused login changes nothing
    dialog.grab().save("/tmp/login-dialog-error.png")

    pick_account(qtbot, dialog, "viewer")
    submit_with_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible() and "观察员" in window.status.user_label.text(), timeout=30000)
    assert session.user.roles == ["viewer"] and session.client.username == "viewer"
    assert not window.incidents.detail.dispatch_button.isEnabled()
    assert workflow_buttons(window) and not any(b.isEnabled() for b in workflow_buttons(window))
    assert not window.ptz_pad.isEnabled()
    assert window.desk.incidents.transition(incident.id, "accept", incident.version) == (
        "当前角色（观察员）无权执行「受理」")
    assert window.incidents_feature.selected_incident_id() == incident.id
    assert [c.id if c else None for c in window.wall.cameras()] == wall_before

    window.logout_action.trigger()
    qtbot.waitUntil(lambda: dialog.isVisible() and window.status.user_label.text() == "未登录", timeout=15000)
    assert session.events is None and session.outbox is None
    pick_account(qtbot, dialog, "duty")
    submit_with_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible() and "值班员" in window.status.user_label.text(), timeout=30000)
    qtbot.waitUntil(lambda: window.incidents.detail.dispatch_button.isEnabled(), timeout=5000)
    enabled = [b.objectName() for b in workflow_buttons(window) if b.isEnabled()]
    assert enabled == ["action_accept", "action_return", "action_escalate"]  # merging is the commander's
    assert window.ptz_pad.isEnabled()
    assert window.incidents_feature.selected_incident_id() == incident.id
    qtbot.waitUntil(lambda: "实时推送" in window.connection_label.text(), timeout=20000)


def change_password(exercise, username: str, password: str) -> None:
    """What an administrator does on the platform: a new password; and every token of the user runs out."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 20_000)
    with exercise.store.db.transaction() as tx:
        tx.execute("UPDATE users SET salt = ?, pw_hash = ? WHERE username = ?", (salt, digest, username))
        tx.execute("UPDATE tokens SET expires_at = 0 WHERE username = ?", (username,))


def test_an_expired_token_and_a_changed_password_lead_back_to_login_keeping_the_desk(qtbot, window, exercise):
    session = window.session
    incident = next(i for i in session.incidents.open() if i.status is IncidentStatus.NEW)
    window.incidents.select(incident.id)
    wall_before = [c.id if c else None for c in window.wall.cameras()]
    change_password(exercise, "duty", "N3w-pass")

    button = window.incidents.detail.findChild(QPushButton, "action_accept")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # its request meets 401, logging in again fails
    qtbot.waitUntil(lambda: window.login_feature.dialog is not None and window.login_feature.dialog.isVisible(),
                    timeout=20000)
    dialog = window.login_feature.dialog
    assert "登录已失效" in dialog.reason.text() and dialog.username.text() == "duty"
    qtbot.waitUntil(lambda: window.desk.incidents.pending_actions() == 1, timeout=10000)
    assert exercise.store.db.one("SELECT status FROM incidents WHERE id = ?", (incident.id,))["status"] == "new"
    assert window.incidents_feature.selected_incident_id() == incident.id
    assert [c.id if c else None for c in window.wall.cameras()] == wall_before

    qtbot.keyClicks(dialog.password, "N3w-pass")
    submit_with_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    qtbot.waitUntil(lambda: session.incidents.get(incident.id).status is IncidentStatus.ACCEPTED, timeout=20000)
    assert session.client.incident(incident.id).status is IncidentStatus.ACCEPTED  # the queued row went out
    assert window.incidents_feature.selected_incident_id() == incident.id
    assert [c.id if c else None for c in window.wall.cameras()] == wall_before


@pytest.fixture
def file_keyring(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMANDWALL_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield tmp_path / "keyring.json"
    keyring.set_keyring(before)


def test_a_platform_without_a_password_asks_at_start_and_remembers_it(qtbot, tmp_path, exercise, file_keyring):
    url = exercise.base_url
    settings = Settings(backend_url=url, username="commander", data_dir=tmp_path / "desk")
    win = open_window(qtbot, settings, PlatformFactory.at_url(url), ask=True)
    qtbot.waitUntil(lambda: win.login_feature.dialog is not None and win.login_feature.dialog.isVisible(),
                    timeout=30000)
    dialog = win.login_feature.dialog
    assert not win.is_ready() and dialog.accounts.count() == 0 and dialog.username.text() == "commander"
    qtbot.keyClicks(dialog.password, "commander")
    dialog.remember.setChecked(True)
    notes: list[str] = []
    win.login_feature.sig_message.connect(lambda text, _ms: notes.append(text))
    submit_with_enter(qtbot, dialog)
    qtbot.waitUntil(win.is_ready, timeout=60000)
    assert "指挥长" in win.status.user_label.text()
    stored = json.loads(file_keyring.read_text("utf-8"))
    assert stored == {keyring_service(HttpUrl(url)): {"commander": "commander"}}
    qtbot.waitUntil(lambda: any("密码已保存" in note for note in notes), timeout=10000)
    later = resolve_password(Settings(backend_url=url, username="commander"), interactive=False)
    assert later.password_value() == "commander"  # the next start needs no dialog
    win.close()


def test_remember_without_a_keyring_logs_in_and_says_it_was_not_kept(qtbot, tmp_path, exercise):
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        url = exercise.base_url
        win = open_window(qtbot, Settings(backend_url=url, username="duty", data_dir=tmp_path / "desk"),
                          PlatformFactory.at_url(url), ask=True)
        qtbot.waitUntil(lambda: win.login_feature.dialog is not None and win.login_feature.dialog.isVisible(),
                        timeout=30000)
        dialog = win.login_feature.dialog
        qtbot.keyClicks(dialog.password, "duty")
        dialog.remember.setChecked(True)
        notes: list[str] = []
        win.login_feature.sig_message.connect(lambda text, _ms: notes.append(text))
        submit_with_enter(qtbot, dialog)
        qtbot.waitUntil(win.is_ready, timeout=60000)
        qtbot.waitUntil(lambda: any("密码未保存" in note for note in notes), timeout=10000)
        win.close()
    finally:
        keyring.set_keyring(before)


def test_an_unreachable_platform_is_said_in_the_dialog(qtbot, tmp_path, exercise):
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True, accounts=exercise_accounts())
    win = open_window(qtbot, Settings(data_dir=tmp_path), platform)
    qtbot.waitUntil(win.is_ready, timeout=60000)
    exercise.stop()
    win.switch_user_action.trigger()
    dialog = win.login_feature.dialog
    pick_account(qtbot, dialog, "commander")
    submit_with_enter(qtbot, dialog)
    qtbot.waitUntil(lambda: "无法连接平台" in dialog.error.text(), timeout=60000)
    assert dialog.password.text() == "" and win.session.user.username == "duty"
    win.close()


def test_a_login_failing_after_the_last_user_was_let_go_reads_as_no_one_logged_in(qtbot, tmp_path, exercise):
    """The commander's login is accepted, then loading his picture of the platform fails (the camera list answers
    500): the dialog says why, and the status bar no longer names the duty officer — no one is logged in (the desk
    had the commander's name over a closed connection); the next login goes through."""
    from tests.unit.backend_support import LocalServer, gated_proxy

    app, state = gated_proxy(exercise.base_url)
    with LocalServer(app) as proxy:
        platform = PlatformFactory.at_url(proxy.base_url, exercise=True, accounts=exercise_accounts())
        with main_window(qtbot, ClientSession(Settings(data_dir=tmp_path), platform)) as window:
            assert "值班员" in window.status.user_label.text()
            window.switch_user_action.trigger()
            dialog = window.login_feature.dialog
            qtbot.waitUntil(dialog.isVisible)
            state["broken"].add("/api/v1/cameras")
            pick_account(qtbot, dialog, "commander")
            submit_with_enter(qtbot, dialog)
            qtbot.waitUntil(lambda: "无法连接平台" in dialog.error.text(), timeout=20000)
            qtbot.waitUntil(lambda: window.status.user_label.text() == "未登录", timeout=5000)
            assert dialog.isVisible() and not window.session.user.signed_in
            state["broken"].clear()
            pick_account(qtbot, dialog, "commander")
            submit_with_enter(qtbot, dialog)
            qtbot.waitUntil(lambda: not dialog.isVisible() and "指挥长" in window.status.user_label.text(),
                            timeout=30000)
