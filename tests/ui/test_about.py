"""The About dialog's text: version, build date, platform address without credentials, escaped."""

from __future__ import annotations

from commandwall import __version__, buildinfo
from commandwall.ui.about import about_text


def test_about_shows_version_build_date_and_a_redacted_platform():
    text = about_text("http://duty:secret@127.0.0.1:8700/?token=abc")
    assert __version__ in text
    assert "构建日期" in text
    assert "开发版" in text or buildinfo.build_date() in text
    assert "127.0.0.1:8700" in text
    assert "secret" not in text and "abc" not in text


def test_about_escapes_what_it_shows():
    text = about_text("http://127.0.0.1:8700/<b>x</b>")
    assert "<b>x</b>" not in text
