"""The log's redaction: every log line loses the secrets the URL checks know of, by the same list."""

from __future__ import annotations

import logging

import pytest

from commandwall.backend.http import has_secret_query
from commandwall.logs import SECRET_PARAMS, RedactingFilter, redact_secrets


@pytest.mark.parametrize("name", [*sorted(SECRET_PARAMS), "X_Auth_Token", "db_password", "app_secret"])
def test_every_secret_parameter_the_url_checks_know_is_redacted_in_log_lines(name: str) -> None:
    url = f"https://tiles.example/t/1/2/3.png?layer=vec&{name}=S3cr3tV4lue&x=1"
    assert has_secret_query(url), "the URL checks call it a secret"
    line = redact_secrets(f"tile failed: GET {url} (500)")
    assert "S3cr3tV4lue" not in line and f"{name}=***" in line and "layer=vec" in line and "x=1" in line


def test_passwords_in_urls_and_bearer_tokens_are_redacted_and_other_text_is_not() -> None:
    assert redact_secrets("rtsp://admin:hunter2@10.0.0.9/ch1") == "rtsp://***:***@10.0.0.9/ch1"
    assert redact_secrets("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer ***"
    assert redact_secrets("monkey=banana&tkx=3&page=2") == "monkey=banana&tkx=3&page=2", "only secret names"


def test_the_log_filter_redacts_the_final_message() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "opened %s", ("http://h/x?ak=BaiduKey1",), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "opened http://h/x?ak=***"
