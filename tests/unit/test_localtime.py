"""Times are shown in China Standard Time whatever the desk's OS zone is."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

from commandwall import localtime


def test_a_utc_timestamp_is_shown_at_utc_plus_8():
    moment = datetime(2026, 7, 14, 19, 30, tzinfo=UTC)
    shown = localtime.to_display(moment)
    assert (shown.day, shown.hour, shown.minute) == (15, 3, 30)


def test_now_ignores_the_process_zone():
    code = "from commandwall import localtime; print(localtime.now().utcoffset().total_seconds())"
    for tz in ("UTC", "America/New_York", "Asia/Shanghai"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "TZ": tz}, check=True).stdout
        assert float(out) == 8 * 3600


def test_the_offset_can_be_configured():
    try:
        localtime.set_display_offset(0)
        assert localtime.to_display(datetime(2026, 1, 1, tzinfo=UTC)).hour == 0
    finally:
        localtime.set_display_offset(8)


def test_moments_at_the_ends_of_the_calendar_are_shown_as_they_are() -> None:
    """Broken data from the platform (year 9999 in UTC, year 1 east of UTC) cannot be moved into the display
    zone: shown as sent instead of an error at every repaint of the row."""
    late = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    assert localtime.to_display(late) == late and localtime.to_display(early) == early
