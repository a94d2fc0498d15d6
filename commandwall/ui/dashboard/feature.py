"""The overview dashboard feature: the :class:`DashboardView` bound to its :class:`DashboardController`."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QRect, QTimer, Signal

from commandwall.app.dashboard import DashboardController, Overview
from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.i18n import translate
from commandwall.ui.dashboard.view import DashboardView

#: How often the feature looks whether the view can be seen (the figures are counted only while it can).
SIGHT_CHECK_MS = 250


class DashboardFeature(QObject):
    """综合态势: ``widget`` to place, ``on_ready()`` once the session is connected, ``shutdown()`` at the end.

    Signals: ``sig_message(text, timeout_ms)`` for the status bar; ``sig_filter(IncidentFilter)`` when a click
    on a figure asks the incident panel and the map to show those incidents (``NO_FILTER``: all again).
    The figures are counted on the controller's worker thread and reach the view queued to the GUI thread.
    While the view is out of sight (a dock tab behind another: Qt keeps it "visible" off screen) they are not
    counted at all (:meth:`DashboardController.set_wanted`): within :data:`SIGHT_CHECK_MS` of the view coming into
    sight the newest figures it has are drawn and a recount starts.
    """

    sig_message = Signal(str, int)
    sig_filter = Signal(object)
    #: An overview from the controller's worker thread, to the GUI thread.
    _sig_overview = Signal(object)

    def __init__(self, controller: DashboardController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view = DashboardView()
        self.widget = self.view
        self._started = False
        self._unshown: Overview | None = None
        self._sight_check = QTimer(self, interval=SIGHT_CHECK_MS, timeout=self._follow_sight)
        self._sig_overview.connect(self._show)
        self.view.sig_tile.connect(self._on_tile)
        self.view.sig_category.connect(self._on_category)
        self.view.sig_status.connect(self._on_status)
        self.view.sig_town.connect(self._on_town)
        self.view.sig_clear.connect(self.clear_filter)

    def on_ready(self) -> None:
        """Start counting (once); after another login, count and read the sensors again at once."""
        if self._started:
            self.controller.refresh_now()
            return
        self._started = True
        self.controller.start(self._sig_overview.emit)  # the first count is made whether seen or not
        self._sight_check.start()

    def _show(self, overview: Overview) -> None:
        self._unshown = overview
        self._show_if_seen()

    def _follow_sight(self) -> None:
        """Count only while the view can be seen; draw what came while it could not."""
        seen = self._in_sight()
        self.controller.set_wanted(seen)
        if seen:
            self._show_if_seen()

    def _show_if_seen(self) -> None:
        """Draw the newest figures if the view can be seen (charts laid out out of sight cost the GUI thread for
        nothing, many times a minute in an incident burst); else they wait for :meth:`_follow_sight`."""
        if self._unshown is not None and self._in_sight():
            overview, self._unshown = self._unshown, None
            self.view.show_overview(overview)

    def in_sight(self) -> bool:
        """True while the figures can be seen (they are counted and drawn only then)."""
        return self._in_sight()

    def _in_sight(self) -> bool:
        """The view is shown and inside its window (a dock tab behind another is moved out of the window)."""
        view = self.view
        if not view.isVisible():
            return False
        return view.window().rect().intersects(QRect(view.mapTo(view.window(), QPoint(0, 0)), view.size()))

    def _on_tile(self, key: str) -> None:
        self.apply_filter(self.controller.today_filter() if key == "today" else self.controller.open_filter())

    def _on_category(self, code: str) -> None:
        self.apply_filter(self.controller.category_filter(code))

    def _on_status(self, label: str) -> None:
        self.apply_filter(self.controller.status_filter(label))

    def _on_town(self, town: str) -> None:
        self.apply_filter(self.controller.town_filter(town))

    def apply_filter(self, incident_filter: IncidentFilter) -> None:
        """Filter the incident panel and the map to ``incident_filter`` (through ``sig_filter``)."""
        self.view.set_filter(incident_filter)
        self.sig_filter.emit(incident_filter)
        if incident_filter.active:
            text = translate("Dashboard", "事件列表与地图已筛选：{filter}").format(filter=incident_filter.describe())
            self.sig_message.emit(text, 8000)

    def clear_filter(self) -> None:
        """Show every incident again."""
        self.apply_filter(NO_FILTER)

    def filter_cleared(self) -> None:
        """The filter was cleared elsewhere (the incident panel): forget it here too."""
        self.view.set_filter(NO_FILTER)

    def shutdown(self) -> None:
        """Stop counting."""
        self._sight_check.stop()
        self.controller.stop()
