"""Small HTTP helpers for the contract tests: a spec-checking API client, an SSE reader, an MJPEG reader.

All reads are bounded by timeouts so a broken server fails a test instead of hanging it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import requests

from tests.contract.spec import check_response

TIMEOUT = (3.0, 10.0)


class ApiClient:
    """requests against the backend; every response is checked against openapi.yaml."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, expect: int | None = None, **kwargs: Any) -> requests.Response:
        """Send, check against the spec, and (if given) assert the status code."""
        kwargs.setdefault("timeout", TIMEOUT)
        response = self.session.request(method, self.base_url + path, **kwargs)
        check_response(method, path.split("?")[0], response, read_body=not kwargs.get("stream"))
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text[:300]}"
            )
        return response

    def get(self, path: str, expect: int | None = 200, **kwargs: Any) -> requests.Response:
        """GET (expects 200 unless told otherwise)."""
        return self.request("GET", path, expect, **kwargs)

    def post(self, path: str, expect: int | None = 200, **kwargs: Any) -> requests.Response:
        """POST (expects 200 unless told otherwise)."""
        return self.request("POST", path, expect, **kwargs)

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()


def login(base_url: str, username: str) -> ApiClient:
    """A client logged in as one of the demo users (password = username)."""
    anon = ApiClient(base_url)
    token = anon.post("/api/v1/auth/token", json={"username": username, "password": username}).json()
    anon.close()
    return ApiClient(base_url, token["access_token"])


@dataclass
class SseMessage:
    """One parsed Server-Sent Events message (or a comment when ``comment`` is set)."""

    id: int | None = None
    event: str | None = None
    data: str = ""
    comment: str | None = None


def sse_messages(response: requests.Response, deadline: float) -> Iterator[SseMessage]:
    """Parse messages from a streaming response until ``deadline`` (time.monotonic) or the stream ends."""
    current = SseMessage()
    for raw in response.iter_lines(decode_unicode=True):
        line = raw if isinstance(raw, str) else raw.decode()
        if line.startswith(":"):
            yield SseMessage(comment=line[1:].strip())
        elif line == "":
            if current.event is not None or current.data:
                yield current
            current = SseMessage()
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id":
                current.id = int(value)
            elif field == "event":
                current.event = value
            elif field == "data":
                current.data = f"{current.data}\n{value}" if current.data else value
        if time.monotonic() > deadline:
            return


class MjpegReader:
    """Reads a ``multipart/x-mixed-replace; boundary=frame`` stream part by part.

    Parses the part headers and uses Content-Length, as a strict client would. One chunk iterator is
    kept for the whole response, so ``frames()`` and ``drain()`` can be called one after the other.
    """

    def __init__(self, response: requests.Response) -> None:
        self._chunks = response.iter_content(chunk_size=65536)
        self._buffer = b""

    def _next_part(self) -> bytes | None:
        start = self._buffer.find(b"--frame\r\n")
        header_end = self._buffer.find(b"\r\n\r\n", start)
        if start < 0 or header_end < 0:
            return None
        lines = self._buffer[start + 9 : header_end].decode("ascii").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines)
        assert headers["Content-Type"] == "image/jpeg"
        length = int(headers["Content-Length"])
        body_start = header_end + 4
        if len(self._buffer) < body_start + length:
            return None
        part = self._buffer[body_start : body_start + length]
        self._buffer = self._buffer[body_start + length :]
        return part

    def frames(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """The next ``count`` JPEG parts (fewer if the stream ends or ``timeout`` passes)."""
        deadline = time.monotonic() + timeout
        out: list[bytes] = []
        while len(out) < count and time.monotonic() < deadline:
            part = self._next_part()
            if part is not None:
                out.append(part)
                continue
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        return out

    def drain(self) -> bytes:
        """Everything left until the server ends the stream (bounded by the read timeout)."""
        rest = self._buffer + b"".join(self._chunks)
        self._buffer = b""
        return rest


def mjpeg_frames(response: requests.Response, count: int, timeout: float = 10.0) -> list[bytes]:
    """Read ``count`` JPEG parts from an MJPEG response."""
    return MjpegReader(response).frames(count, timeout)


def decode(jpeg: bytes) -> np.ndarray:
    """Decode JPEG bytes with OpenCV (BGR); fails the test if they are not a JPEG."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "part is not a decodable JPEG"
    return image
