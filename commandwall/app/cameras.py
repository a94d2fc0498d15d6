"""The camera list's rules (视频点位), without Qt: which camera a request means, and the desk's camera count."""

from __future__ import annotations

from dataclasses import dataclass

from commandwall.app.session import ClientSession
from commandwall.domain.models import Camera


@dataclass(frozen=True)
class CameraCount:
    """Cameras the platform lists, and how many of them are online (视频在线)."""

    online: int
    total: int


class CamerasController:
    """Looks cameras up as the platform knows them now (a request names an id; the store has the latest copy)."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    def camera(self, camera_id: str | None) -> Camera | None:
        """The current copy of a camera, or None for no id or an id the platform does not list."""
        return self.session.cameras.get(camera_id) if camera_id else None

    def cameras(self) -> list[Camera]:
        """Every camera, by id."""
        return self.session.cameras.all()

    def count(self) -> CameraCount:
        """How many cameras are online, of how many (kept by the store as cameras change: nothing is counted
        here, however often it is asked)."""
        cameras = self.session.cameras
        return CameraCount(cameras.online_count(), len(cameras))
