"""The About dialog's text: version, build date, platform address without credentials, escaped."""

from __future__ import annotations

import html
import logging

from commandwall import __version__, buildinfo
from commandwall.logs import log_to_file
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
    assert "http://127.0.0.1:8700/&lt;b&gt;x&lt;/b&gt;" in text  # shown, as text


def test_about_names_the_log_file_once_the_desk_writes_one(tmp_path):
    root = logging.getLogger()
    handlers = root.handlers[:]
    try:
        assert "日志文件" not in about_text()
        path = log_to_file(tmp_path / "数据 <i>")
        text = about_text()
        assert "日志文件" in text and html.escape(str(path)) in text and "<i>" not in text
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
