"""The exercise's early-warning feed (预警发布): a few CAP 1.2 alerts published on a schedule from the moment
the feed is first asked — a 暴雨 (rainstorm) and a 大风 (gale) warning at once, after 30 s a 大雾 (fog) warning
whose area is a CAP circle (``lat,lon radius_km``), then an Update raising the rainstorm warning from 蓝色 to 橙色
with a larger area, then a Cancel of the gale warning.

``GET /api/v1/warnings/cap`` lists the alerts published so far (``{"alerts": [{"id", "url", "sent"}]}``),
``GET /api/v1/warnings/cap/<id>.xml`` serves one as ``application/cap+xml``. No token: a warning feed is
public. Polygons and circles are written as CAP wants them, ``lat,lon`` pairs (a circle: ``lat,lon radius``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app

from commandwall.demo.app import PATH_ID, ApiError
from commandwall.demo.db import CST

bp = Blueprint("capfeed", __name__)

SENDER = "zaozhuang-qx@cma.gov.cn"
SENDER_NAME = "枣庄市气象台"
_EXTENSION = "commandwall_cap_t0"


@dataclass(frozen=True)
class ScheduledAlert:
    """One alert of the exercise: seconds after the feed's start, CAP fields, polygon as (lon, lat) or circle as
    (lon, lat, radius_km)."""

    after_s: float
    identifier: str
    msg_type: str
    event: str
    severity: str
    headline: str
    description: str
    area: str
    polygon: tuple[tuple[float, float], ...]
    expires_h: float = 6.0
    references: tuple[str, ...] = ()  # identifiers of earlier alerts of this sender
    circle: tuple[float, float, float] | None = None


RAIN_WEST = ((117.15, 34.70), (117.30, 34.70), (117.30, 34.86), (117.15, 34.86), (117.15, 34.70))
RAIN_WIDE = ((117.15, 34.66), (117.38, 34.66), (117.38, 34.90), (117.15, 34.90), (117.15, 34.66))
GALE_NORTH = ((117.20, 34.84), (117.46, 34.84), (117.46, 34.94), (117.20, 34.94), (117.20, 34.84))
#: The fog warning's circle over 周营镇 along the expressway: centre (lon, lat) and radius in km.
FOG_ZHOUYING = (117.38, 34.74, 4.0)

SCHEDULE: tuple[ScheduledAlert, ...] = (
    ScheduledAlert(0, "XC-RAIN-001", "Alert", "暴雨", "Moderate", "薛城区气象台发布暴雨蓝色预警信号",
                   "预计未来12小时内薛城区西部降雨量将达50毫米以上，请注意防范城市内涝。",
                   "薛城区西部（临城街道、常庄街道）", RAIN_WEST),
    ScheduledAlert(0, "XC-GALE-001", "Alert", "大风", "Moderate", "薛城区气象台发布大风黄色预警信号",
                   "预计未来24小时内薛城区北部平均风力可达6级以上，阵风8级，请加固临时搭建物。",
                   "薛城区北部（陶庄镇、沙沟镇）", GALE_NORTH),
    ScheduledAlert(30, "XC-FOG-001", "Alert", "大雾", "Moderate", "薛城区气象台发布大雾黄色预警信号",
                   "预计未来6小时内周营镇京台高速周边4公里范围能见度低于500米，请减速慢行。",
                   "周营镇京台高速周边", (), expires_h=6.0, circle=FOG_ZHOUYING),
    ScheduledAlert(45, "XC-RAIN-002", "Update", "暴雨", "Severe", "薛城区气象台将暴雨蓝色预警信号升级为橙色",
                   "过去3小时薛城区降雨量已达50毫米以上且降雨将持续，低洼地区请及时转移。", "薛城区大部",
                   RAIN_WIDE, references=("XC-RAIN-001",)),
    ScheduledAlert(90, "XC-GALE-002", "Cancel", "大风", "Minor", "薛城区气象台解除大风黄色预警信号",
                   "风力已明显减弱。", "薛城区北部（陶庄镇、沙沟镇）", GALE_NORTH, references=("XC-GALE-001",)),
)


def _start() -> float:
    """When this application's feed started (the first time it was asked)."""
    return current_app.extensions.setdefault(_EXTENSION, time.time())


def _sent(alert: ScheduledAlert) -> datetime:
    return datetime.fromtimestamp(_start() + alert.after_s, CST).replace(microsecond=0)


def _published() -> list[ScheduledAlert]:
    start = _start()
    elapsed = time.time() - start
    return [alert for alert in SCHEDULE if alert.after_s <= elapsed]


def cap_document(alert: ScheduledAlert, sent: datetime, sent_of: dict[str, datetime]) -> str:
    """The CAP 1.2 XML of one scheduled alert (``sent_of``: when the referenced alerts were sent)."""
    shapes = []
    if alert.polygon:
        shapes.append("<polygon>" + " ".join(f"{lat},{lon}" for lon, lat in alert.polygon) + "</polygon>")
    if alert.circle is not None:
        lon, lat, radius_km = alert.circle
        shapes.append(f"<circle>{lat},{lon} {radius_km}</circle>")  # CAP order: lat,lon radius
    refs = " ".join(f"{SENDER},{ref},{sent_of[ref].isoformat()}" for ref in alert.references if ref in sent_of)
    references = f"\n  <references>{escape(refs)}</references>" if refs else ""
    expires = sent + timedelta(hours=alert.expires_h)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{escape(alert.identifier)}</identifier>
  <sender>{SENDER}</sender>
  <sent>{sent.isoformat()}</sent>
  <status>Exercise</status>
  <msgType>{alert.msg_type}</msgType>
  <scope>Public</scope>{references}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>{escape(alert.event)}</event>
    <urgency>Expected</urgency>
    <severity>{alert.severity}</severity>
    <certainty>Likely</certainty>
    <effective>{sent.isoformat()}</effective>
    <expires>{expires.isoformat()}</expires>
    <senderName>{SENDER_NAME}</senderName>
    <headline>{escape(alert.headline)}</headline>
    <description>{escape(alert.description)}</description>
    <area>
      <areaDesc>{escape(alert.area)}</areaDesc>
      {"".join(shapes)}
    </area>
  </info>
</alert>
"""


@bp.get("/api/v1/warnings/cap")
def feed() -> Any:
    """The alerts published so far, oldest first, with the URL of each CAP document."""
    return {"alerts": [{"id": a.identifier, "url": f"/api/v1/warnings/cap/{a.identifier}.xml",
                        "sent": _sent(a).isoformat()} for a in _published()]}


@bp.get(f"/api/v1/warnings/cap/<{PATH_ID}:identifier>.xml")
def document(identifier: str) -> Any:
    """One published alert as CAP 1.2 XML."""
    published = {a.identifier: a for a in _published()}
    alert = published.get(identifier)
    if alert is None:
        raise ApiError(404, "not_found", f"no published alert {identifier}")
    sent_of = {a.identifier: _sent(a) for a in published.values()}
    return Response(cap_document(alert, sent_of[identifier], sent_of),
                    content_type="application/cap+xml; charset=utf-8")
