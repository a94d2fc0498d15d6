"""PlatformClient over real HTTP against the exercise backend (``commandwall.demo.DemoBackend``)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator

import pytest

from commandwall import paths
from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    RejectedError,
    StaleVersion,
    TransitionRefused,
)
from commandwall.demo import DemoBackend
from commandwall.domain.models import CameraStatus, IncidentStatus
from commandwall.geo.crs import geometry_positions
from commandwall.geo.layers import load_layers

# The district's real extent with a little margin: every normalised coordinate must land here.
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 117.10, 117.53, 34.58, 34.99


def _positions(geometry: dict) -> Iterator[tuple[float, float]]:
    for pos in geometry_positions(geometry):
        yield pos[0], pos[1]


@pytest.mark.parametrize(
    ("user", "role", "name"),
    [
        ("viewer", "viewer", "观察员"),
        ("duty", "duty_officer", "值班员"),
        ("commander", "commander", "指挥长"),
        ("admin", "admin", "系统管理员"),
    ],
)
def test_login_and_roles(demo: DemoBackend, user: str, role: str, name: str) -> None:
    client = PlatformClient(demo.base_url, user, user)
    login = client.login()
    assert login.roles == frozenset({role}) and client.roles == login.roles
    assert login.display_name == name
    client.close()


def test_wrong_password_is_auth_error(demo: DemoBackend) -> None:
    client = PlatformClient(demo.base_url, "duty", "not-the-password")
    with pytest.raises(AuthError) as info:
        client.cameras()
    assert info.value.status == 401
    client.close()


def test_viewer_may_read_but_not_change(demo: DemoBackend) -> None:
    viewer = PlatformClient(demo.base_url, "viewer", "viewer")
    incident = viewer.incidents()[0][0]
    with pytest.raises(PermissionDeniedError) as info:
        viewer.transition(incident.id, "accept", incident.version)
    assert info.value.status == 403
    viewer.close()


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_logs_in_again_after_the_token_is_revoked_or_expired(demo: DemoBackend, duty: PlatformClient, how: str) -> None:
    assert duty.units()
    first_token = duty._token
    with sqlite3.connect(demo.db_path) as db:  # the server forgets / expires every token
        if how == "revoked":
            db.execute("DELETE FROM tokens")
        else:
            db.execute("UPDATE tokens SET expires_at = 0")
    db.close()
    assert duty.units()  # 401 -> one login -> same request again, transparently
    assert duty._token != first_token


def test_cameras_incidents_units_parse(demo: DemoBackend, duty: PlatformClient) -> None:
    cameras = duty.cameras()
    assert len(cameras) >= 1000
    cam = cameras[0]
    assert cam.streams.main == f"{demo.base_url}/streams/{cam.id}/main.ts"  # H.264 over MPEG-TS
    assert all(LON_MIN < c.lon < LON_MAX and LAT_MIN < c.lat < LAT_MAX for c in cameras)
    assert {c.status for c in cameras} <= set(CameraStatus)

    incidents, cursor = duty.incidents()
    assert incidents and cursor is not None
    one = duty.incident(incidents[0].id)
    assert one.id == incidents[0].id and one.version >= 1
    with pytest.raises(NotFoundError):
        duty.incident("INC-NOPE")

    units = duty.units()
    assert 20 <= len(units) <= 60
    assert {u.department for u in units} >= {"公安", "消防"}


def test_incident_cursor_returns_only_changes(demo: DemoBackend, duty: PlatformClient) -> None:
    _, cursor = duty.incidents()
    assert duty.incidents(since=cursor)[0] == []
    demo.simulator.new_incident("huanbao")
    changed, cursor2 = duty.incidents(since=cursor)
    assert [i.category for i in changed] == ["huanbao"]
    assert cursor2 != cursor


def test_layer_catalogue_paging_and_wgs84(demo: DemoBackend, duty: PlatformClient) -> None:
    catalogue = {entry.id: entry for entry in duty.layers()}
    assert "cameras" not in catalogue and "units" not in catalogue
    assert catalogue["towns"].crs == "EPSG:4548" and catalogue["resources"].crs == "EPSG:4527"

    pages: list[str] = []
    duty.http.hooks["response"].append(lambda r, *a, **k: pages.append(r.url))
    grids = duty.layer_features(catalogue["grids"], page_size=7)
    assert len(grids) == catalogue["grids"].feature_count == 100
    assert sum("/collections/grids/items" in url for url in pages) == 15  # ceil(100 / 7)
    assert len({f["properties"]["id"] for f in grids}) == 100  # no page repeated or skipped

    local = load_layers(paths.layers_dir())
    for layer_id in ("towns", "resources", "grids", "roads"):
        features = duty.layer_features(layer_id)  # by id: looks the CRS up in the catalogue
        for feature in features:
            for lon, lat in _positions(feature["geometry"]):
                assert LON_MIN < lon < LON_MAX and LAT_MIN < lat < LAT_MAX, (layer_id, lon, lat)
        # The same normalisation as loading layers/ locally: identical geometry.
        expected = local.layers[layer_id].features
        assert len(features) == len(expected)
        got = [v for pos in _positions(features[0]["geometry"]) for v in pos]
        want = [v for pos in _positions(expected[0]["geometry"]) for v in pos]
        assert got == pytest.approx(want, abs=1e-7)


def test_catalogue_english_titles_reach_layer_info_and_unusable_ones_are_left_aside(
    demo: DemoBackend, duty: PlatformClient, monkeypatch, caplog
) -> None:
    local = load_layers(paths.layers_dir()).layers
    catalogue = {entry.id: entry for entry in duty.layers()}
    assert {k: v.title_en for k, v in catalogue.items()} == {
        **{k: local[k].title_en for k in catalogue if k != "shelters"}, "shelters": "Emergency shelters"}
    assert catalogue["roads"].title == "道路" and catalogue["roads"].title_en == "Roads"

    hostile = {"towns": "R" * 10_000, "grids": 42, "roads": None, "district": "  ", "resources": ["Resources"],
               "shelters": "  <b>Shelters</b> "}  # fmt: skip
    listed = demo.catalogue.catalogue
    monkeypatch.setattr(demo.catalogue, "catalogue",
                        lambda: [{**entry, "title_en": hostile[entry["id"]]} for entry in listed()])  # fmt: skip
    catalogue = {entry.id: entry for entry in duty.layers()}
    assert set(catalogue) == set(hostile)  # no entry dropped for its English title
    assert {k: v.title_en for k, v in catalogue.items()} == {**dict.fromkeys(hostile), "shelters": "<b>Shelters</b>"}
    assert catalogue["towns"].title == "镇街" and catalogue["towns"].feature_count
    assert sum("title_en left aside" in r.getMessage() for r in caplog.records) == 4  # null is simply none


def test_bbox_is_passed_to_the_server(duty: PlatformClient) -> None:
    grids = duty.layers()
    entry = next(e for e in grids if e.id == "grids")
    everything = duty.layer_features(entry)
    west = duty.layer_features(entry, bbox=(117.15, 34.63, 117.25, 34.94))
    assert 0 < len(west) < len(everything)


def test_transitions_and_their_errors(duty: PlatformClient) -> None:
    incidents, _ = duty.incidents()
    new = next(i for i in incidents if i.status == IncidentStatus.NEW)

    accepted = duty.transition(new.id, "accept", new.version, "值班员受理")
    assert accepted.status == IncidentStatus.ACCEPTED and accepted.version == new.version + 1

    with pytest.raises(StaleVersion) as stale:
        duty.transition(new.id, "resolve", new.version)  # quotes the version before 'accept'
    assert stale.value.status == 409
    assert stale.value.current is not None and stale.value.current.version == accepted.version

    with pytest.raises(TransitionRefused) as refused:
        duty.transition(new.id, "start", accepted.version)  # accepted -> start is not allowed
    assert refused.value.status == 422 and refused.value.code == "invalid_transition"
    with pytest.raises(PermissionDeniedError) as forbidden:
        duty.transition(new.id, "merge", accepted.version, into=incidents[0].id)  # the commander's decision
    assert forbidden.value.status == 403 and "值班员" in forbidden.value.message


def test_create_task_is_idempotent(duty: PlatformClient) -> None:
    incidents, _ = duty.incidents()
    target = next(i for i in incidents if i.status in (IncidentStatus.NEW, IncidentStatus.ACCEPTED))
    unit = next(u for u in duty.units() if u.status == "available")
    payload = {
        "incident_id": target.id,
        "unit_id": unit.id,
        "department": unit.department,
        "instructions": "立即前往现场处置",
        "priority": 2,
    }
    key = str(uuid.uuid4())
    first = duty.create_task(payload, key)
    again = duty.create_task(payload, key)
    assert again == first
    assert [t.id for t in duty.tasks(target.id)] == [first.id]
    after = duty.incident(target.id)
    assert after.status == IncidentStatus.DISPATCHED and after.version == target.version + 1

    with pytest.raises(RejectedError) as reused:
        duty.create_task({**payload, "instructions": "别的内容"}, key)
    assert reused.value.status == 422
    with pytest.raises(RejectedError):
        duty.create_task({**payload, "priority": 9}, str(uuid.uuid4()))
    assert len(duty.tasks(target.id)) == 1


def test_ptz(duty: PlatformClient) -> None:
    cameras = duty.cameras()
    ptz = next(c for c in cameras if c.kind == "ptz" and c.status == CameraStatus.ONLINE)
    duty.ptz(ptz.id, "left", 3)
    fixed = next(c for c in cameras if c.kind == "fixed")
    with pytest.raises(RejectedError):
        duty.ptz(fixed.id, "left")


def test_a_refused_re_login_is_reported_once_and_not_tried_again(demo, duty):
    """Token expired and password changed: the next request fails, the callback hears it once, and the client
    stops sending the old password (the session then asks the user)."""
    import hashlib
    import secrets

    from commandwall.backend.errors import AuthError

    refused: list[AuthError] = []
    duty.on_login_refused = refused.append
    duty.login()
    salt = secrets.token_bytes(16)
    with demo.store.db.transaction() as tx:
        tx.execute("UPDATE users SET salt = ?, pw_hash = ? WHERE username = 'duty'",
                   (salt, hashlib.pbkdf2_hmac("sha256", b"N3w-pass", salt, 20_000)))
        tx.execute("UPDATE tokens SET expires_at = 0")
    for _ in range(3):
        with pytest.raises(AuthError):
            duty.incidents()
    assert len(refused) == 1 and duty.login_refused  # one refused login, then no more attempts
