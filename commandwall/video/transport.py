"""RTSP transport per camera: TCP unless the data folder's ``rtsp_transport.json`` says ``udp``.

The file maps camera ids to ``"tcp"`` or ``"udp"``, for example ``{"CAM-0007": "udp"}``; cameras it does not
name use TCP (interleaved in the RTSP connection: passes NAT and firewalls, no packet loss). UDP suits a
camera on a clean LAN whose TCP stream stutters. A file that cannot be read or has bad entries is logged with
the reason and the readable entries are kept; it never stops the wall. A tile's menu (RTSP 传输) changes a
camera's transport and :meth:`RtspTransports.save` writes the file back (UDP entries only: TCP is the default).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from commandwall.domain.models import MAX_ID_CHARS
from commandwall.localjson import parse_json
from commandwall.paths import read_small_file, set_aside, write_whole
from commandwall.video.capture import RTSP_TRANSPORTS

log = logging.getLogger(__name__)

FILE_NAME = "rtsp_transport.json"
#: a larger file is not a camera list (it is read when the window is built)
MAX_FILE_BYTES = 256 * 1024


class RtspTransports:
    """Camera id → RTSP transport (``tcp`` or ``udp``); :meth:`transport` is what the reader pool asks."""

    def __init__(self, by_camera: dict[str, str] | None = None, path: Path | None = None) -> None:
        self._by_camera: dict[str, str] = {}
        #: where :meth:`save` writes (None: nowhere, the choice lasts until the client ends)
        self.path = path
        #: why the file could not be read whole, or "": the first save sets the file aside before writing
        self.problem = ""
        for camera_id, transport in (by_camera or {}).items():
            self.set(camera_id, transport)

    @classmethod
    def load(cls, data_dir: Path) -> RtspTransports:
        """Read ``data_dir/rtsp_transport.json`` (missing: every camera on TCP)."""
        path = data_dir / FILE_NAME
        try:
            raw = parse_json(read_small_file(path, MAX_FILE_BYTES).decode("utf-8"))
        except FileNotFoundError:
            return cls(path=path)
        except (OSError, ValueError) as error:  # NotJsonError too
            return cls._unread(path, str(error))
        if not isinstance(raw, dict):
            return cls._unread(path, 'it must map camera ids to "tcp" or "udp"')
        transports = cls(path=path)
        for camera_id, transport in raw.items():
            try:
                transports.set(str(camera_id), transport)
            except ValueError as error:
                log.warning("%s: %s", path, error)
                transports.problem = str(error)
        return transports

    @classmethod
    def _unread(cls, path: Path, why: str) -> RtspTransports:
        log.warning("%s cannot be read (every camera uses RTSP over TCP): %s", path, why)
        transports = cls(path=path)
        transports.problem = why
        return transports

    def set(self, camera_id: str, transport: object) -> None:
        """Use ``transport`` for ``camera_id``; ValueError for anything but ``tcp``/``udp`` (any case)."""
        transport = transport.strip().lower() if isinstance(transport, str) else transport
        if transport not in RTSP_TRANSPORTS:
            raise ValueError(f"camera {camera_id[:MAX_ID_CHARS]!r}: unknown RTSP transport {str(transport)[:20]!r}; "
                             "use tcp or udp")
        self._by_camera[camera_id] = str(transport)

    def transport(self, camera_id: str) -> str:
        """The camera's transport (``tcp`` when not set)."""
        return self._by_camera.get(camera_id, "tcp")

    def save(self) -> None:
        """Write the cameras on UDP to :attr:`path` (replaced whole, so a crash leaves the old file); OSError
        when it cannot be written. Nothing to do without a path."""
        if self.path is None:
            return
        if self.problem:  # what could not be read is kept beside, not written over
            aside = set_aside(self.path)
            if aside is not None:
                log.warning("%s could not be read (%s): kept as %s", self.path, self.problem, aside.name)
            self.problem = ""
        udp = {camera_id: t for camera_id, t in sorted(self._by_camera.items()) if t != "tcp"}
        write_whole(self.path, json.dumps(udp, ensure_ascii=False, indent=1) + "\n")
