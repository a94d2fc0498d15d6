"""``paths.write_whole``: every settings and data file the client rewrites is replaced in one step."""

from __future__ import annotations

from pathlib import Path

import pytest

from commandwall.paths import write_whole


def test_writes_text_as_utf8_and_bytes_as_given_creating_the_folder(tmp_path: Path) -> None:
    text_file = write_whole(tmp_path / "a" / "b" / "预案.json", '{"名称": "临城"}')
    assert text_file.read_bytes() == '{"名称": "临城"}'.encode()
    write_whole(tmp_path / "raw.bin", b"\x00\xff")
    assert (tmp_path / "raw.bin").read_bytes() == b"\x00\xff"


def test_replaces_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "layers.json"
    write_whole(target, "x" * 10_000)
    write_whole(target, "short")
    assert target.read_text() == "short"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "view.ini"
    write_whole(target, "old")
    with pytest.raises(UnicodeEncodeError):
        write_whole(target, "half \ud800 new")  # a lone surrogate cannot be written as UTF-8
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view.ini"]


def test_a_folder_in_the_way_is_an_oserror_and_nothing_is_left_behind(tmp_path: Path) -> None:
    (tmp_path / "profile.json").mkdir()
    with pytest.raises(OSError):
        write_whole(tmp_path / "profile.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile.json"]
    assert (tmp_path / "profile.json").is_dir()
