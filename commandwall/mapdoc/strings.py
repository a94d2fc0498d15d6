"""The map page's own words: one table, keyed by a stable name, translated when the page is built.

``resources/web/cw-*.js`` never spells a visible word itself: it asks ``CW.t("key")`` (``cw-i18n.js``), which
reads the table :func:`page_strings` put in the page's ``#cw-config`` block, and sets the result with
``textContent``. Templates keep ``{name}`` fields, filled in by ``CW.t(key, {name: value})`` after
translation. Numbers (distances, areas, coordinates) are formatted by the page with :func:`page_locale`.

Every value is marked with ``QT_TRANSLATE_NOOP("map_page", …)`` for the catalogue; an unknown key shows as
itself on the page (a test looks for that).
"""

from __future__ import annotations

from commandwall.i18n import QT_TRANSLATE_NOOP, translate

CONTEXT = "map_page"

#: key -> the Chinese source text of the page's own visible strings (context ``map_page``).
PAGE_STRINGS: dict[str, str] = {
    # the page
    "page_title": QT_TRANSLATE_NOOP("map_page", "薛城区 一张图"),
    # cameras
    "camera_online": QT_TRANSLATE_NOOP("map_page", "在线"),
    "camera_offline": QT_TRANSLATE_NOOP("map_page", "离线"),
    "camera_unknown": QT_TRANSLATE_NOOP("map_page", "状态未知（非实时）"),
    # emergency resources: the one-character badge of each type
    "glyph_hospital": QT_TRANSLATE_NOOP("map_page", "医"),
    "glyph_fire_station": QT_TRANSLATE_NOOP("map_page", "消"),
    "glyph_shelter": QT_TRANSLATE_NOOP("map_page", "避"),
    "glyph_depot": QT_TRANSLATE_NOOP("map_page", "储"),
    "glyph_resource": QT_TRANSLATE_NOOP("map_page", "资"),
    "resource_capacity": QT_TRANSLATE_NOOP("map_page", "容量 {capacity}"),
    # cards of units and resources
    "card_department": QT_TRANSLATE_NOOP("map_page", "部门"),
    "card_status": QT_TRANSLATE_NOOP("map_page", "状态"),
    "card_task": QT_TRANSLATE_NOOP("map_page", "任务"),
    "card_no_task": QT_TRANSLATE_NOOP("map_page", "无任务"),
    "card_last_report": QT_TRANSLATE_NOOP("map_page", "最后上报"),
    "card_report_stale": QT_TRANSLATE_NOOP("map_page", "{time}（{age}，位置可能已变）"),
    "unit_stale": QT_TRANSLATE_NOOP("map_page", "最后上报于{age}，位置可能已变"),
    "card_dispatch": QT_TRANSLATE_NOOP("map_page", "派往所选事件"),
    "card_dispatch_resource": QT_TRANSLATE_NOOP("map_page", "调派至所选事件"),
    "card_selected_incident": QT_TRANSLATE_NOOP("map_page", "所选事件：{title}"),
    "card_nearby": QT_TRANSLATE_NOOP("map_page", "附近的在办事件："),
    "card_nearby_item": QT_TRANSLATE_NOOP("map_page", "{title} · {distance}"),
    "card_checking": QT_TRANSLATE_NOOP("map_page", "正在确认…"),
    "card_not_connected": QT_TRANSLATE_NOOP("map_page", "未连接"),
    "card_offer_failed": QT_TRANSLATE_NOOP("map_page", "无法确认能否派遣，请稍后重新打开"),
    "card_type": QT_TRANSLATE_NOOP("map_page", "类型"),
    "card_town": QT_TRANSLATE_NOOP("map_page", "所在镇街"),
    "card_capacity": QT_TRANSLATE_NOOP("map_page", "容量"),
    "card_id": QT_TRANSLATE_NOOP("map_page", "编号"),
    "card_position": QT_TRANSLATE_NOOP("map_page", "位置"),
    # an emergency resource's status (payload.RESOURCE_STATUSES), on its card and tooltip
    "resource_status_available": QT_TRANSLATE_NOOP("map_page", "可用"),
    "resource_status_in_use": QT_TRANSLATE_NOOP("map_page", "使用中"),
    "resource_status_maintenance": QT_TRANSLATE_NOOP("map_page", "维护中"),
    "resource_status_unavailable": QT_TRANSLATE_NOOP("map_page", "不可用"),
    "resource_status_unknown": QT_TRANSLATE_NOOP("map_page", "状态未知"),
    "resource_status_other": QT_TRANSLATE_NOOP("map_page", "状态未知（{status}）"),
    # base maps and the coordinate readout
    "no_base_map": QT_TRANSLATE_NOOP("map_page", "无底图"),
    "base_map_failing": QT_TRANSLATE_NOOP("map_page", "底图「{title}」无法加载（服务器无响应或地址有误），正在重试"),
    "base_map_labels_failing": QT_TRANSLATE_NOOP("map_page", "底图「{title}」的注记无法加载，正在重试"),
    "coords_hint": QT_TRANSLATE_NOOP("map_page", "移动鼠标查看坐标"),
    "coords_copy": QT_TRANSLATE_NOOP("map_page", "点击复制坐标"),
    # the legend
    "legend_title": QT_TRANSLATE_NOOP("map_page", "图例"),
    "legend_camera_online": QT_TRANSLATE_NOOP("map_page", "摄像头（在线）"),
    "legend_camera_offline": QT_TRANSLATE_NOOP("map_page", "摄像头（离线）"),
    "legend_cluster": QT_TRANSLATE_NOOP("map_page", "摄像头聚合（数字为数量，绿弧为在线占比）"),
    "legend_incident": QT_TRANSLATE_NOOP("map_page", "事件 · {priority}"),
    "legend_incident_closed": QT_TRANSLATE_NOOP("map_page", "事件 · 已办结"),
    "legend_warning_area": QT_TRANSLATE_NOOP("map_page", "预警区域（颜色为预警级别）"),
    "legend_units": QT_TRANSLATE_NOOP("map_page", "处置力量（点击查看、派遣）"),
    "legend_units_stale": QT_TRANSLATE_NOOP("map_page", "处置力量（超过 {minutes} 分钟无上报，位置可能已变）"),
    "legend_resources": QT_TRANSLATE_NOOP("map_page", "应急资源"),
    # the layer control
    "layer_cameras": QT_TRANSLATE_NOOP("map_page", "摄像头"),
    "layer_fov": QT_TRANSLATE_NOOP("map_page", "摄像头视域"),
    "layer_incidents": QT_TRANSLATE_NOOP("map_page", "事件"),
    "layer_density": QT_TRANSLATE_NOOP("map_page", "事件密度（网格）"),
    "layer_warnings": QT_TRANSLATE_NOOP("map_page", "预警区域"),
    "layer_units": QT_TRANSLATE_NOOP("map_page", "处置力量"),
    "layer_resources": QT_TRANSLATE_NOOP("map_page", "应急资源"),
    "density_count": QT_TRANSLATE_NOOP("map_page", "事件 {count} 起"),
    # early-warning areas
    "warning": QT_TRANSLATE_NOOP("map_page", "预警"),
    "warning_circle": QT_TRANSLATE_NOOP("map_page", "圆形区域 半径 {radius} km"),
    # the search box
    "search_placeholder": QT_TRANSLATE_NOOP("map_page", "搜索 摄像头 / 镇街 / 网格 / 事件 / 力量"),
    "search_none": QT_TRANSLATE_NOOP("map_page", "无结果"),
    "kind_camera": QT_TRANSLATE_NOOP("map_page", "摄像头"),
    "kind_incident": QT_TRANSLATE_NOOP("map_page", "事件"),
    "kind_town": QT_TRANSLATE_NOOP("map_page", "镇街"),
    "kind_grid": QT_TRANSLATE_NOOP("map_page", "网格"),
    "kind_unit": QT_TRANSLATE_NOOP("map_page", "力量"),
    # measuring
    "measure_line": QT_TRANSLATE_NOOP("map_page", "测距"),
    "measure_area": QT_TRANSLATE_NOOP("map_page", "测面"),
    "measure_line_tip": QT_TRANSLATE_NOOP("map_page", "测量距离（双击结束）"),
    "measure_area_tip": QT_TRANSLATE_NOOP("map_page", "测量面积（双击结束）"),
    "measure_clear": QT_TRANSLATE_NOOP("map_page", "清除测量"),
    "measure_perimeter": QT_TRANSLATE_NOOP("map_page", "{area}（周长 {perimeter}）"),
    "unit_km": QT_TRANSLATE_NOOP("map_page", "{value} 公里"),
    "unit_m": QT_TRANSLATE_NOOP("map_page", "{value} 米"),
    "unit_km2": QT_TRANSLATE_NOOP("map_page", "{value} 平方公里"),
    "unit_m2": QT_TRANSLATE_NOOP("map_page", "{value} 平方米"),
    # selecting cameras by area
    "select_rectangle": QT_TRANSLATE_NOOP("map_page", "框选"),
    "select_rectangle_tip": QT_TRANSLATE_NOOP("map_page", "框选：拖动，或点击两个对角"),
    "select_circle": QT_TRANSLATE_NOOP("map_page", "圈选"),
    "select_circle_tip": QT_TRANSLATE_NOOP("map_page", "圈选：从圆心拖到圆周，或点击圆心再点击圆周"),
    "select_polygon": QT_TRANSLATE_NOOP("map_page", "多边形"),
    "select_polygon_tip": QT_TRANSLATE_NOOP("map_page", "多边形：逐点点击，双击结束"),
    "selection_to_wall": QT_TRANSLATE_NOOP("map_page", "上墙"),
    "selection_clear": QT_TRANSLATE_NOOP("map_page", "清除"),
    "selection_inside": QT_TRANSLATE_NOOP("map_page", "区域内"),
    "selection_sees": QT_TRANSLATE_NOOP("map_page", "视域覆盖"),
    "selection_offline": QT_TRANSLATE_NOOP("map_page", "{why} · 离线"),
    "selection_remove": QT_TRANSLATE_NOOP("map_page", "移出选择"),
    "selection_title": QT_TRANSLATE_NOOP("map_page", "已选摄像头 {count} 个"),
}

