"""One timeline per family, assembled from sources that register here.

The plans app registers its own sources (plan changes, reviews, case notes, status
changes, agreements) when Django starts. Apps further down the dependency chain
(outcomes: agency evidence) cannot be imported by plans, so they register theirs from
their own ``AppConfig.ready``::

    from plans.review.chronology import ChronologyEntry, register_chronology_source

    def evidence_entries(user, family, since, until):
        return [ChronologyEntry(kind="evidence", occurred_at=..., title=...), ...]

    register_chronology_source("evidence", evidence_entries, label="Agency evidence")

A source gets the viewing user (who can already see the family), the family, and an
inclusive date range (either end may be None), and returns that family's entries in the
range. It must do a fixed number of queries whatever the number of entries (select and
prefetch what it shows), and must mark anything under the restricted-information rule
with ``is_restricted=True``: the timeline drops those for users who may not see
restricted information, before counting or paginating, so nothing hints they exist.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.utils import timezone

from agencies.models import AnyUser
from families.access.access import can_view_restricted
from families.models import Family


@dataclass(frozen=True)
class ChronologyEntry:
    """One thing that happened to or for a family."""

    kind: str
    occurred_at: datetime.datetime
    title: str
    detail: str = ""
    who: str = ""
    url: str = ""
    is_restricted: bool = False
    # A meeting or agreement has a date but no time of day worth showing.
    date_only: bool = False

    @property
    def occurred_on(self) -> datetime.date:
        return timezone.localdate(self.occurred_at)


ChronologySource = Callable[
    [AnyUser, Family, datetime.date | None, datetime.date | None], list[ChronologyEntry]
]


@dataclass(frozen=True)
class _Registered:
    name: str
    label: str
    func: ChronologySource


_SOURCES: dict[str, _Registered] = {}


def register_chronology_source(
    name: str, func: ChronologySource, *, label: str | None = None
) -> None:
    """Add a kind of entry to every family's chronology. ``name`` is the kind (used in
    the filter and the API); ``label`` is how the filter names it."""
    _SOURCES[name] = _Registered(name, label or name.replace("_", " ").capitalize(), func)


def chronology_kinds() -> list[tuple[str, str]]:
    """(kind, label) for every registered source, in registration order."""
    return [(source.name, source.label) for source in _SOURCES.values()]


def start_of_day(day: datetime.date) -> datetime.datetime:
    """A date as the first moment of that day in the service's time zone, for entries
    that have a date only."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def datetime_range_q_bounds(
    since: datetime.date | None, until: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The half-open [from, to) datetimes covering the inclusive dates since..until, for
    sources filtering a timestamp column."""
    lower = start_of_day(since) if since else None
    upper = start_of_day(until + datetime.timedelta(days=1)) if until else None
    return lower, upper


def chronology_for_user(
    user: AnyUser,
    family: Family,
    *,
    kinds: Collection[str] = (),
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[ChronologyEntry]:
    """Everything ``user`` may see in ``family``'s timeline, newest first.

    ``kinds`` limits the sources asked (none means all). The caller has already checked
    that the user may see the family's plan. Queries: a fixed number per source, so a
    page costs the same however long the family's history is.
    """
    show_restricted = can_view_restricted(user, family)
    wanted = [s for name, s in _SOURCES.items() if not kinds or name in kinds]
    entries: list[ChronologyEntry] = []
    for source in wanted:
        for entry in source.func(user, family, since, until):
            if entry.is_restricted and not show_restricted:
                continue
            day = entry.occurred_on
            # A source that ignored the range must not widen it.
            if (since and day < since) or (until and day > until):
                continue
            entries.append(
                entry if entry.kind == source.name else dataclasses.replace(entry, kind=source.name)
            )
    entries.sort(key=lambda e: e.occurred_at, reverse=True)
    return entries
