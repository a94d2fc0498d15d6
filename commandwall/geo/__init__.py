"""Geography without Qt: CRS normalisation to WGS84, layer loading/validation, spatial indexes.

The command line uses :func:`check_layers` (``commandwall layers check``) and :func:`convert_point`
(``commandwall geo convert``).
"""

from commandwall.geo.crs import (
    SUPPORTED_CRS,
    UnsupportedCRS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    canonical_crs,
    convert_point,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    normalize_geometry,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from commandwall.geo.index import AreaIndex, CameraIndex
from commandwall.geo.layers import Layer, LayerError, LayerSet, check_layers, load_layers, normalize_features

__all__ = [
    "SUPPORTED_CRS",
    "AreaIndex",
    "CameraIndex",
    "Layer",
    "LayerError",
    "LayerSet",
    "UnsupportedCRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "canonical_crs",
    "check_layers",
    "convert_point",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "load_layers",
    "normalize_features",
    "normalize_geometry",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
