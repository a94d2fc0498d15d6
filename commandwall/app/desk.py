"""One desk's controllers, made together from its session: map, wall, incidents, cameras, login, dashboard,
alarm linkage."""

from __future__ import annotations

from dataclasses import dataclass

from commandwall.app.alarm import AlarmController
from commandwall.app.cameras import CamerasController
from commandwall.app.dashboard import DashboardController
from commandwall.app.incidents import IncidentsController
from commandwall.app.login import LoginController
from commandwall.app.map import MapController
from commandwall.app.session import ClientSession
from commandwall.app.wall import WallController
from commandwall.app.warnings import WarningsController


@dataclass(frozen=True)
class Desk:
    """The per-feature controllers of one client session (what the UI's features adapt)."""

    session: ClientSession
    map: MapController
    wall: WallController
    incidents: IncidentsController
    cameras: CamerasController
    login: LoginController
    warnings: WarningsController
    dashboard: DashboardController
    alarm: AlarmController

    @classmethod
    def of(cls, session: ClientSession) -> Desk:
        """The controllers for ``session`` (the wall names grid cells from the map's layers)."""
        map_controller = MapController(session)
        return cls(session, map_controller, WallController(session, map_controller.grid_names),
                   IncidentsController(session), CamerasController(session), LoginController(session),
                   WarningsController.for_session(session), DashboardController(session),
                   AlarmController(session, map_controller.grid_names))
