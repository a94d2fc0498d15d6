"""When the window goes, its relay of the session's callbacks lets go of the session: a session thread that
outlived its bounded join (a slow request, a stream being read) must not emit into a Qt object that the GUI
thread is destroying."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from commandwall.app.platform import PlatformFactory
from commandwall.app.session import ClientSession
from commandwall.app.warnings import WarningsController
from commandwall.backend.events import ConnectionState
from commandwall.config import Settings
from commandwall.domain.models import Camera, Incident, StreamUrls, Unit
from commandwall.ui.adapters import ClientSignals

AT = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)


def _camera(n: int) -> Camera:
    return Camera(id=f"CAM-{n:04d}", name=f"路口{n}", lon=117.26, lat=34.79,
                  streams=StreamUrls(main="http://127.0.0.1:9/m", sub="http://127.0.0.1:9/s"))


def _incident(n: int) -> Incident:
    return Incident(id=f"INC-{n:05d}", title=f"事件 {n}", category="yingji", lon=117.26, lat=34.8, reported_at=AT,
                    updated_at=AT, version=1)


def _on_a_thread(work) -> None:
    worker = threading.Thread(target=work)
    worker.start()
    worker.join(10)
    assert not worker.is_alive()


def test_after_detach_no_callback_of_the_session_reaches_the_relay(qtbot, tmp_path) -> None:
    session = ClientSession(Settings(data_dir=tmp_path), PlatformFactory.at_url("http://127.0.0.1:9"))
    warnings = WarningsController(session, folder=tmp_path / "cap")
    signals = ClientSignals()
    session.listener = signals.listener()
    signals.watch(session)
    signals.watch_warnings(warnings)
    received: list[str] = []
    for name in ("sig_camera", "sig_unit", "sig_incidents", "sig_connection", "sig_warning_problem"):
        getattr(signals, name).connect(lambda *_args, name=name: received.append(name))

    def everything(n: int) -> None:
        session.cameras.upsert(_camera(n))
        session.units.upsert(Unit(id=f"U-{n}", name=f"巡逻{n}", department="公安", lon=117.26, lat=34.8, updated_at=AT))
        session.incidents.upsert(_incident(n))
        session.listener.on_connection(ConnectionState.LIVE, "")
        warnings.listener.on_problem("坏的预警")

    _on_a_thread(lambda: everything(1))  # attached: each kind arrives on the GUI thread
    qtbot.waitUntil(lambda: set(received) == {"sig_camera", "sig_unit", "sig_incidents", "sig_connection",
                                              "sig_warning_problem"}, timeout=5000)
    signals.detach()
    received.clear()
    _on_a_thread(lambda: everything(2))
    qtbot.wait(400)  # several incident batch periods
    assert received == []
    assert session.cameras.get("CAM-0002") is not None  # the stores themselves go on
