"""The zone a command centre reads its times in.

Zaozhuang runs on China Standard Time (UTC+8, no daylight saving), and so do the platform's timestamps and
the clocks cameras burn into their pictures. The client shows every time in that zone, whatever zone the
desk's operating system is set to, so the status-bar clock, the incident list and the video agree.
``COMMANDWALL_DISPLAY_UTC_OFFSET_HOURS`` changes it.

"Now" is the platform's now: the desk's clock corrected by the offset the platform's answers show
(``backend.clock``), so deadlines, overdue tasks and silent units are judged as the platform judges them even on
a desk whose clock is off.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
_display_tz: timezone = CHINA_STANDARD_TIME
_platform_offset = timedelta(0)


def set_display_offset(hours: float) -> None:
    """Show times at UTC+``hours`` from now on (called once at start-up from the settings)."""
    global _display_tz
    _display_tz = CHINA_STANDARD_TIME if hours == 8 else timezone(timedelta(hours=hours))


def display_tz() -> timezone:
    """The zone times are shown in."""
    return _display_tz


def to_display(moment: datetime) -> datetime:
    """``moment`` (timezone-aware) in the display zone; a moment at the very ends of the calendar (year 1, year
    9999: broken data), which the display zone cannot hold, as it is."""
    try:
        return moment.astimezone(_display_tz)
    except OverflowError:
        return moment


def set_platform_offset(seconds: float) -> None:
    """The platform's clock is ``seconds`` ahead of this desk's (negative: behind): :func:`now` reads its time."""
    global _platform_offset
    _platform_offset = timedelta(seconds=seconds)


def platform_offset_s() -> float:
    """Seconds the platform's clock is ahead of this desk's, as last set (0: none seen)."""
    return _platform_offset.total_seconds()


def now() -> datetime:
    """The current time in the display zone, by the platform's clock (:func:`set_platform_offset`)."""
    return datetime.now(_display_tz) + _platform_offset
