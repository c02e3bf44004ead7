"""Dates and times as people read them, in the GOV.UK style and in UK time.

"5 December 2026", "7:03pm", "7pm", "midday", "midnight", and together "5 December 2026
at 7:03pm". Every page (through the template filters in ``oneplan.templatetags.govuk``),
email, PDF and message uses these, so a date reads the same wherever it appears.

No Django here, so the pure rules modules can use it too. An aware datetime is shown in
UK time, whatever zone it was made in (a test keeps ``UK_TIME`` and ``TIME_ZONE`` the
same); a naive one is taken to be UK time already.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

__all__ = ["UK_TIME", "govuk_date", "govuk_datetime", "govuk_time"]

UK_TIME = ZoneInfo("Europe/London")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _uk(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(UK_TIME) if moment.tzinfo is not None else moment


def govuk_date(value: datetime.date | None) -> str:
    """'5 December 2026' (no leading zero, the month in full); '' for none.

    A datetime gives the day it was in the UK: 11:30pm UTC on 31 May is 1 June.
    """
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _uk(value).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def govuk_time(value: datetime.datetime | datetime.time | None) -> str:
    """'9:05am', '4:30pm', '7pm' on the hour, 'midday' and 'midnight'; '' for none."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _uk(value).time()
    hour, minute = value.hour, value.minute
    if (hour, minute) == (12, 0):
        return "midday"
    if (hour, minute) == (0, 0):
        return "midnight"
    clock = str(hour % 12 or 12) + (f":{minute:02d}" if minute else "")
    return clock + ("am" if hour < 12 else "pm")


def govuk_datetime(value: datetime.datetime | None) -> str:
    """'5 December 2026 at 7:03pm', in UK time; '' for none."""
    if value is None:
        return ""
    local = _uk(value)
    return f"{govuk_date(local)} at {govuk_time(local)}"


def file_stamp(moment: datetime.datetime | None = None) -> str:
    """UK time as a download's file name carries it, for machines and sorting, not
    for reading: "2026-12-06-1405". ``moment``: now when not given."""
    return _uk(moment or datetime.datetime.now(tz=datetime.UTC)).strftime("%Y-%m-%d-%H%M")
