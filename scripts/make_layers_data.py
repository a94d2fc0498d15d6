"""Static tables for ``make_layers.py``: towns and seats, road and place names, resources, units, styles.

Seats are plausible, not surveyed. The manifest entries in ``LAYERS`` fix each layer's CRS and style.
"""

from __future__ import annotations

#: (name, type, code, seat lon, seat lat, reach weight: larger → the town grows larger)
TOWNS: list[tuple[str, str, str, float, float, float]] = [
    ("临城街道", "街道", "370403001", 117.262, 34.800, 0.92),
    ("常庄街道", "街道", "370403002", 117.195, 34.792, 1.0),
    ("兴城街道", "街道", "370403003", 117.318, 34.830, 0.95),
    ("张范街道", "街道", "370403004", 117.405, 34.788, 1.12),
    ("兴仁街道", "街道", "370403005", 117.215, 34.728, 1.0),
    ("沙沟镇", "镇", "370403101", 117.282, 34.665, 1.1),
    ("周营镇", "镇", "370403102", 117.372, 34.712, 1.1),
    ("邹坞镇", "镇", "370403103", 117.292, 34.892, 1.05),
    ("陶庄镇", "镇", "370403104", 117.205, 34.872, 1.05),
]

#: Long roads crossing the district (control points lon/lat, wiggled and clipped by the generator).
MAINS: list[tuple[str, str, list[tuple[float, float]]]] = [
    ("京台高速", "主干道", [(117.43, 34.97), (117.41, 34.82), (117.385, 34.70), (117.36, 34.60)]),
    ("G104国道", "主干道", [(117.19, 34.97), (117.225, 34.84), (117.245, 34.74), (117.27, 34.60)]),
    ("S345省道", "主干道", [(117.12, 34.705), (117.25, 34.693), (117.37, 34.70), (117.50, 34.685)]),
    ("复元大道", "主干道", [(117.12, 34.862), (117.25, 34.866), (117.36, 34.858), (117.50, 34.87)]),
]

#: Urban street names: N-S (mountains), E-W (rivers), minor streets (街); west→east, north→south.
NS_SECONDARY = ["昆仑山路", "太行山路", "华山路", "衡山路", "嵩山路", "燕山路", "武夷山路", "黄山路"]
NS_MINOR = [
    "永福街",
    "德仁街",
    "临山街",
    "文化街",
    "建设街",
    "人民街",
    "和平街",
    "幸福街",
    "新华街",
    "民生街",
]
EW_SECONDARY = ["黄河路", "淮河路", "长江路", "珠江路", "汉江路", "沂河路"]
EW_MINOR = ["振兴街", "兴业街", "育才街", "青年街", "富民街", "安居街"]

#: Connector roads are named after the first characters of the two towns; clashes renamed here.
CONNECTOR_OVERRIDES = {"兴兴": "双兴路"}

#: Three village road names per town (same order as TOWNS).
VILLAGES: list[list[str]] = [
    ["前良", "后良", "奚村"],
    ["东于", "西于", "后庄"],
    ["北辛", "南辛", "吴楼"],
    ["前张", "后范", "邵庄"],
    ["大吕巷", "小吕巷", "杨庄"],
    ["岩湖", "前城", "后城"],
    ["张家", "王楼", "北庄"],
    ["东邹", "西邹", "北泉"],
    ["夏庄", "杨峪", "王庄"],
]


def resources_plan() -> list[tuple[str, str, int | None, tuple[int, int]]]:
    """(type, name, town index or None for the urban core, capacity range)."""
    plan: list[tuple[str, str, int | None, tuple[int, int]]] = [
        ("hospital", "薛城区人民医院", None, (600, 900)),
        ("hospital", "薛城区中医医院", None, (300, 500)),
        ("hospital", "薛城区妇幼保健院", None, (150, 300)),
        ("fire_station", "薛城区消防救援大队特勤站", None, (40, 60)),
        ("shelter", "薛城区体育中心应急避难场所", None, (15000, 30000)),
        ("shelter", "临山公园应急避难场所", None, (8000, 20000)),
        ("shelter", "奚仲广场应急避难场所", None, (5000, 12000)),
        ("shelter", "薛城区实验学校应急避难场所", None, (2000, 5000)),
        ("depot", "薛城区应急物资储备库", None, (5000, 10000)),
        ("depot", "薛城区防汛物资储备库", None, (2000, 6000)),
        ("depot", "薛城区救灾物资储备库", None, (2000, 6000)),
    ]
    for i, (town, kind, *_rest) in enumerate(TOWNS):
        short = town[:2]
        if kind == "街道":
            plan.append(("hospital", f"{town}社区卫生服务中心", i, (40, 80)))
            plan.append(("fire_station", f"{short}消防救援站", i, (20, 40)))
        else:
            plan.append(("hospital", f"{town}卫生院", i, (60, 150)))
            plan.append(("fire_station", f"{town}专职消防队", i, (10, 20)))
            plan.append(("depot", f"{town}应急物资储备点", i, (300, 1500)))
        plan.append(("shelter", f"{town}文化广场应急避难场所", i, (2000, 8000)))
        plan.append(("shelter", f"{town}中心学校应急避难场所", i, (1000, 4000)))
    plan.append(("depot", "张范街道应急物资储备点", 3, (300, 1500)))
    plan.append(("depot", "兴仁街道应急物资储备点", 4, (300, 1500)))
    return plan


