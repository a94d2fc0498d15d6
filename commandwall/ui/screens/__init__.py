"""屏幕: which screen shows what (roles from a profile), hotplug, and the screen settings dialog."""

from commandwall.ui.screens.dialog import ScreenSettingsDialog
from commandwall.ui.screens.manager import RoleWindow, ScreenManager

__all__ = ["RoleWindow", "ScreenManager", "ScreenSettingsDialog"]
