"""Screen roles and profiles: first-run roles, matching a saved profile to the screens present, profile files
(also broken and hostile ones)."""

from __future__ import annotations

import json

import pytest

from commandwall.app.screens import (
    MAX_PROFILE_BYTES,
    ProfileError,
    ProfileStore,
    ScreenProfile,
    ScreenRole,
    ScreenSlot,
    first_run_profile,
    first_run_roles,
    match_profile,
    plan_screens,
    span_area,
    with_roles,
)

C, M, W, N = ScreenRole.CONSOLE, ScreenRole.MAP, ScreenRole.WALL, ScreenRole.INCIDENTS
D = ScreenRole.DASHBOARD


@pytest.mark.parametrize(("count", "roles"), [
    (0, [C]), (1, [C]), (2, [M, W]), (3, [M, W, D]), (4, [M, W, N, D]), (5, [M, W, N, D, W]),
])
def test_first_run_roles(count, roles):
    assert first_run_roles(count) == roles


def test_first_run_plans_place_every_role_once():
    one = plan_screens(first_run_roles(1))
    assert one.console and one.main == (0,) and one.kiosks == {} and one.docked == (W, N, D)
    two = plan_screens(first_run_roles(2))
    assert not two.console and two.main == (0,) and two.kiosks == {W: (1,)} and two.docked == (N, D)
    three = plan_screens(first_run_roles(3))
    assert three.kiosks == {W: (1,), D: (2,)} and three.docked == (N,)
    four = plan_screens(first_run_roles(4))
    assert four.kiosks == {W: (1,), N: (2,), D: (3,)} and four.docked == ()
    five = plan_screens(first_run_roles(5))
    assert five.kiosks == {W: (1, 4), N: (2,), D: (3,)}
    assert five.wall_screens == (1, 4), "two wall screens: wall 1 on screen 1, wall 2 on screen 4"
    assert four.wall_screens == (1,) and one.wall_screens == ()


def test_a_profile_without_map_or_console_still_gives_the_map_a_home():
    plan = plan_screens([W, N])
    assert plan.main == (0,) and plan.console
    assert plan.kiosks == {N: (1,)} and plan.docked == (W, D)


def _profile(*slots: tuple[str, int, ScreenRole]) -> ScreenProfile:
    return ScreenProfile("desk", tuple(ScreenSlot(*s) for s in slots))


def test_match_by_name_wins_over_position():
    profile = _profile(("DP-1", 0, W), ("HDMI-1", 1, M))
    assert match_profile(profile, ["HDMI-1", "DP-1"]) == [M, W]


def test_match_falls_back_to_position_for_unknown_names():
    profile = _profile(("DP-1", 0, N), ("DP-2", 1, M))
    assert match_profile(profile, ["eDP-1", "HDMI-2"]) == [N, M]


def test_unnamed_screens_match_by_position():
    profile = _profile(("", 0, M), ("", 1, N))
    assert match_profile(profile, ["", ""]) == [M, N]


def test_match_extra_screen_gets_its_first_run_role():
    profile = _profile(("A", 0, M), ("B", 1, W))
    assert match_profile(profile, ["A", "B", "C"]) == [M, W, D]


def test_match_missing_screen_leaves_its_role_docked():
    profile = _profile(("A", 0, M), ("B", 1, W), ("C", 2, N))
    roles = match_profile(profile, ["A", "C"])
    assert roles == [M, N], "C keeps its role by name, not B's by position"
    assert plan_screens(roles).docked == (W, D)


def test_with_roles_keeps_absent_screens():
    profile = _profile(("A", 0, M), ("B", 1, W))
    updated = with_roles(profile, ["A"], [C])
    assert updated.slots == (ScreenSlot("A", 0, C), ScreenSlot("B", 1, W))


def test_profile_file_round_trip(tmp_path):
    store = ProfileStore(tmp_path / "profiles")
    assert store.load("desk") is None
    profile = first_run_profile(["MON0", "MON1", "MON2"], "desk")
    path = store.save(profile)
    assert path == tmp_path / "profiles" / "desk.json"
    assert store.load("desk") == profile
    assert json.loads(path.read_text("utf-8"))["screens"][2] == {"name": "MON2", "index": 2, "role": "dashboard"}


