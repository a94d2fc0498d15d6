"""Build info: what a checkout reports, what a frozen bundle reads from its _buildinfo.json, --version."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import pytest

from commandwall import __version__, buildinfo


@pytest.fixture
def fresh_cache():
    buildinfo.current.cache_clear()
    yield
    buildinfo.current.cache_clear()


def test_checkout_is_a_development_build(fresh_cache):
    info = buildinfo.current()
    assert not info.frozen
    assert buildinfo.version() == __version__
    assert buildinfo.build_date() == buildinfo.DEVELOPMENT_BUILD
    assert info.line().startswith(f"commandwall {__version__} (development build")


def test_record_round_trips_through_the_file(tmp_path):
    when = dt.datetime(2026, 11, 29, 9, 10, 31, 123, tzinfo=dt.UTC)
    record = buildinfo.make_record(built_at=when, revision="v0.1.0-3-gabc1234")
    assert record == {"version": __version__, "built_at": "2026-11-29T09:10:31Z", "revision": "v0.1.0-3-gabc1234"}
    path = tmp_path / buildinfo.BUILDINFO_FILE
    path.write_text(json.dumps(record), encoding="utf-8")
    info = buildinfo.read_file(path)
    assert info is not None
    assert info.build_date() == "2026-11-29 09:10 UTC"
    assert info.line() == f"commandwall {__version__} (built 2026-11-29 09:10 UTC, v0.1.0-3-gabc1234)"


@pytest.mark.parametrize("content", ["", "not json", "[]", '{"built_at": "2026-01-01T00:00:00Z"}'])
def test_unusable_file_gives_none(tmp_path, content):
    path = tmp_path / buildinfo.BUILDINFO_FILE
    path.write_text(content, encoding="utf-8")
    assert buildinfo.read_file(path) is None
    assert buildinfo.read_file(tmp_path / "missing.json") is None


def test_frozen_build_reads_the_bundled_file(tmp_path, monkeypatch, fresh_cache):
    # What PyInstaller's bootloader sets: sys.frozen and sys._MEIPASS (the bundle's data folder).
    (tmp_path / buildinfo.BUILDINFO_FILE).write_text(
        json.dumps({"version": "9.8.7", "built_at": "2030-01-02T03:04:05Z", "revision": None}), encoding="utf-8"
    )
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert buildinfo.version() == "9.8.7"
    assert buildinfo.build_date() == "2030-01-02 03:04 UTC"
    assert buildinfo.current().frozen
    assert buildinfo.current().line() == "commandwall 9.8.7 (built 2030-01-02 03:04 UTC)"


def test_frozen_build_without_file_still_answers(tmp_path, monkeypatch, fresh_cache):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert buildinfo.version() == __version__
    assert buildinfo.build_date() == buildinfo.DEVELOPMENT_BUILD


def test_git_revision_outside_a_repository_is_none(tmp_path):
    assert buildinfo.git_revision(tmp_path) is None


def test_version_action_prints_to_stdout_and_exits_zero(capsys):
    parser = argparse.ArgumentParser(prog="commandwall")
    parser.add_argument("--version", action=buildinfo.VersionAction)
    parser.add_argument("--other")
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--version"])
    assert exit_info.value.code == 0
    out, err = capsys.readouterr()
    assert out.strip() == buildinfo.current().line()
    assert err == ""
    assert parser.parse_args(["--other", "x"]).other == "x"
    assert "--version" in parser.format_help()
