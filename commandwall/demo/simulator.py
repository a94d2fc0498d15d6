"""The exercise's life: new incidents, moving units, cameras that drop out and come back, tasks carried out.

A dispatched unit accepts its task (or, now and then, rejects it with a reason), drives to the incident along
the roads (``geo.routing``; the straight line where they do not reach), is on scene when it arrives, and
finishes after a while; every step is a task status the store records on the incident's timeline and on
the unit.

One ``tick(dt)`` is one step of ``dt`` seconds; the thread calls it every ``tick_s``. With a fixed seed
the sequence of choices is repeatable (timestamps are not).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import uuid

from commandwall.demo.db import now
from commandwall.demo.geography import Geography
from commandwall.demo.scenarios import DEPARTMENTS, draft_incident
from commandwall.demo.store import RefusedError, StaleVersionError, Store
from commandwall.domain.models import (
    CameraStatus,
    Incident,
    IncidentStatus,
    Task,
    TaskStatus,
    Unit,
    UnitStatus,
)
from commandwall.geo.routing import Coord, RoadNetwork, straight_metres

log = logging.getLogger(__name__)

#: Degrees per metre, roughly, at 34.8°N.
DEG_PER_M_LAT = 1 / 111_000
DEG_PER_M_LON = 1 / 91_000
#: How often things happen, per second of simulated time.
CAMERA_DROP_PER_S = 1 / 45
INCIDENT_ADVANCE_PER_S = 1 / 20
#: Mean simulated seconds a task spends in each status, and field units' driving speed.
TASK_STEP_MEAN_S = 25.0
UNIT_SPEED_M_S = 12.0
MAX_OFFLINE_SHARE = 0.03
MAX_NEW_PER_TICK = 50

NEXT_ACTION = {
    IncidentStatus.NEW: "accept",
    IncidentStatus.ACCEPTED: "verify",
    IncidentStatus.VERIFIED: "dispatch",
    IncidentStatus.DISPATCHED: "start",
    IncidentStatus.IN_PROGRESS: "resolve",
    IncidentStatus.RESOLVED: "close",
    IncidentStatus.ESCALATED: "accept",
}
#: Steps a task takes on its own after a random while (en route → on scene happens on arrival).
NEXT_TASK_STATUS = {
    TaskStatus.ASSIGNED: TaskStatus.ACCEPTED,
    TaskStatus.ACCEPTED: TaskStatus.EN_ROUTE,
    TaskStatus.ON_SCENE: TaskStatus.DONE,
}
#: Share of assigned tasks the unit rejects, and the reasons it gives.
REJECT_SHARE = 0.12
REJECT_REASONS = ("车辆故障，无法出动", "正在处置其他警情", "人员不足，请改派", "道路封闭，无法到达")


class Simulator:
    """Drives the exercise. ``start()``/``stop()`` run ``tick()`` on a daemon thread."""

    def __init__(
        self,
        store: Store,
        geo: Geography,
        *,
        seed: int | str | None = None,
        incident_rate_per_min: float = 1.0,
        tick_s: float = 1.0,
        roads: RoadNetwork | None = None,
    ) -> None:
        self.store = store
        self.geo = geo
        self.roads = roads
        self._routes: dict[str, list[Coord]] = {}  # unit id -> the points still to drive through
        self.rng = random.Random(seed)
        self.incident_rate_per_min = incident_rate_per_min
        self.tick_s = tick_s
        self._due_incidents = 0.0
        self._ticks = 0
        self._back_online: dict[str, int] = {}  # camera id -> tick at which it returns
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- thread --------------------------------------------------------------------------------
    def start(self) -> None:
        """Run ticks on a daemon thread until ``stop()``."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="demo-simulator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it (at most ``timeout`` s)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            try:
                self.tick()
            except Exception:  # keep the exercise alive; a bad step is logged
                if self._stop.is_set():
                    break
                log.exception("simulator step failed")

    # ---- one step ------------------------------------------------------------------------------
    def tick(self, dt: float | None = None) -> list[str]:
        """Advance the exercise by ``dt`` seconds (default ``tick_s``); returns what changed.

        Each entry is ``"<kind>:<id>"`` (kind = incident, task, unit, camera-status). At least one unit
        moves every tick, so a tick always writes an event when there are units.
        """
        dt = self.tick_s if dt is None else dt
        with self._lock:
            self._ticks += 1
            changes: list[str] = []
            changes += self._new_incidents(dt)
            changes += self._move_units(dt)
            changes += self._advance_tasks(dt)
            changes += self._cameras(dt)
            if self.rng.random() < INCIDENT_ADVANCE_PER_S * dt:
                changes += self._advance_incident()
            return changes

    def _new_incidents(self, dt: float) -> list[str]:
        self._due_incidents += max(0.0, self.incident_rate_per_min) * dt / 60.0
        out = []
        for _ in range(MAX_NEW_PER_TICK):
            if self._due_incidents < 1.0:
                break
            self._due_incidents -= 1.0
            out.append(f"incident:{self.new_incident().id}")
        return out

    def new_incident(self, category: str | None = None) -> Incident:
        """Report one new simulated incident now (any category, or the one given)."""
        return self.store.add_incident(draft_incident(self.rng, self.geo, category))

    def _move_units(self, dt: float) -> list[str]:
        """Units en route drive on along their way; one to three others wander a little."""
        units = self.store.units()
        if not units:
            return []
        targets = self._unit_targets()
        driving = [u for u in units if u.id in targets and u.status != UnitStatus.OFFLINE]
        idle = [u for u in units if u not in driving and u.task_id is None]  # on scene: they stay
        chosen = driving + self.rng.sample(idle, k=min(len(idle), self.rng.randint(1, 3)))
        out = []
        for unit in chosen:
            task = targets.get(unit.id)
            moved = self._moved(unit, task, dt)
            self.store.save_unit(moved)
            out.append(f"unit:{unit.id}")
            if task is not None and not self._routes.get(unit.id):  # arrived
                self._routes.pop(unit.id, None)
                self.store.set_task_status(task.id, TaskStatus.ON_SCENE, unit.name)
                out.append(f"task:{task.id}")
        return out

    def _unit_targets(self) -> dict[str, Task]:
        """Unit id -> the task it is driving to (en route)."""
        return {t.unit_id: t for t in self.store.active_tasks() if t.unit_id and t.status == TaskStatus.EN_ROUTE}

    def route_for(self, unit: Unit, task: Task) -> list[Coord]:
        """The points a unit drives through to its task's incident: by road, or straight where roads do not
        reach."""
        incident = self.store.incident(task.incident_id)
        goal = (incident.lon, incident.lat)
        if self.roads is None:
            return [goal]
        return self.roads.route((unit.lon, unit.lat), goal).points[1:]

    def _moved(self, unit: Unit, task: Task | None, dt: float) -> Unit:
        """The unit a little further along: along its way to its task's incident, or wandering."""
        status = unit.status
        if status == UnitStatus.OFFLINE and self.rng.random() < 0.3:
            status = UnitStatus.AVAILABLE
        elif status == UnitStatus.AVAILABLE and task is None and self.rng.random() < 0.02:
            status = UnitStatus.OFFLINE
        lon, lat = unit.lon, unit.lat
        if status != UnitStatus.OFFLINE:
            if task is not None:
                if unit.id not in self._routes:
                    self._routes[unit.id] = self.route_for(unit, task)
                lon, lat = self._drive((lon, lat), self._routes[unit.id], UNIT_SPEED_M_S * dt)
            else:
                angle, step = self.rng.uniform(0, 2 * math.pi), self.rng.uniform(10, 60)
                lon += math.sin(angle) * step * DEG_PER_M_LON
                lat += math.cos(angle) * step * DEG_PER_M_LAT
                x0, y0, x1, y1 = self.geo.bounds
                lon, lat = min(max(lon, x0), x1), min(max(lat, y0), y1)
        return unit.model_copy(
            update={"lon": round(lon, 6), "lat": round(lat, 6), "status": status, "updated_at": now()}
        )

    @staticmethod
    def _drive(here: Coord, way: list[Coord], metres: float) -> Coord:
        """Move ``metres`` from ``here`` through the points of ``way`` (consumed as they are passed)."""
        for _ in range(len(way) + 1):
            if not way:
                break
            gap = straight_metres(here, way[0])
            if gap > metres:
                f = metres / gap
                return here[0] + (way[0][0] - here[0]) * f, here[1] + (way[0][1] - here[1]) * f
            metres -= gap
            here = way.pop(0)
        return here

    def _advance_tasks(self, dt: float) -> list[str]:
        out = []
        for task in self.store.active_tasks():
            step = NEXT_TASK_STATUS.get(task.status)
            if task.status == TaskStatus.EN_ROUTE and not task.unit_id:
                step = TaskStatus.ON_SCENE  # a department without a unit: no one to follow on the map
            if step is None or self.rng.random() >= min(1.0, dt / TASK_STEP_MEAN_S):
                continue
            reason = ""
            if task.status == TaskStatus.ASSIGNED and task.unit_id and self.rng.random() < REJECT_SHARE:
                step, reason = TaskStatus.REJECTED, self.rng.choice(REJECT_REASONS)
            actor = self.store.unit(task.unit_id).name if task.unit_id else (task.department or "simulator")
            self.store.set_task_status(task.id, step, actor, reason)
            out.append(f"task:{task.id}")
            if task.unit_id and step in (TaskStatus.DONE, TaskStatus.REJECTED):
                self._routes.pop(task.unit_id, None)
                out.append(f"unit:{task.unit_id}")
        return out

    def _cameras(self, dt: float) -> list[str]:
        out = []
        for camera_id, due in sorted(self._back_online.items()):
            if due <= self._ticks:
                del self._back_online[camera_id]
                if self.store.set_camera_status(camera_id, CameraStatus.ONLINE):
                    out.append(f"camera-status:{camera_id}")
        online = self.store.camera_ids(CameraStatus.ONLINE.value)
        total = len(self.store.camera_ids())
        if (
            online
            and self.rng.random() < CAMERA_DROP_PER_S * dt
            and total - len(online) < MAX_OFFLINE_SHARE * total
        ):
            camera_id = self.rng.choice(online)
            out += self.take_camera_offline(camera_id, seconds=self.rng.uniform(15, 60))
        return out

    def take_camera_offline(self, camera_id: str, seconds: float) -> list[str]:
        """Drop a camera now; it comes back after about ``seconds`` of simulated time."""
        self._back_online[camera_id] = self._ticks + max(1, math.ceil(seconds / self.tick_s))
        if self.store.set_camera_status(camera_id, CameraStatus.OFFLINE):
            return [f"camera-status:{camera_id}"]
        return []

    def _advance_incident(self) -> list[str]:
        candidates = self.store.open_incidents()
        if not candidates:
            return []
        incident = self.rng.choice(candidates)
        action = NEXT_ACTION.get(incident.status)
        if action is None:
            return []
        try:
            if action == "dispatch":
                return self._dispatch(incident)
            self.store.transition(incident.id, action, incident.version, "", "simulator")
        except (StaleVersionError, RefusedError):  # someone acted first: fine, try another time
            return []
        return [f"incident:{incident.id}"]

    def _dispatch(self, incident: Incident) -> list[str]:
        dept = DEPARTMENTS.get(incident.category, "")
        units = [u for u in self.store.units() if u.status == UnitStatus.AVAILABLE]
        preferred = [u for u in units if u.department == dept] or units
        unit = self.rng.choice(preferred) if preferred else None
        body = {
            "incident_id": incident.id,
            "unit_id": unit.id if unit else None,
            "department": dept,
            "instructions": "请尽快到场核实处置并反馈。",
            "priority": incident.priority,
        }
        key = str(uuid.UUID(int=self.rng.getrandbits(128)))
        task, _ = self.store.create_task(body, key, f"sim-{key}", "simulator")
        return [f"incident:{incident.id}", f"task:{task.id}"] + ([f"unit:{unit.id}"] if unit else [])
