"""Baidu Mercator (``bd09mc``, 百度墨卡托): the planar metres Baidu Map's tiles and web API work in.

It is not an EPSG projection and not spherical Web Mercator: Baidu's JavaScript API converts BD-09 lon/lat
(``bd09ll``) to these metres with a piecewise polynomial, one set of ten coefficients per latitude band
(0°, 15°, 30°, 45°, 60°, 75°), and back with a second set keyed by bands of the metric northing. The tables
below are those published coefficients (``LL2MC``/``MC2LL``, ``LLBAND``/``MCBAND`` in Baidu's API); the two
directions are separate fits (they disagree by up to ~0.15 m in China), so metres → lon/lat refines Baidu's
inverse table against the forward one.

Reference point (Baidu's API, the Tian'anmen example quoted in its converters): bd09ll (116.403874, 39.914889)
↔ bd09mc (12958160.97, 4825907.72).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Lower latitude bound (degrees) of each band for lon/lat → metres.
LL_BANDS: tuple[float, ...] = (75.0, 60.0, 45.0, 30.0, 15.0, 0.0)
#: Lower northing bound (metres) of each band for metres → lon/lat.
MC_BANDS: tuple[float, ...] = (12890594.86, 8362377.87, 5591021.0, 3481989.83, 1678043.12, 0.0)

_REFINE_MAX_ITER = 10

LL_TO_MC: tuple[tuple[float, ...], ...] = (
    (-0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880,
     -35149669176653700, 26595700718403920, -10725012454188240, 1800819912950474, 82.5),
    (0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142,
     -15171875531.51559, 12053065338.62167, -5124939663.577472, 913311935.9512032, 67.5),
    (0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455,
     -115964993.2797253, 97236711.15602145, -43661946.33752821, 8477230.501135234, 52.5),
    (0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013,
     -1221952.21711287, 1340652.697009075, -620943.6990984312, 144416.9293806241, 37.5),
    (-0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378,
     54821.18345352118, 9540.606633304236, -2710.55326746645, 1405.483844121726, 22.5),
    (-0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093,
     2351.343141331292, 1.58060784298199, 8.77738589078284, 0.37238884252424, 7.45),
)

MC_TO_LL: tuple[tuple[float, ...], ...] = (
    (1.410526172116255e-8, 8.98305509648872e-6, -1.9939833816331, 200.9824383106796, -187.2403703815547,
     91.6087516669843, -23.38765649603339, 2.57121317296198, -0.03801003308653, 17337981.2),
    (-7.435856389565537e-9, 8.983055097726239e-6, -0.78625201886289, 96.32687599759846, -1.85204757529826,
     -59.36935905485877, 47.40033549296737, -16.50741931063887, 2.28786674699375, 10260144.86),
    (-3.030883460898826e-8, 8.98305509983578e-6, 0.30071316287616, 59.74293618442277, 7.357984074871,
     -25.38371002664745, 13.45380521110908, -3.29883767235584, 0.32710905363475, 6856817.37),
    (-1.981981304930552e-8, 8.983055099779535e-6, 0.03278182852591, 40.31678527705744, 0.65659298677277,
     -4.44255534477492, 0.85341911805263, 0.12923347998204, -0.04625736007561, 4482777.06),
    (3.09191371068437e-9, 8.983055096812155e-6, 6.995724062e-5, 23.10934304144901, -2.3663490511e-4,
     -0.6321817810242, -0.00663494467273, 0.03430082397953, -0.00466043876332, 2555164.4),
    (2.890871144776878e-9, 8.983055095805407e-6, -3.068298e-8, 7.47137025468032, -3.53937994e-6,
     -0.02145144861037, -1.234426596e-5, 1.0322952773e-4, -3.23890364e-6, 826088.5),
)


def _apply(x: np.ndarray, y: np.ndarray, coefficients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's ``convertor``: x linear in |x|, y a 6th-degree polynomial of |y| / c[9]; signs kept."""
    c = coefficients
    ox = c[..., 0] + c[..., 1] * np.abs(x)
    t = np.abs(y) / c[..., 9]
    oy = c[..., 8]
    for k in range(7, 1, -1):  # Horner: c2 + c3·t + … + c8·t⁶
        oy = c[..., k] + t * oy
    return np.where(x < 0, -ox, ox), np.where(y < 0, -oy, oy)


def _band_rows(values: np.ndarray, bands: tuple[float, ...], table: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """The coefficient row for each |value|: the first band whose lower bound it reaches."""
    bounds = np.asarray(bands)
    index = np.argmax(np.abs(values)[..., None] >= bounds, axis=-1)  # bands descend, last is 0: always found
    return np.asarray(table)[index]


def bd09ll_to_bd09mc(lons: Any, lats: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 lon/lat → Baidu Mercator metres (longitude wrapped to ±180°, latitude clamped to ±74°)."""
    lon = np.asarray(lons, dtype=float)
    lat = np.asarray(lats, dtype=float)
    with np.errstate(all="ignore"):
        lon = (lon + 180.0) % 360.0 - 180.0
        lat = np.clip(lat, -74.0, 74.0)
        return _apply(lon, lat, _band_rows(lat, LL_BANDS, LL_TO_MC))


def _mc_to_ll_table(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _apply(x, y, _band_rows(y, MC_BANDS, MC_TO_LL))


def bd09mc_to_bd09ll(xs: Any, ys: Any, *, exact: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Baidu Mercator metres → BD-09 lon/lat.

    ``exact=False`` is Baidu's own ``MC2LL`` table (off by up to ~0.15 m in China from the inverse of
    ``LL2MC``). By default the result is then refined until :func:`bd09ll_to_bd09mc` gives the metres back to
    1 mm: data in Baidu Mercator were made with ``LL2MC``, so this recovers the BD-09 they came from.
    """
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    with np.errstate(all="ignore"):
        target_lon, target_lat = _mc_to_ll_table(x, y)
        lon, lat = target_lon.copy(), target_lat.copy()
        if not exact:
            return lon, lat
        for _ in range(_REFINE_MAX_ITER):
            fx, fy = bd09ll_to_bd09mc(lon, lat)
            if not (np.any(np.abs(fx - x) > 1e-3) or np.any(np.abs(fy - y) > 1e-3)):
                break
            # MC2LL is nearly the inverse of LL2MC: take the residual back through it
            cx, cy = _mc_to_ll_table(fx, fy)
            lon, lat = lon + (target_lon - cx), lat + (target_lat - cy)
        return lon, lat
