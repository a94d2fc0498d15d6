"""The overview dashboard's figures (一屏观全区), without Qt: incidents today by category, status and town, the
24-hour trend, overdue tasks, cameras online per town, units available, and the sensor readings.

Incident, camera, unit and task figures are counted from the session's stores — the platform's incident
list holds every open incident and every one changed in the last 24 hours, so today's are all there, and the
live event stream keeps them current. Counting here rather than asking the platform for statistics keeps
the dashboard's numbers equal to what the incident list and the map show when a figure is clicked (they
apply the same :class:`IncidentFilter`). Sensors are read from the platform (``GET /api/v1/sensors``).

:class:`DashboardController` recounts on its own worker thread: soon after a store changes (bursts are
gathered for ``settle_s``), and at least every ``refresh_s``; sensors are fetched every ``sensors_every_s``.
While nobody can see the figures (:meth:`DashboardController.set_wanted`) it neither counts nor fetches, and
catches up at once when they are seen again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from commandwall import localtime
from commandwall.app.incident_filter import IncidentFilter
from commandwall.app.session import ClientSession
from commandwall.backend.errors import BackendError, NotFoundError
from commandwall.domain import supervision
from commandwall.domain.models import (
    CATEGORIES,
    OPEN_STATUSES,
    Camera,
    CameraStatus,
    Incident,
    IncidentStatus,
    Task,
    Unit,
    UnitStatus,
)
from commandwall.domain.sensors import Sensor
from commandwall.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

#: Status groups the dashboard counts (key, statuses), in workflow order. The key is the group's Chinese name:
#: it names the group in ``Overview.by_status`` and :meth:`DashboardController.status_filter` whatever the
#: language; it is shown through :func:`status_group_label`.
STATUS_GROUPS: tuple[tuple[str, frozenset[IncidentStatus]], ...] = (
    (QT_TRANSLATE_NOOP("dashboard", "待受理"), frozenset({IncidentStatus.NEW})),
    (QT_TRANSLATE_NOOP("dashboard", "处置中"), frozenset({IncidentStatus.ACCEPTED, IncidentStatus.VERIFIED,
                                                         IncidentStatus.DISPATCHED, IncidentStatus.IN_PROGRESS})),
    (QT_TRANSLATE_NOOP("dashboard", "已办结"), frozenset({IncidentStatus.RESOLVED, IncidentStatus.CLOSED})),
    (QT_TRANSLATE_NOOP("dashboard", "退回/上报"), frozenset({IncidentStatus.RETURNED, IncidentStatus.ESCALATED})),
    (QT_TRANSLATE_NOOP("dashboard", "已合并"), frozenset({IncidentStatus.MERGED})),
)
_OPEN_CAPTION = QT_TRANSLATE_NOOP("dashboard", "未办结")


def status_group_label(key: str) -> str:
    """A status group's name in the chosen language (``key`` from :data:`STATUS_GROUPS`)."""
    return translate("dashboard", key)


#: Hours the trend chart shows, up to the current one.
TREND_HOURS = 24
#: A recount waits at least this many times as long as the last one took (its share of the interpreter: 1/10).
RECOUNT_SHARE_INVERSE = 10


