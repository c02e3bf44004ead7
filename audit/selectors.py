"""Reading access events. Newest first; each row's user comes in the same query.

These selectors do not check who is asking: the caller has already decided that the
viewer may read this part of the log (audit.access for the data protection officer's
pages; the families app for its "who has viewed this family" page).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.models import AnyUser, User
from audit.labels import family_names_for
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


def access_events_for_user_and_family(
    *,
    user_id: int,
    family_id: int,
    start: datetime.datetime,
    end: datetime.datetime,
) -> QuerySet[AccessEvent]:
    """What one user opened of one family between two moments (both included), newest
    first: for the review of an emergency access, everything done under it.

    Opened means an event about the family itself (its page, plan, notes, people...);
    the lists that showed it among others are left out.
    """
    return (
        AccessEvent.objects.filter(
            user_id=user_id, family_id=family_id, occurred_at__gte=start, occurred_at__lte=end
        )
        .select_related("user")
        .order_by("-occurred_at", "-id")
    )


def access_events_name(events: Iterable[AccessEvent], *, viewer: AnyUser) -> list[AccessEvent]:
    """The events, with the names ``viewer`` may see filled in for their words
    (``AccessEvent.what``): each family's name where the viewer may see the family (the
    families app's answer, audit.labels), and whose activity a "user activity" event
    looked at. One query for the families and one for the people, whatever the number
    of events; none when no event needs them.
    """
    rows = list(events)
    family_ids = {e.family_id for e in rows if e.family_id is not None and not _is_list(e)}
    names = family_names_for(viewer, family_ids)
    subject_ids = {
        int(e.object_id) for e in rows if e.object_type == "user_activity" and e.object_id.isdigit()
    }
    subjects = (
        {
            user.pk: f"{user.get_full_name() or user.username} ({user.username})"
            for user in User.objects.filter(pk__in=subject_ids)
        }
        if subject_ids
        else {}
    )
    for event in rows:
        if event.family_id is not None:
            event.family_name = names.get(event.family_id, "")
        if event.object_type == "user_activity" and event.object_id.isdigit():
            event.subject_name = subjects.get(int(event.object_id), "")
    return rows


def _is_list(event: AccessEvent) -> bool:
    return event.action == AccessAction.LIST


# --- Refused requests and the flag on user activity -----------------------------------


@dataclass(frozen=True)
class RefusalFlag:
    """When a user is flagged for refusals: at least ``threshold`` in the last ``hours``
    (``ONEPLAN_REFUSAL_FLAG_COUNT`` and ``ONEPLAN_REFUSAL_FLAG_HOURS``; either 0 turns
    the flag off, and refusals are then still counted over the default 24 hours)."""

    threshold: int
    hours: int

    @property
    def is_on(self) -> bool:
        return self.threshold > 0 and self.hours > 0

    @property
    def window_hours(self) -> int:
        return self.hours if self.hours > 0 else 24

    def since(self, now: datetime.datetime) -> datetime.datetime:
        return now - datetime.timedelta(hours=self.window_hours)

    def raised_by(self, refused: int) -> bool:
        return self.is_on and refused >= self.threshold


def refusal_flag() -> RefusalFlag:
    return RefusalFlag(
        threshold=int(settings.ONEPLAN_REFUSAL_FLAG_COUNT),
        hours=int(settings.ONEPLAN_REFUSAL_FLAG_HOURS),
    )


@dataclass(frozen=True)
class RefusedUser:
    """A member of staff refused access to families recently, and whether that many
    refusals raise the flag."""

    user: User
    refused: int
    flagged: bool


def users_refused_since(
    *, since: datetime.datetime, flag: RefusalFlag, limit: int = 50
) -> list[RefusedUser]:
    """The members of staff refused access to a family since ``since``, most refusals
    first (at most ``limit``). Two queries, whatever the number of refusals."""
    counts = list(
        AccessEvent.objects.filter(
            action=AccessAction.REFUSED, occurred_at__gte=since, user__isnull=False
        )
        .values("user_id")
        .annotate(refused=Count("id"))
        .order_by("-refused", "user_id")[:limit]
    )
    users = User.objects.select_related("staff__agency").in_bulk([row["user_id"] for row in counts])
    return [
        RefusedUser(users[row["user_id"]], row["refused"], flag.raised_by(row["refused"]))
        for row in counts
        if row["user_id"] in users
    ]


def refused_count_for_user(*, user_id: int, since: datetime.datetime) -> int:
    """How many of one user's requests for a family were refused since ``since``."""
    return AccessEvent.objects.filter(
        user_id=user_id, action=AccessAction.REFUSED, occurred_at__gte=since
    ).count()


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