def test_first_run_saves_the_profile(tmp_path):
    store = ProfileStore(tmp_path)
    profile, error = store.load_or_first_run("默认", ["A", "B"])
    assert error is None and [s.role for s in profile.slots] == [M, W]
    assert store.load("默认") == profile


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "not valid JSON"),
    (b'{"screens": [{"name": "A", "role": "weather"}]}', "unknown role"),
    (b'{"screens": [{"name": "A", "role": "map", "index": -1}]}', "bad index"),
    (b'{"screens": [{"name": 5, "role": "map"}]}', "bad name"),
    (b'{"screens": "map"}', "'screens' list"),
    (b"[1, 2]", "'screens' list"),
    (b"\xff\xfe\x00garbage", "UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "larger than"),
    (b'{"screens": [' + b",".join([b'{"role": "map"}'] * 40) + b"]}", "more than"),
    (b"[" * 20_000 + b"]" * 20_000, "JSON"),
    # Python reads no int of more than 4300 digits (a plain ValueError, not a JSONDecodeError)
    (b'{"screens": [{"name": "A", "role": "map", "index": ' + b"9" * 5000 + b"}]}", "JSON"),
])
def test_broken_profile_files_give_a_clear_error_and_the_defaults(tmp_path, content, message):
    store = ProfileStore(tmp_path)
    (tmp_path / "desk.json").write_bytes(content)
    with pytest.raises(ProfileError, match=message):
        store.load("desk")
    profile, error = store.load_or_first_run("desk", ["A", "B", "C"])
    assert error is not None and message.split()[0] in error and str(tmp_path / "desk.json") in error
    assert [s.role for s in profile.slots] == [M, W, D]
    assert (tmp_path / "desk.json").read_bytes() == content, "the broken file is left for someone to look at"


def test_a_change_after_an_unusable_profile_keeps_the_old_file_beside_it(tmp_path):
    """One unknown role put the defaults in use; the next change in 屏幕设置 then wrote over the file, and the
    roles of the other screens (and of a screen absent today) were gone. The file is kept beside it first."""
    store = ProfileStore(tmp_path)
    content = b'{"screens": [{"name": "A", "role": "videowall"}, {"name": "B", "role": "map"}, {"name": "X"}]}'
    (tmp_path / "desk.json").write_bytes(content)
    profile, error = store.load_or_first_run("desk", ["A", "B"])
    assert error is not None
    store.save(profile)
    (aside,) = tmp_path.glob("desk.json.broken-*")
    assert aside.read_bytes() == content and store.load("desk") == profile
    store.save(profile)  # once set aside, later saves just write
    assert len(list(tmp_path.glob("desk.json.broken-*"))) == 1


def test_a_huge_profile_is_refused_unread(tmp_path):
    (tmp_path / "desk.json").write_bytes(b" " * (MAX_PROFILE_BYTES + 1))
    with pytest.raises(ProfileError, match="larger than"):
        ProfileStore(tmp_path).load("desk")


@pytest.mark.parametrize("name", ["../evil", ".hidden", "a/b", "", "x" * 65, "a b", "desk\n"])
def test_profile_names_are_plain_file_names(tmp_path, name):
    with pytest.raises(ProfileError):
        ProfileStore(tmp_path).path(name)


def test_a_gone_screens_role_goes_to_a_new_screen_of_its_size():
    """The wall's monitor B is replaced by D placed right-most (C moved up a place): D has the wall, not the
    default for its place (a second 综合态势, the wall lost)."""
    profile = ScreenProfile("desk", (ScreenSlot("A", 0, M, (1920, 1080)), ScreenSlot("B", 1, W, (1280, 1024)),
                                     ScreenSlot("C", 2, D, (3840, 2160))))
    roles = match_profile(profile, ["A", "C", "D"], [(1920, 1080), (3840, 2160), (1280, 1024)])
    assert roles == [M, D, W]
    assert plan_screens(roles).docked == (N,)


