"""The process's limit on open files, raised to what the system allows.

A wall holds a few files per stream: in the decoder process the client's connection, the camera's socket and the
pictures' memory — three over HTTP or RTSP/TCP, five over RTSP/UDP (its RTP and RTCP sockets), measured — and in
the client a connection per stream besides Qt's and the map page's own (as many as the decoder's when the decoder
process cannot run and the client decodes itself). Linux desktops start programs with a soft limit of 1024 open
files and a hard limit far above it (systemd's default since 2019: 524288): about 200 RTSP/UDP streams (six screens
of 36 tiles) would run out, and the stream that finds none fails with "Too many open files". Programs may raise
their soft limit up to the hard one without privilege; nothing here uses ``select()`` (which cannot watch a
descriptor above 1023): the readers poll. Elsewhere (no ``resource`` module) this does nothing.
"""

from __future__ import annotations

import logging

try:
    import resource
except ImportError:  # pragma: no cover - not a POSIX system
    resource = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: enough for every stream a desk can show, well short of what a process should ever hold
OPEN_FILES_WANTED = 65536


def raise_open_file_limit(wanted: int = OPEN_FILES_WANTED) -> int | None:
    """Raise this process's soft limit on open files to ``wanted`` (at most the hard limit; never lowered); the
    limit now, or None where there is none to raise."""
    if resource is None:  # pragma: no cover - see the import
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (OSError, ValueError) as exc:  # a limit the system refuses: the streams are as many as it allows
            log.warning("could not raise the open files limit from %d to %d: %s", soft, target, exc)
            return soft
        log.debug("open files limit raised from %d to %d", soft, target)
        return target
    return soft
