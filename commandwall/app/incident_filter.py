"""Which incidents a desk is looking at (筛选): the filter a click on the overview dashboard sets for the
incident panel and the map.

It is plain data with one rule (:meth:`IncidentFilter.matches`), so the dashboard's figures, the incident
list and the map markers all count the same incidents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from commandwall.domain.models import OPEN_STATUSES, Incident, IncidentStatus, category_label, status_label
from commandwall.i18n import translate
from commandwall.textsafe import display_text


@dataclass(frozen=True)
class IncidentFilter:
    """Incidents of one category, in some statuses, in one town, reported since a moment; an empty field
    does not filter. ``caption`` names what was clicked when the statuses are a group (未办结)."""

    category: str = ""
    statuses: frozenset[IncidentStatus] = field(default_factory=frozenset)
    town: str = ""
    since: datetime | None = None
    caption: str = ""

    @property
    def active(self) -> bool:
        """Whether it filters anything."""
        return bool(self.category or self.statuses or self.town or self.since is not None)

    @property
    def wants_closed(self) -> bool:
        """Whether it asks for incidents no longer being handled (a list showing only open ones would hide
        them)."""
        return bool(self.statuses - OPEN_STATUSES) or (not self.statuses and self.since is not None)

    def matches(self, incident: Incident) -> bool:
        """Whether ``incident`` passes."""
        if self.category and incident.category != self.category:
            return False
        if self.statuses and incident.status not in self.statuses:
            return False
        if self.town and incident.town != self.town:
            return False
        return self.since is None or incident.reported_at >= self.since

    def select(self, incidents: Iterable[Incident]) -> list[Incident]:
        """The incidents that pass, in their order."""
        return [i for i in incidents if self.matches(i)]

    def describe(self) -> str:
        """What the filter shows, for a chip above the list (platform text made safe to show)."""
        parts = [translate("incidents", "今日")] if self.since is not None else []
        if self.town:
            parts.append(display_text(self.town, isolate=True))
        if self.category:
            parts.append(display_text(category_label(self.category), isolate=True))
        if self.caption:
            parts.append(self.caption)
        elif self.statuses:
            separator = translate("incidents", "、")
            parts.append(separator.join(status_label(s) for s in IncidentStatus if s in self.statuses))
        return "·".join(parts) if parts else translate("incidents", "全部事件")


NO_FILTER = IncidentFilter()