def test_a_new_screen_of_another_size_leaves_the_gone_role_docked():
    profile = ScreenProfile("desk", (ScreenSlot("A", 0, M, (1280, 720)), ScreenSlot("B", 1, W, (1280, 720)),
                                     ScreenSlot("C", 2, D, (1280, 720))))
    roles = match_profile(profile, ["A", "C", "E"], [(1280, 720), (1280, 720), (800, 600)])
    assert roles == [M, D, D], "E gets the default for its place"
    assert W in plan_screens(roles).docked


def test_the_closest_size_takes_a_gone_role_and_unknown_sizes_do_not_keep_it():
    profile = ScreenProfile("desk", (ScreenSlot("A", 0, M), ScreenSlot("B", 1, W, (1920, 1080)),
                                     ScreenSlot("C", 2, D)))
    roles = match_profile(profile, ["A", "C", "X", "Y"], [(1280, 720), (1280, 720), (1680, 1050), (1920, 1200)])
    assert roles == [M, D, N, W], "both near B's size, Y nearer; X the default for its place"
    old = _profile(("A", 0, M), ("B", 1, W), ("C", 2, D))  # a file from before sizes were kept
    assert match_profile(old, ["A", "C", "E"], [(1, 1)] * 3) == [M, D, W]
    assert match_profile(old, ["A", "C", "E"]) == [M, D, W]


def test_each_wall_screen_gone_counts_even_while_another_shows_a_wall():
    profile = ScreenProfile("desk", (ScreenSlot("A", 0, M, (1920, 1080)), ScreenSlot("B", 1, W, (1920, 1080)),
                                     ScreenSlot("C", 2, W, (1920, 1080))))
    assert match_profile(profile, ["A", "B", "E"], [(1920, 1080)] * 3) == [M, W, W]
    profile = ScreenProfile("desk", (ScreenSlot("A", 0, M, (1920, 1080)), ScreenSlot("B", 1, N, (1920, 1080)),
                                     ScreenSlot("C", 2, N, (1920, 1080))))
    assert match_profile(profile, ["A", "C", "E"], [(1920, 1080)] * 3) == [M, N, D], \
        "B's incidents are on C already: E gets the default for its place"


def test_sizes_are_kept_in_the_profile_file(tmp_path):
    store = ProfileStore(tmp_path)
    profile, _error = store.load_or_first_run("desk", ["A", "B"], [(1920, 1080), (1280, 1024)])
    assert store.load("desk") == profile and profile.slots[1].size == (1280, 1024)
    saved = json.loads((tmp_path / "desk.json").read_text("utf-8"))
    assert saved["screens"][1] == {"name": "B", "index": 1, "role": "wall", "size": [1280, 1024]}
    updated = with_roles(profile, ["A", "C"], [M, D], [(1920, 1080), (800, 600)])
    assert [s.size for s in updated.slots] == [(1920, 1080), (800, 600), (1280, 1024)]
    for bad in ([0, 10], [10], "1920x1080", [1920, True], [1920, 10**9]):
        (tmp_path / "bad.json").write_text(json.dumps({"screens": [{"name": "A", "role": "map", "size": bad}]}))
        with pytest.raises(ProfileError, match="bad size"):
            store.load("bad")


@pytest.mark.parametrize(("areas", "expected"), [
    ([(0, 0, 1280, 720)], (0, 0, 1280, 720)),
    ([(0, 0, 1280, 720), (1280, 0, 1280, 720)], (0, 0, 2560, 720)),  # one height: the bounding box, as before
    ([(1920, 0, 3840, 2160), (5760, 0, 1280, 1024)], (1920, 0, 3840, 2160)),  # the big one alone
    ([(0, 0, 1920, 1080), (1920, 0, 1920, 1200)], (0, 0, 3840, 1080)),  # the band they share is larger
    ([(0, 0, 1000, 1000), (0, 1000, 1000, 1000)], (0, 0, 1000, 2000)),  # one above the other
    ([(0, 0, 1000, 1000), (2000, 0, 1000, 1000)], (0, 0, 1000, 1000)),  # a gap between: not spanned
])
def test_a_span_lies_wholly_on_its_monitors(areas, expected):
    assert span_area(areas) == expected
