"""What a tile draws over and around its picture: the state badge (直播, 离线 …), the picture's place in the
tile, and the stream information overlay (码流信息) shown on demand: codec, resolution, the stream and its RTSP
transport, fps, bitrate, decoded and dropped frames, how long pictures take from the network and from the
decoder to the screen (:mod:`commandwall.video.latency` says what is measured), the reconnects, and while the
stream is retried, why its last attempt failed (:mod:`commandwall.video.failure`)."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter

from commandwall.domain.models import CameraStatus
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.text import duration_text
from commandwall.video.capture import display_width
from commandwall.video.failure import StreamFailure
from commandwall.video.latency import DisplayLatency
from commandwall.video.reader import StreamState, StreamStats

BADGE_COLORS: dict[str, QColor] = {
    "live": QColor("#1fae5b"),  # 直播
    "warn": QColor("#e8a317"),  # 连接中 / 重连中 / 画面停滞
    "error": QColor("#e5484d"),  # 离线
    "idle": QColor("#4b5563"),  # 空闲 / 已停止
}
BADGE_TEXT_COLORS: dict[str, QColor] = {"warn": QColor("#111111")}


def tile_badge(
    has_camera: bool, camera_status: CameraStatus, stats: StreamStats | None, now: float | None = None
) -> tuple[str, str]:
    """Badge text and level (live/warn/error/idle) for a tile.

    The platform's word wins: a camera reported offline reads 离线 whatever the stream does.
    """
    if not has_camera:
        return translate("WallTile", "空闲"), "idle"
    if camera_status is CameraStatus.OFFLINE:
        return translate("WallTile", "离线"), "error"
    if stats is None or stats.state is StreamState.STOPPED:
        return translate("WallTile", "已停止"), "idle"
    if stats.state is StreamState.LIVE:
        return translate("WallTile", "直播"), "live"
    now = time.monotonic() if now is None else now
    if stats.state is StreamState.STALE:
        age = stats.age_s(now) or 0.0
        return translate("WallTile", "画面停滞 {age}").format(age=duration_text(age)), "warn"
    if stats.state is StreamState.RECONNECTING:
        text = translate("WallTile", "重连中")  # trying now
        if stats.retry_at is not None and stats.retry_at - now >= 1:  # counts down to the next attempt
            text = translate("WallTile", "{seconds}秒后重连").format(seconds=math.ceil(stats.retry_at - now))
        age = stats.age_s(now)
        if age is not None:  # the picture under the badge is this old: never read as live
            text += translate("WallTile", " · 画面停在{age}前").format(age=duration_text(age))
        return text, "warn"
    return translate("WallTile", "连接中"), "warn"


CODEC_NAMES = {"h264": "H.264", "hevc": "H.265", "mjpeg": "MJPEG"}
INFO_BG = QColor(0, 0, 0, 160)
INFO_TEXT = QColor("#d8f3ff")


def failure_text(failure: StreamFailure | None) -> str:
    """A failure's kind as the tile says it (视频流鉴权失败 …); the generic 视频流无法连接 for None."""
    if failure is None:
        return translate("WallTile", "视频流无法连接")
    texts = {
        StreamFailure.AUTH: translate("WallTile", "视频流鉴权失败（账号或密码不对，或无权访问）"),
        StreamFailure.NOT_FOUND: translate("WallTile", "视频流地址不存在（404）"),
        StreamFailure.REQUEST_REFUSED: translate("WallTile", "视频服务器拒绝了请求"),
        StreamFailure.SERVER: translate("WallTile", "视频服务器出错（5xx）"),
        StreamFailure.REFUSED: translate("WallTile", "视频服务器拒绝连接（地址或端口无服务）"),
        StreamFailure.UNREACHABLE: translate("WallTile", "视频服务器无法访问"),
        StreamFailure.TIMEOUT: translate("WallTile", "视频服务器无响应（超时）"),
        StreamFailure.RESET: translate("WallTile", "连接被视频服务器或网络中断"),
        StreamFailure.UNDECODABLE: translate("WallTile", "视频数据无法解码"),
        StreamFailure.TOO_LARGE: translate("WallTile", "画面过大，超出解码上限"),
        StreamFailure.NO_VIDEO: translate("WallTile", "该码流没有视频（只有音频或数据）"),
        StreamFailure.ENDED: translate("WallTile", "视频流中断"),
    }
    return texts[failure]


def _ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "—"


