"""WFS 2.0 GetFeature answers in GML 3.2 (for servers without JSON output) as GeoJSON-like features, without Qt.

The geometries are read by pygml (geopython's GML parser, MIT): it knows every GML 3.2 geometry type. Axis
order is NOT left to it — pygml swaps for any CRS it lists as y/x, also for the short ``EPSG:4326`` that servers
use for lon/lat — so each geometry's ``srsName`` is taken off before pygml sees it, and the caller applies the one
rule the JSON path has (:func:`commandwall.geo.sources.authority_axis_is_northing_first` on the declared name).

The XML is parsed without DTDs, entity expansion or network access, with lxml's size guards on.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

GML32 = "http://www.opengis.net/gml/3.2"
WFS20 = "http://www.opengis.net/wfs/2.0"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


class GmlError(ValueError):
    """The answer is not a readable WFS 2.0 FeatureCollection in GML 3.2."""


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _namespace(tag: Any) -> str | None:
    return etree.QName(tag).namespace if isinstance(tag, str) else None


def read_feature_collection(body: bytes) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """``(features, declared srsName, numberMatched)`` of a ``wfs:FeatureCollection``; a feature whose geometry
    pygml cannot read keeps ``geometry: None`` and its reason (the feature check names it). ``GmlError``."""
    import pygml  # only a GML answer needs it

    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise GmlError(f"not XML ({exc.msg})") from None
    if _local(root.tag) == "ExceptionReport":
        text = " ".join(t.strip() for t in root.itertext() if t.strip())[:200]
        raise GmlError(f"the server answered an exception: {text or 'no text'}")
    if _namespace(root.tag) != WFS20 or _local(root.tag) != "FeatureCollection":
        raise GmlError(f"not a WFS 2.0 FeatureCollection ({_local(root.tag) or 'no element'})")
    matched_text = root.get("numberMatched")
    matched = int(matched_text) if matched_text and matched_text.isdigit() else None
    declared: str | None = None
    features: list[dict[str, Any]] = []
    for member in root:
        if _namespace(member.tag) != WFS20 or _local(member.tag) != "member":
            continue
        for item in member:
            if not isinstance(item.tag, str):
                continue
            feature: dict[str, Any] = {"type": "Feature", "geometry": None, "properties": {}}
            if (gml_id := item.get(f"{{{GML32}}}id")) is not None:
                feature["id"] = gml_id
            for prop in item:
                if not isinstance(prop.tag, str):
                    continue
                shape = next((c for c in prop if _namespace(c.tag) == GML32), None)
                if shape is None:
                    feature["properties"][_local(prop.tag)] = (prop.text or "").strip()
                    continue
                if feature["geometry"] is not None:
                    continue  # the first geometry is the feature's
                for node in shape.iter():
                    if isinstance(node.tag, str) and node.get("srsName"):
                        declared = declared or node.get("srsName")
                        del node.attrib["srsName"]
                try:
                    geometry = dict(pygml.parse(shape).__geo_interface__)
                except Exception as exc:  # pygml raises ValueError, KeyError, … on what it cannot read
                    feature["geometry"] = {"type": _local(shape.tag), "coordinates": None,
                                           "error": f"{type(exc).__name__}: {str(exc)[:120]}"}
                    continue
                geometry.pop("crs", None)
                feature["geometry"] = _lists(geometry)
            features.append(feature)
    return features, declared, matched


def _lists(geometry: dict[str, Any]) -> dict[str, Any]:
    """pygml's tuples as the lists the rest of the code (and JSON) expects."""
    if geometry.get("type") == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_lists(g) for g in geometry.get("geometries", [])]}

    def walk(value: Any) -> Any:
        return [walk(v) for v in value] if isinstance(value, list | tuple) else value

    return {"type": geometry["type"], "coordinates": walk(geometry.get("coordinates"))}
