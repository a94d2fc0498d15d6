"""The status bar's user text: the platform chooses the display name and the roles (up to 64 of 200 characters
each); the text stays short enough to leave the status bar its connection state and clock."""

from __future__ import annotations

import pytest

from commandwall.app.login import USER_TEXT_MAX, describe_user, role_labels
from commandwall.app.session import DeskUser
from commandwall.textsafe import ELLIPSIS


def test_a_long_display_name_and_many_long_roles_are_bounded():
    user = DeskUser(username="duty", display_name="W" * 200, roles=[f"r{i}-" + "x" * 196 for i in range(64)])
    text = describe_user(user)
    assert len(text) <= USER_TEXT_MAX + 10, (len(text), text)
    assert text.startswith("W" * 20) and "（duty）" in text and "r0-xxx" in text and text.endswith(ELLIPSIS)


def test_the_desks_own_roles_come_first_and_a_short_text_is_whole():
    user = DeskUser(username="duty", display_name="值班员张三", roles=["x" * 200, "duty_officer"])
    assert describe_user(user).startswith("值班员张三（duty） · 值班员、xxxx")
    assert role_labels(["duty_officer", "commander"], 80) == role_labels(["duty_officer", "commander"])
    assert ELLIPSIS not in role_labels(["duty_officer", "commander"], 80)


@pytest.mark.parametrize("roles", [["a" * 500], [f"role{i}" for i in range(64)]])
def test_role_labels_with_a_bound_name_the_first_and_cut_the_rest(roles: list[str]):
    shown = role_labels(roles, 40)
    assert len(shown) <= 40 + 30 and shown.startswith(roles[0][:10])
