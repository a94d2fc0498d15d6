"""Attachments over real HTTP against the exercise backend: stored once per key, served back byte for byte as a
download (never as a page), refused for a viewer (403) and above the limit (413 with the reason)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from commandwall.domain.models import MAX_ATTACHMENT_BYTES
from tests.contract.wire import ApiClient


def _headers(name: str, key: str | None = None) -> dict[str, str]:
    return {"Idempotency-Key": key or str(uuid.uuid4()), "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"}


def _attach(client: ApiClient, incident_id: str, name: str, data: bytes, expect: int = 201,
            key: str | None = None) -> Any:
    return client.post(f"/api/v1/incidents/{incident_id}/attachments", expect, data=data,
                       headers=_headers(name, key))


def test_an_attachment_is_stored_once_per_key_and_served_back_byte_for_byte(
        duty: ApiClient, viewer: ApiClient, new_incident: Callable[..., dict[str, Any]]) -> None:
    incident = new_incident()
    data = os.urandom(300_000)
    key = str(uuid.uuid4())
    entry = _attach(duty, incident["id"], "现场照片.jpg", data, key=key).json()
    assert entry["kind"] == "attachment" and entry["text"] == "现场照片.jpg" and entry["size"] == len(data)
    assert entry["actor"] == "duty" and entry["ref"].startswith("ATT-")
    again = _attach(duty, incident["id"], "现场照片.jpg", data, expect=200, key=key).json()
    assert again == entry  # a retried POST: the same entry, nothing new
    _attach(duty, incident["id"], "另一个.jpg", data, expect=422, key=key)  # the key names another file now

    timeline = viewer.get(f"/api/v1/incidents/{incident['id']}/timeline").json()["entries"]
    assert [e["seq"] for e in timeline if e["kind"] == "attachment"] == [entry["seq"]]
    served = viewer.get(f"/api/v1/incidents/{incident['id']}/attachments/{entry['ref']}")
    assert hashlib.sha256(served.content).digest() == hashlib.sha256(data).digest()
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_markup_is_never_served_as_a_page_and_a_hostile_name_stays_data(
        duty: ApiClient, new_incident: Callable[..., dict[str, Any]]) -> None:
    incident = new_incident()
    name = "../../\u202egnp.exe<script>alert(1)</script>.html"
    body = b"<html><script>alert(1)</script></html>"
    entry = _attach(duty, incident["id"], name, body).json()
    assert entry["text"] == name  # stored and returned exactly as sent: it is data
    served = duty.get(f"/api/v1/incidents/{incident['id']}/attachments/{entry['ref']}")
    assert served.content == body
    assert served.headers["Content-Type"] == "application/octet-stream"
    disposition = served.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition.replace("%2F", "")
    assert "\u202e" not in disposition and ".." not in disposition
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_a_viewer_may_not_attach(viewer: ApiClient, new_incident: Callable[..., dict[str, Any]]) -> None:
    incident = new_incident()
    answer = _attach(viewer, incident["id"], "a.txt", b"hello", expect=403).json()
    assert answer["error"] == "forbidden_for_role" and "添加附件" in answer["message"]


def test_a_file_over_the_limit_is_413_with_the_reason(
        duty: ApiClient, new_incident: Callable[..., dict[str, Any]]) -> None:
    incident = new_incident()
    answer = _attach(duty, incident["id"], "big.bin", b"\0" * (MAX_ATTACHMENT_BYTES + 1), expect=413).json()
    assert answer["error"] == "attachment_too_large" and answer["limit_bytes"] == MAX_ATTACHMENT_BYTES
    assert "20 MB" in answer["message"]
    entries = duty.get(f"/api/v1/incidents/{incident['id']}/timeline").json()["entries"]
    assert not [e for e in entries if e["kind"] == "attachment"]


def test_a_request_without_a_file_name_or_for_an_unknown_incident_is_refused(
        duty: ApiClient, new_incident: Callable[..., dict[str, Any]]) -> None:
    incident = new_incident()
    headers = {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/octet-stream"}
    duty.post(f"/api/v1/incidents/{incident['id']}/attachments", 422, data=b"x", headers=headers)
    _attach(duty, incident["id"], "x" * 256, b"x", expect=422)
    _attach(duty, "INC-NOPE", "a.txt", b"x", expect=404)
    duty.get(f"/api/v1/incidents/{incident['id']}/attachments/ATT-NOPE", expect=404)
