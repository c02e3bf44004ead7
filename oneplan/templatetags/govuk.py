"""Template filters for dates and times in the GOV.UK style (``oneplan.dates``).

Built in to every template (``TEMPLATES[...]["OPTIONS"]["builtins"]``), so a page writes
``{{ note.created_at|govuk_datetime }}`` without loading anything. Use these rather than
Django's ``date`` filter for anything a person reads: its "a" gives "p.m.", and its
formats differ from page to page. ``|date:"c"`` is still right for a ``<time datetime>``.
"""

from __future__ import annotations

import datetime

from django import template

from oneplan import dates

register = template.Library()


@register.filter
def govuk_date(value: object) -> str:
    """{{ day|govuk_date }}: '5 December 2026'; '' for none."""
    if isinstance(value, datetime.date):
        return dates.govuk_date(value)
    return ""


@register.filter
def govuk_time(value: object) -> str:
    """{{ moment|govuk_time }}: '7:03pm', 'midday', 'midnight'; '' for none."""
    if isinstance(value, datetime.datetime | datetime.time):
        return dates.govuk_time(value)
    return ""


@register.filter
def govuk_datetime(value: object) -> str:
    """{{ moment|govuk_datetime }}: '5 December 2026 at 7:03pm'; a plain date as
    '5 December 2026'; '' for none."""
    if isinstance(value, datetime.datetime):
        return dates.govuk_datetime(value)
    if isinstance(value, datetime.date):
        return dates.govuk_date(value)
    return ""
