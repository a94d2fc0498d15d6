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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from operator import itemgetter

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


def _bump(counter: Counter, key: object, by: int) -> None:
    """Add ``by`` to ``counter[key]``, dropping the key at zero (the tallies stay as small as what they count)."""
    left = counter[key] + by
    if left:
        counter[key] = left
    else:
        del counter[key]


_GROUP_OF: dict[IncidentStatus, str] = {status: label for label, statuses in STATUS_GROUPS for status in statuses}


#: What one incident adds to the figures: (display-zone day, display-zone hour — both counted from the epoch —,
#: category, status group key or None, town, open, urgent and open). Plain tuples: a tally of 15 000 incidents
#: is made in about the time a plain count takes.
_Share = tuple[int, int, str, "str | None", str, bool, bool]
_DAY_S = 86_400
_HOUR_S = 3_600


class IncidentTally:
    """The incident figures kept as counts per display-zone day and hour, so that a changed incident costs a few
    dictionary updates rather than a recount of every incident (15 000 incidents: 15 ms of Python each time,
    holding the interpreter lock that the GUI thread waits for).

    :meth:`put` takes an incident's current copy (new or changed; the same copy again changes nothing);
    :func:`overview_of` makes the figures for a moment. Days and hours are those of the display zone at
    construction (:attr:`zone`, a fixed offset): a tally for another zone must be made again.
    """

    def __init__(self, incidents: Iterable[Incident] = ()) -> None:
        self.zone = localtime.display_tz()
        self._offset_s = self.zone.utcoffset(None).total_seconds()
        self._shares: dict[str, _Share] = {incident.id: self._share(incident) for incident in incidents}
        shares = self._shares.values()  # counted a column at a time (C-level passes, not a Python loop)
        self.by_day: Counter[int] = Counter(map(itemgetter(0), shares))
        self.by_day_category: Counter[tuple[int, str]] = Counter(map(itemgetter(0, 2), shares))
        self.by_day_group: Counter[tuple[int, str | None]] = Counter(map(itemgetter(0, 3), shares))
        self.by_day_town: Counter[tuple[int, str]] = Counter(map(itemgetter(0, 4), shares))
        self.by_hour: Counter[int] = Counter(map(itemgetter(1), shares))
        self.open_by_town: Counter[str] = Counter(share[4] for share in shares if share[5])
        self.urgent_open = sum(1 for share in shares if share[6])

    def __len__(self) -> int:
        return len(self._shares)

    def day_of(self, moment: datetime) -> int:
        """The display-zone day ``moment`` falls in, as the tally's day keys count it."""
        return int((moment.timestamp() + self._offset_s) // _DAY_S)

    def hour_of(self, moment: datetime) -> int:
        """The display-zone hour ``moment`` falls in, as the tally's hour keys count it."""
        return int((moment.timestamp() + self._offset_s) // _HOUR_S)

    def put(self, incident: Incident) -> None:
        """Count ``incident``'s current copy in place of the one counted before (if any)."""
        share = self._share(incident)
        held = self._shares.get(incident.id)
        if held == share:
            return
        if held is not None:
            self._add(held, -1)
        self._add(share, 1)
        self._shares[incident.id] = share

    def _share(self, incident: Incident) -> _Share:
        local_s = incident.reported_at.timestamp() + self._offset_s
        status = incident.status
        is_open = status in OPEN_STATUSES
        return (int(local_s // _DAY_S), int(local_s // _HOUR_S), incident.category, _GROUP_OF.get(status),
                incident.town, is_open, is_open and incident.priority <= 2)

    def _add(self, share: _Share, by: int) -> None:
        day, hour, category, group, town, is_open, urgent = share
        _bump(self.by_day, day, by)
        _bump(self.by_day_category, (day, category), by)
        _bump(self.by_day_group, (day, group), by)
        _bump(self.by_day_town, (day, town), by)
        _bump(self.by_hour, hour, by)
        if is_open:
            _bump(self.open_by_town, town, by)
            self.urgent_open += by if urgent else 0


def count_overview(incidents: Iterable[Incident], cameras: Sequence[Camera], units: Sequence[Unit],
                   tasks: Sequence[Task], at: datetime, towns: Sequence[str] = ()) -> Overview:
    """The dashboard's figures from the stores' contents at ``at`` (sensors are added by the caller).

    ``towns`` lists the district's towns in map order (so a town with nothing today still has its row);
    towns named only by incidents (by name) or cameras follow.
    """
    return overview_of(IncidentTally(incidents), cameras, units, tasks, at, towns)


def overview_of(tally: IncidentTally, cameras: Sequence[Camera], units: Sequence[Unit], tasks: Sequence[Task],
                at: datetime, towns: Sequence[str] = ()) -> Overview:
    """The dashboard's figures at ``at`` from a tally of the incidents and the other stores' contents (as
    :func:`count_overview`, which tallies the incidents first)."""
    at = localtime.to_display(at)
    day_start = start_of_day(at)
    first_day = tally.day_of(day_start)  # "today" is every incident reported since midnight (later ones too)
    categories: Counter[str] = Counter()
    for (day, category), n in tally.by_day_category.items():
        if day >= first_day:
            categories[category] += n
    by_category = {code: categories.pop(code, 0) for code in CATEGORIES}
    by_category.update(sorted(categories.items()))
    groups: Counter[str | None] = Counter()
    for (day, group), n in tally.by_day_group.items():
        if day >= first_day:
            groups[group] += n
    by_status = {label: groups[label] for label, _ in STATUS_GROUPS}
    today_by_town: Counter[str] = Counter()
    for (day, town), n in tally.by_day_town.items():
        if day >= first_day:
            today_by_town[town] += n

    named = sorted(town for town in today_by_town if town)
    names = list(dict.fromkeys([*towns, *named, *(c.town for c in cameras if c.town)]))
    cameras_by_town = Counter(c.town for c in cameras)
    online_by_town = Counter(c.town for c in cameras if c.status is CameraStatus.ONLINE)
    rows = [TownFigures(n, today_by_town[n], tally.open_by_town[n], online_by_town[n], cameras_by_town[n])
            for n in names]

    hour = at.replace(minute=0, second=0, microsecond=0)
    starts = [hour - timedelta(hours=TREND_HOURS - 1 - k) for k in range(TREND_HOURS)]
    trend = [(start, tally.by_hour[tally.hour_of(start)]) for start in starts]
    return Overview(
        at=at, day_start=day_start, today=sum(n for day, n in tally.by_day.items() if day >= first_day),
        open_now=sum(tally.open_by_town.values()), urgent_open=tally.urgent_open, by_category=by_category,
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
        #: the incidents counted so far, kept on the worker thread; brought up to date from the ids changed since
        self._tally: IncidentTally | None = None
        self._tally_lock = threading.Lock()  # guards the two below (written on the stores' writer threads)
        self._changed_ids: set[str] = set()
        self._retally = True  # the incident store was replaced: tally it afresh
        self._on_overview: Callable[[Overview], None] = lambda overview: None

    # --- life cycle ---------------------------------------------------------------------------------------
    def start(self, on_overview: Callable[[Overview], None]) -> None:
        """Follow the stores and recount on the worker thread; ``on_overview`` gets every new overview."""
        if self._thread is not None:
            return
        self._on_overview = on_overview
        stores = self.session.stores
        self._unsubscribe.append(stores.incidents.add_listener(self._incident_changed))
        self._unsubscribe.append(stores.incidents.add_reset_listener(self._incidents_replaced))
        for store in (stores.cameras, stores.tasks):
            self._unsubscribe.append(store.add_listener(self._changed))
        for store in (stores.cameras, stores.units, stores.tasks):
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

    def _incident_changed(self, incident: Incident) -> None:
        with self._tally_lock:
            self._changed_ids.add(incident.id)
        self._wake.set()

    def _incidents_replaced(self, _incidents: object) -> None:
        with self._tally_lock:
            self._retally = True
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
        overview = overview_of(self._current_tally(), s.cameras.values(), s.units.values(), s.tasks.values(),
                               localtime.now(), self.town_names())
        self.recount_s = time.thread_time() - started
        self.recounts += 1
        overview = replace(overview, sensors=list(self._sensors), sensors_note=self._sensors_note)
        previous, self.latest = self.latest, overview
        if previous is None or replace(previous, at=overview.at) != overview:  # unchanged: nothing to redraw
            self._on_overview(overview)
        return overview

    def _current_tally(self) -> IncidentTally:
        """The incident tally brought up to date: the incidents changed since the last count are counted again
        as the store holds them now (a change costs a few updates, not a recount of every incident); after the
        store was replaced, or the display zone changed, every incident is counted afresh."""
        with self._tally_lock:
            changed, self._changed_ids = self._changed_ids, set()
            retally, self._retally = self._retally, False
        store = self.session.incidents
        if retally or self._tally is None or self._tally.zone is not localtime.display_tz():
            self._tally = IncidentTally(store.values())
            return self._tally
        for incident_id in changed:
            incident = store.get(incident_id)
            if incident is not None:  # gone only when the store was replaced: counted afresh next time
                self._tally.put(incident)
        return self._tally

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
