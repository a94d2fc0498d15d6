"""What the duty officer sees of the platform connection: the status bar fields and the outage banner."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from commandwall import localtime
from commandwall.backend.events import POLL_INTERVAL_S, SNAPSHOT_INTERVAL_S, ConnectionState
from commandwall.backend.outbox import OutboxItem, OutboxState
from commandwall.textsafe import display_text
from commandwall.ui.text import plain_tooltip

CONNECTION_TEXT = {
    ConnectionState.CONNECTING: ("#faad14", "正在连接平台…"),
    ConnectionState.LIVE: ("#52c41a", "实时推送"),
    ConnectionState.POLLING: ("#faad14", "轮询模式（推送中断）"),
    ConnectionState.OFFLINE: ("#ff4d4f", "与平台断开"),
}


class PlatformStatus(QObject):
    """Status-bar fields (connection, counts, outbox, user, clock) and the banner above the map.

    It tells the truth about freshness: the banner gives the time of the last live data whenever the
    picture may be behind.
    """

    def __init__(self, status_bar: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()
        self.connection_label = QLabel()
        self.counts_label = QLabel()
        self.outbox_label = QLabel()
        self.user_label = QLabel()
        self.user_label.setTextFormat(Qt.TextFormat.PlainText)  # display_name comes from the platform
        self.clock_label = QLabel()
        # Permanent widgets: a temporary message (a new incident, a tour page) never hides the connection state.
        for label in (self.connection_label, self.counts_label, self.outbox_label, self.user_label,
                      self.clock_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            status_bar.addPermanentWidget(label)
        self.last_sync: datetime | None = None
        self._state: ConnectionState | None = None
        self.set_connection(ConnectionState.CONNECTING, "")
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick_clock)
        self._clock.start()
        self._tick_clock()

    def stamp_sync(self, *_args: object) -> None:
        """Live data arrived: the picture is current as of now."""
        self.last_sync = localtime.now()

    def set_connection(self, state: ConnectionState, detail: str) -> None:
        """Show the event stream's state; banners for polling (amber) and for an outage (red)."""
        previous, self._state = self._state, state
        self._show_state(state, detail)
        if state is ConnectionState.LIVE:
            self.stamp_sync()
            self.banner.hide()
        elif state is ConnectionState.POLLING:
            self.stamp_sync()
            self.show_banner(
                f"实时推送中断，已改为轮询：事件约 {POLL_INTERVAL_S:.0f} 秒、"
                f"视频点位和处置力量约 {SNAPSHOT_INTERVAL_S:.0f} 秒更新一次",
                severity="warning",
            )
        elif state is ConnectionState.OFFLINE and previous is not None:
            if previous in (ConnectionState.LIVE, ConnectionState.POLLING):
                self.stamp_sync()  # the state was current until this moment
            since = self.last_sync.strftime("%H:%M:%S") if self.last_sync else "—"
            self.show_banner(f"与平台的连接已中断，正在重连；画面显示 {since} 的最后状态")

    def set_failed(self, message: str) -> None:
        """Start-up failed (the message says whether it is retried; it may quote the platform's answer)."""
        self._show_state(ConnectionState.OFFLINE, message)
        self.show_banner(f"无法连接平台：{message}")

    def show_banner(self, text: str, severity: str = "error") -> None:
        """Show ``text`` above the map, red for errors, amber for warnings (as plain text, through
        ``display_text``: it may quote the platform)."""
        colour = "#a8071a" if severity == "error" else "#ad6800"
        self.banner.setStyleSheet(f"background: {colour};")
        self.banner.setText(display_text(text))
        self.banner.show()

    def set_counts(self, open_incidents: int, cameras_online: int, cameras: int) -> None:
        """Open incidents and camera availability."""
        self.counts_label.setText(f"未办结事件 {open_incidents} 起 · 视频在线 {cameras_online}/{cameras}")

    def set_outbox_pending(self, pending: int) -> None:
        """Actions still waiting to reach the platform."""
        self.outbox_label.setText(f"待发送操作 {pending} 条" if pending else "")

    def set_user(self, name: str, roles: list[str]) -> None:
        """Who is logged in, with which roles (both from the platform: shown through ``display_text``)."""
        shown_roles = "、".join(display_text(role, isolate=True) for role in roles)
        self.user_label.setText(f"{display_text(name, isolate=True)} · {shown_roles}")

    def _show_state(self, state: ConnectionState, detail: str) -> None:
        colour, text = CONNECTION_TEXT[state]
        self.connection_label.setText(f"● {text}")
        self.connection_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.connection_label.setToolTip(plain_tooltip(detail))  # server text: never markup

    def _tick_clock(self) -> None:
        self.clock_label.setText(localtime.now().strftime("%Y-%m-%d %H:%M:%S"))


def describe_outbox_item(item: OutboxItem) -> str:
    """A line for the duty officer about where a queued action stands (the platform's error, if quoted, is
    passed through ``display_text``)."""
    kind = "派遣任务" if item.kind == "task" else "状态变更"
    error = display_text(item.last_error or "")
    return {
        OutboxState.PENDING: f"{kind}待发送（网络恢复后自动重发，不会丢失）" + (f"：{error}" if error else ""),
        OutboxState.SENT: f"{kind}已送达平台",
        OutboxState.FAILED: f"{kind}被平台拒绝：{error}",
        OutboxState.CONFLICT: f"{kind}未执行：事件已被他人更新，请查看最新状态后重试",
    }.get(item.state, "")