@dataclass(frozen=True)
class TownFigures:
    """One town's row: incidents today and open now, cameras online of all."""

    town: str
    today: int
    open: int
    cameras_online: int
    cameras_total: int


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows, counted at ``at`` (display-zone time)."""

    at: datetime
    day_start: datetime
    today: int
    open_now: int
    urgent_open: int
    by_category: dict[str, int]  # category code → incidents today (every known category, then others)
    by_status: dict[str, int]  # STATUS_GROUPS label → incidents today
    overdue: int  # tasks still active after their deadline (督办)
    cameras_online: int
    cameras_total: int
    units_available: int
    units_total: int
    towns: list[TownFigures]
    trend: list[tuple[datetime, int]]  # the start of each of the last 24 hours → incidents reported in it
    sensors: list[Sensor] = field(default_factory=list)
    sensors_note: str = ""  # why there are no (fresh) sensor readings, or ""


def start_of_day(moment: datetime) -> datetime:
    """Midnight of ``moment``'s day in the display zone."""
    local = localtime.to_display(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def overdue_tasks(tasks: Sequence[Task], at: datetime) -> int:
    """Tasks still active after their deadline (督办: the same rule as the incident centre and status bar)."""
    return len(supervision.overdue_tasks(tasks, at))


def count_overview(incidents: Sequence[Incident], cameras: Sequence[Camera], units: Sequence[Unit],
                   tasks: Sequence[Task], at: datetime, towns: Sequence[str] = ()) -> Overview:
    """The dashboard's figures from the stores' contents at ``at`` (sensors are added by the caller).

    ``towns`` lists the district's towns in map order (so a town with nothing today still has its row);
    towns named only by incidents or cameras follow.
    """
    at = localtime.to_display(at)
    day_start = start_of_day(at)
    today = [i for i in incidents if i.reported_at >= day_start]
    categories = Counter(i.category for i in today)
    by_category = {code: categories.pop(code, 0) for code in CATEGORIES}
    by_category.update(sorted(categories.items()))
    by_status = {label: sum(1 for i in today if i.status in statuses) for label, statuses in STATUS_GROUPS}
    open_incidents = [i for i in incidents if i.status in OPEN_STATUSES]

    names = list(dict.fromkeys([*towns, *(i.town for i in today if i.town), *(c.town for c in cameras if c.town)]))
    today_by_town = Counter(i.town for i in today)
    open_by_town = Counter(i.town for i in open_incidents)
    cameras_by_town = Counter(c.town for c in cameras)
    online_by_town = Counter(c.town for c in cameras if c.status is CameraStatus.ONLINE)
    rows = [TownFigures(n, today_by_town[n], open_by_town[n], online_by_town[n], cameras_by_town[n]) for n in names]

    hour = at.replace(minute=0, second=0, microsecond=0)
    starts = [hour - timedelta(hours=TREND_HOURS - 1 - k) for k in range(TREND_HOURS)]
    per_hour = Counter(int((i.reported_at - starts[0]).total_seconds() // 3600) for i in incidents
                       if i.reported_at >= starts[0])
    trend = [(start, per_hour[k]) for k, start in enumerate(starts)]
    return Overview(
        at=at, day_start=day_start, today=len(today), open_now=len(open_incidents),
        urgent_open=sum(1 for i in open_incidents if i.priority <= 2), by_category=by_category,
        by_status=by_status, overdue=overdue_tasks(tasks, at),
        cameras_online=sum(online_by_town.values()), cameras_total=len(cameras),
        units_available=sum(1 for u in units if u.status is UnitStatus.AVAILABLE), units_total=len(units),
        towns=rows, trend=trend,
    )


class DashboardController:
    """Keeps an :class:`Overview` of the session current, counted and fetched on a worker thread.

    ``start(on_overview)`` begins; ``on_overview(overview)`` is called on the worker thread after each
    recount that changed a figure. The filters a click on a figure sets come from :meth:`category_filter`,
    :meth:`status_filter`, :meth:`town_filter`, :meth:`today_filter` and :meth:`open_filter`.
    """

    def __init__(self, session: ClientSession, *, refresh_s: float = 30.0, sensors_every_s: float = 15.0,
                 settle_s: float = 0.5) -> None:
        self.session = session
        self.refresh_s = refresh_s
        self.sensors_every_s = sensors_every_s
        self.settle_s = settle_s
        self.recount_s = 0.0  # CPU time the last count took
        self.recounts = 0  # counts made so far
        self.latest: Overview | None = None
        self._sensors: list[Sensor] = []
        self._sensors_note = translate("dashboard", "正在读取传感器…")
        self._sensors_due = 0.0  # time.monotonic() of the next sensor fetch
        self._wake = threading.Event()
        self._stop = threading.Event()
        #: someone can see the figures: count them (set by default; the view clears it while out of sight)
        self._wanted = threading.Event()
        self._wanted.set()
        self._prompt = False  # wanted again: count without waiting for changes to settle
        self._thread: threading.Thread | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._unit_status: dict[str, UnitStatus] = {}
        self._on_overview: Callable[[Overview], None] = lambda overview: None

    # --- life cycle ---------------------------------------------------------------------------------------
    def start(self, on_overview: Callable[[Overview], None]) -> None:
        """Follow the stores and recount on the worker thread; ``on_overview`` gets every new overview."""
        if self._thread is not None:
            return
        self._on_overview = on_overview
        stores = self.session.stores
        for store in (stores.incidents, stores.cameras, stores.tasks):
            self._unsubscribe.append(store.add_listener(self._changed))
        for store in (stores.incidents, stores.cameras, stores.units, stores.tasks):
            self._unsubscribe.append(store.add_reset_listener(self._changed))
        self._unsubscribe.append(stores.units.add_listener(self._unit_changed))
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="dashboard", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 3.0) -> None:
        """Stop following the stores and end the worker (a sensor fetch in flight ends with its timeout)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        self._thread = None

    def refresh_now(self) -> None:
        """Recount and fetch the sensors now (e.g. after a login)."""
        self._sensors_due = 0.0
        self._wake.set()

    def set_wanted(self, wanted: bool) -> None:
        """Whether anyone can see the figures (any thread). While nobody can, changes are not counted: with
        20 000 incidents a recount is tens of milliseconds of Python, and every one of them slows the GUI thread,
        which waits for the interpreter lock at each Qt call (an incident burst at 200 a second: the window's
        longest stall 69–109 ms counting, 25–34 ms not). Wanted again: counted (and sensors fetched) at once."""
        if wanted and not self._wanted.is_set():
            self._prompt = True
            self._wanted.set()
            self._wake.set()
        elif not wanted:
            self._wanted.clear()

    @property
    def wanted(self) -> bool:
        """Whether the figures are counted now (someone can see them)."""
        return self._wanted.is_set()

    def _changed(self, _item: object) -> None:
        self._wake.set()

    def _unit_changed(self, unit: Unit) -> None:
        """Units report their position every few seconds: only a change of status changes a figure."""
        if self._unit_status.get(unit.id) is not unit.status:
            self._unit_status[unit.id] = unit.status
            self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wanted.is_set():
                try:
                    self.recount()
                except Exception:  # a bug must not end the dashboard: logged, tried again at the next change
                    log.exception("dashboard recount failed")
            woke = self._wake.wait(min(self.refresh_s, max(0.1, self._sensors_due - time.monotonic())))
            # gather a burst of changes into one recount; a recount that took long waits longer, so counting
            # never holds the interpreter lock (which the GUI thread waits for) more than a tenth of the time
            settle = 0.0 if self._prompt else max(self.settle_s, RECOUNT_SHARE_INVERSE * self.recount_s)
            self._prompt = False
            if woke and self._stop.wait(settle):
                return
            self._wake.clear()

    # --- counting -----------------------------------------------------------------------------------------
    def recount(self) -> Overview:
        """Count the stores (and fetch the sensors when due) now, on the calling thread; blocking."""
        if time.monotonic() >= self._sensors_due:
            self._fetch_sensors()
        s = self.session
        started = time.thread_time()
        overview = count_overview(s.incidents.values(), s.cameras.values(), s.units.values(), s.tasks.values(),
                                  localtime.now(), self.town_names())
        self.recount_s = time.thread_time() - started
        self.recounts += 1
        overview = replace(overview, sensors=list(self._sensors), sensors_note=self._sensors_note)
        previous, self.latest = self.latest, overview
        if previous is None or replace(previous, at=overview.at) != overview:  # unchanged: nothing to redraw
            self._on_overview(overview)
        return overview

    def _fetch_sensors(self) -> None:
        self._sensors_due = time.monotonic() + self.sensors_every_s
        client = self.session.client
        if client is None:
            self._sensors_note = (translate("dashboard", "未登录，传感器数据暂停更新") if self._sensors
                                  else translate("dashboard", "未登录"))
            return
        try:
            self._sensors, self._sensors_note = client.sensors(), ""
        except NotFoundError:
            self._sensors, self._sensors_note = [], translate("dashboard", "平台未提供传感器数据")
        except BackendError as exc:
            log.warning("sensors not read: %s", exc)
            self._sensors_note = (translate("dashboard", "传感器数据暂不可用，显示上次读数") if self._sensors
                                  else translate("dashboard", "传感器数据暂不可用"))

    def town_names(self) -> list[str]:
        """The district's towns in the order of the towns layer (empty without one)."""
        layer = next((layer for layer in self.session.layers if layer.kind == "towns"), None)
        if layer is None:
            return []
        return [str(f["properties"].get("name")) for f in layer.features if f.get("properties", {}).get("name")]

    # --- what a click on a figure filters -----------------------------------------------------------------
    def _today(self) -> datetime:
        return self.latest.day_start if self.latest is not None else start_of_day(localtime.now())

    def category_filter(self, category: str) -> IncidentFilter:
        """Today's incidents of one category (a bar of 今日事件·类别)."""
        return IncidentFilter(category=category, since=self._today())

    def status_filter(self, key: str) -> IncidentFilter:
        """Today's incidents in one status group (a bar of 今日事件·状态; ``key`` from :data:`STATUS_GROUPS`);
        unknown keys filter nothing."""
        statuses = dict(STATUS_GROUPS).get(key, frozenset())
        caption = status_group_label(key) if statuses else ""
        return IncidentFilter(statuses=statuses, since=self._today(), caption=caption)

    def town_filter(self, town: str) -> IncidentFilter:
        """Today's incidents in one town (a row of 镇街分布)."""
        return IncidentFilter(town=town, since=self._today())

    def today_filter(self) -> IncidentFilter:
        """Every incident reported today (the 今日事件 tile)."""
        return IncidentFilter(since=self._today())

    @staticmethod
    def open_filter() -> IncidentFilter:
        """Every incident still being handled, whenever reported (the 未办结 tile)."""
        return IncidentFilter(statuses=OPEN_STATUSES, caption=translate("dashboard", _OPEN_CAPTION))
