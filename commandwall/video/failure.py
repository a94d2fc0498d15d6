"""Why a stream failed, in kinds a duty officer can act on.

A reader keeps the last failure as one line of text (:func:`commandwall.video.capture.error_text`: the error's
class and message, the stream's credentials taken out), the same whether the stream was read on the reader's
thread or in the decoder process, where only text crosses. The tile says what kind it was — a refused password
is a call to the platform's administrators, a camera that does not answer is one to the field — and the overlay
(码流信息) gives the line itself.

The kinds are told by the class names PyAV gives FFmpeg's errors (``HTTPUnauthorizedError`` for a 401 over HTTP
and RTSP alike, ``ConnectionRefusedError``, ``InvalidDataError`` …) and by the reader's and the capture's own
words, not by FFmpeg's messages, which change between its versions.
"""

from __future__ import annotations

import re
from enum import StrEnum

from commandwall.video.capture import NO_VIDEO


class StreamFailure(StrEnum):
    """What kind of failure ended a stream's last attempt."""

    AUTH = "auth"  # 401/403: the server refused the credentials, or gave them no access
    NOT_FOUND = "not_found"  # 404: no such stream at that address
    REQUEST_REFUSED = "request_refused"  # another 4xx: the server refused the request
    SERVER = "server"  # 5xx: the server failed
    REFUSED = "refused"  # nothing listens at that address (the connection was refused)
    UNREACHABLE = "unreachable"  # the name does not resolve, the network is unreachable, an I/O error on the way
    TIMEOUT = "timeout"  # no answer, or no whole picture, within the read timeout
    RESET = "reset"  # the server or the network cut the connection
    UNDECODABLE = "undecodable"  # bytes came that are not a stream the decoder can read
    TOO_LARGE = "too_large"  # a picture or a part larger than the client decodes
    NO_VIDEO = "no_video"  # the stream has no video (audio or data only)
    ENDED = "ended"  # the stream stopped sending (it ended, or a read came back empty)


#: (kind, a pattern of the failure's line), the first that matches wins: the more particular first (a stream with no
#: video is said with an InvalidDataError, a picture too large with an OSError's subclass)
_PATTERNS: tuple[tuple[StreamFailure, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (StreamFailure.NO_VIDEO, re.escape(NO_VIDEO)),
        (StreamFailure.TOO_LARGE, r"\bPictureTooLargeError\b|\bMemoryError\b|Cannot allocate memory"),
        (StreamFailure.AUTH, r"\bHTTP(?:Unauthorized|Forbidden)Error\b"),
        (StreamFailure.NOT_FOUND, r"\bHTTPNotFoundError\b"),
        (StreamFailure.REQUEST_REFUSED, r"\bHTTP(?:BadRequest|OtherClient|Client)Error\b"),
        (StreamFailure.SERVER, r"\bHTTP(?:Server)?Error\b"),
        (StreamFailure.REFUSED, r"\bConnectionRefusedError\b"),
        (StreamFailure.RESET, r"\b(?:ConnectionResetError|ConnectionAbortedError|BrokenPipeError)\b"),
        (StreamFailure.TIMEOUT, r"\bTimeoutError\b|\bExitError\b"),
        (StreamFailure.UNDECODABLE, r"\bInvalidDataError\b|\bPatchWelcomeError\b|\bDecoderNotFoundError\b"),
        # an OSError of the network (FFmpeg's "Input/output error" for a name that does not resolve), not the
        # decoder process's own failure ("OSError: decoder: …", no kind of the stream's)
        (StreamFailure.UNREACHABLE, r"\b(?:OSError|gaierror)\b(?!: decoder:)"),
        (StreamFailure.ENDED, r"^stream ended\b|\bEOFError\b"),
    )
)


def stream_failure(last_error: str) -> StreamFailure | None:
    """The kind of failure ``last_error`` (a reader's :attr:`~commandwall.video.reader.StreamStats.last_error`)
    tells; None when it tells none (no failure yet, or one of no known kind)."""
    for kind, pattern in _PATTERNS:
        if pattern.search(last_error):
            return kind
    return None