def info_lines(stats: StreamStats | None, stream_kind: str | None, latency: DisplayLatency | None = None) -> list[str]:
    """What the overlay says, line by line (empty for an empty tile).

    ``latency`` holds the tile's receive→paint and decode→paint means (the camera's own share and the network
    before the client are not in them: they are read off the clock a camera burns into its picture). The
    bitrate counts the video packets read (— where the decoder hides them: local files through OpenCV).
    """
    if stats is None:
        return []
    codec = CODEC_NAMES.get(stats.codec, stats.codec.upper() or "—")
    size = f"{stats.resolution[0]}×{stats.resolution[1]}" if stats.resolution else "—"
    if stats.resolution and stats.sar != 1:  # anamorphic: the samples are not square, the picture is wider
        size += translate("WallTile", "（像素宽高比 {sar}，显示为 {width}×{height}）").format(
            sar=f"{stats.sar.numerator}:{stats.sar.denominator}",
            width=display_width(stats.resolution[0], stats.sar), height=stats.resolution[1])
    kind = translate("WallTile", "主码流") if stream_kind == "main" else translate("WallTile", "子码流")
    head = f"{codec} · {size} · {kind}"
    if stats.transport:
        head += f" · RTSP/{stats.transport.upper()}"
    rate = f"{stats.bitrate_kbps:.0f} kbit/s" if stats.bitrate_kbps is not None else "— kbit/s"
    receive = latency.receive_to_paint_ms if latency is not None else None
    decode = latency.decode_to_paint_ms if latency is not None else None
    camera = latency.camera_to_paint_ms if latency is not None else None
    lines = [
        head,
        translate("WallTile", "{fps} fps · {rate} · 解码 {frames} 帧 · 丢帧 {dropped}").format(
            fps=f"{stats.fps:.1f}", rate=rate, frames=stats.frames, dropped=stats.dropped),
        translate("WallTile", "接收到显示 {receive} · 解码到显示 {decode}").format(receive=_ms(receive),
                                                                             decode=_ms(decode)),
        translate("WallTile", "重连 {count} 次").format(count=stats.reconnects),
    ]
    clock_off = latency.camera_clock_off_ms if latency is not None else None
    if clock_off is not None:  # a camera whose clock is set otherwise: its time says nothing of latency
        amount = duration_text(abs(clock_off) / 1000)
        text = (translate("WallTile", "摄像机时钟比本机快 {amount}（摄像机到显示不计）") if clock_off > 0
                else translate("WallTile", "摄像机时钟比本机慢 {amount}（摄像机到显示不计）"))
        lines.insert(3, text.format(amount=amount))
    elif camera is not None:  # the camera's RTCP clock: as right as its clock is set like the desk's
        lines.insert(3, translate("WallTile", "摄像机到显示 {camera}（按摄像机 RTCP 时钟）").format(camera=_ms(camera)))
    if stats.sender_slow:  # the sender itself is slower than real time: each picture later than the last
        lines.append(translate("WallTile", "来流速度 ×{speed}（慢于实时，画面延迟）").format(
            speed=f"{stats.sender_speed:.2g}"))
    if stats.behind_s is not None:  # a live stream whose lag behind its sender the reader measures
        lines.append(translate("WallTile", "解码落后直播 {behind} · 追帧 {count} 次").format(
            behind=_ms(1000 * stats.behind_s), count=stats.catch_ups))
    if stats.state is StreamState.RECONNECTING and stats.last_error:  # the kind, then the words it was told by
        lines.append(translate("WallTile", "上次失败：{failure}").format(failure=failure_text(stats.failure)))
        lines.append(display_text(stats.last_error, 300))  # it quotes the URL: outside text, bidi controls shown
    return lines


def paint_info(painter: QPainter, area: QRect, lines: list[str], metrics: QFontMetrics) -> None:
    """Draw ``lines`` on a dark box in the top-left corner of ``area``."""
    if not lines:
        return
    pad = 4
    line_h = metrics.height()
    width = min(area.width() - 2 * pad, max(metrics.horizontalAdvance(line) for line in lines) + 2 * pad)
    box = QRect(area.left() + pad, area.top() + pad, width, line_h * len(lines) + 2 * pad)
    painter.fillRect(box, INFO_BG)
    painter.setPen(INFO_TEXT)
    for i, line in enumerate(lines):
        row = QRect(box.left() + pad, box.top() + pad + i * line_h, box.width() - 2 * pad, line_h)
        painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(line, Qt.TextElideMode.ElideRight, row.width()))  # fmt: skip


def paint_notice(painter: QPainter, area: QRect, text: str, metrics: QFontMetrics) -> None:
    """Draw ``text`` centred in ``area`` on a dark box (over a picture), wrapped to the area's width."""
    pad = 6
    flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    room = QRect(0, 0, max(1, area.width() - 4 * pad), max(1, area.height() - 2 * pad))
    used = metrics.boundingRect(room, int(flags), text)
    width, height = used.width() + 2 * pad, min(used.height(), room.height()) + 2 * pad
    box = QRect(area.center().x() - width // 2, area.center().y() - height // 2, width, height)
    painter.fillRect(box, INFO_BG)
    painter.setPen(INFO_TEXT)
    painter.drawText(box.adjusted(pad, pad, -pad, -pad), flags, text)
