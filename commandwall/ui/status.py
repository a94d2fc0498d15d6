"""What the duty officer sees of the platform connection: the status bar fields and the outage banner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from commandwall import localtime
from commandwall.app.login import describe_user
from commandwall.app.session import DeskUser
from commandwall.backend.events import POLL_INTERVAL_S, QUIET_AFTER_S, SNAPSHOT_INTERVAL_S, ConnectionState
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text
from commandwall.ui.adapters import ClientSignals
from commandwall.ui.language import format_time
from commandwall.ui.text import Banner, SteadyLabel, duration_text, plain_tooltip

CONNECTION_TEXT = {
    ConnectionState.CONNECTING: ("#faad14", QT_TRANSLATE_NOOP("StatusBar", "正在连接平台…")),
    ConnectionState.LIVE: ("#52c41a", QT_TRANSLATE_NOOP("StatusBar", "实时推送")),
    ConnectionState.POLLING: ("#faad14", QT_TRANSLATE_NOOP("StatusBar", "轮询模式（推送中断）")),
    ConnectionState.OFFLINE: ("#ff4d4f", QT_TRANSLATE_NOOP("StatusBar", "与平台断开")),
}


#: The states in which a platform not heard from past ``quiet_after_s`` reads 平台无响应: the stream is read,
#: reopened or replaced by polling, and nothing has come back (OFFLINE has its own banner, it says more).
QUIET_STATES = (ConnectionState.LIVE, ConnectionState.CONNECTING, ConnectionState.POLLING)

#: A desk clock this far (seconds) from the platform's is said beside the clock (which shows the platform's time).
CLOCK_WARN_S = 60


class PlatformStatus(QObject):
    """Status-bar fields (connection, counts, outbox, user, clock) and the banner above the map.

    It tells the truth about freshness: the banner gives the time of the last live data whenever the
    picture may be behind.
    """

    #: the banner as shown now (its text, "" when hidden; its background colour): the other screens' windows
    #: show it too, as an outage concerns every screen, not only the map's
    sig_banner = Signal(str, str)

    def __init__(self, status_bar: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = Banner()
        # the fields that change while the desk works: they keep their size (see SteadyLabel)
        self.connection_label = SteadyLabel()
        self.counts_label = SteadyLabel()
        self.outbox_label = SteadyLabel()
        self.overdue_label = SteadyLabel()
        self.overdue_label.setObjectName("overdueCount")
        self._overdue: Callable[[], tuple[int, int]] | None = None
        self.user_label = QLabel()
        self.user_label.setTextFormat(Qt.TextFormat.PlainText)  # display_name comes from the platform
        self.user_label.setObjectName("userLabel")
        self.clock_label = SteadyLabel()
        # Permanent widgets: a temporary message (a new incident, a tour page) never hides the connection state.
        for label in (self.connection_label, self.counts_label, self.overdue_label, self.outbox_label,
                      self.user_label, self.clock_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            status_bar.addPermanentWidget(label)
        self.last_sync: datetime | None = None
        self._counts: Callable[[], tuple[int, int, int]] | None = None
        self._counting = False
        self._quiet_for: Callable[[], float] | None = None
        self._unanswered: Callable[[], bool] | None = None
        # the platform quiet past this many seconds reads as 平台无响应 (tests set it lower)
        self.quiet_after_s = QUIET_AFTER_S
        self._quiet_shown = False  # the label and banner say 平台无响应, over the state's own
        self._offline_since: datetime | None = None  # the last known state is shown, saved at this time
        self._state: ConnectionState | None = None
        self._detail = ""
        self._pending = 0  # actions waiting in the outbox, as last counted
        self._outbox_problem = ""  # why the user's outbox cannot be used now (no action queues), "" when it can
        self._outbox_banner = False  # the banner says that (no other banner is up)
        self.set_connection(ConnectionState.CONNECTING, "")
        self._clock_warned = False  # the clock reads amber: the desk's own clock is off
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick_clock)
        self._clock.start()
        self._tick_clock()

    def follow(self, signals: ClientSignals, counts: Callable[[], tuple[int, int, int]],
               pending_actions: Callable[[], int]) -> None:
        """Keep these fields current from the client's signals: the connection, start-up failures, the time of
        the last live data, the counts (``counts()``: open incidents, cameras online, cameras; recounted
        once a second, not per incident: a burst must not recount thousands each time) and the actions
        waiting in the outbox."""
        self._counts = counts
        signals.sig_failed.connect(self.set_failed)
        signals.sig_local_failed.connect(self.set_local_failed)
        signals.sig_connection.connect(self.set_connection)
        for live in (signals.sig_incidents, signals.sig_unit, signals.sig_camera, signals.sig_task):
            live.connect(self.stamp_sync)
        # Bound methods, not lambdas: a lambda slot runs on the emitting (worker) thread, a method of this
        # GUI-thread object runs queued on the GUI thread.
        self._pending_actions = pending_actions
        signals.sig_outbox.connect(self._recount_outbox)
        signals.sig_ready.connect(self._recount_outbox)  # rows left from the last run
        signals.sig_offline_data.connect(self._recount_outbox)  # the configured user's outbox, opened offline
        signals.sig_offline_data.connect(self.show_offline_data)
        signals.sig_ready.connect(self.clear_offline_data)
        signals.sig_outbox_problem.connect(self.set_outbox_problem)
        signals.sig_outbox_problem.connect(self._recount_outbox)  # opened again: the rows it held wait to be sent

    def show_offline_data(self, saved_at: datetime) -> None:
        """The platform is unreachable and the window shows the last known state: say so, with its time."""
        self._offline_since = saved_at
        self._quiet_shown = False
        self._show_state(ConnectionState.OFFLINE, "")
        text = translate("StatusBar", "{offline}：平台无法连接，显示的是上次保存的事件、任务和处置力量，非实时")
        self.show_banner(text.format(offline=offline_text(saved_at)))

    def clear_offline_data(self) -> None:
        """Live data replaced the last known state."""
        if self._offline_since is not None:
            self._offline_since = None
            self.hide_banner()
            self._show_state(self._state or ConnectionState.CONNECTING, "")

    def follow_quiet(self, quiet_for: Callable[[], float], unanswered: Callable[[], bool] | None = None) -> None:
        """Watch the platform's silence with the clock (``quiet_for()``: seconds since it last sent anything): a
        platform not heard past ``quiet_after_s`` reads 平台无响应 with a banner that counts the seconds, as it
        or the path to it may hang while the connection stays open — whether the stream is read, reopened or
        polled meanwhile; once it answers, the state's own label and banner come back. ``unanswered()``: a request
        got no answer since the platform last sent anything — then it reads so at once, not at the heartbeat's
        timeout."""
        self._quiet_for = quiet_for
        self._unanswered = unanswered

    def _check_quiet(self) -> None:
        quiet = self._quiet_for() if self._quiet_for is not None else 0.0
        hangs = quiet > self.quiet_after_s or (quiet >= 1.0 and self._unanswered is not None and self._unanswered())
        if self._state in QUIET_STATES and self._offline_since is None and hangs:
            self._quiet_shown = True
            self.connection_label.setText("● " + translate("StatusBar", "平台无响应（{seconds} 秒无数据）").format(
                seconds=int(quiet)))
            self.connection_label.setStyleSheet("color: #faad14; font-weight: bold;")
            since = format_time(self.last_sync) if self.last_sync else "—"
            if quiet > self.quiet_after_s:
                text = translate("StatusBar", "平台 {seconds} 秒无任何数据（心跳超时）：连接可能已中断，"
                                              "画面可能停在 {time}")
            else:  # a request timed out before the heartbeat did
                text = translate("StatusBar", "平台未应答请求（{seconds} 秒无数据）：连接可能已中断，"
                                              "画面可能停在 {time}")
            self.show_banner(text.format(seconds=int(quiet), time=since), severity="warning")
        elif self._quiet_shown:  # the platform answered (or the state has a banner of its own now)
            self._quiet_shown = False
            self._show_state(self._state or ConnectionState.CONNECTING, self._detail)
            if self._state is ConnectionState.POLLING:
                self._show_polling_banner()
            elif self._state in (ConnectionState.LIVE, ConnectionState.CONNECTING):
                self.hide_banner()

    def follow_overdue(self, counts: Callable[[], tuple[int, int]]) -> None:
        """Show 督办 counts (``counts()``: overdue tasks, overdue incidents) with the other counts."""
        self._overdue = counts

    def set_overdue(self, tasks: int, incidents: int) -> None:
        """Overdue tasks and incidents, in red; nothing when none is late."""
        self.overdue_label.setText(translate("StatusBar", "超时任务 {tasks} 项 · 超时事件 {incidents} 起").format(
            tasks=tasks, incidents=incidents) if tasks else "")
        self.overdue_label.setStyleSheet("color: #ff4d4f; font-weight: bold;" if tasks else "")

    def _recount_outbox(self, *_args: object) -> None:
        self.set_outbox_pending(self._pending_actions())

    def update_counts(self, *_args: object) -> None:
        """Recount open incidents and cameras online (once the client is connected); while the platform is not
        heard from the counts are the last known, and say as of when."""
        if self._counts is not None and self._counting:
            self.set_counts(*self._counts())
            if self._state is ConnectionState.OFFLINE or self._offline_since is not None or self._quiet_shown:
                since = self._offline_since or self.last_sync
                shown = format_time(localtime.to_display(since), "HH:mm") if since else "—"
                self.counts_label.setText(translate("StatusBar", "{counts}（截至 {time}）").format(
                    counts=self.counts_label.text(), time=shown))

    def start_counting(self) -> None:
        """The client is connected: show the counts from now on."""
        self._counting = True
        self.update_counts()

    def stamp_sync(self, *_args: object) -> None:
        """Live data arrived: the picture is current as of now."""
        self.last_sync = localtime.now()

    def set_connection(self, state: ConnectionState, detail: str) -> None:
        """Show the event stream's state; banners for polling (amber) and for an outage (red). While connecting
        the banner stays as it was (an outage is not over until the stream is live); a platform still not heard
        from keeps reading 平台无响应, its seconds counting on."""
        previous, self._state, self._detail = self._state, state, detail
        self._show_state(state, detail)
        if state is ConnectionState.LIVE:
            self.stamp_sync()
            self.hide_banner()
        elif state is ConnectionState.POLLING:
            self.stamp_sync()
            self._show_polling_banner()
        elif state is ConnectionState.OFFLINE and previous is not None:
            if previous in (ConnectionState.LIVE, ConnectionState.POLLING) and not self._quiet_shown:
                self.stamp_sync()  # the state was current until this moment
            since = format_time(self.last_sync) if self.last_sync else "—"
            self.show_banner(translate("StatusBar", "与平台的连接已中断，正在重连；画面显示 {time} 的最后状态").format(
                time=since))
        if state is not ConnectionState.CONNECTING:  # its own banner is up: a 平台无响应 one is not to restore
            self._quiet_shown = False
        self._check_quiet()  # now, not at the next tick: the label just said the state

    def _show_polling_banner(self) -> None:
        text = translate("StatusBar", "实时推送中断，已改为轮询：事件约 {events} 秒、"
                                      "视频点位和处置力量约 {snapshot} 秒更新一次")
        self.show_banner(text.format(events=f"{POLL_INTERVAL_S:.0f}", snapshot=f"{SNAPSHOT_INTERVAL_S:.0f}"),
                         severity="warning")

    def set_failed(self, message: str) -> None:
        """Start-up failed (the message says whether it is retried; it may quote the platform's answer)."""
        self._show_state(ConnectionState.OFFLINE, message)
        offline = f"{offline_text(self._offline_since)} · " if self._offline_since is not None else ""
        self.show_banner(offline + translate("StatusBar", "无法连接平台：{message}").format(message=message))

    def set_local_failed(self, message: str) -> None:
        """Start-up failed on something of the desk's own (a local file another program holds, a fault of the
        desk's): the message as it is — it is not the platform's failure, and not said as one."""
        self.connection_label.setToolTip(plain_tooltip(message))
        offline = f"{offline_text(self._offline_since)} · " if self._offline_since is not None else ""
        self.show_banner(offline + message)

    def show_banner(self, text: str, severity: str = "error") -> None:
        """Show ``text`` above the map, red for errors, amber for warnings (as plain text, through
        ``display_text``: it may quote the platform)."""
        self._outbox_banner = False
        self.banner.say(display_text(text), "#a8071a" if severity == "error" else "#ad6800")
        self.sig_banner.emit(*self.banner.shown())

    def hide_banner(self) -> None:
        """Take the banner away (here and on the other screens' windows) — but while the user's outbox cannot be
        used, the banner says so instead (amber): the platform is shown live, and no action can be queued."""
        if self._outbox_problem:
            self.show_banner(self._outbox_problem, severity="warning")
            self._outbox_banner = True
        elif not self.banner.isHidden():
            self._outbox_banner = False
            self.banner.say("", "")
            self.sig_banner.emit(*self.banner.shown())

    def set_outbox_problem(self, text: str) -> None:
        """The user's outbox cannot be used now (``text``: why, what is done about it): the outbox field says no
        action can be queued, and the banner says why while no other banner is up; ``""``: it can again (the
        banner that said so goes)."""
        self._outbox_problem = text
        self._show_outbox()
        if self._outbox_banner or (text and self.banner.isHidden()):
            self.hide_banner()

    def banner_now(self) -> tuple[str, str]:
        """The banner's text ("" when hidden) and background colour as shown now."""
        return self.banner.shown()

    def set_counts(self, open_incidents: int, cameras_online: int, cameras: int) -> None:
        """Open incidents and camera availability."""
        self.counts_label.setText(translate("StatusBar", "未办结事件 {open} 起 · 视频在线 {online}/{cameras}").format(
            open=open_incidents, online=cameras_online, cameras=cameras))

    def set_outbox_pending(self, pending: int) -> None:
        """Actions still waiting to reach the platform."""
        self._pending = pending
        self._show_outbox()

    def _show_outbox(self) -> None:
        """The outbox field: the actions waiting, or in red that none can be queued now (why: its tooltip)."""
        if self._outbox_problem:
            self.outbox_label.setText("⚠ " + translate("StatusBar", "发件箱不可用：操作无法暂存"))
            self.outbox_label.setStyleSheet("color: #ff4d4f; font-weight: bold;")
            self.outbox_label.setToolTip(plain_tooltip(self._outbox_problem))
            return
        self.outbox_label.setText(translate("StatusBar", "待发送操作 {count} 条").format(count=self._pending)
                                  if self._pending else "")
        self.outbox_label.setStyleSheet("")
        self.outbox_label.setToolTip("")

    def set_user(self, user: DeskUser) -> None:
        """Who is logged in, with which roles (观察员, 值班员 …), or 未登录."""
        self.user_label.setText(describe_user(user))

    def _show_state(self, state: ConnectionState, detail: str) -> None:
        colour, text = CONNECTION_TEXT[state]
        text = translate("StatusBar", text)
        if self._offline_since is not None and state is not ConnectionState.LIVE:
            text = offline_text(self._offline_since)
        self.connection_label.setText(f"● {text}")
        self.connection_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.connection_label.setToolTip(plain_tooltip(detail))  # server text: never markup

    def _tick_clock(self) -> None:
        text = format_time(localtime.now(), translate("DateFormat", "yyyy-MM-dd HH:mm:ss"))
        skew = localtime.platform_offset_s()
        if abs(skew) >= CLOCK_WARN_S:  # the clock shown is the platform's: say the desk's own is off, and by how much
            amount = duration_text(round(abs(skew)))
            off = (translate("StatusBar", "（本机时钟慢{amount}，按平台时间）") if skew > 0
                   else translate("StatusBar", "（本机时钟快{amount}，按平台时间）"))
            text += off.format(amount=amount)
        warned = abs(skew) >= CLOCK_WARN_S
        if warned != self._clock_warned:
            self._clock_warned = warned
            self.clock_label.setStyleSheet("color: #ffb340;" if warned else "")
        self.clock_label.setText(text)
        self._check_quiet()
        self.update_counts()  # camera states change often: recounted with the clock, not per event
        if self._overdue is not None and self._counting:  # deadlines pass with the clock, not with events
            self.set_overdue(*self._overdue())


def offline_text(saved_at: datetime) -> str:
    """``离线数据 截至 HH:MM`` (China time) for the last known state saved at ``saved_at``."""
    shown = format_time(localtime.to_display(saved_at), "HH:mm")
    return translate("StatusBar", "离线数据 截至 {time}").format(time=shown)
