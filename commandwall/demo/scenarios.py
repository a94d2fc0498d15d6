"""Incident texts for the exercise: a title and description that fit the category and the place.

Templates use ``{a}`` and ``{b}`` (nearby roads), ``{x}`` (the crossing of a and b, e.g. "光明大道与泰山路口")
and ``{town}``. Each category also names its usual source system.
"""

from __future__ import annotations

import random
from typing import Any

from commandwall.demo.geography import Geography, Place
from commandwall.domain.models import CATEGORY_DEPARTMENTS

#: category -> list of (title, description, priority 1..4)
TEMPLATES: dict[str, list[tuple[str, str, int]]] = {
    "jiaotong": [
        ("薛城区{x}两车追尾", "{town}{x}发生两车追尾事故，暂无人员受伤，占用两条车道，车辆排队约300米。", 2),
        ("{x}交通信号灯故障", "{x}信号灯全部熄灭，路口通行秩序混乱，需交警到场指挥。", 2),
        ("{a}货车抛锚占用行车道", "一辆重型货车在{a}({town}段)抛锚，占用最内侧车道，已设置警示标志。", 3),
        ("{x}早高峰严重拥堵", "视频巡查发现{x}各方向车辆积压，通行缓慢。", 3),
        ("{a}电动车与行人相撞", "{town}{a}一辆电动自行车与行人相撞，行人腿部受伤，需120到场。", 1),
    ],
    "yingji": [
        ("{a}下穿通道积水严重", "强降雨致{town}{a}下穿通道积水约40厘米，有车辆熄火被困。", 1),
        ("{a}附近民房起火冒烟", "群众报告{town}{a}附近一处民房冒出浓烟，疑似起火，需消防到场。", 1),
        ("{a}沿线树木倒伏阻断道路", "大风致{a}({town}段)行道树倒伏，阻断非机动车道。", 2),
        ("{x}附近燃气管道疑似泄漏", "{x}附近闻到明显燃气味，疑似管道泄漏，需燃气公司和消防处置。", 1),
    ],
    "huanbao": [
        ("{a}附近企业疑似偷排污水", "{town}{a}附近雨水管网排口有异色污水排出，疑似企业偷排。", 2),
        ("{town}{a}附近露天焚烧垃圾", "{a}附近空地有人焚烧垃圾，浓烟较大，影响周边居民。", 3),
        ("{a}沿线工地扬尘污染", "{town}{a}沿线一处工地未覆盖裸土，车辆带泥上路，扬尘明显。", 3),
        ("蟠龙河{town}段水面漂浮死鱼", "巡河员发现蟠龙河{town}段靠近{a}处水面有成片死鱼，需采样检测。", 2),
    ],
    "chengguan": [
        ("{a}占道经营", "{town}{a}人行道上多处流动摊贩占道经营，影响行人通行。", 4),
        ("{x}井盖缺失", "{x}东南角人行道井盖缺失，存在安全隐患，已临时围挡。", 2),
        ("{a}机动车违章停放占用盲道", "{town}{a}多辆机动车停放在人行道盲道上。", 4),
        ("{a}沿线垃圾满溢未及时清运", "{a}({town}段)多个垃圾桶满溢，异味明显。", 4),
    ],
    "zongzhi": [
        ("{town}{a}附近小区邻里纠纷", "{town}{a}附近某小区两户居民因漏水问题发生争执，需网格员上门调解。", 3),
        ("{x}附近群众聚集", "{x}附近有约30名群众聚集，情绪平稳，需关注。", 2),
        ("{town}出租房消防安全隐患", "网格员巡查发现{town}{a}附近一处出租房私拉电线、电动车室内充电。", 3),
    ],
    "zhifa": [
        ("{a}附近违法搭建", "{town}{a}附近一处院落正在违规加盖二层彩钢房。", 3),
        ("{a}沿线无证经营餐饮", "{town}{a}沿线一家餐馆无营业执照，油烟直排。", 3),
        ("{a}附近夜间施工噪声扰民", "群众投诉{town}{a}附近工地夜间22时后仍在施工，噪声扰民。", 3),
    ],
    "weijian": [
        ("{a}附近有人突发疾病晕倒", "{town}{a}公交站附近一名老人突发疾病晕倒，已拨打120。", 1),
        ("{town}一餐馆疑似食物中毒", "{town}{a}附近一餐馆多名就餐者出现呕吐腹泻症状。", 1),
        ("{town}卫生院报告发热病例聚集", "{town}卫生院近两日接诊发热病例明显增多，需流调排查。", 2),
    ],
    "wenlv": [
        ("{town}景区游客超量需疏导", "{town}景区入口游客排队较长，停车场已满，需交警协助疏导。", 3),
        ("{a}附近旅游大巴违停", "{town}{a}附近多辆旅游大巴违停，影响交通。", 4),
        ("{town}文化场馆消防通道堵塞", "{town}一处文化场馆消防通道被杂物堵塞。", 3),
    ],
}

#: category -> typical reporting systems
SOURCES: dict[str, list[str]] = {
    "jiaotong": ["交警视频巡查", "122报警"],
    "yingji": ["119报警", "应急指挥中心", "气象预警联动"],
    "huanbao": ["环保在线监测", "12369环保热线"],
    "chengguan": ["数字城管", "12345热线"],
    "zongzhi": ["网格员上报", "110联动"],
    "zhifa": ["12345热线", "综合执法巡查"],
    "weijian": ["120急救中心", "卫健委监测"],
    "wenlv": ["文旅局", "景区视频监控"],
}

#: Which department handles each category by default (for dispatch): the client's own rule.
DEPARTMENTS: dict[str, str] = CATEGORY_DEPARTMENTS


def crossing(a: str, b: str) -> str:
    """Name of the crossing of two roads: "光明大道与泰山路口" (a road ending in 路/街 just takes 口)."""
    return f"{a}与{b}口" if b.endswith(("路", "街")) else f"{a}与{b}路口"


def draft_incident(rng: random.Random, geo: Geography, category: str | None = None) -> dict[str, Any]:
    """Fields of a plausible new incident at a random place of the district."""
    category = category or rng.choice(sorted(TEMPLATES))
    place: Place = geo.random_place(rng)
    roads = geo.roads_near(place.lon, place.lat, 2)
    a = roads[0] if roads else "辖区道路"
    b = roads[1] if len(roads) > 1 else "无名路"
    title_t, desc_t, priority = rng.choice(TEMPLATES[category])
    town = place.town or "薛城区"
    values = {"a": a, "b": b, "x": crossing(a, b), "town": town}
    return {
        "title": title_t.format(**values),
        "description": desc_t.format(**values),
        "category": category,
        "lon": place.lon,
        "lat": place.lat,
        "town": place.town,
        "grid": place.grid,
        "priority": priority,
        "source": rng.choice(SOURCES[category]),
    }