def units_plan() -> list[tuple[str, str, str, int]]:
    """(name, department, kind, home town index) for the field units."""
    plan = [(f"{town[:2]}派出所巡逻一组", "公安", "patrol", i) for i, (town, *_r) in enumerate(TOWNS)]
    plan += [
        ("临城消防救援站水罐消防车", "消防", "fire", 0),
        ("兴城消防救援站抢险救援车", "消防", "fire", 2),
        ("常庄消防救援站泡沫消防车", "消防", "fire", 1),
        ("张范消防救援站水罐消防车", "消防", "fire", 3),
        ("区人民医院120急救车1号", "卫健", "ambulance", 0),
        ("区人民医院120急救车2号", "卫健", "ambulance", 0),
        ("区中医医院120急救车", "卫健", "ambulance", 2),
        ("沙沟镇卫生院救护车", "卫健", "ambulance", 5),
        ("周营镇卫生院救护车", "卫健", "ambulance", 6),
        ("临城街道城管中队", "城管", "chengguan", 0),
        ("兴城街道城管中队", "城管", "chengguan", 2),
        ("常庄街道城管中队", "城管", "chengguan", 1),
        ("张范街道城管中队", "城管", "chengguan", 3),
        ("区应急救援队一分队", "应急", "rescue", 0),
        ("区应急救援队二分队", "应急", "rescue", 7),
        ("蓝天救援队薛城分队", "应急", "rescue", 4),
        ("交警大队城区一中队铁骑组", "交警", "traffic", 0),
        ("交警大队城区二中队铁骑组", "交警", "traffic", 2),
        ("交警大队高速公路中队", "交警", "traffic", 6),
        ("交警大队农村公路中队", "交警", "traffic", 8),
        ("环境监察大队巡查一组", "环保", "env", 1),
        ("环境监察大队巡查二组", "环保", "env", 5),
    ]
    return plan


TOWN_PALETTE = [
    "#29b6f6",
    "#26c6da",
    "#26a69a",
    "#66bb6a",
    "#9ccc65",
    "#ffca28",
    "#ffa726",
    "#ab47bc",
    "#7e57c2",
]

#: Manifest entries, in drawing order (bottom first). Styles: a dark command-centre palette.
LAYERS: list[dict] = [
    {
        "id": "district",
        "title": "薛城区界",
        "title_en": "Xuecheng District boundary",
        "file": "district.geojson",
        "crs": "EPSG:4326",
        "kind": "boundary",
        "style": {
            "color": "#00e5ff",
            "weight": 3,
            "opacity": 1.0,
            "fillColor": "#00e5ff",
            "fillOpacity": 0.04,
        },
    },
    {
        "id": "towns",
        "title": "镇街",
        "title_en": "Towns",
        "file": "towns.geojson",
        "crs": "EPSG:4548",
        "kind": "towns",
        "style": {
            "color": "#40c4ff",
            "weight": 1.6,
            "opacity": 0.9,
            "dashArray": "6 4",
            "fillColor": "#1565c0",
            "fillOpacity": 0.1,
            "palette": {t[0]: c for t, c in zip(TOWNS, TOWN_PALETTE, strict=True)},
        },
    },
    {
        "id": "grids",
        "title": "网格",
        "title_en": "Grid cells",
        "file": "grids.geojson",
        "crs": "EPSG:4490",
        "kind": "grids",
        "style": {
            "color": "#7986cb",
            "weight": 0.6,
            "opacity": 0.6,
            "fillColor": "#7986cb",
            "fillOpacity": 0.0,
        },
    },
    {
        "id": "roads",
        "title": "道路",
        "title_en": "Roads",
        "file": "roads.geojson",
        "crs": "EPSG:4326",
        "kind": "roads",
        "style": {
            "color": "#ffcc80",
            "weight": 1.5,
            "opacity": 0.85,
            "classes": {
                "主干道": {"color": "#ffb74d", "weight": 3.5},
                "次干道": {"color": "#ffe0b2", "weight": 2.0},
                "支路": {"color": "#90a4ae", "weight": 1.0},
            },
        },
    },
    {
        "id": "resources",
        "title": "应急资源",
        "title_en": "Emergency resources",
        "file": "resources.geojson",
        "crs": "EPSG:4527",
        "kind": "resources",
        "style": {
            "color": "#ffffff",
            "weight": 1,
            "fillColor": "#ff5252",
            "fillOpacity": 0.95,
            "radius": 6,
            "types": {
                "hospital": "#ff5252",
                "fire_station": "#ff6d00",
                "shelter": "#00e676",
                "depot": "#ffd740",
            },
        },
    },
    {
        "id": "cameras",
        "title": "视频监控点位",
        "title_en": "Video surveillance points",
        "file": "cameras.geojson",
        "crs": "GCJ-02",
        "kind": "cameras",
        "style": {
            "color": "#00e676",
            "weight": 1,
            "fillColor": "#00e676",
            "fillOpacity": 0.9,
            "radius": 3,
            "kinds": {"fixed": "#00e676", "dome": "#18ffff", "ptz": "#eeff41"},
            "offlineColor": "#757575",
        },
    },
    {
        "id": "units",
        "title": "处置力量",
        "title_en": "Field units",
        "file": "units.geojson",
        "crs": "EPSG:4326",
        "kind": "units",
        "style": {
            "color": "#ffffff",
            "weight": 1.5,
            "fillColor": "#448aff",
            "fillOpacity": 1.0,
            "radius": 5,
            "departments": {
                "公安": "#448aff",
                "消防": "#ff3d00",
                "卫健": "#ff4081",
                "城管": "#00bfa5",
                "应急": "#ff9100",
                "交警": "#ffea00",
                "环保": "#76ff03",
            },
        },
    },
]
