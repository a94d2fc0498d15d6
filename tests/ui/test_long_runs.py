"""Text from outside with a long unbroken run (200 "W", a base64 token) in word-wrapped labels: every character
shown, on as many lines as it takes, and no label, dialog or window made wider than its screen by it. A Qt label
breaks lines only between words: such a run held the outage banner at 2373 px and the main window at 2675 px on
a 1920 px screen."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QStatusBar, QWidget

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession, DeskUser
from commandwall.config import Settings
from commandwall.domain.models import Incident
from commandwall.textsafe import ZWSP, display_text
from commandwall.ui.incidents.dispatch import DispatchDialog
from commandwall.ui.login.dialog import LoginDialog
from commandwall.ui.status import PlatformStatus
from commandwall.ui.text import Banner, WrappingLabel
from tests.ui.windows import main_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", extend=True)

WS = "W" * 200
BLOB = base64.b64encode(bytes(range(150))).decode()  # 200 characters, "+" and "/" among them
LONG_RUNS = pytest.mark.parametrize("run", [WS, BLOB], ids=["W200", "base64"])


def assert_all_shown_within(label: WrappingLabel, text: str, width: int) -> None:
    """Every character of ``text`` is drawn, wrapped within ``width`` px (on several lines)."""
    drawn = label.drawn_text()
    assert drawn.replace(ZWSP, "") == text
    metrics = QFontMetrics(label.font())
    box = metrics.boundingRect(0, 0, width, 100_000, int(Qt.TextFlag.TextWordWrap), drawn)
    assert box.width() <= width, box
    assert box.height() >= 3 * metrics.lineSpacing(), box


@LONG_RUNS
def test_a_banner_with_a_long_run_wraps_it_instead_of_widening(qtbot, run: str):
    banner = Banner()
    qtbot.addWidget(banner)
    message = display_text(f"无法连接平台：{run}… (HTTP 503)")
    banner.say(message, "#a8071a")
    assert banner.minimumSizeHint().width() < 600, banner.minimumSizeHint()
    assert banner.shown() == (message, "#a8071a")  # the text as said
    assert_all_shown_within(banner, message, 400)
    banner.resize(400, banner.heightForWidth(400))
    assert banner.heightForWidth(400) >= 3 * banner.fontMetrics().lineSpacing()


@LONG_RUNS
def test_the_login_dialog_quoting_a_long_run_stays_narrow(qtbot, run: str):
    dialog = LoginDialog("http://127.0.0.1:1", (), can_remember=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ask(f"登录已失效，请重新登录（{run}… (HTTP 401)）", "duty")
    dialog.adjustSize()
    assert dialog.minimumSizeHint().width() < 600, dialog.minimumSizeHint()
    assert dialog.width() < 800, dialog.width()
    reason = dialog.findChild(WrappingLabel, "loginReason")
    assert run in reason.text() and run not in reason.drawn_text()


@LONG_RUNS
def test_the_dispatch_dialog_with_a_long_title_stays_narrow(qtbot, run: str):
    incident = Incident(id="INC-1", title=run, category="治安", priority=2, lon=117.3, lat=34.8, town="临城街道",
                        reported_at="2026-12-05T08:00:00Z", updated_at="2026-12-05T08:00:00Z", version=1)
    dialog = DispatchDialog(incident, [])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.adjustSize()
    assert dialog.minimumSizeHint().width() < 800, dialog.minimumSizeHint()
    assert dialog.title.text() == run
    assert_all_shown_within(dialog.title, run, 400)


class _Outage(BaseHTTPRequestHandler):
    """A platform that logs in, then answers every read with 503 and a message of one long run."""

    protocol_version = "HTTP/1.1"
    message = WS

    def log_message(self, *args) -> None:
        pass

    def _send(self, code: int, doc: dict) -> None:
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/api/v1/auth/token"):
            self._send(200, {"access_token": "tok", "expires_in": 3600, "display_name": "duty", "roles": ["duty"]})
        else:
            self._send(503, {"error": "down", "message": self.message})

    def do_GET(self) -> None:
        if self.path.startswith("/api/v1/health"):
            self._send(200, {"status": "ok"})
        else:
            self._send(503, {"error": "down", "message": self.message})


class Answer(NamedTuple):
    url: str
    message: str


@pytest.fixture(params=[WS, BLOB], ids=["W200", "base64"])
def outage(request) -> Iterator[Answer]:
    handler = type("Outage", (_Outage,), {"message": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Answer(f"http://127.0.0.1:{server.server_address[1]}", request.param)
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_main_window_stays_within_its_screen_when_the_platform_answers_503_with_a_long_run(
        qtbot, tmp_path, outage: Answer):
    settings = Settings(data_dir=tmp_path, backend_url=outage.url, password="x")
    session = ClientSession(settings, PlatformFactory.at_url(outage.url))
    with main_window(qtbot, session, size=(1600, 900), wait_ready=False) as window:
        banner = window.banner
        qtbot.waitUntil(lambda: not banner.isHidden() and outage.message[:40] in banner.text(), timeout=30_000)
        qtbot.wait(300)  # the layout settles
        screen = window.screen().availableGeometry()
        assert window.minimumSizeHint().width() <= screen.width(), window.minimumSizeHint()
        assert window.width() <= max(1600, screen.width()), window.width()
        assert banner.minimumSizeHint().width() < 600


def test_a_long_display_name_and_many_roles_leave_the_status_bar_room(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    status = PlatformStatus(QStatusBar(holder), holder)
    roles = ["duty"] + [f"r{i}-" + "x" * 196 for i in range(63)]  # as many as a login may hold, each 200 long
    status.set_user(DeskUser(username="duty", display_name=WS, roles=roles))
    assert status.user_label.text().startswith("W" * 20)
    assert status.user_label.sizeHint().width() < 900, status.user_label.sizeHint()


def test_a_selection_copied_from_a_wrapping_label_has_no_added_breaks(qtbot):
    label = WrappingLabel(f"地址：{BLOB}")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # as the incident detail's
    qtbot.addWidget(label)
    label.show()
    label.setSelection(0, len(label.drawn_text()))
    assert ZWSP in label.selectedText()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(label, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == f"地址：{BLOB}"
