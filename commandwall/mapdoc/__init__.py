"""The map page as plain Python: its fixed HTML and static layers as data (``page``) and the data pushed into it."""

from commandwall.mapdoc.page import build_map_page
from commandwall.mapdoc.payload import cameras_payload, incidents_payload, resources_payload, units_payload

__all__ = ["build_map_page", "cameras_payload", "incidents_payload", "resources_payload", "units_payload"]
