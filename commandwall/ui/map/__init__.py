"""The district map widget: ``cw://`` scheme, QWebChannel bridge and the web view (``view.MapView``).

Call :func:`configure_webengine_environment` and :func:`register_scheme` before creating the QApplication.
"""

from commandwall.ui.map.bridge import MapBridge
from commandwall.ui.map.scheme import configure_webengine_environment, register_scheme
from commandwall.ui.map.view import MapView

__all__ = ["MapBridge", "MapView", "configure_webengine_environment", "register_scheme"]
