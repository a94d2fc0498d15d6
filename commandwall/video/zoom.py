"""Digital zoom on a tile (电子放大): which part of the picture a tile shows, in fractions of the picture.

Plain arithmetic, no Qt: the tile turns wheel steps and drags into :meth:`DigitalZoom.zoom_at` and
:meth:`DigitalZoom.pan` and paints :meth:`DigitalZoom.source_rect` of the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the strongest magnification
MAX_ZOOM = 8.0
#: magnification per wheel notch
WHEEL_STEP = 1.25


@dataclass
class DigitalZoom:
    """``zoom`` ≥ 1 and the picture point (``cx``, ``cy``, fractions 0…1) at the tile's centre."""

    zoom: float = 1.0
    cx: float = 0.5
    cy: float = 0.5

    @property
    def active(self) -> bool:
        """True while magnified."""
        return self.zoom > 1.0

    def reset(self) -> None:
        """The whole picture again."""
        self.zoom, self.cx, self.cy = 1.0, 0.5, 0.5

    def zoom_at(self, fx: float, fy: float, factor: float) -> None:
        """Magnify by ``factor`` (clamped to 1…:data:`MAX_ZOOM`) keeping the point under the cursor — at
        (``fx``, ``fy``), fractions of the shown part — where it is."""
        fx, fy = min(1.0, max(0.0, fx)), min(1.0, max(0.0, fy))
        half = 0.5 / self.zoom
        px, py = self.cx - half + fx * 2 * half, self.cy - half + fy * 2 * half  # picture point under the cursor
        self.zoom = min(MAX_ZOOM, max(1.0, self.zoom * factor))
        half = 0.5 / self.zoom
        self.cx, self.cy = px + half - fx * 2 * half, py + half - fy * 2 * half
        self._clamp()

    def pan(self, dx: float, dy: float) -> None:
        """Move the picture by (``dx``, ``dy``) fractions of the shown part (a drag to the right shows what is
        further left)."""
        self.cx -= dx / self.zoom
        self.cy -= dy / self.zoom
        self._clamp()

    def source_rect(self, width: int, height: int) -> tuple[float, float, float, float]:
        """(x, y, w, h) in pixels of a ``width`` × ``height`` picture: the part to show."""
        w, h = width / self.zoom, height / self.zoom
        return self.cx * width - w / 2, self.cy * height - h / 2, w, h

    def _clamp(self) -> None:
        half = 0.5 / self.zoom
        self.cx = min(1.0 - half, max(half, self.cx))
        self.cy = min(1.0 - half, max(half, self.cy))
