"""Reading access events. Newest first; each row's user comes in the same query.

These selectors do not check who is asking: the caller has already decided that the
viewer may read this part of the log (audit.access for the data protection officer's
pages; the families app for its "who has viewed this family" page).
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.models import User
from audit.models import AccessAction, AccessEvent


def access_events_for_family(
    *,
    family_id: int,
    limit: int | None = None,
    offset: int = 0,
    include_lists: bool = True,
) -> QuerySet[AccessEvent]:
    """Every recorded read of one family, newest first.

    With ``include_lists`` (the default) this also finds the list and search-result
    pages that showed the family (``list`` events whose ``detail["families"]`` holds its
    id), because those showed its reference and main carer too. Without ``limit`` the
    queryset is unsliced, ready for a Paginator.
    """
    about_family = Q(family_id=family_id)
    if include_lists:
        about_family |= Q(action=AccessAction.LIST, detail__families__contains=[family_id])
    events = (
        AccessEvent.objects.filter(about_family)
        .select_related("user", "user__staff__agency")
        .order_by("-occurred_at", "-id")
    )
    if limit is not None:
        return events[offset : offset + limit]
    return events[offset:] if offset else events


def access_events_for_user(
    *,
    user_id: int,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AccessEvent]:
    """What one user has read, newest first, between two dates (both included).

    Dates are days in the service's time zone (Europe/London), so "1 to 31 March" means
    from midnight at the start of 1 March to midnight at the end of 31 March there,
    whatever the clocks did in between.
    """
    events = AccessEvent.objects.filter(user_id=user_id)
    if date_from is not None:
        events = events.filter(occurred_at__gte=_start_of_day(date_from))
    if date_to is not None and date_to < datetime.date.max:
        events = events.filter(occurred_at__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
    return events.select_related("user").order_by("-occurred_at", "-id")


def user_get_by_username(username: str) -> User | None:
    """The account with this username: an exact match, else the only one ignoring case."""
    username = username.strip()
    if not username:
        return None
    users = User.objects.select_related("staff__agency")
    exact = users.filter(username=username).first()
    if exact is not None:
        return exact
    matches = list(users.filter(username__iexact=username)[:2])
    return matches[0] if len(matches) == 1 else None


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
