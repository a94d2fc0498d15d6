"""登录: the login dialog (exercise accounts in exercise mode) and the feature that runs logins off the GUI thread."""

from commandwall.ui.login.dialog import LoginDialog

__all__ = ["LoginDialog"]