#: Priority levels, the same words (and context) as the incident centre's.
_PRIORITY_STRINGS: dict[str, str] = {
    "priority_1": QT_TRANSLATE_NOOP("incidents", "特急"),
    "priority_2": QT_TRANSLATE_NOOP("incidents", "紧急"),
    "priority_3": QT_TRANSLATE_NOOP("incidents", "一般"),
    "priority_4": QT_TRANSLATE_NOOP("incidents", "提示"),
}
#: CAP severities of early-warning areas (their own context: 一般 is Minor here, not a priority level).
_SEVERITY_STRINGS: dict[str, str] = {
    "severity_Extreme": QT_TRANSLATE_NOOP("warnings", "特别严重"),
    "severity_Severe": QT_TRANSLATE_NOOP("warnings", "严重"),
    "severity_Moderate": QT_TRANSLATE_NOOP("warnings", "较重"),
    "severity_Minor": QT_TRANSLATE_NOOP("warnings", "一般"),
    "severity_Unknown": QT_TRANSLATE_NOOP("warnings", "未知"),
}
#: Every table the page gets, with the context its strings are translated in.
TABLES: tuple[tuple[str, dict[str, str]], ...] = (
    (CONTEXT, PAGE_STRINGS), ("incidents", _PRIORITY_STRINGS), ("warnings", _SEVERITY_STRINGS),
)

#: The BCP 47 tag the page formats numbers with, as the catalogue gives it for the chosen language.
LOCALE_TAG = QT_TRANSLATE_NOOP("map_page", "zh-CN")
DEFAULT_LOCALE = "zh-CN"


def page_strings() -> dict[str, str]:
    """The page's strings in the chosen language (the Chinese source text without a translation)."""
    return {key: translate(context, text) for context, table in TABLES for key, text in table.items()}


def page_locale() -> str:
    """The locale the page formats numbers with: the translated :data:`LOCALE_TAG` (``zh-CN`` by default)."""
    return translate(CONTEXT, LOCALE_TAG)
