"""The client's working state, without Qt: which platform, the stores, the event stream and the outbox.

``ClientSession.start()`` does the slow parts (opening the platform the command line chose — perhaps starting
the embedded exercise backend —, logging in, loading layers, cameras, units and incidents) and is meant to run
on a worker thread; progress and results reach the UI through the callbacks in ``ClientListener``. Everything
after start-up flows through the stores.

Users come and go while the window stays: ``log_in()`` (switch user, or the same user again after the token
was refused) and ``log_out()`` stop the old user's event stream and outbox and start the new user's, keeping
the platform and the stores. When the platform refuses a token and logging in again with the password held
fails (it was changed, the account was locked), ``listener.on_login_needed`` asks the UI for a login; the
old user's queued actions wait in his outbox file until he logs in again, and whoever logs in next is told of them
(``on_notice``; :meth:`ClientSession.waiting_elsewhere` lists them).

A desk started while the platform cannot be reached shows the last known state and opens the configured user's
outbox without a login (``DeskUser.offline``): his actions queue there as in any outage and are sent once he is
logged in — never under another user's name.

The desk's own files (the outboxes, the last known state) never end start-up nor keep it failing for ever: a file
that is no outbox is set aside and a new one begun; one another program holds locked, or one that cannot be used at
all (the disk full or read-only), leaves the desk live — the platform's data shown, its events heard — but queuing
no action, which is said (``on_outbox_problem``) and each action refused saying why, while the file is tried again
in the background until it opens (then said again, and its rows sent); whatever start-up fails on that is the desk's
own is said through ``on_local_failed``, never as the platform's.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from pyproj import Geod

from commandwall import localtime
from commandwall.app.areas import DistrictAreas
from commandwall.app.datafolder import outbox_failure_reason
from commandwall.app.deskid import desk_id
from commandwall.app.lastknown import LastKnown, LastKnownWriter, last_known_path, load_last_known
from commandwall.app.outboxes import WaitingOutbox, outbox_path, record_owner, waiting_elsewhere
from commandwall.app.platform import Platform, PlatformFactory
from commandwall.app.platform_layers import CatalogueLayer, read_catalogue_layer
from commandwall.app.ptz import PtzController
from commandwall.app.store import Stores
from commandwall.backend.api import Login, PlatformClient
from commandwall.backend.clock import PlatformClock
from commandwall.backend.epoch import PlatformEpoch
from commandwall.backend.errors import AuthError, BackendError, BackendUnavailableError, PermissionDeniedError
from commandwall.backend.events import QUIET_AFTER_S, ConnectionState, EventStream, Resync
from commandwall.backend.outbox import PLATFORM_WENT_BACK, Outbox, OutboxItem, OutboxState, OutboxWriteError
from commandwall.backoff import Backoff, RetryPacer
from commandwall.config import Settings
from commandwall.domain.models import Camera, CameraStatus, Incident, Task, TimelineEntry, Unit
from commandwall.domain.workflow import ATTACH, NOTE, ROLE_ACTIONS, TASK, refusal
from commandwall.geo.index import CameraIndex
from commandwall.geo.layers import Layer, load_layers, shown_title
from commandwall.i18n import translate
from commandwall.localdb import Trouble, set_aside_database, trouble

log = logging.getLogger(__name__)
_GEOD = Geod(ellps="WGS84")
#: Seconds a stream that went live again must have been so before the outbox sends (see ``_outbox_may_send``).
OUTBOX_AFTER_LIVE_S = 1.0


@dataclass
class ClientListener:
    """Callbacks the UI adapter sets; each may be called from any thread."""

    on_progress: Callable[[str], None] = lambda text: None
    on_ready: Callable[[], None] = lambda: None
    on_layers: Callable[[list[Layer], list[str]], None] = lambda layers, errors: None
    #: Start-up failed on the platform (unreachable, refused, answering garbage): what the officer reads.
    on_failed: Callable[[str], None] = lambda message: None
    #: Start-up failed on something of the desk's own (a fault of the desk's, a file it cannot read; the user's outbox
    #: never holds start-up: on_outbox_problem): what the officer reads — never said as a failure to connect to the
    #: platform.
    on_local_failed: Callable[[str], None] = lambda message: None
    on_connection: Callable[[ConnectionState, str], None] = lambda state, detail: None
    #: A login is needed (no password for a real platform, login refused, token refused): the reason, or "".
    on_login_needed: Callable[[str], None] = lambda reason: None
    #: The platform cannot be reached at start-up: the stores show the last known state, saved at this time.
    on_offline_data: Callable[[datetime], None] = lambda saved_at: None
    #: Something the duty officer must know that is no failure to connect (a damaged local file set aside).
    on_notice: Callable[[str], None] = lambda text: None
    #: The user's outbox cannot be used now (another program holds it, the disk is full or read-only): what the
    #: officer reads — no action can be queued, the file is tried again —; "" once it can (or no one is logged in).
    on_outbox_problem: Callable[[str], None] = lambda text: None
    #: The platform's data went back (reset, restored from a backup): the stores were loaded again as a whole, as
    #: at a login, and the views are to show them afresh (``on_notice`` tells the officer).
    on_reloaded: Callable[[], None] = lambda: None


@dataclass
class DeskUser:
    """Who is logged in where."""

    base_url: str = ""
    exercise: bool = True
    username: str = ""
    display_name: str = ""
    roles: list[str] = field(default_factory=list)
    #: Not logged in: the platform could not be reached at start-up, and this is the configured user, whose actions
    #: queue in his outbox until he is logged in (``roles`` as the last known state kept them).
    offline: bool = False
    #: False while offline with no roles kept: ``roles`` then lets every action queue and the platform decides.
    roles_known: bool = True

    @property
    def signed_in(self) -> bool:
        """Whether someone is logged in, or queues offline as the configured user (``offline``)."""
        return bool(self.username)

    @property
    def can_act(self) -> bool:
        """Whether the user may change incidents and dispatch tasks."""
        return bool({"duty_officer", "commander", "admin"} & set(self.roles))


class ClientSession:
    """Connects the stores to the one platform that ``platform.open()`` gives (called on the worker thread)."""

    def __init__(self, settings: Settings, platform: PlatformFactory, listener: ClientListener | None = None, *,
                 ask_when_no_password: bool = False) -> None:
        self.settings = settings
        #: A real platform without a password: ask the user (``on_login_needed``) instead of trying the
        #: exercise accounts' convention (password = user name). The GUI asks; the screenshot mode does not.
        self.ask_when_no_password = ask_when_no_password
        self.platform_factory = platform
        self.listener = listener or ClientListener()
        self.stores = Stores()
        self.incidents = self.stores.incidents
        self.cameras = self.stores.cameras
        self.units = self.stores.units
        self.tasks = self.stores.tasks
        self._camera_index: CameraIndex | None = None
        self.user = DeskUser(exercise=platform.exercise)
        self.layers: list[Layer] = []
        #: The platform's layer catalogue as read (平台图层): every entry, with its features or why not.
        self.catalogue: list[CatalogueLayer] = []
        #: Why the catalogue itself could not be had (the local layer folder is drawn instead), or None.
        self.catalogue_problem: str | None = None
        self._folder_errors: list[tuple[str, str]] = []  # from the last reading of the local layer folder
        self.platform: Platform | None = None
        self.client: PlatformClient | None = None
        self.events: EventStream | None = None
        self.outbox: Outbox | None = None
        self.ptz: PtzController | None = None
        self.last_known: LastKnownWriter | None = None
        #: When the last known state shown was saved, while the stores hold it instead of live data.
        self.offline_data: datetime | None = None
        self._stopping = threading.Event()
        self._parts_lock = threading.Lock()  # start-up and stop() never race over the parts below
        self._login_lock = threading.Lock()  # one login, start-up or logout at a time
        self._layers_loaded = False
        #: The platform's clock, from its answers: the desk's "now" follows it (``localtime.now``).
        self.clock = PlatformClock(on_change=self._platform_clock_changed)
        #: The platform's data epoch, from its answers: a new one means its data was reset or restored.
        self.epoch = PlatformEpoch()
        self.epoch.add_listener(self._platform_epoch_changed)
        self._told_held = False  # the officer was told of actions held because the platform's data went back
        self._login_lost = False  # the platform refused to log in again; reported once
        self._start_thread: threading.Thread | None = None
        self._offline_client: PlatformClient | None = None  # names the offline user's outbox; it sends nothing
        self._outbox_path: Path | None = None  # the signed-in user's outbox file (also when it could not be opened)
        #: Why the signed-in user's outbox could not be opened (the desk works on, queuing nothing), or None.
        self.outbox_problem: OutboxWriteError | None = None
        #: The desk's other outboxes with actions pending (another user's, another platform's), as last read.
        self.waiting: list[WaitingOutbox] = []
        #: First pause (s) before start-up is tried again, and the longest one.
        self.retry_initial_s = 2.0
        self.retry_max_s = 30.0
        #: First pause (s) before an outbox that could not be opened is tried again, and the longest one.
        self.outbox_retry_initial_s = 2.0
        self.outbox_retry_max_s = 15.0  # the officer closing the other program waits at most this for 已恢复
        #: Set to end the thread trying the user's outbox again (None: none runs); under ``_parts_lock``.
        self._outbox_reopen: threading.Event | None = None

    # --- life cycle ---------------------------------------------------------------------------------
    def start_in_background(self) -> None:
        """Run ``start()`` on a worker thread (what the window does: it stays responsive meanwhile)."""
        self._start_thread = threading.Thread(target=self.start, name="session-start", daemon=True)
        self._start_thread.start()

    def start(self) -> None:
        """Connect and load everything; blocking, so call it off the GUI thread.

        Every failure is reported — the platform's through ``listener.on_failed``, the desk's own (a local file
        another program holds, an unexpected error) through ``listener.on_local_failed`` — and start-up is retried
        with a growing pause (``retry_initial_s`` doubling up to ``retry_max_s``) until it succeeds or ``stop()`` is
        called: an unreachable platform, one answering garbage or the wrong shape, any other platform error and
        unexpected errors alike; nothing a local file holds ends it. Only a refused login (``AuthError``) or missing
        rights (``PermissionDeniedError``) end it: those need the user.
        """
        pacer = RetryPacer(Backoff(initial_s=self.retry_initial_s, maximum_s=self.retry_max_s, jitter=0.1))
        while not self._stopping.is_set():
            try:
                self._start()
                return
            except AuthError as exc:  # the user must log in with another password or account
                log.error("start-up failed: %s", exc)
                self.listener.on_failed(str(exc))
                self._tell_offline_pending()
                self.listener.on_login_needed(str(exc))
                return
            except PermissionDeniedError as exc:  # the user must change the account
                log.error("start-up failed: %s", exc)
                self.listener.on_failed(str(exc))
                self._tell_offline_pending()
                return
            except Exception as exc:  # outage, garbage, a bug: report it and try again
                if self._stopping.is_set():
                    return
                delay = pacer.next_delay()
                if isinstance(exc, BackendError):
                    self._show_last_known_safely(exc.summary)
                    log.warning("start-up failed: %s; retrying in %.1f s", exc, delay)
                    # what the officer reads; the log line has the request and classes
                    self.listener.on_failed(translate("session", "{reason}（{seconds} 秒后重试）").format(
                        reason=exc.summary, seconds=f"{delay:.0f}"))
                else:  # the desk's own: never said as a failure to connect to the platform
                    log.exception("start-up failed unexpectedly; retrying in %.1f s", delay)
                    reason = translate("session", "内部错误: {error}").format(error=type(exc).__name__)
                    said = translate("session", "启动未完成：{reason}（{seconds} 秒后重试）")
                    self.listener.on_local_failed(said.format(reason=reason, seconds=f"{delay:.0f}"))
                if self._stopping.wait(delay):
                    return

    def _start(self) -> None:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        if self.platform is None:  # opened once; a retried start-up keeps it
            if self.user.exercise:
                self.listener.on_progress(translate("session", "正在启动演练后台…"))
            platform = self.platform_factory.open()
            with self._parts_lock:
                if self._stopping.is_set():  # the window closed while the platform was starting
                    platform.close()
                    return
                self.platform = platform
            if platform.notice:
                self.listener.on_notice(platform.notice)
        if self._stopping.is_set():
            return
        self.user.base_url = self.platform.base_url
        if s.password is None and self.ask_when_no_password and not self.user.exercise:
            self.listener.on_login_needed("")
            return
        self.listener.on_progress(translate("session", "正在登录平台…"))
        self.log_in(s.username, s.password_value())

    def _show_last_known_safely(self, reason: str) -> None:
        """:meth:`_show_last_known`, whose failure (a local file, a fault) is logged: it runs in start-up's retry
        loop, which nothing may end but a success or ``stop()``."""
        try:
            self._show_last_known(reason)
        except Exception:
            log.exception("the last known state could not be shown")

    def _show_last_known(self, reason: str = "") -> None:
        """The platform is unreachable at start-up (``reason``): the map and the layer tree from the local layer
        folder (once; also on a desk's first start, which has no last known state: the district's map is the
        desk's own), and the empty stores from the last known state of this platform and user (once), marked
        as not live."""
        platform = self.platform
        if platform is None or self.offline_data is not None or len(self.incidents) or (
                self.user.signed_in and not self.user.offline):
            return
        if not self._layers_loaded and not self.layers_from_folder:  # the local layer folder stands in for the
            self._use_layers(*self._read_layer_folder(reason or translate("session", "平台不可达")))  # catalogue
        path = last_known_path(self.settings.data_dir, platform.base_url, self.user.exercise, self.settings.username)
        found = load_last_known(path)
        self._open_offline_outbox(found)
        if found is None:
            return
        self.units.replace_all(found.units)
        self.cameras.replace_all(found.cameras)  # status unknown: not live
        self._camera_index = CameraIndex(found.cameras)
        self.tasks.replace_all(found.tasks)
        self.incidents.replace_all(found.incidents)
        self.offline_data = found.saved_at
        log.warning("platform unreachable: showing the last known state saved at %s (%d incidents, %d cameras)",
                    found.saved_at.isoformat(), len(found.incidents), len(found.cameras))
        self.listener.on_offline_data(found.saved_at)

    def _open_offline_outbox(self, found: LastKnown | None) -> None:
        """The platform cannot be reached at start-up: open the configured user's outbox (the one his login picks)
        so that his actions queue as in any outage, to be sent once he is logged in. Who he may act as comes from
        the last known state (``found``); without it every action queues and the platform decides (a refusal
        marks the row failed, shown). Nothing is opened when no user is configured or someone is logged in."""
        s, platform = self.settings, self.platform
        username = (s.username or "").strip()
        if platform is None or not username or self.outbox is not None or self.user.signed_in:
            return
        client = PlatformClient(platform.base_url, username, s.password_value(), timeout=s.request_timeout_s,
                                verify=s.verify_tls, desk_id=desk_id(s.data_dir), clock=self.clock,
                                epoch=self.epoch)
        path = outbox_path(s.data_dir, platform.base_url, self.user.exercise, username)
        with self._parts_lock:
            if self._stopping.is_set() or self.outbox is not None:
                client.close()
                return
            outbox = self._open_outbox(path, client)  # not started: it sends once the user is logged in
            self._offline_client = client
            if outbox is None:  # held or unusable (said): his actions are refused saying why; tried again
                self._reopen_outbox_later(path, client, None, send=False)
            else:
                self._use_outbox(outbox, path, client, send=False)
            roles = found.roles if found is not None else None
            self.user.username = username
            self.user.display_name = (found.display_name if found is not None else "") or username
            acting = sorted(role for role, actions in ROLE_ACTIONS.items() if actions)  # the platform decides
            self.user.roles = sorted(roles) if roles is not None else acting
            self.user.offline, self.user.roles_known = True, roles is not None
        log.warning("platform unreachable: %s's actions queue in %s until he is logged in (%d waiting; roles %s)",
                    username, path.name, outbox.pending_count() if outbox is not None else 0,
                    roles if roles is not None else "unknown")
        self._tell_waiting_elsewhere(path)

    def _tell_offline_pending(self) -> None:
        """The platform refused the offline user's login: his queued actions stay in his outbox, and he is told."""
        outbox = self.outbox
        if not self.user.offline or outbox is None or not outbox.pending_count():
            return
        log.warning("%d action(s) of %s stay queued: the platform refused his login", outbox.pending_count(),
                    self.user.username)
        text = translate("session",
                         "平台拒绝了 {user} 的登录：其 {count} 项操作仍保存在本机待发送，请以该用户重新登录后发出")
        self.listener.on_notice(text.format(user=self.user.username, count=outbox.pending_count()))

    def waiting_elsewhere(self) -> list[WaitingOutbox]:
        """The desk's other outboxes with actions still pending (another user's, another platform's), read now:
        they are sent only when their user logs in to their platform again (blocks briefly on the files)."""
        self.waiting = waiting_elsewhere(self.settings.data_dir, self._outbox_path if self.user.signed_in else None)
        return self.waiting

    def _tell_waiting_elsewhere(self, mine: Path) -> None:
        """Tell the officer whose actions wait in the desk's other outboxes (not sent by this user's session)."""
        self.waiting = waiting_elsewhere(self.settings.data_dir, mine)
        if self.waiting:
            here = self.platform.base_url if self.platform is not None else ""
            self.listener.on_notice(translate("session", "；").join(w.notice(here) for w in self.waiting))

    def log_in(self, username: str, password: str) -> DeskUser:
        """Log in as ``username``; blocking (call it off the GUI thread); ``listener.on_ready`` follows.

        The new client logs in first: if the platform refuses (``AuthError``) or cannot be reached
        (``BackendError``) the current user stays as he was. Then the old user's event stream, outbox and PTZ
        stop, and the new user's data is loaded and his own outbox (one file per platform and user: the same
        user finds the actions he queued before) and event stream start. The stores and the layers stay. A
        failure after the old user was let go (the platform lost while the new one's data loads) leaves no one
        logged in — never the new name over a closed connection, no stream and no outbox.
        """
        platform = self.platform
        if platform is None:
            raise BackendUnavailableError(translate("session", "平台尚未就绪，请稍后再试"))
        s = self.settings
        client = PlatformClient(platform.base_url, username, password, timeout=s.request_timeout_s,
                                verify=s.verify_tls, desk_id=desk_id(s.data_dir), clock=self.clock,
                                epoch=self.epoch)
        with self._login_lock:
            try:
                login = client.login()
            except BaseException:
                client.close()
                raise
            try:
                self._disconnect_user()
                self._connect_user(client, login)
            except BaseException:
                log.warning("login of %s failed part-way: no one is logged in", username)
                self._disconnect_user()
                client.close()
                self._sign_out_user()
                raise
        self.listener.on_ready()
        return self.user

    def log_out(self) -> None:
        """Stop the user's event stream, outbox and PTZ (queued actions stay in his outbox file); the stores
        keep what they show until the next login. Blocking for a moment: call it off the GUI thread."""
        with self._login_lock:
            self._disconnect_user()
            self._sign_out_user()
        log.info("logged out")

    def _sign_out_user(self) -> None:
        """No one is logged in (the stores keep what they show)."""
        self.user.username, self.user.display_name, self.user.roles = "", "", []
        self.user.offline, self.user.roles_known = False, True

    def _disconnect_user(self) -> None:
        with self._parts_lock:
            parts, ptz = (self.events, self.outbox, self.last_known), self.ptz
            clients = (self.client, self._offline_client)
            self.events = self.outbox = self.ptz = self.client = self.last_known = self._offline_client = None
            had_problem, self.outbox_problem = self.outbox_problem is not None, None
            if self._outbox_reopen is not None:  # his outbox is no longer tried (a next login opens its own)
                self._outbox_reopen.set()
                self._outbox_reopen = None
        if had_problem and not self._stopping.is_set():
            self.listener.on_outbox_problem("")  # what is said of it went with the user
        if ptz is not None:
            ptz.shutdown(wait=False)
        for part in parts:
            if part is not None:
                part.stop()
        for client in clients:
            if client is not None:
                client.close()

    def _on_login_refused(self, client: PlatformClient, exc: AuthError) -> None:
        """The platform refused a token and then the password (any thread): ask the user, once."""
        if client is not self.client or self._login_lost or self._stopping.is_set():
            return
        self._login_lost = True
        log.warning("logging in again as %s was refused (%s): a login is needed", client.username, exc)
        self.listener.on_login_needed(translate("session", "登录已失效，请重新登录（{error}）").format(error=exc))

    def _connect_user(self, client: PlatformClient, login: Login) -> None:
        """Load the logged-in user's picture of the platform and start his outbox and event stream."""
        s = self.settings
        self.client = client
        client.on_login_refused = lambda exc: self._on_login_refused(client, exc)
        self._login_lost = False
        self.user.username, self.user.display_name = login.username, login.display_name or login.username
        self.user.roles = sorted(login.roles)
        self.user.offline, self.user.roles_known = False, True
        if not self._layers_loaded:  # the map keeps its layers across logins
            self.listener.on_progress(translate("session", "正在加载图层…"))
            layers, errors = self._load_layers()
            self._layers_loaded = True
            self._use_layers(layers, errors)

        self.listener.on_progress(translate("session", "正在加载视频点位、处置力量和事件…"))
        cameras, units, tasks, cursor = self._load_platform(client)
        self.offline_data = None  # live again

        # One outbox per platform and user: rows queued by one officer are never sent with another's token.
        base_url = client.base_url
        path = outbox_path(s.data_dir, base_url, self.user.exercise, login.username)
        with self._parts_lock:
            if self._stopping.is_set():
                return
            # held by another program or unusable: None (said), the desk goes on live queuing nothing, and the file
            # is tried again in the background until it opens
            outbox = self._open_outbox(path, client, may_send=self._outbox_may_send)
            if outbox is None:
                self._reopen_outbox_later(path, client, self._outbox_may_send, send=True)
            else:
                self._use_outbox(outbox, path, client, send=True)
            self.last_known = LastKnownWriter(
                last_known_path(s.data_dir, base_url, self.user.exercise, login.username), self.stores,
                roles=self.user.roles, display_name=self.user.display_name).start()
            self.events = EventStream(
                client, on_event=self.stores.apply_event, on_state=self._on_connection,
                cursor=cursor, cameras=cameras, units=units, tasks=tasks,
                on_reset=lambda reason: self._reload_after_reset(client, reason),
            )
            self.events.start()
            self.ptz = PtzController(client)
        self._tell_waiting_elsewhere(path)  # another user's actions are his to send: the officer is told

    def _load_platform(self, client: PlatformClient, *, authoritative: bool = False
                       ) -> tuple[list[Camera], list[Unit], list[Task], str | None]:
        """Load cameras, units, tasks and incidents into the stores as a whole (``authoritative``: what the stores
        hold newer gives way too); returns what was loaded and the incidents' cursor, for the event stream."""
        cameras = client.cameras()
        self.cameras.replace_all(cameras, authoritative=authoritative)
        self._camera_index = CameraIndex(cameras)
        units = client.units()
        self.units.replace_all(units, authoritative=authoritative)
        tasks = client.tasks()
        self.tasks.replace_all(tasks, authoritative=authoritative)  # so a desk started later sees what was dispatched
        incidents, cursor = client.incidents()
        self.incidents.replace_all(incidents, authoritative=authoritative)
        return cameras, units, tasks, cursor

    def _reload_after_reset(self, client: PlatformClient, reason: str) -> Resync:
        """The platform's data went back (its database reset or restored from a backup; on the event stream's
        thread): what the desk holds is no longer what the platform has — incidents gone, older versions, other
        titles. Everything is loaded again as the platform has it now, the views show it afresh and the officer is
        told once. ``BackendError``: the stream tries again later."""
        if client is not self.client or self._stopping.is_set():  # another user's stream, ending
            return Resync(cursor=None)
        log.warning("the platform's data went back (%s): reloading cameras, units, tasks and incidents", reason)
        cameras, units, tasks, cursor = self._load_platform(client, authoritative=True)
        log.warning("reloaded from the platform: %d incidents, %d tasks, %d units, %d cameras", len(self.incidents),
                    len(tasks), len(units), len(cameras))
        outbox = self.outbox
        self._told_held = True  # said below, with the count
        held = outbox.hold_pending(f"held: the platform's data went back ({reason})") if outbox is not None else 0
        self.listener.on_reloaded()
        self.listener.on_notice(translate("session", "平台数据已重置或回退，已重新载入"))
        if held:
            told = translate("session", "{count} 项未发送的操作已暂停（事件可能已非原事件），请在「未送达的操作」核对")
            self.listener.on_notice(told.format(count=held))
        return Resync(cursor=cursor, cameras=cameras, units=units, tasks=tasks)

    def _on_connection(self, state: ConnectionState, detail: str) -> None:
        """The event stream's state, to the listener; live again, the outbox tries its waiting rows at once."""
        outbox = self.outbox
        if state is ConnectionState.LIVE and outbox is not None:
            outbox.retry_soon()
        self.listener.on_connection(state, detail)

    def _open_outbox(self, path: Path, client: PlatformClient, may_send: Callable[[], bool] | None = None
                     ) -> Outbox | None:  # fmt: skip
        """This user's outbox (``may_send``: see :class:`Outbox`), or None when the desk cannot keep one now: then
        :attr:`outbox_problem` says why, the officer is told (``on_notice``, ``on_outbox_problem``) and the caller
        tries the file again in the background (:meth:`_reopen_outbox_later`). What the file's failure means
        (:meth:`_try_outbox`) decides what is said."""
        self._outbox_path, self.outbox_problem = path, None
        found = self._try_outbox(path, client, may_send)
        if not isinstance(found, OutboxWriteError):
            return found
        self.outbox_problem = found
        log.error("outbox %s cannot be used now (%s): no action can be queued; tried again in the background",
                  path.name, found)
        said = self._outbox_problem_text(path, found)
        self.listener.on_notice(said)
        self.listener.on_outbox_problem(said)
        return None

    def _try_outbox(self, path: Path, client: PlatformClient, may_send: Callable[[], bool] | None
                    ) -> Outbox | OutboxWriteError:  # fmt: skip
        """Open the outbox at ``path``, or say why it cannot be now. What the file's failure means
        (``localdb.trouble``) decides:

        - another program holds it locked (a backup, the ``sqlite3`` shell): ``OutboxWriteError`` with ``held`` —
          the desk works on live without queuing, and the file is opened once it is free (its rows sent then);
        - it is no outbox — no database (damaged, cut short), tables of another shape, a named pipe or a folder
          under its name (never opened: a pipe would hold the thread for ever) —: every login failed with 内部错误
          for ever. It is set aside as ``*.broken-<time>`` (kept, its unsent actions to be checked by hand) and a
          new outbox begun, which the duty officer is told;
        - it cannot be used nor set aside (the disk full or read-only, an I/O error): ``OutboxWriteError`` saying
          which — the desk shows the platform live but queues no action, each refused saying why, until the file
          opens again (the disk is mended) — never a start-up failing for ever.
        """
        try:
            return Outbox(path, client, may_send=may_send)
        except sqlite3.Error as exc:
            error: sqlite3.Error = exc
        kind = trouble(error)
        if kind is Trouble.LOCKED:
            return OutboxWriteError(error, held=True)
        if kind is Trouble.UNUSABLE:
            aside = set_aside_database(path)  # its journals with it: they belong to it, not to the new file
            if aside is not None:
                log.error("outbox %s is no usable outbox (%s): set aside as %s, a new one begun", path.name, error,
                          aside.name)
                notice = translate("session",
                                   "发件箱文件无法使用，已另存为 {name}（未发出的操作请人工核对），已新建发件箱")
                self.listener.on_notice(notice.format(name=aside.name))
                try:
                    return Outbox(path, client, may_send=may_send)
                except sqlite3.Error as again:
                    error = again
        return OutboxWriteError.of(error, path.parent)

    @staticmethod
    def _outbox_problem_text(path: Path, problem: OutboxWriteError) -> str:
        """What the officer reads while the outbox at ``path`` cannot be used (``problem``)."""
        if problem.held:
            text = translate("session", "本机发件箱文件 {name} 正被其他程序占用：派遣、受理、备注等操作暂时无法"
                                        "暂存和提交，平台数据照常显示；文件释放后自动恢复")
            return text.format(name=path.name)
        text = translate("session", "本机发件箱 {name} 无法使用（{reason}）：派遣、受理、备注等操作无法暂存和提交，"
                                    "请检查数据目录；修复后自动恢复")
        return text.format(name=path.name, reason=outbox_failure_reason(problem))

    def _use_outbox(self, outbox: Outbox, path: Path, client: PlatformClient, *, send: bool) -> None:
        """Make ``outbox`` the user's (under ``_parts_lock``): whose it is written into it, its answers update the
        stores, and with ``send`` its worker starts (an offline user's waits for his login)."""
        record_owner(path, client.username, client.base_url, self.user.exercise)
        outbox.add_listener(self._on_outbox)
        if send:
            outbox.start()
        self.outbox = outbox

    def _reopen_outbox_later(self, path: Path, client: PlatformClient, may_send: Callable[[], bool] | None, *,
                             send: bool) -> None:
        """The user's outbox could not be opened (:attr:`outbox_problem`; under ``_parts_lock``): try it again on a
        thread of its own with a growing pause (``outbox_retry_initial_s`` doubling up to ``outbox_retry_max_s``)
        until it opens — then it is the user's (:meth:`_use_outbox`), its rows sent, and the officer told — or the
        user goes (``_disconnect_user``)."""
        if self._outbox_reopen is not None:
            self._outbox_reopen.set()
        stop = self._outbox_reopen = threading.Event()
        threading.Thread(target=self._reopen_outbox, args=(stop, path, client, may_send, send),
                         name="outbox-reopen", daemon=True).start()

    def _reopen_outbox(self, stop: threading.Event, path: Path, client: PlatformClient,
                       may_send: Callable[[], bool] | None, send: bool) -> None:
        pacer = RetryPacer(Backoff(initial_s=self.outbox_retry_initial_s, maximum_s=self.outbox_retry_max_s,
                                   jitter=0.1))
        while not stop.wait(pacer.next_delay()):
            try:
                found = self._try_outbox(path, client, may_send)
            except Exception:  # a fault of the desk's: logged, tried again (this thread never ends on it)
                log.exception("outbox %s: opening it again failed unexpectedly", path.name)
                continue
            with self._parts_lock:
                if stop.is_set() or self.outbox is not None:  # the user went meanwhile: not his any more
                    if not isinstance(found, OutboxWriteError):
                        found.stop()
                    return
                if isinstance(found, OutboxWriteError):
                    log.info("outbox %s still cannot be used (%s)", path.name, found)
                    said = self._outbox_problem_text(path, found)
                    before = self.outbox_problem
                    self.outbox_problem = found  # actions are refused with the reason as it is now
                    if before is None or said != self._outbox_problem_text(path, before):  # held, now the disk
                        self.listener.on_outbox_problem(said)
                    continue
                self._use_outbox(found, path, client, send=send)
                self.outbox_problem = None  # after ``outbox`` is set: an action never finds neither
                self._outbox_reopen = None
            log.warning("outbox %s opened again: actions queue again (%d waiting to be sent)", path.name,
                        found.pending_count())
            self.listener.on_outbox_problem("")
            recovered = translate("session", "本机发件箱 {name} 已恢复：派遣、受理、备注等操作可以正常暂存和提交")
            self.listener.on_notice(recovered.format(name=path.name))
            return

    @property
    def layers_from_folder(self) -> bool:
        """True while ``layers`` come from the local layer folder (``settings.layers_dir``): the platform's
        catalogue could not be had (``catalogue_problem`` says why)."""
        return self.catalogue_problem is not None

    @property
    def local_layer_errors(self) -> list[tuple[str, str]]:
        """The local folder's layers that could not be loaded, as (layer id, reason), while it is drawn."""
        return list(self._folder_errors) if self.layers_from_folder else []

    def _use_layers(self, layers: list[Layer], errors: list[str]) -> None:
        """Draw ``layers`` (from the catalogue, or the local layer folder standing in for it); incidents are
        placed in their towns and grid cells from now on (those held, again)."""
        self.layers = layers
        self.incidents.set_areas(DistrictAreas.from_layers(layers))
        self.listener.on_layers(self.layers, errors)

    def _read_layer_folder(self, problem: str) -> tuple[list[Layer], list[str]]:
        """The local layer folder's layers and errors, standing in for the catalogue that could not be had
        (``problem``): the one place that reads the folder for the map."""
        result = load_layers(Path(self.settings.layers_dir))
        self._folder_errors = [(e.layer_id, e.message) for e in result.errors]
        self.catalogue, self.catalogue_problem = [], problem
        return list(result.layers.values()), [f"{e.layer_id}: {e.message}" for e in result.errors]

    def _load_layers(self) -> tuple[list[Layer], list[str]]:
        """Layers from the platform's catalogue (each normalised to WGS84 from its declared CRS).

        A layer that fails is reported and skipped; if the catalogue itself is unavailable the local layer
        folder is used instead.
        """
        assert self.client is not None
        try:
            catalogue = self.client.layers()
        except BackendError as exc:
            log.warning("layer catalogue unavailable (%s); using local layers", exc)
            return self._read_layer_folder(str(exc) or type(exc).__name__)
        layers: list[Layer] = []
        errors: list[str] = []
        read = [read_catalogue_layer(self.client, info) for info in catalogue]
        for entry in read:
            info = entry.info
            if entry.features is None:
                errors.append(f"{shown_title(info)}: {entry.error}")
                continue
            layers.append(Layer(id=info.id, title=info.title, kind=info.kind, crs=info.crs,
                                style=info.style, features=entry.features, title_en=info.title_en))
        self.catalogue, self.catalogue_problem = read, None
        return layers, errors

    def read_catalogue_layer(self, layer_id: str) -> CatalogueLayer | None:
        """Read one catalogue entry again (blocks: call it off the GUI thread); None when it is not listed or
        no one is logged in."""
        client = self.client
        entry = next((e for e in self.catalogue if e.info.id == layer_id), None)
        if client is None or entry is None:
            return None
        return read_catalogue_layer(client, entry.info)

    def hears_platform(self) -> bool:
        """Whether the platform's changes reach the desk now (the live stream, or polling while it is down), so
        what the stores hold is current; False while it is unreachable, hangs, or before the first connect."""
        events = self.events
        if events is None or self.offline_data is not None:
            return False
        return (events.state in (ConnectionState.LIVE, ConnectionState.POLLING)
                and events.quiet_for() <= QUIET_AFTER_S)

    def answers_now(self) -> bool:
        """Whether an action sent now is expected to reach the platform at once: it is heard
        (:meth:`hears_platform`), or the desk has just loaded from it and the live stream's first connect is still
        under way, nothing failed yet (the seconds after a login)."""
        if self.hears_platform():
            return True
        events = self.events
        return (events is not None and self.offline_data is None and events.state is ConnectionState.CONNECTING
                and not events.detail and events.quiet_for() <= QUIET_AFTER_S)

    def _outbox_may_send(self) -> bool:
        """Whether the outbox sends now: the platform answers (:meth:`answers_now`), and a stream that has just
        gone live again has been so for :data:`OUTBOX_AFTER_LIVE_S` — a platform whose data went back (reset,
        restored) replays its log at once to a desk beyond it, and actions queued before that are held, not sent
        to the incidents that now have their ids (:meth:`_reload_after_reset`)."""
        if not self.answers_now():
            return False
        events = self.events
        return events is None or events.state is not ConnectionState.LIVE or events.live_for() >= OUTBOX_AFTER_LIVE_S

    def unanswered_since_heard(self) -> bool:
        """A request to the platform (an action the outbox sent, a detail asked for) got no answer after the
        platform last sent anything: it hangs now — the stream's silence says so only at its heartbeat's timeout,
        15 s or more later, while the officer's dispatch has already timed out."""
        client, events = self.client, self.events
        if client is None or events is None or client.unanswered_at is None:
            return False
        return client.unanswered_at > time.monotonic() - events.quiet_for()

    def live_stream_quiet_for(self) -> float:
        """Seconds since the platform last sent anything to the event stream (its bytes, or a poll's answer; 0
        before the stream exists): over ``events.QUIET_AFTER_S`` the platform may hang."""
        events = self.events
        return events.quiet_for() if events is not None else 0.0

    @staticmethod
    def _platform_clock_changed(offset_s: float) -> None:
        """The platform's answers put its clock ``offset_s`` from this desk's: the desk reads its time from now."""
        if offset_s:
            log.warning("the platform's clock is %+.0f s from this desk's: deadlines and ages follow the platform's",
                        offset_s)
        else:
            log.info("this desk's clock agrees with the platform's again")
        localtime.set_platform_offset(offset_s)

    def stop(self, join_timeout_s: float = 3.0) -> None:
        """Stop threads and close the platform (the exercise backend stops); safe to call more than once, also
        during start-up."""
        self._stopping.set()
        if self.clock.offset_s:
            localtime.set_platform_offset(0.0)  # another platform (a next session) is timed afresh
        with self._parts_lock:
            platform, self.platform = self.platform, None
        self._disconnect_user()  # the user's event stream, outbox, PTZ and connections, as at a logout
        if platform is not None:
            platform.close()
        if self._start_thread is not None and self._start_thread is not threading.current_thread():
            self._start_thread.join(join_timeout_s)

    # --- events -------------------------------------------------------------------------------------
    def _platform_epoch_changed(self, old: str, new: str) -> None:
        """The platform answers under another data epoch than before (on the requesting thread): its data was reset
        or restored — even when its event log is already past the desk's position, which ids and cursors cannot
        show. Everything is loaded again, as for any reset (the first epoch heard is no change)."""
        events = self.events
        if old and events is not None:
            events.request_resync(f"data epoch {old[:16]} became {new[:16]}")

    def _on_outbox(self, item: OutboxItem) -> None:
        """The server's answer to a queued action updates the stores at once (the event follows later)."""
        if item.state is OutboxState.FAILED and item.error_code == PLATFORM_WENT_BACK and not self._told_held:
            self._told_held = True  # queued before this desk last ran, under data the platform no longer has
            told = translate("session", "平台数据已重置或回退：此前暂存的操作已暂停，请在「未送达的操作」核对")
            self.listener.on_notice(told)
        try:
            result = item.result_model()
        except ValueError:
            log.warning("outbox row %s: unreadable result", item.id)
            return
        if isinstance(result, Task):
            self.tasks.upsert(result)
        elif isinstance(result, Incident) and item.state is OutboxState.CONFLICT:
            self._platform_current(result)
        elif isinstance(result, Incident):
            self.incidents.upsert(result)

    def _platform_current(self, current: Incident) -> None:
        """A 409 answer's incident: the platform's own, current one, taken even with a lower version than the
        desk holds — else the desk kept quoting a version the platform no longer has, each step refused, and the
        detail never changed. A lower version means the platform's data went back (restored from a backup): all
        is loaded again."""
        held = self.incidents.get(current.id)
        self.incidents.upsert(current, authoritative=True)
        events = self.events
        if held is not None and current.version < held.version:
            log.warning("the platform answered incident %s at version %d, the desk held %d: its data went back",
                        current.id, current.version, held.version)
            if events is not None:
                events.request_resync(f"409 for {current.id} at v{current.version}, held v{held.version}")

    # --- actions (never block: they go through the outbox) --------------------------------------------
    def dispatch_task(self, payload: dict) -> int:
        """Queue a task for dispatch; returns the outbox row id. The Idempotency-Key is made here, once.

        ``PermissionDeniedError`` when no one is logged in or the user's role may not (``ROLE_ACTIONS``)."""
        outbox = self._outbox_for_action(TASK)
        return outbox.enqueue_task(payload, idempotency_key=str(uuid.uuid4()))

    def transition(self, incident_id: str, action: str, version: int, note: str = "", into: str | None = None) -> int:
        """Queue an incident transition quoting the version the user saw (``into``: the survivor of a merge;
        ``PermissionDeniedError`` as for :meth:`dispatch_task`)."""
        outbox = self._outbox_for_action(action)
        return outbox.enqueue_transition(incident_id, action, version, note, into)

    def add_note(self, incident_id: str, text: str) -> int:
        """Queue a note for an incident's timeline, added exactly once (``PermissionDeniedError`` as above)."""
        outbox = self._outbox_for_action(NOTE)
        return outbox.enqueue_note(incident_id, text, idempotency_key=str(uuid.uuid4()))

    def add_attachment(self, incident_id: str, path: Path, name: str | None = None) -> int:
        """Queue a file for an incident's timeline, sent exactly once (a copy waits in the outbox's folder;
        ``PermissionDeniedError`` as above, ``AttachmentTooLargeError``, ``OSError`` for an unreadable file).
        Blocks while the file is copied: call it off the GUI thread."""
        outbox = self._outbox_for_action(ATTACH)
        return outbox.enqueue_attachment(incident_id, path, name, idempotency_key=str(uuid.uuid4()))

    def download_attachment(self, incident_id: str, attachment_id: str, out: BinaryIO) -> int:
        """Write an attached file from the platform into ``out`` (blocks; ``BackendError``); returns its size."""
        client = self.client
        if client is None:
            raise BackendUnavailableError(translate("session", "未登录"))
        return client.download_attachment(incident_id, attachment_id, out)

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        """An incident's timeline from the platform (blocks: call it off the GUI thread); ``BackendError``."""
        client = self.client
        if client is None:
            raise BackendUnavailableError(translate("session", "未登录"))
        return client.timeline(incident_id)

    def _outbox_for_action(self, action: str) -> Outbox:
        outbox, problem = self.outbox, self.outbox_problem
        if outbox is None and problem is not None and self.user.signed_in:  # his outbox could not be opened
            reason = refusal(self.user.roles, action)
            if reason is not None:
                raise PermissionDeniedError(reason, 403)
            raise OutboxWriteError(problem.error, full=problem.full, read_only=problem.read_only, held=problem.held)
        if outbox is None or not self.user.signed_in:
            if not self.user.signed_in and not (self.settings.username or "").strip():
                raise PermissionDeniedError(translate("session", "未登录：未配置用户，平台恢复前无法暂存操作"), 403)
            raise PermissionDeniedError(translate("session", "未登录"), 403)
        reason = refusal(self.user.roles, action)
        if reason is not None:
            raise PermissionDeniedError(reason, 403)
        return outbox

    def units_by_distance(self, lon: float, lat: float) -> list[tuple[Unit, float]]:
        """Units sorted nearest first, with the distance in metres."""
        units = self.units.all()
        if not units:
            return []
        _, _, dist = _GEOD.inv([lon] * len(units), [lat] * len(units), [u.lon for u in units],
                               [u.lat for u in units])
        return sorted(zip(units, dist, strict=True), key=lambda pair: pair[1])

    @property
    def camera_index(self) -> CameraIndex | None:
        """The spatial index over the platform's cameras (None before the first connection)."""
        return self._camera_index

    def cameras_near(self, lon: float, lat: float, k: int, *, max_distance_m: float | None = None) -> list[Camera]:
        """Up to ``k`` online cameras for a point: first those whose field of view covers it, then the nearest
        (within ``max_distance_m`` when given) — ``CameraIndex.for_point`` with the store's current status.

        This is what 周边视频 and the alarm linkage put on the wall: cameras looking at the spot beat cameras
        that merely stand close to it.
        """
        if self._camera_index is None:
            return []
        return self._camera_index.for_point(lon, lat, k, max_distance_m=max_distance_m, usable=self._online_now)

    def _online_now(self, camera: Camera) -> Camera | None:
        current = self.cameras.get(camera.id)
        return current if current is not None and current.status is CameraStatus.ONLINE else None
