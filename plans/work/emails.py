"""The daily reminder email: plain text and simple HTML, in GOV.UK style.

Links are absolute, built on ``settings.ONEPLAN_BASE_URL`` (the address people use to
reach the service), because an email has no page to be relative to.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from plans.work.selectors import ReminderDue, reminders_by_family

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """Where the service is reached, without a trailing slash."""
    return str(getattr(settings, "ONEPLAN_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL).rstrip(
        "/"
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def reminder_summary(due: ReminderDue) -> str:
    """ "3 overdue actions and 1 review due", leaving out what is zero."""
    parts = []
    if due.overdue_actions:
        parts.append(_plural(due.overdue_actions, "overdue action"))
    if due.reviews:
        parts.append(f"{_plural(len(due.reviews), 'review')} due")
    return " and ".join(parts)


def reminder_email(due: ReminderDue, *, day: datetime.date) -> EmailMultiAlternatives:
    """The message for one person's reminders on ``day``."""
    base = base_url()
    service = settings.ONEPLAN_SERVICE_NAME
    context = {
        "service_name": service,
        "council_name": settings.ONEPLAN_COUNCIL_NAME,
        "name": due.recipient.get_full_name() or due.recipient.username,
        "day": day,
        "summary": reminder_summary(due),
        "own_actions": reminders_by_family(due.own_actions),
        "unnamed_actions": reminders_by_family(due.unnamed_actions),
        "reviews": [(item.family_reference, item.on, item.on < day) for item in due.reviews],
        "my_actions_url": f"{base}{reverse('plans:my-actions')}?show=overdue",
        "my_families_url": f"{base}{reverse('plans:my-families')}?attention=1",
    }
    message = EmailMultiAlternatives(
        subject=f"{service}: you have {context['summary']}",
        body=render_to_string("plans/work/reminder_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[due.recipient.email],
    )
    message.attach_alternative(
        render_to_string("plans/work/reminder_email.html", context), "text/html"
    )
    return message
