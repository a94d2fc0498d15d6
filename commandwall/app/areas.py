"""Which town (镇街) and grid cell (网格) a point lies in — without Qt.

Built on :class:`commandwall.geo.index.AreaIndex` over the session's ``towns`` and ``grids`` layers. An
incident's town and grid are taken from its point; where the point lies outside every town or cell (or a
layer is missing) the platform's own value is kept.

Answers are remembered per point (every new version of an incident is placed again, mostly at the same
point), up to :data:`MEMO_POINTS` points before the memory starts again.

The incident store places every incident as it arrives (:meth:`DistrictAreas.locate_many`, on the thread that
writes it), so the list, the detail, the filters, the overview and the map all show the one answer; the
:class:`Placement` it keeps says where each value came from and what the platform reported. Incidents per grid
cell are counted from those placements (``MapController.take_density``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from commandwall.domain.models import Incident
from commandwall.geo.index import AreaIndex

#: Points whose town and grid cell are remembered (a point costs two spatial-index queries otherwise).
MEMO_POINTS = 200_000


def _features(layers: Iterable[Any], kind: str) -> list[dict[str, Any]]:
    layer = next((layer for layer in layers if getattr(layer, "kind", None) == kind), None)
    return list(layer.features) if layer is not None else []


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an incident is: the town and grid cell shown everywhere, whether each was computed from its point
    (``*_from_point``; False: the point lies outside every town or cell, the platform's value is kept), and the
    values the platform reported."""

    town: str
    grid: str
    town_from_point: bool
    grid_from_point: bool
    reported_town: str
    reported_grid: str

    @property
    def town_differs(self) -> bool:
        """True when the platform reported another town than the one the point lies in."""
        return self.town_from_point and bool(self.reported_town) and self.reported_town != self.town

    @property
    def grid_differs(self) -> bool:
        """True when the platform reported another grid cell than the one the point lies in."""
        return self.grid_from_point and bool(self.reported_grid) and self.reported_grid != self.grid

    def reported(self, incident: Incident) -> Incident:
        """``incident`` (as placed) with the town and grid cell the platform reported."""
        if incident.town == self.reported_town and incident.grid == self.reported_grid:
            return incident
        return incident.model_copy(update={"town": self.reported_town, "grid": self.reported_grid})


class DistrictAreas:
    """Point → town name and grid cell id, over the district's towns and grids (either may be empty)."""

    def __init__(self, towns: Sequence[Mapping[str, Any]], grids: Sequence[Mapping[str, Any]]) -> None:
        self.towns = AreaIndex([dict(f) for f in towns], key="name")
        self.grids = AreaIndex([dict(f) for f in grids], key="id")
        self._memo: dict[tuple[float, float], tuple[str | None, str | None]] = {}

    @classmethod
    def from_layers(cls, layers: Iterable[Any]) -> DistrictAreas:
        """From a session's layers (those of kind ``towns`` and ``grids``)."""
        layers = list(layers)
        return cls(_features(layers, "towns"), _features(layers, "grids"))

    def _areas_at(self, lon: float, lat: float) -> tuple[str | None, str | None]:
        """(town, grid cell) of the point, remembered."""
        found = self._memo.get((lon, lat))
        if found is None:
            town, grid = self.towns.key_at(lon, lat), self.grids.key_at(lon, lat)
            found = (str(town) if town is not None else None, str(grid) if grid is not None else None)
            if len(self._memo) >= MEMO_POINTS:
                self._memo.clear()
            self._memo[(lon, lat)] = found
        return found

    def look_up(self, incidents: Iterable[Incident]) -> None:
        """Find the town and grid cell of every point of ``incidents`` not yet remembered, in one query per
        layer (a point at a time costs two spatial-index queries, a burst hundreds of them)."""
        points = list({(i.lon, i.lat) for i in incidents if (i.lon, i.lat) not in self._memo})
        if not points:
            return
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        towns, grids = self.towns.keys_at(lons, lats), self.grids.keys_at(lons, lats)
        if len(self._memo) + len(points) > MEMO_POINTS:
            self._memo.clear()
        for point, town, grid in zip(points, towns, grids, strict=True):
            self._memo[point] = (str(town) if town is not None else None, str(grid) if grid is not None else None)

    def locate(self, incident: Incident) -> tuple[Incident, Placement]:
        """The incident with the town and grid cell of its point (the platform's where the point finds none),
        and the :class:`Placement` saying which is which."""
        town, grid = self._areas_at(incident.lon, incident.lat)
        placement = Placement(town or incident.town, grid or incident.grid, town is not None, grid is not None,
                              incident.town, incident.grid)
        if placement.town == incident.town and placement.grid == incident.grid:
            return incident, placement
        return incident.model_copy(update={"town": placement.town, "grid": placement.grid}), placement

    def locate_many(self, incidents: Sequence[Incident]) -> list[tuple[Incident, Placement]]:
        """:meth:`locate` each of ``incidents``, looking the new points up together."""
        self.look_up(incidents)
        return [self.locate(incident) for incident in incidents]
